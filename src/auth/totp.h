// Time-based one-time passwords: the administrators' second factor.
//
// TOTP is RFC 6238 over HOTP (RFC 4226): the code for unix time `t` is
// HOTP(key, floor(t / step_seconds)), i.e. HMAC-SHA-1 of the big-endian 8-byte
// step, dynamically truncated (RFC 4226 §5.3) to 31 bits, modulo 10^digits,
// zero-padded. T0 is 0. The hash is SHA-1 and nothing else: every authenticator
// app supports it, many support nothing else, and HOTP needs only HMAC's PRF
// property, which SHA-1's collisions do not touch (RFC 4226 Appendix B).
//
// Keys are raw bytes (20, i.e. 160 bits, from NewTotpKey, RFC 4226 §4 R6); users
// see them as RFC 4648 base32 inside an otpauth:// URI (the format of Google
// Authenticator's "Key Uri Format", read by every authenticator app).
//
// Parameters: `digits` in 6..8 (RFC 4226 §5.3 asks for at least 6; 8 is what the
// RFC 6238 vectors use), `step_seconds` > 0. Other values are the caller's bug
// (options are validated at start-up): TotpCode returns "" and VerifyTotp nullopt.
//
// Pure functions, thread-safe, no state, except NewTotpKey which reads OpenSSL's
// CSPRNG (itself thread-safe). HMAC-SHA-1 goes through OpenSSL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ecohub::auth {

// RFC 4648 §6 base32 ("A".."Z", "2".."7"), upper case, without '=' padding.
std::string Base32Encode(std::string_view bytes);
// The bytes of base32 `text`. Accepts lower case, spaces anywhere (secrets are
// shown in groups of four) and trailing '=' padding. nullopt on any other
// character, on '=' followed by a letter, and on a length no encoding can have
// (1, 3 or 6 letters past the last full group of 8: a truncated secret). Bits
// left over in the last letter are ignored, as most decoders do (§3.5 allows it).
std::optional<std::string> Base32Decode(std::string_view text);

struct TotpParams {
  int digits = 6;         // 6..8
  int step_seconds = 30;  // > 0; RFC 6238 §5.2 recommends 30
};

// The code for unix time `t` (>= 0) under raw `key`, zero-padded to `digits`.
// "" on invalid parameters, a negative `t`, or an OpenSSL failure (allocation):
// never a valid code, so a VerifyTotp built on it can only refuse.
std::string TotpCode(std::string_view key, int64_t t, const TotpParams& p = {});

// Checks `code` against the steps t/step - window .. t/step + window (clock drift
// and typing time, RFC 6238 §5.2; `window` < 0 counts as 0) and returns the
// matched step, or nullopt. Refuses a code whose length is not `digits` or that
// has a non-digit, and every step <= `last_used_step`: a code is good once
// (RFC 6238 §5.2), so the caller stores the returned step and passes it next
// time (-1 before the first use). Every candidate step is computed and compared
// in constant time, without stopping at a match, so the time taken does not say
// how many digits matched. Should two steps both match (chance about
// 10^-digits), the earliest unused one is returned.
std::optional<int64_t> VerifyTotp(std::string_view key, std::string_view code, int64_t t,
                                  int64_t last_used_step, int window = 1, const TotpParams& p = {});

// otpauth://totp/ISSUER:ACCOUNT?secret=B32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
// ISSUER and ACCOUNT are percent-encoded as UTF-8 bytes (everything but RFC 3986
// unreserved characters, so '@', ':', ' ' and 生态环境局 are all escaped). With an
// empty issuer the label is ACCOUNT alone and there is no issuer parameter.
std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view key,
                       const TotpParams& p = {});

// 20 random bytes from OpenSSL's RAND_bytes, or "" if the CSPRNG fails (not
// seeded, allocation): the caller must treat "" as an internal error and not
// enrol anything. Never aborts.
std::string NewTotpKey();

}  // namespace ecohub::auth
