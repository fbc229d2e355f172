// The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters of
// 0-9 and the capitals without I, O, Z, S, V. Positions 1-2 are the registering
// authority and the kind of body, 3-8 the registering authority's GB/T 2260 area, 9-17
// the body's organisation code (GB 11714, whose 9th character is its own check digit),
// 18 the check character: 31 minus the sum of the first 17 values weighted by
// 3^(i-1) mod 31, modulo 31.
//
// Pure; no I/O.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace ecohub::standards {

// OK, or kInvalidInput saying what is wrong: the length, the first character outside
// the code's alphabet (and where), the organisation code's check digit, or the check
// character (and the one expected). Lower-case letters are refused: codes are
// written in capitals.
Status CheckCreditCode(std::string_view code);

// `first16` (the authority, the kind of body, the area and the first eight characters
// of the organisation code, all in the code's alphabet) completed with the
// organisation code's check digit and the check character: a code CheckCreditCode
// accepts. For tools and demos that make codes, never to "repair" a code given.
std::string CompleteCreditCode(std::string_view first16);

}  // namespace ecohub::standards
