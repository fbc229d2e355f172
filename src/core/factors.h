// The monitoring factors EcoHub knows by name: the one table of their HJ 212
// codes, names, units, medium and typical ranges.
//
// Every module that needs a fact about a factor (a name to show, a unit, the range
// a reading should fall in) reads it here; /api/v1/factors serves the table to the
// web. A factor not in the table is still stored and served by its code: the table
// names what is known, it does not restrict what devices may send.
//
// The table is constant data: thread-safe, no initialisation order to mind.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace ecohub {

enum class Medium { kAir, kWater, kNoise };

// "air", "water" or "noise", as the API writes it.
const char* MediumName(Medium medium);

// The values an analyser of the factor typically reports, in the unit it reports
// at that kind of site: a value outside [min, max] is suspect (an out-of-range
// anomaly), and a rise of less than jump_floor is never a sudden jump.
struct FactorRange {
  double min = 0;
  double max = 0;
  double jump_floor = 0;
};

struct Factor {
  std::string_view code;     // HJ 212-2017 appendix B, "a34004"
  std::string_view name;     // the short name the API has always shown ("PM2.5")
  std::string_view name_zh;  // the Chinese name ("细颗粒物")
  // "µg/m³"; a factor measured both at stations and at outlets says both
  // ("µg/m³ (stations), mg/m³ (outlets)"); empty when dimensionless (pH); "dB(A)"
  // for the sound levels (HJ 212 writes 分贝).
  std::string_view unit;
  Medium medium = Medium::kAir;
  // Typical ranges at ambient sites (every kind but outlets: stations, sections,
  // wells, noise and dust monitors) and at outlets; nullopt where the factor is not
  // measured there or no range is known.
  std::optional<FactorRange> station;
  std::optional<FactorRange> outlet;
};

// Every known factor: ambient air, then flue gas, then water, then noise.
std::span<const Factor> Factors();

// The factor with this HJ 212 code; nullptr when it is not in the table.
const Factor* FindFactor(std::string_view code);

}  // namespace ecohub
