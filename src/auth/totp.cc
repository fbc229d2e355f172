#include "auth/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <limits>

#include "core/escape.h"

namespace ecohub::auth {
namespace {

constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
// RFC 4226 §4 R6: 160-bit shared secrets.
constexpr int kKeyBytes = 20;
constexpr unsigned kSha1Bytes = 20;
constexpr std::array<uint32_t, 9> kPow10 = {1,      10,      100,      1000,     10000,
                                            100000, 1000000, 10000000, 100000000};

int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

bool ValidParams(const TotpParams& p) {
  return p.digits >= 6 && p.digits <= 8 && p.step_seconds > 0;
}

// RFC 4226 §5.3: HOTP(key, counter), `digits` long; "" if OpenSSL fails.
std::string HotpCode(std::string_view key, uint64_t counter, int digits) {
  unsigned char message[8];
  for (int i = 7; i >= 0; --i, counter >>= 8) message[i] = static_cast<unsigned char>(counter);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), message, sizeof message, mac,
           &mac_len) == nullptr ||
      mac_len != kSha1Bytes)
    return "";
  // Dynamic truncation: the low nibble of the last byte picks 4 bytes; the top bit
  // is dropped so the value reads the same signed or unsigned.
  unsigned offset = mac[kSha1Bytes - 1] & 0x0f;
  uint32_t binary = (uint32_t{mac[offset]} & 0x7f) << 24 | uint32_t{mac[offset + 1]} << 16 |
                    uint32_t{mac[offset + 2]} << 8 | uint32_t{mac[offset + 3]};
  uint32_t value = binary % kPow10[digits];
  std::string code(digits, '0');
  for (int i = digits - 1; i >= 0 && value != 0; --i, value /= 10)
    code[i] = static_cast<char>('0' + value % 10);
  return code;
}

}  // namespace

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (char ch : bytes) {
    buffer = buffer << 8 | static_cast<unsigned char>(ch);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += kBase32Alphabet[(buffer >> bits) & 31];
    }
  }
  // The last letter carries the remaining bits, zero-filled on the right.
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<std::string> Base32Decode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  size_t letters = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    int value = Base32Value(c);
    if (value < 0 || padding) return std::nullopt;
    buffer = buffer << 5 | static_cast<uint32_t>(value);
    bits += 5;
    ++letters;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  // A group of 8 letters is 5 bytes; 1, 3 or 6 letters end no byte of any input.
  switch (letters % 8) {
    case 1:
    case 3:
    case 6:
      return std::nullopt;
    default:
      return out;
  }
}

std::string TotpCode(std::string_view key, int64_t t, const TotpParams& p) {
  if (!ValidParams(p) || t < 0) return "";
  return HotpCode(key, static_cast<uint64_t>(t / p.step_seconds), p.digits);
}

std::optional<int64_t> VerifyTotp(std::string_view key, std::string_view code, int64_t t,
                                  int64_t last_used_step, int window, const TotpParams& p) {
  // A malformed code could never match; refusing it first spends no HMAC on it.
  if (!ValidParams(p) || t < 0 || code.size() != static_cast<size_t>(p.digits)) return std::nullopt;
  for (char c : code)
    if (c < '0' || c > '9') return std::nullopt;
  const int64_t now = t / p.step_seconds;
  std::optional<int64_t> matched;
  for (int64_t i = -std::max(window, 0); i <= std::max(window, 0); ++i) {
    if (i > 0 && now > std::numeric_limits<int64_t>::max() - i) break;  // t near 2^63
    const int64_t step = now + i;
    if (step < 0 || step <= last_used_step) continue;
    std::string expected = HotpCode(key, static_cast<uint64_t>(step), p.digits);
    bool equal = expected.size() == code.size() &&
                 CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0;
    if (equal && !matched) matched = step;
  }
  return matched;
}

std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view key,
                       const TotpParams& p) {
  std::string label = PercentEncode(account, IsUnreserved);
  std::string issuer_param;
  if (!issuer.empty()) {
    label = PercentEncode(issuer, IsUnreserved) + ":" + label;
    issuer_param = "&issuer=" + PercentEncode(issuer, IsUnreserved);
  }
  return "otpauth://totp/" + label + "?secret=" + Base32Encode(key) + issuer_param +
         "&algorithm=SHA1&digits=" + std::to_string(p.digits) +
         "&period=" + std::to_string(p.step_seconds);
}

std::string NewTotpKey() {
  std::string key(kKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), kKeyBytes) != 1) return "";
  return key;
}

}  // namespace ecohub::auth
