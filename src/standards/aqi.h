// HJ 633 Air Quality Index, editions HJ 633-2012 and HJ 633-2026 (in force from
// 2026-03-01), computed exactly: concentrations are rounded per GB/T 8170 and the
// interpolation is done on integers before the ceiling, so 50 + 4*50/40 is 55, not
// 56. The breakpoint tables are constexpr arrays in aqi.cc beside the function.
//
// Pure functions, no allocation on the Compute path, thread-compatible.
// Digest: ../shared/reference/standards.md §1.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/reading.h"
#include "core/time.h"

namespace ecohub::standards {

enum class Edition : uint8_t { k2012 = 0, k2026 = 1 };

// "HJ633-2012" / "HJ633-2026".
const char* EditionName(Edition e);
std::optional<Edition> EditionFromName(std::string_view name);

// The edition of an hourly value given the START of its hour (EcoHub labels hours
// by their start). CNEMC switched with the hour labelled 2026-03-01 01:00, i.e. the
// hour that starts at 2026-03-01 00:00 Beijing time (digest §0).
Edition EditionForHourStart(UnixSeconds hour_start);
// The edition of a daily value given the start of its Beijing natural day: days from
// 2026-03-01 on use HJ 633-2026 (inferred from the date the standard took force).
Edition EditionForDayStart(UnixSeconds day_start);

// 实时报 (real-time, hourly) or 日报 (daily) AQI.
enum class AqiMode : uint8_t { kHourly = 0, kDaily = 1 };

// The indicators of HJ 633 Table 1 / Table 3. The order is the one reports use
// (SO2, NO2, PM10, CO, O3, PM2.5) and decides the order of primary pollutants.
enum class Indicator : uint8_t {
  kSO2_24h,
  kSO2_1h,
  kNO2_24h,
  kNO2_1h,
  kPM10_24h,
  kPM10_1h,
  kCO_24h,
  kCO_1h,
  kO3_1h,
  kO3_8h,
  kPM25_24h,
  kPM25_1h,
};
constexpr int kIndicatorCount = 12;

// "SO2_24h", "PM2.5_1h"... as in the vectors and the `ecohub aqi` contract.
const char* IndicatorName(Indicator i);
std::optional<Indicator> IndicatorFromName(std::string_view name);
// The pollutant as reports name it: "SO2" "NO2" "PM10" "CO" "PM2.5", and ozone by its
// indicator "O3_1h" / "O3_8h" (the daily 2012 report has both).
const char* PollutantLabel(Indicator i);
// CO is in mg/m3 and rounded to one decimal; the others are ug/m3 integers.
int InputDecimals(Indicator i);

// One indicator's input.
struct AqiValue {
  enum class State : uint8_t {
    kMissing = 0,   // absent, null, invalid: "NA" in a report
    kNotMonitored,  // "/": the station's programme does not include it (2026 §5.3.2)
    kValue,
  };
  State state = State::kMissing;
  Decimal conc;  // >= 0; ug/m3, CO mg/m3
};

struct AqiInput {
  Edition edition = Edition::k2026;
  AqiMode mode = AqiMode::kHourly;
  std::array<AqiValue, kIndicatorCount> conc{};
  // Round concentrations per GB/T 8170 before the IAQI step (2026 §4.2.2; what CNEMC
  // publishes under 2012 too).
  bool round_inputs = true;
  // HJ 633-2012 real-time report: the text counts the O3 8-h sliding mean (Table 4);
  // CNEMC did not (digest §1.3). Ignored for daily AQI and for HJ 633-2026.
  bool o3_8h_in_hourly = true;

  void Set(Indicator i, Decimal c) {
    conc[static_cast<int>(i)] = AqiValue{AqiValue::State::kValue, c};
  }
};

struct AqiResult {
  // IAQI per indicator, -1 when it has none (missing, not in this report, or a
  // special rule drops it).
  std::array<int16_t, kIndicatorCount> iaqi;
  int aqi = -1;                // -1 when no indicator has an IAQI
  int level = 0;               // 1..6, 0 when aqi is -1
  uint16_t primary = 0;        // bit per Indicator: 首要污染物 (AQI > 50, IAQI == AQI)
  uint16_t missing = 0;        // bit per Indicator of this report that had no value
  uint16_t over_standard = 0;  // 2012 only: 超标污染物, IAQI > 100 (removed in 2026)
  // Whether the AQI may be published. HJ 633-2026 §5.3.1: with a pollutant missing
  // (not "/"), only an AQI above 100 is published. Always true under 2012 when there
  // is an AQI (the 2012 text has no such rule).
  bool published = false;

  bool has_aqi() const { return aqi >= 0; }
  bool iaqi_of(Indicator i, int* out) const {
    int v = iaqi[static_cast<int>(i)];
    if (v < 0) return false;
    *out = v;
    return true;
  }
};

// True when indicator `i` enters the AQI of this report (edition, mode and the O3
// 8-h switch).
bool InReport(Edition e, AqiMode m, bool o3_8h_in_hourly, Indicator i);

// IAQI of one concentration by the table row of `i` (PM 1-h values use the PM daily
// rows, 2026 formula (1)); -1 for a negative value. Above the top breakpoint: 500
// (common practice, not stated by either edition). SO2 1-h above 800: 200 under 2026
// (note b), -1 under 2012 (note (2): ComputeAqi then takes the 24-h IAQI). O3 8-h
// above 800: 300 under 2026 (note c), -1 under 2012 (note (3)).
int Iaqi(Indicator i, const Decimal& conc, Edition e, bool round_inputs = true);

// The AQI of one report with every rule of the edition:
// - SO2 1-h > 800: 2012 note (2) reports the SO2 IAQI from the 24-h average (input
//   SO2_24h; none when it is missing), 2026 note b sets IAQI 200.
// - O3 8-h > 800: 2012 note (3) drops it (ozone is then judged by its 1-h IAQI),
//   2026 note c sets IAQI 300.
// - AQI = max IAQI; a 2026 AQI is at least 1 (range 1~500, §4.1.1; an interpretation
//   for all-zero inputs).
// - Primary pollutants: AQI > 50 and the integer IAQI equals the AQI; ties all listed.
AqiResult ComputeAqi(const AqiInput& in);

// Level 1..6 of an AQI (0..50, 51..100, 101..150, 151..200, 201..300, >300).
int AqiLevel(int aqi);

// Presentation facts of a level (1..6), HJ 633 Table 2 (2012) / Table 1 (2026) and
// Appendix A; the 2026 wording names the sensitive groups differently.
struct AqiLevelInfo {
  const char* level_name;  // "一级" ...
  const char* category;    // "优" "良" "轻度污染" ...
  const char* category_en;
  const char* color;  // "#00E400" ...
  uint8_t rgb[3];
  const char* health_effect;
  const char* advice;
};
const AqiLevelInfo& LevelInfo(Edition e, int level);

}  // namespace ecohub::standards
