#include "standards/air.h"

#include <algorithm>
#include <numeric>

#include "standards/exact.h"

namespace ecohub::standards {
namespace {

constexpr const char* kNames[kPollutantCount] = {"SO2", "NO2", "PM10", "CO", "O3", "PM2.5"};
constexpr const char* kFactors[kPollutantCount] = {"a21026", "a21004", "a34002",
                                                   "a21005", "a05024", "a34004"};

// GB 3095 limits in tenths of the unit (CO mg/m3, the rest ug/m3); 0 = no limit.
// Index: [stage][grade-1][pollutant][averaging: annual, daily, hourly, max8h].
// 2012: Table 1. 2026: Table 1 of GB 3095-2026, transition (to 2030-12-31) and final.
constexpr int kLimits[3][2][kPollutantCount][4] = {
    // GB 3095-2012
    {{{200, 500, 1500, 0},
      {400, 800, 2000, 0},
      {400, 500, 0, 0},
      {0, 40, 100, 0},
      {0, 0, 1600, 1000},
      {150, 350, 0, 0}},
     {{600, 1500, 5000, 0},
      {400, 800, 2000, 0},
      {700, 1500, 0, 0},
      {0, 40, 100, 0},
      {0, 0, 2000, 1600},
      {350, 750, 0, 0}}},
    // GB 3095-2026 transition stage
    {{{200, 500, 1500, 0},
      {400, 800, 2000, 0},
      {400, 500, 0, 0},
      {0, 40, 100, 0},
      {0, 0, 1600, 1000},
      {150, 350, 0, 0}},
     {{600, 1500, 5000, 0},
      {400, 800, 2000, 0},
      {600, 1200, 0, 0},
      {0, 40, 100, 0},
      {0, 0, 2000, 1600},
      {300, 600, 0, 0}}},
    // GB 3095-2026 final stage
    {{{200, 500, 1500, 0},
      {300, 500, 2000, 0},
      {200, 500, 0, 0},
      {0, 40, 100, 0},
      {0, 0, 1600, 1000},
      {100, 250, 0, 0}},
     {{200, 500, 1500, 0},
      {300, 500, 2000, 0},
      {500, 1000, 0, 0},
      {0, 40, 100, 0},
      {0, 0, 2000, 1600},
      {250, 500, 0, 0}}},
};

const UnixSeconds kStage2026 = DaysFromCivil(2026, 3, 1) * 86400 - kBeijingOffsetSeconds;
const UnixSeconds kStageFinal = DaysFromCivil(2031, 1, 1) * 86400 - kBeijingOffsetSeconds;

// Sum of decimals at a common scale (the largest of theirs).
struct ExactSum {
  __int128 sum = 0;
  int scale = 0;
  int n = 0;
  void Add(const Decimal& d) {
    if (d.scale > scale) {
      sum *= Pow10(d.scale - scale);
      scale = d.scale;
    }
    sum += ScaledTo(d, scale);
    ++n;
  }
  std::optional<Decimal> Mean(int digits) const {
    if (n == 0) return std::nullopt;
    // sum / 10^scale / n, rounded to `digits`.
    __int128 den = static_cast<__int128>(n);
    Decimal q = RoundRatio(sum, den * Pow10(scale), digits);
    return q;
  }
  // The mean before rounding; nullopt when empty or the sum does not fit a Decimal.
  std::optional<Unrounded> Exact() const {
    if (n == 0 || sum > INT64_MAX || sum < -INT64_MAX) return std::nullopt;
    return Unrounded{MakeDecimal(static_cast<int64_t>(sum), scale), n};
  }
};

}  // namespace

const char* PollutantName(Pollutant p) { return kNames[static_cast<int>(p)]; }

std::optional<Pollutant> PollutantFromName(std::string_view name) {
  for (int k = 0; k < kPollutantCount; ++k)
    if (name == kNames[k]) return static_cast<Pollutant>(k);
  if (name == "PM25") return Pollutant::kPM25;
  return std::nullopt;
}

const char* PollutantFactor(Pollutant p) { return kFactors[static_cast<int>(p)]; }

std::optional<Pollutant> PollutantFromFactor(std::string_view code) {
  for (int k = 0; k < kPollutantCount; ++k)
    if (code == kFactors[k]) return static_cast<Pollutant>(k);
  return std::nullopt;
}

LimitStage StageForDayStart(UnixSeconds day_start) {
  if (day_start < kStage2026) return LimitStage::k2012;
  return day_start < kStageFinal ? LimitStage::k2026Transition : LimitStage::k2026Final;
}

const char* StageName(LimitStage s) {
  switch (s) {
    case LimitStage::k2012:
      return "GB3095-2012";
    case LimitStage::k2026Transition:
      return "GB3095-2026 transition";
    case LimitStage::k2026Final:
      return "GB3095-2026 final";
  }
  return "";
}

std::optional<Decimal> Gb3095Limit(Pollutant p, Averaging a, int grade, LimitStage s) {
  if (grade < 1 || grade > 2) return std::nullopt;
  int tenths = kLimits[static_cast<int>(s)][grade - 1][static_cast<int>(p)][static_cast<int>(a)];
  if (tenths == 0) return std::nullopt;
  return tenths % 10 == 0 ? MakeDecimal(tenths / 10, 0) : MakeDecimal(tenths, 1);
}

std::optional<Decimal> MeanRounded(std::span<const Decimal> values, int digits) {
  ExactSum s;
  for (const Decimal& d : values) s.Add(d);
  return s.Mean(digits);
}

std::optional<Decimal> MeanOfUnrounded(std::span<const Unrounded> values, int digits) {
  if (values.empty()) return std::nullopt;
  int scale = 0;
  for (const Unrounded& u : values) {
    if (u.n < 1 || u.n > kMaxUnroundedN) return std::nullopt;
    scale = std::max<int>(scale, u.sum.scale);
  }
  // Sum of fractions a_i / n_i (a_i at the common scale), reduced as it goes, so the
  // denominator stays the lcm of the counts (lcm(1..24) = 5354228880).
  constexpr __int128 kMaxDen = static_cast<__int128>(1) << 80;
  __int128 num = 0, den = 1;
  for (const Unrounded& u : values) {
    __int128 a = ScaledTo(u.sum, scale), n = u.n;
    num = num * n + a * den;
    den *= n;
    __int128 g = std::gcd(num < 0 ? -num : num, den);
    if (g > 1) num /= g, den /= g;
    if (den > kMaxDen) return std::nullopt;
  }
  __int128 total_den = den * static_cast<__int128>(values.size());
  if (total_den > kMaxDen) return std::nullopt;
  return RoundRatio(num, total_den * Pow10(scale), digits);
}

Stat DailyMean(std::span<const std::optional<Decimal>> hours, int digits) {
  ExactSum s;
  for (const auto& h : hours)
    if (h) s.Add(*h);
  return Stat{s.Mean(digits), s.n, s.n >= ValidityMinimum::kHourlyValuesPerDay, s.Exact()};
}

Stat SlidingMean8h(std::span<const std::optional<Decimal>> hours) {
  if (hours.size() > 8) hours = hours.subspan(hours.size() - 8);
  ExactSum s;
  for (const auto& h : hours)
    if (h) s.Add(*h);
  return Stat{s.Mean(0), s.n, s.n >= ValidityMinimum::kHoursPer8hWindow, s.Exact()};
}

O3Max8h DailyMax8hO3(std::span<const std::optional<Decimal>> hours24, int limit) {
  O3Max8h out;
  if (hours24.size() < 8) return out;
  // The max is taken over exact window means; rounding comes last.
  bool have = false;
  __int128 best_num = 0, best_den = 1;
  std::optional<Unrounded> best_exact;
  for (size_t start = 0; start + 8 <= hours24.size() && start < 17; ++start) {
    ExactSum s;
    for (size_t h = start; h < start + 8; ++h)
      if (hours24[h]) s.Add(*hours24[h]);
    if (s.n < ValidityMinimum::kHoursPer8hWindow) continue;
    ++out.windows;
    // Compare s.sum / (n * 10^scale) with the best so far by cross-multiplication.
    __int128 den = static_cast<__int128>(s.n) * Pow10(s.scale);
    if (!have || s.sum * best_den > best_num * den) {
      best_num = s.sum;
      best_den = den;
      best_exact = s.Exact();
      have = true;
    }
  }
  if (!have) return out;
  out.value = RoundRatio(best_num, best_den, 0);
  out.exact = best_exact;
  // Valid with >= 14 windows, or when the maximum exceeds the limit anyway
  // (HJ 663 §6.1.2; which limit is meant is unconfirmed, digest §8.2).
  bool exceeds = best_num > static_cast<__int128>(limit) * best_den;
  out.valid = out.windows >= ValidityMinimum::kO3WindowsPerDay || exceeds;
  return out;
}

std::optional<Decimal> PercentileHj663(std::vector<Decimal> values, int p) {
  if (values.empty() || p < 0 || p > 100) return std::nullopt;
  std::sort(values.begin(), values.end(),
            [](const Decimal& a, const Decimal& b) { return Compare(a, b) < 0; });
  int n = static_cast<int>(values.size());
  // k = 1 + (n-1)p/100 = s + r/100 with s integer, 0 <= r < 100.
  int64_t t = static_cast<int64_t>(n - 1) * p;
  int64_t s = 1 + t / 100, r = t % 100;
  const Decimal& lo = values[s - 1];
  if (r == 0 || s >= n) return lo;
  const Decimal& hi = values[s];
  int scale = std::max(lo.scale, hi.scale);
  __int128 a = ScaledTo(lo, scale), b = ScaledTo(hi, scale);
  // (a*100 + (b-a)*r) / 100 at `scale`: exact with two more decimals.
  __int128 m = a * 100 + (b - a) * r;
  if (scale + 2 > 15) return RoundRatio(m, static_cast<__int128>(100) * Pow10(scale), 15);
  return MakeDecimal(static_cast<int64_t>(m), scale + 2);
}

PeriodStat PeriodStatistic(Pollutant p, std::span<const DailyValue> days, bool year) {
  PeriodStat out;
  out.days = static_cast<int>(days.size());
  std::vector<Decimal> v;
  v.reserve(days.size());
  for (const auto& d : days) v.push_back(d.value);
  int digits = ReportDecimals(p);
  if (p == Pollutant::kCO || p == Pollutant::kO3) {
    auto q = PercentileHj663(v, p == Pollutant::kCO ? 95 : 90);
    if (q) out.value.value = RoundGbt8170(*q, digits);
  } else {
    out.value.value = MeanRounded(v, digits);
    auto q = PercentileHj663(v, 98);
    if (q) out.p98 = RoundGbt8170(*q, digits);
  }
  out.value.n = out.days;
  // Days per month (Beijing): each month needs 27 (February 25).
  std::array<int, 12> per_month{};
  for (const auto& d : days) {
    CivilTime c = CivilFromSeconds(d.day_start + kBeijingOffsetSeconds);
    ++per_month[c.month - 1];
  }
  auto month_ok = [&](int m) {
    return per_month[m] >=
           (m == 1 ? ValidityMinimum::kDailyValuesFebruary : ValidityMinimum::kDailyValuesPerMonth);
  };
  if (year) {
    bool ok = out.days >= ValidityMinimum::kDailyValuesPerYear;
    for (int m = 0; m < 12 && ok; ++m) ok = month_ok(m);
    out.value.valid = ok;
  } else {
    int best =
        static_cast<int>(std::max_element(per_month.begin(), per_month.end()) - per_month.begin());
    out.value.valid = !days.empty() && month_ok(best);
  }
  return out;
}

CompositeLimits CompositeLimits::Gb3095_2012() {
  CompositeLimits l;
  l.s = {MakeDecimal(60, 0), MakeDecimal(40, 0),  MakeDecimal(70, 0),
         MakeDecimal(4, 0),  MakeDecimal(160, 0), MakeDecimal(35, 0)};
  return l;
}

CompositeIndex ComputeComposite(const std::array<std::optional<Decimal>, kPollutantCount>& c,
                                const CompositeLimits& limits) {
  CompositeIndex out;
  // Exact sum of fractions C_i / S_i.
  __int128 num = 0, den = 1;
  __int128 best_num = -1, best_den = 1;
  for (int k = 0; k < kPollutantCount; ++k) {
    if (!c[k]) continue;
    int scale = std::max(c[k]->scale, limits.s[k].scale);
    __int128 n = ScaledTo(*c[k], scale), d = ScaledTo(limits.s[k], scale);
    if (d <= 0) continue;
    ++out.count;
    out.single[k] = RoundRatio(n, d, 2);
    num = num * d + n * den;
    den *= d;
    __int128 g = std::gcd(num < 0 ? -num : num, den);
    if (g > 1) num /= g, den /= g;
    if (n * best_den > best_num * d) {
      best_num = n, best_den = d;
      out.primary.clear();
    }
    if (n * best_den == best_num * d) out.primary.push_back(static_cast<Pollutant>(k));
  }
  out.sum = RoundRatio(num, den, 2);
  std::sort(out.primary.begin(), out.primary.end(), [](Pollutant a, Pollutant b) {
    return std::string_view(PollutantName(a)) < std::string_view(PollutantName(b));
  });
  return out;
}

std::vector<int> RankAscending(std::span<const Decimal> values) {
  std::vector<int> idx(values.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(),
                   [&](int a, int b) { return Compare(values[a], values[b]) < 0; });
  std::vector<int> rank(values.size());
  for (size_t k = 0; k < idx.size(); ++k) {
    bool tie = k > 0 && Compare(values[idx[k]], values[idx[k - 1]]) == 0;
    rank[idx[k]] = tie ? rank[idx[k - 1]] : static_cast<int>(k) + 1;
  }
  return rank;
}

}  // namespace ecohub::standards
