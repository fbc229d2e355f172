// Aggregation of a factor's values minute -> hour -> day, with the validity rules
// of GB 3095 Table 4 and HJ 212 Appendix D and the interval-flag rules of the
// HJ 212-2017 C.16-C.18 notes (docs/data-quality.md; digests
// ../shared/reference/hj212.md §10 and standards.md §2.3).
//
// Values are exact decimals: the sum is kept as a 128-bit integer at the largest
// scale seen and the mean is rounded once, half-even (GB/T 8170), so 74 and 75
// average to 74, never to a binary-floating-point accident.
//
// Pure functions on plain values: no I/O, no logging, no exceptions; bad input
// (unknown flags, unsorted or duplicated times, samples outside the interval) gives
// a defined result, documented below. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/reading.h"
#include "core/time.h"

namespace ecohub::quality {

// ---------------------------------------------------------------------------
// Data flags (HJ 212-2017 table 8; HJ/T 212-2005 incl. the air-station digits).

enum class FlagClass : uint8_t {
  kValid,     // N, no flag (0), 2005 air '3' normal, 2005 air '1' meteorological
  kAbnormal,  // F M S D C T B, 2005 P, 2005 air '0' calibration, '2' abnormal
  kUnknown,   // anything else: stored verbatim (the tables are "可扩充"), never valid
};

FlagClass ClassifyFlag(char flag);
// True when a value with this flag enters means and counts as valid data.
inline bool IsValidFlag(char flag) { return ClassifyFlag(flag) == FlagClass::kValid; }
// True when the flag says the instrument or the source was not in normal operation.
// An unknown flag is neither valid nor abnormal.
inline bool IsAbnormalFlag(char flag) { return ClassifyFlag(flag) == FlagClass::kAbnormal; }

// ---------------------------------------------------------------------------
// Samples and series.

// One value of one factor: a minute value, an hourly value...; `time` is the
// start of its interval (HJ 212-2017 §6.6.3), UTC.
struct Sample {
  UnixSeconds time = 0;
  Decimal value;
  char flag = 0;  // HJ 212 data flag, 0 when absent
};

// The series sorted by time (stable), keeping for each time only the LAST sample
// in input order: a retransmission replaces what it repeats (devices resend the same
// upload when no 9014 arrives, digest §12).
std::vector<Sample> NormalizeSeries(std::span<const Sample> samples);

// The samples of one Beijing-local hour or day.
struct Bucket {
  UnixSeconds start = 0;        // UTC instant of the Beijing-local boundary
  std::vector<Sample> samples;  // normalised (sorted, one per time)
};

// Splits a series into buckets of `step` seconds aligned on Beijing-local time
// (UTC+8, FloorBeijing), in time order; only buckets holding a sample appear.
// Any input order is accepted; duplicates are resolved as in NormalizeSeries.
// step must be positive and divide a day (3600, 86400...). The Beijing day of
// 2026-03-01 is [2026-02-28T16:00Z, 2026-03-01T16:00Z).
std::vector<Bucket> SplitBeijing(std::span<const Sample> samples, int64_t step);
inline std::vector<Bucket> SplitHours(std::span<const Sample> s) { return SplitBeijing(s, 3600); }
inline std::vector<Bucket> SplitDays(std::span<const Sample> s) { return SplitBeijing(s, 86400); }

// ---------------------------------------------------------------------------
// Validity rules.

// What kind of site produced the values; it decides the interval-flag rule.
enum class SiteKind : uint8_t {
  kAirStation,  // ambient air quality station: GB 3095 Table 4
  kFlueGas,     // flue-gas CEMS outlet: HJ 212 App. D + C.17/C.18 note (75 % normal)
  kWasteWater,  // waste-water outlet: C.16 note (one abnormal value, interval abnormal)
};

// An interval is valid when it holds at least `min_valid` valid values out of the
// `expected` it should hold.
struct ValidityRule {
  int expected = 0;
  int min_valid = 0;
};

// GB 3095-2012/2026 Table 4 (digest standards.md §2.3, [text]).
// SO2, NO2, CO, O3, NOx 1-h mean: >= 45 minutes of sampling in the hour.
inline constexpr ValidityRule kAirHourRule{60, 45};
// SO2, NO2, CO, PM10, PM2.5, NOx daily mean: >= 20 hourly means of 24.
inline constexpr ValidityRule kAirDayRule{24, 20};
// O3 8-h mean: >= 6 hourly means in each 8 h.
inline constexpr ValidityRule kAirO3EightHourRule{8, 6};
// HJ 212-2017 App. D, CEMS (digest hj212.md §10): hour >= 45 valid minute values,
// day >= 20 valid hours.
inline constexpr ValidityRule kCemsHourRule{60, 45};
inline constexpr ValidityRule kCemsDayRule{24, 20};

// The rule for an hourly mean (Period::kHour, from one value per minute) or a daily
// mean (Period::kDay, from hourly values) at this kind of site; nullopt for the
// other periods (no statistic is formed for them here). Waste water has no count
// minimum in the sources read: the CEMS minima are used for it (an assumption,
// docs/data-quality.md); its interval flag follows the C.16 rule regardless.
std::optional<ValidityRule> RuleFor(Period period, SiteKind site);

// The same rule for an interval expecting `expected` values instead (a device whose
// MinInterval is 10 min sends 6 minute values an hour): min_valid scales in
// proportion and rounds up, so 45 of 60 becomes 5 of 6. expected <= 0 gives {0, 0}.
ValidityRule ScaleRule(const ValidityRule& rule, int expected);

// ---------------------------------------------------------------------------
// Aggregation.

struct Coverage {
  int expected = 0;  // from the rule
  int observed = 0;  // distinct sample times received in the interval, any flag
  int valid = 0;     // of those, values with a valid flag

  // observed / expected and valid / expected; nullopt when expected is 0. Can exceed
  // 1 when a device sends more values than the rule expects.
  std::optional<double> ObservedRatio() const;
  std::optional<double> ValidRatio() const;
};

struct Aggregate {
  UnixSeconds start = 0;
  int64_t length = 0;
  Coverage coverage;
  // The interval's value may be used: the rule's minimum is met and the interval
  // is not abnormal.
  bool valid = false;
  // The interval is not in normal operation (flag != 'N'): see AggregateInterval.
  bool abnormal = true;
  // The flag the interval carries when reported upwards (or into the next level).
  char flag = 'D';

  // Statistics over valid-flag values only.
  int n = 0;
  __int128 sum = 0;                 // exact sum of the values, at `sum_scale` decimals
  int sum_scale = 0;                // the largest scale among the values
  bool overflow = false;            // the exact sum left 128 bits; means are then nullopt
  std::optional<Decimal> min, max;  // as sent (scale kept); nullopt when n == 0

  // The exact mean rounded half-even (GB/T 8170) to `digits` decimals (0..15):
  // 1.1 and 1.2 give 1.15 -> Mean(1) = 1.2; 74 and 75 give 74.5 -> Mean(0) = 74.
  // nullopt when n == 0, on overflow, for digits outside 0..15 or when the result
  // does not fit a Decimal.
  std::optional<Decimal> Mean(int digits) const;
  // The mean as a double (for display and charts, never for a limit); nullopt as Mean.
  std::optional<double> MeanDouble() const;
};

// Aggregates the samples with time in [start, start + length) (others are ignored;
// any order; duplicate times resolved as in NormalizeSeries) under `rule`.
//
// Let met = (valid values >= rule.min_valid, and at least one). Then by site kind:
//  * kAirStation (GB 3095 §6.4: data failing Table 4 are invalid): abnormal = !met.
//  * kFlueGas (C.17/C.18 note): normal when valid values >= 75 % of
//    max(expected, observed), flag 'N', else 'D'; abnormal = flag 'D'. `valid`
//    still needs `met` (App. D), so 19 of 24 good hours give flag 'N', not valid.
//  * kWasteWater (C.16 note): one abnormal-flag value makes the interval abnormal;
//    also abnormal when !met.
// valid = met && !abnormal. The flag is 'N' when not abnormal; otherwise 'D' for
// flue gas, else the most frequent abnormal flag among the samples (ties: the
// earliest), else 'D' (too few valid values, no flag to say why). An overflowing
// sum makes the interval abnormal, flag 'D'.
Aggregate AggregateInterval(std::span<const Sample> samples, UnixSeconds start, int64_t length,
                            const ValidityRule& rule, SiteKind site);

// One Aggregate per bucket of SplitBeijing(samples, step), in time order. Intervals
// without any sample are not listed (their coverage is 0 by definition).
std::vector<Aggregate> AggregateSeries(std::span<const Sample> samples, int64_t step,
                                       const ValidityRule& rule, SiteKind site);

// The aggregate as a value of the next level (hour -> day): its start, Mean(digits)
// and its flag. Without a mean the value is 0 and the flag is never a valid one
// ('D' replaces a valid flag), so the next level counts it observed, not valid.
Sample ToSample(const Aggregate& aggregate, int digits);

}  // namespace ecohub::quality
