// Passwords and bearer secrets (libsodium). Passwords are stored as Argon2id
// strings (algorithm, parameters and salt inside); tokens and API keys are 256
// random bits shown once to their holder and stored only as their SHA-256.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace ecohub::auth {

// Must be called once before anything else here (idempotent, thread-safe).
Status InitSecrets();

// Argon2id with libsodium's "interactive" limits (about 64 MiB and 50-100 ms on
// this class of machine: a login costs that, a guess costs that too).
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view stored_hash, std::string_view password);
// Our password rule: 10 to 128 bytes, not all of one character class.
Status CheckPasswordRule(std::string_view password);

// A new bearer secret: `prefix` + 43 base64url characters (256 bits).
std::string NewSecret(std::string_view prefix);
// The hex SHA-256 under which a secret is stored and looked up.
std::string SecretHash(std::string_view secret);

}  // namespace ecohub::auth
