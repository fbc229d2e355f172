#include "quality/aggregate.h"

#include <algorithm>
#include <array>
#include <limits>

namespace ecohub::quality {

namespace {

// src/quality may not use src/standards: the few exact helpers it needs are here.

constexpr int kMaxPow10 = 18;

int64_t Pow10(int n) {
  int64_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// *v *= 10^n; false on overflow (n in 0..18).
bool MulPow10(__int128* v, int n) { return !__builtin_mul_overflow(*v, Pow10(n), v); }

// -1, 0, 1 as a <, =, > b, exactly. Scales are 0..15 by Decimal's contract; a
// value outside it compares by its double (never produced by Decimal::Parse).
int CompareDecimal(const Decimal& a, const Decimal& b) {
  if (a.scale > kMaxPow10 || b.scale > kMaxPow10) {
    double x = a.ToDouble(), y = b.ToDouble();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  int s = std::max(a.scale, b.scale);
  __int128 x = static_cast<__int128>(a.mantissa) * Pow10(s - a.scale);
  __int128 y = static_cast<__int128>(b.mantissa) * Pow10(s - b.scale);
  return x < y ? -1 : (x > y ? 1 : 0);
}

// num/den rounded half-even (GB/T 8170 四舍六入五成双); den > 0.
__int128 DivHalfEven(__int128 num, __int128 den) {
  bool neg = num < 0;
  if (neg) num = -num;
  __int128 q = num / den, r = num % den;
  __int128 twice = 2 * r;
  if (twice > den || (twice == den && q % 2 != 0)) ++q;
  return neg ? -q : q;
}

}  // namespace

FlagClass ClassifyFlag(char flag) {
  switch (flag) {
    case 0:    // no flag sent
    case 'N':  // 2017 table 8 / 2005: normal
    case '3':  // 2005 air station: normal data
    case '1':  // 2005 air station: meteorological parameter (a normal value)
      return FlagClass::kValid;
    case 'F':  // stopped
    case 'M':  // maintenance
    case 'S':  // manually entered set value
    case 'D':  // fault
    case 'C':  // calibrating
    case 'T':  // above the measuring upper limit
    case 'B':  // instrument <-> logger communication failure (2017)
    case 'P':  // power failure (2005)
    case '0':  // 2005 air station: calibration data
    case '2':  // 2005 air station: abnormal data
      return FlagClass::kAbnormal;
    default:
      return FlagClass::kUnknown;
  }
}

std::vector<Sample> NormalizeSeries(std::span<const Sample> samples) {
  std::vector<Sample> sorted(samples.begin(), samples.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Sample& a, const Sample& b) { return a.time < b.time; });
  std::vector<Sample> out;
  out.reserve(sorted.size());
  for (const Sample& s : sorted) {
    if (!out.empty() && out.back().time == s.time) {
      out.back() = s;  // the later (retransmitted) sample wins
    } else {
      out.push_back(s);
    }
  }
  return out;
}

std::vector<Bucket> SplitBeijing(std::span<const Sample> samples, int64_t step) {
  std::vector<Bucket> buckets;
  if (step <= 0) return buckets;
  for (const Sample& s : NormalizeSeries(samples)) {
    UnixSeconds start = FloorBeijing(s.time, step);
    if (buckets.empty() || buckets.back().start != start) buckets.push_back({start, {}});
    buckets.back().samples.push_back(s);
  }
  return buckets;
}

std::optional<ValidityRule> RuleFor(Period period, SiteKind site) {
  switch (period) {
    case Period::kHour:
      return site == SiteKind::kAirStation ? kAirHourRule : kCemsHourRule;
    case Period::kDay:
      return site == SiteKind::kAirStation ? kAirDayRule : kCemsDayRule;
    default:
      return std::nullopt;
  }
}

ValidityRule ScaleRule(const ValidityRule& rule, int expected) {
  if (expected <= 0) return {0, 0};
  if (rule.expected <= 0) return {expected, std::max(rule.min_valid, 0)};
  int64_t num = static_cast<int64_t>(std::max(rule.min_valid, 0)) * expected;
  int64_t min_valid = (num + rule.expected - 1) / rule.expected;
  return {expected, static_cast<int>(std::min<int64_t>(min_valid, expected))};
}

std::optional<double> Coverage::ObservedRatio() const {
  if (expected <= 0) return std::nullopt;
  return static_cast<double>(observed) / expected;
}

std::optional<double> Coverage::ValidRatio() const {
  if (expected <= 0) return std::nullopt;
  return static_cast<double>(valid) / expected;
}

std::optional<Decimal> Aggregate::Mean(int digits) const {
  if (n <= 0 || overflow || digits < 0 || digits > 15) return std::nullopt;
  __int128 num = sum;
  __int128 den = n;
  if (digits >= sum_scale) {
    if (!MulPow10(&num, digits - sum_scale)) return std::nullopt;
  } else if (!MulPow10(&den, sum_scale - digits)) {
    return std::nullopt;
  }
  __int128 q = DivHalfEven(num, den);
  if (q > std::numeric_limits<int64_t>::max() || q < std::numeric_limits<int64_t>::min()) {
    return std::nullopt;
  }
  Decimal d;
  d.mantissa = static_cast<int64_t>(q);
  d.scale = static_cast<uint8_t>(digits);
  return d;
}

std::optional<double> Aggregate::MeanDouble() const {
  if (n <= 0 || overflow) return std::nullopt;
  long double v = static_cast<long double>(sum) / static_cast<long double>(Pow10(sum_scale));
  return static_cast<double>(v / n);
}

Aggregate AggregateInterval(std::span<const Sample> samples, UnixSeconds start, int64_t length,
                            const ValidityRule& rule, SiteKind site) {
  Aggregate a;
  a.start = start;
  a.length = length;
  a.coverage.expected = rule.expected;

  std::vector<Sample> in;
  if (length > 0) {
    for (const Sample& s : samples) {
      // t - start < length instead of t < start + length: no overflow near the ends.
      if (s.time >= start && s.time - start < length) in.push_back(s);
    }
  }
  in = NormalizeSeries(in);
  a.coverage.observed = static_cast<int>(in.size());

  // Abnormal flags by frequency, ties to the earliest.
  std::array<int, 256> flag_count{};
  std::array<int, 256> flag_first{};
  int order = 0;
  for (const Sample& s : in) {
    FlagClass c = ClassifyFlag(s.flag);
    if (c == FlagClass::kAbnormal) {
      auto i = static_cast<unsigned char>(s.flag);
      if (flag_count[i]++ == 0) flag_first[i] = order++;
      continue;
    }
    if (c != FlagClass::kValid) continue;
    ++a.coverage.valid;
    ++a.n;
    if (!a.min || CompareDecimal(s.value, *a.min) < 0) a.min = s.value;
    if (!a.max || CompareDecimal(s.value, *a.max) > 0) a.max = s.value;
    if (a.overflow) continue;
    if (s.value.scale > kMaxPow10) {
      a.overflow = true;
      continue;
    }
    if (s.value.scale > a.sum_scale) {
      if (!MulPow10(&a.sum, s.value.scale - a.sum_scale)) a.overflow = true;
      a.sum_scale = s.value.scale;
    }
    __int128 term = s.value.mantissa;
    if (!MulPow10(&term, a.sum_scale - s.value.scale) ||
        __builtin_add_overflow(a.sum, term, &a.sum)) {
      a.overflow = true;
    }
  }
  char dominant = 0;
  int best = 0, best_first = 0;
  for (int i = 0; i < 256; ++i) {
    if (flag_count[i] == 0) continue;
    if (flag_count[i] > best || (flag_count[i] == best && flag_first[i] < best_first)) {
      best = flag_count[i];
      best_first = flag_first[i];
      dominant = static_cast<char>(i);
    }
  }

  bool met = a.coverage.valid >= std::max(rule.min_valid, 1);
  switch (site) {
    case SiteKind::kAirStation:
      a.abnormal = !met;
      a.flag = a.abnormal ? (dominant != 0 ? dominant : 'D') : 'N';
      break;
    case SiteKind::kFlueGas: {
      // C.17/C.18 note: >= 75 % normal values -> N, else D.
      int64_t base = std::max(a.coverage.expected, a.coverage.observed);
      a.abnormal = !(a.coverage.valid > 0 && int64_t{4} * a.coverage.valid >= 3 * base);
      a.flag = a.abnormal ? 'D' : 'N';
      break;
    }
    case SiteKind::kWasteWater:
      // C.16 note: one abnormal value in the interval makes the interval abnormal.
      a.abnormal = dominant != 0 || !met;
      a.flag = dominant != 0 ? dominant : (met ? 'N' : 'D');
      break;
  }
  if (a.overflow) {
    a.abnormal = true;
    a.flag = 'D';
  }
  a.valid = met && !a.abnormal;
  return a;
}

std::vector<Aggregate> AggregateSeries(std::span<const Sample> samples, int64_t step,
                                       const ValidityRule& rule, SiteKind site) {
  std::vector<Aggregate> out;
  for (const Bucket& b : SplitBeijing(samples, step)) {
    out.push_back(AggregateInterval(b.samples, b.start, step, rule, site));
  }
  return out;
}

Sample ToSample(const Aggregate& aggregate, int digits) {
  Sample s;
  s.time = aggregate.start;
  s.flag = aggregate.flag;
  if (std::optional<Decimal> mean = aggregate.Mean(digits)) {
    s.value = *mean;
  } else if (IsValidFlag(s.flag)) {
    s.flag = 'D';  // no value to carry: never pass on a valid-looking zero
  }
  return s;
}

}  // namespace ecohub::quality
