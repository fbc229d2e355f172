// Ambient-air evaluation: GB 3095 limits (2012; 2026 transition and final stages,
// dated), the data-validity rules of GB 3095 Table 4, and the HJ 663 statistics
// EcoHub reports: daily means, the O3 daily maximum 8-h mean, the HJ 663 percentile,
// period means and percentiles, the composite index and rankings.
//
// Pure, exact (Decimal in, Decimal out; means rounded per GB/T 8170 only at the
// end), thread-compatible. Digest: ../shared/reference/standards.md §2. Where the
// digest marks a rule unconfirmed the comment says so; docs/standards-air.md lists them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/reading.h"
#include "core/time.h"

namespace ecohub::standards {

// The six pollutants of the AQI and the composite index, in report order.
enum class Pollutant : uint8_t { kSO2 = 0, kNO2, kPM10, kCO, kO3, kPM25 };
constexpr int kPollutantCount = 6;
const char* PollutantName(Pollutant p);  // "SO2" "NO2" "PM10" "CO" "O3" "PM2.5"
std::optional<Pollutant> PollutantFromName(std::string_view name);
// HJ 212-2017 factor code of an air-station pollutant ("a21026" SO2 ...) and back.
const char* PollutantFactor(Pollutant p);
std::optional<Pollutant> PollutantFromFactor(std::string_view code);
// Report precision (HJ 663 / HJ 633-2026 §4.2.2): ug/m3 integers, CO mg/m3 one decimal.
inline int ReportDecimals(Pollutant p) { return p == Pollutant::kCO ? 1 : 0; }

// ---- GB 3095 limits ------------------------------------------------------------

// Which table is in force: GB 3095-2012 until 2026-02-28, GB 3095-2026 transition
// limits 2026-03-01 .. 2030-12-31, final limits from 2031-01-01 (GB 3095-2026 §4.4).
enum class LimitStage : uint8_t { k2012 = 0, k2026Transition, k2026Final };
LimitStage StageForDayStart(UnixSeconds day_start);
const char* StageName(LimitStage s);  // "GB3095-2012", "GB3095-2026 transition", ...

enum class Averaging : uint8_t { kAnnual = 0, kDaily, kHourly, kMax8h };

// The concentration limit of `p` for an averaging time, area grade (1 or 2) and
// stage; nullopt where the table has none (CO annual, O3 annual...).
std::optional<Decimal> Gb3095Limit(Pollutant p, Averaging a, int grade, LimitStage s);

// ---- Data validity (GB 3095-2012 / 2026 Table 4) ------------------------------

struct ValidityMinimum {
  static constexpr int kHourlyValuesPerDay = 20;   // SO2 NO2 CO PM10 PM2.5 NOx daily mean
  static constexpr int kHoursPer8hWindow = 6;      // O3 8-h mean
  static constexpr int kMinutesPerHour = 45;       // 1-h mean
  static constexpr int kDailyValuesPerYear = 324;  // annual mean
  static constexpr int kDailyValuesPerMonth = 27;  // annual mean, each month
  static constexpr int kDailyValuesFebruary = 25;
  static constexpr int kO3WindowsPerDay = 14;  // HJ 663 §6.1.2 O3 daily max 8-h
};

// ---- HJ 663 statistics ---------------------------------------------------------

// A mean before its rounding, exactly: sum / n (n >= 1). GB/T 8170 rounds a value
// once, at the end, never a value that is rounded again later (no successive
// rounding): a district or city mean is taken over its stations' unrounded values.
struct Unrounded {
  Decimal sum;
  int64_t n = 1;
};

// A statistic with how it was obtained.
struct Stat {
  std::optional<Decimal> value;    // rounded to the report precision
  int n = 0;                       // values it was computed from
  bool valid = false;              // meets the validity rule
  std::optional<Unrounded> exact;  // `value` before rounding (absent when the sum
                                   // does not fit a Decimal, never for real data)
};

// Exact mean of `values` rounded per GB/T 8170 to `digits` decimals; nullopt when empty.
std::optional<Decimal> MeanRounded(std::span<const Decimal> values, int digits);

// The mean of unrounded values, each sum/n, computed exactly and rounded once per
// GB/T 8170 to `digits` decimals: (10.5 + 10.6)/2 = 10.55 -> 11, where the mean of
// the rounded values (10 + 11)/2 = 10.5 -> 10 would be a second rounding. Nullopt
// when empty, when an n is not in 1..kMaxUnroundedN, or when the common denominator
// would overflow (not with counts of hours or 8-h windows).
inline constexpr int64_t kMaxUnroundedN = 1000;
std::optional<Decimal> MeanOfUnrounded(std::span<const Unrounded> values, int digits);

// Daily (24-h) mean from the day's hourly values (nullopt = missing or invalid
// hour): valid with >= 20 hours. The value is computed even when invalid.
Stat DailyMean(std::span<const std::optional<Decimal>> hours, int digits);

// The 8-h sliding mean ending with the last of `hours` (the 8 hours before and
// including the current one): valid with >= 6 of 8 (GB 3095 Table 4). Takes the
// last 8 entries; fewer entries count as missing.
Stat SlidingMean8h(std::span<const std::optional<Decimal>> hours);

// O3 daily maximum 8-h mean (日最大8小时平均, HJ 663 §6.1.2): the max over the 17
// windows of the natural day (hours 1–8 … 17–24), each needing >= 6 valid hours; the
// day is valid with >= 14 valid windows, or with fewer when the maximum still
// exceeds `limit` (the digest leaves which limit open; the default is Grade II 160).
struct O3Max8h {
  std::optional<Decimal> value;  // integer ug/m3
  int windows = 0;               // valid windows
  bool valid = false;
  std::optional<Unrounded> exact;  // the maximum window's mean before rounding
};
O3Max8h DailyMax8hO3(std::span<const std::optional<Decimal>> hours24, int limit = 160);

// HJ 663-2013 Appendix A percentile: sort ascending, k = 1 + (n-1)·p/100, s = int(k),
// m = X(s) + (X(s+1) − X(s))·(k − s). Exact; nullopt for no values or p outside 0..100.
std::optional<Decimal> PercentileHj663(std::vector<Decimal> values, int p);

// Period statistics over daily values (a month or a year) for one pollutant:
// SO2 NO2 PM10 PM2.5 → mean of daily means; CO → 95th percentile of daily means;
// O3 → 90th percentile of daily max 8-h (the statistics city reports use, digest
// §2.4, secondary). `valid` applies the annual rule (>= 324 days and >= 27 per
// month, 25 in February) when `year` is true, the monthly rule (>= 27/25) otherwise.
struct PeriodStat {
  Stat value;                  // rounded to the report precision
  std::optional<Decimal> p98;  // 98th percentile of daily means (SO2 NO2 PM10 PM2.5)
  int days = 0;
};
struct DailyValue {
  UnixSeconds day_start;  // Beijing natural day
  Decimal value;
};
PeriodStat PeriodStatistic(Pollutant p, std::span<const DailyValue> days, bool year);

// ---- Composite index (环境空气质量综合指数) -------------------------------------

// I_i = C_i / S_i with S_i the GB 3095-2012 Grade II values the ranking rule uses
// (SO2 60, NO2 40, PM10 70, PM2.5 35 annual; CO 4 daily; O3 160 daily max 8-h). C
// are the period statistics above. Whether S_i follow GB 3095-2026 after
// 2026-03-01 is unconfirmed (digest §2.5): the table is a parameter.
struct CompositeIndex {
  std::array<std::optional<Decimal>, kPollutantCount> single;  // 2 decimals
  Decimal sum;                                                 // 2 decimals, exact sum rounded
  std::vector<Pollutant> primary;  // largest I_i (exact), ties all listed, by name
  int count = 0;                   // pollutants that entered
};
struct CompositeLimits {
  std::array<Decimal, kPollutantCount> s;
  static CompositeLimits Gb3095_2012();
};
CompositeIndex ComputeComposite(const std::array<std::optional<Decimal>, kPollutantCount>& c,
                                const CompositeLimits& limits = CompositeLimits::Gb3095_2012());

// Competition ranking (1, 2, 2, 4) of `values`, smallest first (lower index or
// concentration = better); equal values share a rank.
std::vector<int> RankAscending(std::span<const Decimal> values);

}  // namespace ecohub::standards
