#include "crypto/sm.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace ecohub::crypto {
namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};
struct MacFree {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
struct MdFree {
  void operator()(EVP_MD* m) const { EVP_MD_free(m); }
};
struct CipherFree {
  void operator()(EVP_CIPHER* c) const { EVP_CIPHER_free(c); }
};

Status OpenSslError(const char* what) {
  return Status::Internal(std::string("openssl: ") + what + " failed");
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One pass of SM4 in `mode` ("SM4-ECB", "SM4-CBC") over `in`.
Result<std::string> Sm4(const char* mode, bool encrypt, bool pad, std::string_view key,
                        std::string_view iv, std::string_view in) {
  if (key.size() != kSm4KeyBytes) return Status::InvalidInput("SM4 keys are 16 bytes");
  std::unique_ptr<EVP_CIPHER, CipherFree> cipher(EVP_CIPHER_fetch(nullptr, mode, nullptr));
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx) return OpenSslError(mode);
  if (EVP_CipherInit_ex2(ctx.get(), cipher.get(), Bytes(key), iv.empty() ? nullptr : Bytes(iv),
                         encrypt ? 1 : 0, nullptr) != 1)
    return OpenSslError(mode);
  EVP_CIPHER_CTX_set_padding(ctx.get(), pad ? 1 : 0);
  std::string out(in.size() + kSm4BlockBytes, '\0');
  int n = 0, tail = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_CipherUpdate(ctx.get(), o, &n, Bytes(in), static_cast<int>(in.size())) != 1)
    return OpenSslError(mode);
  if (EVP_CipherFinal_ex(ctx.get(), o + n, &tail) != 1)
    return encrypt ? OpenSslError(mode) : Status::Corruption("SM4: bad padding");
  out.resize(n + tail);
  return out;
}

}  // namespace

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * bytes.size(), '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    hex[2 * i] = kHex[b >> 4];
    hex[2 * i + 1] = kHex[b & 15];
  }
  return hex;
}

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Status::InvalidInput("hex of odd length");
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexDigit(hex[2 * i]), lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidInput("not a hex digit");
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

namespace {
// The digest `name` (an OpenSSL algorithm name) of `data`.
Result<std::string> Digest(const char* name, std::string_view data) {
  std::unique_ptr<EVP_MD, MdFree> md(EVP_MD_fetch(nullptr, name, nullptr));
  if (!md) return OpenSslError(name);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &n, md.get(), nullptr) != 1)
    return OpenSslError(name);
  return std::string(reinterpret_cast<char*>(digest), n);
}
}  // namespace

Result<std::string> Sm3(std::string_view data) { return Digest("SM3", data); }
Result<std::string> Sha256(std::string_view data) { return Digest("SHA256", data); }

Result<std::string> HmacSm3(std::string_view key, std::string_view data) {
  std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) return OpenSslError("HMAC");
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(mac.get()));
  char digest_name[] = "SM3";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                         OSSL_PARAM_construct_end()};
  // A zero-length key is legal HMAC but OpenSSL wants a non-null pointer.
  static const unsigned char kEmpty = 0;
  if (!ctx ||
      EVP_MAC_init(ctx.get(), key.empty() ? &kEmpty : Bytes(key), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), Bytes(data), data.size()) != 1)
    return OpenSslError("HMAC-SM3");
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t n = 0;
  if (EVP_MAC_final(ctx.get(), out, &n, sizeof out) != 1) return OpenSslError("HMAC-SM3");
  return std::string(reinterpret_cast<char*>(out), n);
}

Result<std::string> DeriveKey(std::string_view master, std::string_view label) {
  return HmacSm3(master, label);
}

Result<std::string> Sm4EncryptBlock(std::string_view key, std::string_view block) {
  if (block.size() != kSm4BlockBytes) return Status::InvalidInput("SM4 blocks are 16 bytes");
  return Sm4("SM4-ECB", true, false, key, {}, block);
}

Result<std::string> Sm4CbcEncrypt(std::string_view key, std::string_view iv,
                                  std::string_view plaintext) {
  if (iv.size() != kSm4BlockBytes) return Status::InvalidInput("SM4-CBC IVs are 16 bytes");
  return Sm4("SM4-CBC", true, true, key, iv, plaintext);
}

Result<std::string> Sm4CbcDecrypt(std::string_view key, std::string_view iv,
                                  std::string_view ciphertext) {
  if (iv.size() != kSm4BlockBytes) return Status::InvalidInput("SM4-CBC IVs are 16 bytes");
  if (ciphertext.empty() || ciphertext.size() % kSm4BlockBytes != 0)
    return Status::Corruption("SM4-CBC: ciphertext is not whole blocks");
  return Sm4("SM4-CBC", false, true, key, iv, ciphertext);
}

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    return OpenSslError("RAND_bytes");
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ecohub::crypto
