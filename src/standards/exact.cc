#include "standards/exact.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace ecohub::standards {

int64_t Pow10(int n) {
  static constexpr int64_t kPow[] = {1,
                                     10,
                                     100,
                                     1000,
                                     10000,
                                     100000,
                                     1000000,
                                     10000000,
                                     100000000,
                                     1000000000,
                                     10000000000,
                                     100000000000,
                                     1000000000000,
                                     10000000000000,
                                     100000000000000,
                                     1000000000000000,
                                     10000000000000000,
                                     100000000000000000,
                                     1000000000000000000};
  return kPow[n];
}

std::optional<Decimal> DecimalFromDouble(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  char buf[400];
  // Fixed notation, shortest digits that round-trip: 5e-05 -> "0.00005".
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (ec != std::errc()) return std::nullopt;
  return Decimal::Parse(std::string_view(buf, end - buf));
}

std::optional<Decimal> DecimalNear(double v) {
  if (auto d = DecimalFromDouble(v)) return d;
  if (!std::isfinite(v) || std::fabs(v) >= 1e18) return std::nullopt;
  char buf[64];
  for (int decimals = 15; decimals >= 0; --decimals) {
    int n = std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    if (n <= 0 || n >= static_cast<int>(sizeof buf)) continue;
    // Trailing zeros would only cost digits.
    std::string_view t(buf, n);
    if (decimals > 0) {
      while (t.back() == '0') t.remove_suffix(1);
      if (t.back() == '.') t.remove_suffix(1);
    }
    if (auto d = Decimal::Parse(t)) return d;
  }
  return std::nullopt;
}

__int128 ScaledTo(const Decimal& v, int scale) {
  return static_cast<__int128>(v.mantissa) * Pow10(scale - v.scale);
}

int Compare(const Decimal& a, const Decimal& b) {
  int s = a.scale > b.scale ? a.scale : b.scale;
  __int128 x = ScaledTo(a, s), y = ScaledTo(b, s);
  return x < y ? -1 : (x > y ? 1 : 0);
}

namespace {

// q = num/den rounded half-even; den > 0.
__int128 DivHalfEven(__int128 num, __int128 den) {
  bool neg = num < 0;
  if (neg) num = -num;
  __int128 q = num / den, r = num % den;
  __int128 twice = 2 * r;
  if (twice > den || (twice == den && (q % 2) != 0)) ++q;
  return neg ? -q : q;
}

}  // namespace

Decimal RoundGbt8170(const Decimal& v, int digits) {
  if (v.scale <= digits) return v;
  __int128 q = DivHalfEven(v.mantissa, Pow10(v.scale - digits));
  return MakeDecimal(static_cast<int64_t>(q), digits);
}

Decimal RoundRatio(__int128 num, __int128 den, int digits) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  return MakeDecimal(static_cast<int64_t>(DivHalfEven(num * Pow10(digits), den)), digits);
}

int64_t CeilDiv(__int128 num, __int128 den) {
  __int128 q = num / den;
  if (num % den != 0 && num > 0) ++q;
  return static_cast<int64_t>(q);
}

}  // namespace ecohub::standards
