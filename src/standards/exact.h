// Exact decimal arithmetic for the standards: classification at a limit, IAQI
// before its ceiling and GB/T 8170 rounding must not depend on binary floating
// point (50 + 4*50/40 computed in doubles can ceil to 56 instead of 55).
//
// Values are ecohub::Decimal (mantissa * 10^-scale, scale 0..15). Pure, no I/O,
// thread-compatible.
#pragma once

#include <cstdint>
#include <optional>

#include "core/reading.h"

namespace ecohub::standards {

// 10^n for n in 0..18.
int64_t Pow10(int n);

// The shortest decimal that reads back as `v` ("4.05" for the double nearest to
// 4.05), which is what a person wrote in JSON or CSV. Nullopt for NaN, infinities
// and numbers that need more than 18 significant digits or 15 decimals.
std::optional<Decimal> DecimalFromDouble(double v);

// DecimalFromDouble, or when the shortest text needs too many digits (0.1 + 0.2 =
// 0.30000000000000004), the value rounded to the most decimals that fit (at most 15).
// Nullopt for NaN, infinities and magnitudes of 10^18 and more.
std::optional<Decimal> DecimalNear(double v);

// Builds a decimal from parts; scale 0..15.
inline Decimal MakeDecimal(int64_t mantissa, int scale) {
  Decimal d;
  d.mantissa = mantissa;
  d.scale = static_cast<uint8_t>(scale);
  return d;
}

// -1, 0, 1 as a <, =, > b (exact).
int Compare(const Decimal& a, const Decimal& b);

// GB/T 8170 rounding (四舍六入五成双): to `digits` decimals, a remainder of exactly
// one half goes to the even neighbour, anything above half rounds away from zero.
// Unchanged when the value already has `digits` decimals or fewer.
Decimal RoundGbt8170(const Decimal& v, int digits);

// num/den rounded per GB/T 8170 to `digits` decimals (den != 0). Used for ratios
// such as an exceedance multiple (C - S) / S.
Decimal RoundRatio(__int128 num, __int128 den, int digits);

// ceil(num/den) for den > 0.
int64_t CeilDiv(__int128 num, __int128 den);

// The value scaled to `scale` decimals as an integer (scale >= v.scale).
__int128 ScaledTo(const Decimal& v, int scale);

}  // namespace ecohub::standards
