// Sealer: secrets at rest (device passwords, API key material, personal data) sealed
// with SM4 under the KeyRing's newest key, and opened with whichever key sealed them.
//
// Debian's OpenSSL 3.0 has no SM4-GCM in its default provider, so a seal is SM4-CBC
// then HMAC-SM3 over everything before the tag (encrypt-then-MAC), with subkeys
// derived from the master key per purpose (sm.h: DeriveKey). A sealed value is text:
//
//   $sm4$<key id>$<hex: 16-byte IV || ciphertext || 32-byte tag>
//
// The prefix lets a column hold clear values written before sealing was introduced
// and sealed ones side by side during a migration: Open returns a value without the
// prefix unchanged, and IsSealed tells which rows still need sealing. How to move a
// column over: read each value, and where !IsSealed(v), write Seal(v); afterwards a
// caller that requires sealed values checks IsSealed before Open.
//
// Thread-safe: a Sealer holds an immutable KeyRing.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/keyring.h"

namespace ecohub::crypto {

inline constexpr std::string_view kSealedPrefix = "$sm4$";

class Sealer {
 public:
  // `keys` must not be empty (a Sealer cannot seal without a key).
  explicit Sealer(std::shared_ptr<const KeyRing> keys) : keys_(std::move(keys)) {}

  static bool IsSealed(std::string_view value) { return value.starts_with(kSealedPrefix); }

  // `plaintext` sealed under the newest key, with a fresh random IV.
  Result<std::string> Seal(std::string_view plaintext) const;
  // The plaintext of a sealed value; a value that is not sealed comes back as it is.
  // kNotFound when the key that sealed it is not in the ring (it was removed);
  // kCorruption when the value was altered or truncated (the tag does not match).
  Result<std::string> Open(std::string_view value) const;

 private:
  std::shared_ptr<const KeyRing> keys_;
};

}  // namespace ecohub::crypto
