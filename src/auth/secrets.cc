#include "auth/secrets.h"

#include <sodium.h>

#include <cctype>

namespace ecohub::auth {

Status InitSecrets() {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Status::Internal("password hashing ran out of memory");
  return std::string(out);
}

bool VerifyPassword(std::string_view stored, std::string_view password) {
  // crypto_pwhash_str_verify wants a NUL-terminated string of bounded length.
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
  std::string s(stored);
  return crypto_pwhash_str_verify(s.c_str(), password.data(), password.size()) == 0;
}

Status CheckPasswordRule(std::string_view pw) {
  if (pw.size() < 10) return Status::InvalidInput("password must have at least 10 characters");
  if (pw.size() > 128) return Status::InvalidInput("password must have at most 128 bytes");
  int classes = 0;
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char c : pw) {
    lower |= std::islower(c) != 0;
    upper |= std::isupper(c) != 0;
    digit |= std::isdigit(c) != 0;
    other |= !std::isalnum(c);
  }
  classes = lower + upper + digit + other;
  if (classes < 2)
    return Status::InvalidInput("password must mix at least two of: lower, upper, digits, others");
  return Status::Ok();
}

std::string NewSecret(std::string_view prefix) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(prefix) + b64;
}

std::string SecretHash(std::string_view secret) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

}  // namespace ecohub::auth
