// The rule a password chosen through the API must meet (GB/T 22239-2019 8.1.4.1:
// complexity): CheckPasswordRule's bounds (secrets.h: 10 to 128 bytes), and
//  - at least 10 characters (UTF-8 code points, so a CJK password is not cut short),
//  - at least 3 of 4 classes: lower case, upper case, digits, anything else,
//  - not containing the username (ignoring ASCII case; usernames of 3 or more).
// Passwords already stored are not re-checked; the operator's own (the first
// administrator's file, `ecohub user add`) meet only CheckPasswordRule.
#pragma once

#include <string_view>

#include "core/status.h"

namespace ecohub::auth {

// kInvalidInput naming the first rule `password` breaks; OK when it meets them all.
Status CheckPasswordStrength(std::string_view password, std::string_view username);

}  // namespace ecohub::auth
