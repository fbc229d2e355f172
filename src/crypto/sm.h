// The commercial-cryptography primitives EcoHub uses (GB/T 39786), through OpenSSL 3's
// default provider: SM3 (GB/T 32905), HMAC-SM3, and SM4 (GB/T 32907) single blocks and
// CBC. Inputs and outputs are raw bytes in std::string unless a name says hex.
//
// Thread-safe: the functions keep no state. OpenSSL failures (an allocation, a
// provider without the algorithm) are kInternal: they are not caused by input.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace ecohub::crypto {

inline constexpr size_t kSm3Bytes = 32;
inline constexpr size_t kSm4KeyBytes = 16;
inline constexpr size_t kSm4BlockBytes = 16;

// Lowercase hex, and back (kInvalidInput on an odd length or a non-hex digit).
std::string ToHex(std::string_view bytes);
Result<std::string> FromHex(std::string_view hex);

// The 32-byte SM3 digest of `data`.
Result<std::string> Sm3(std::string_view data);
// The 32-byte SHA-256 digest of `data`: where an outside party must recompute it with
// everyday tools (the random draw's stream, docs/random-inspections.md).
Result<std::string> Sha256(std::string_view data);
// The 32-byte HMAC-SM3 (RFC 2104 over SM3) of `data` under `key` (any length).
Result<std::string> HmacSm3(std::string_view key, std::string_view data);
// A subkey for one purpose: HMAC-SM3(master, label). One master key serves the audit
// chain, its anchors and sealing without any two sharing a key.
Result<std::string> DeriveKey(std::string_view master, std::string_view label);

// SM4 of one 16-byte block under a 16-byte key (ECB, no padding): the standard's
// test vectors are stated this way. kInvalidInput on wrong sizes.
Result<std::string> Sm4EncryptBlock(std::string_view key, std::string_view block);
// SM4-CBC with PKCS#7 padding under a 16-byte key and 16-byte IV. Decrypt fails
// (kCorruption) on bad padding; authenticate before decrypting (sealer.h).
Result<std::string> Sm4CbcEncrypt(std::string_view key, std::string_view iv,
                                  std::string_view plaintext);
Result<std::string> Sm4CbcDecrypt(std::string_view key, std::string_view iv,
                                  std::string_view ciphertext);

// `n` bytes from OpenSSL's CSPRNG.
Result<std::string> RandomBytes(size_t n);
// Equal contents, in time independent of where they differ (MAC comparison).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace ecohub::crypto
