// GB 3096-2008 声环境质量标准: the functional-zone classes, their Table 1 limits and
// the evaluation of one day of a noise station (Ld, Ln, Ldn, night Lmax) against
// them.
//
// Levels are in dB(A). The energy average 10·lg(mean of 10^(0.1·Li)) is computed in
// long double; every published value (Ld, Ln, Ldn) is rounded once, at the end, to
// 0.1 dB per GB/T 8170 (四舍六入五成双), and the verdicts compare that rounded value
// with the integer limit exactly (a day at 60.0 dB(A) in a 60 zone meets it).
//
// Pure functions, no I/O, thread-compatible. Bad input gives a kInvalidInput Status
// naming what is wrong, never an exception.
// Doc: docs/standards-noise.md.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/reading.h"
#include "core/status.h"

namespace ecohub::standards {

// 声环境功能区类别 (GB 3096-2008 §4): 0 康复疗养区; 1 居住、文教为主; 2 商业、居住混杂;
// 3 工业、仓储物流; 4a 高速公路、城市主次干路、内河航道两侧; 4b 铁路干线两侧.
enum class NoiseZone : uint8_t { k0, k1, k2, k3, k4a, k4b };

// "0" "1" "2" "3" "4a" "4b": the zone's name in site attributes, the API and the CLI.
const char* NoiseZoneName(NoiseZone z);
// The zone named `name`: the names above, also "4A"/"4B" as the standard prints them.
// Nullopt otherwise.
std::optional<NoiseZone> NoiseZoneFromName(std::string_view name);

// Equivalent sound level limits in dB(A).
struct NoiseLimits {
  int day = 0;
  int night = 0;
  bool operator==(const NoiseLimits&) const = default;
};

// GB 3096-2008 Table 1: 0 50/40, 1 55/45, 2 60/50, 3 65/55, 4a 70/55, 4b 70/60.
NoiseLimits Gb3096Limits(NoiseZone z);

// GB 3096-2008 §5.3: beside existing railway trunk lines crossing built-up areas (and
// their rebuilding or extension), the background noise while no train passes is held
// to 70 dB(A) by day and 55 dB(A) by night instead of the 4b row.
inline constexpr NoiseLimits kRailwayTrunkBackgroundLimits{70, 55};

// GB 3096-2008 §5.4: at night a sudden noise's maximum level (Lmax) may exceed the
// zone's night limit by at most 15 dB(A).
inline constexpr int kNightSuddenAllowance = 15;

// The energy average 10·lg((1/n)·Σ 10^(0.1·Li)) of the values present, unrounded;
// nullopt when none is present.
std::optional<long double> EnergyAverage(std::span<const std::optional<Decimal>> levels);

struct NoiseOptions {
  // 昼间 is [day_start_hour, day_end_hour) local time, 夜间 the rest of the day.
  // GB 3096-2008 §3 (昼间, 夜间): 06:00–22:00 and 22:00–06:00, unless the local
  // government sets other hours. 0 <= day_start_hour < day_end_hour <= 24, and each
  // period at least one hour.
  int day_start_hour = 6;
  int day_end_hour = 22;
  // The hours of each period that must be present for a verdict. Default: all of
  // them. GB 3096-2008 Appendix B (functional-zone monitoring) and HJ 640 ask for a
  // full 24 h of hourly Leq; a day missing an hour has its values reported but is
  // `complete = false` with no verdict, rather than a guess at the missing hours.
  // 0..length of the period.
  std::optional<int> min_day_hours;
  std::optional<int> min_night_hours;
  // Judge a 4b zone by kRailwayTrunkBackgroundLimits (GB 3096-2008 §5.3); has no
  // effect on other zones.
  bool railway_trunk_background = false;

  // kInvalidInput naming the bad field; Ok otherwise.
  Status Validate() const;
};

// The evaluation of one period (day or night) against its limit.
struct NoisePeriodResult {
  std::optional<Decimal> value;  // Ld or Ln rounded to 0.1 dB; nullopt without hours
  int limit = 0;                 // dB(A)
  int hours_present = 0;
  int hours_expected = 0;  // the length of the period in hours
  bool complete = false;   // hours_present >= the options' minimum
  // Set only when complete: value <= limit, and value − limit when it is positive.
  std::optional<bool> meets;
  std::optional<Decimal> exceedance;
};

// Night sudden noise (GB 3096-2008 §5.4): the largest night Lmax against the night
// limit + 15 dB(A).
struct NightMaxResult {
  Decimal lmax;                       // the largest Lmax of the night hours, as given
  int allowed = 0;                    // night limit + kNightSuddenAllowance
  bool meets = false;                 // lmax <= allowed
  std::optional<Decimal> exceedance;  // lmax − allowed when positive
};

struct NoiseEvaluation {
  NoiseZone zone = NoiseZone::k0;
  NoiseLimits limits;
  NoisePeriodResult day, night;
  // 10·lg((D·10^(0.1·Ld) + N·10^(0.1·(Ln+10)))/24) with D, N the hours of the
  // configured periods (16 and 8 by default), from the unrounded Ld and Ln; rounded to
  // 0.1 dB. Nullopt unless both periods have a value. No limit: GB 3096 sets none.
  std::optional<Decimal> ldn;
  // Nullopt when no night hour has an Lmax.
  std::optional<NightMaxResult> night_max;
};

// The evaluation of one local day of a station in `zone`. `leq[h]` is the hourly
// Leq of the hour starting at h:00 local time (24 entries, nullopt = missing);
// `lmax`, when not empty, the hourly Lmax the same way. Fails (kInvalidInput) when
// the options are invalid, a span has not 24 entries, or a level is outside
// 0–200 dB (a value no sound level meter reports for the environment).
Result<NoiseEvaluation> EvaluateNoiseDay(NoiseZone zone,
                                         std::span<const std::optional<Decimal>> leq,
                                         std::span<const std::optional<Decimal>> lmax = {},
                                         const NoiseOptions& options = {});

}  // namespace ecohub::standards
