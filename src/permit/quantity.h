// How much of a pollutant an outlet emitted, from its flow and its concentration
// (排放量 = 流量 × 浓度), hour by hour, and how much of a permitted annual quantity
// that uses. Units (HJ 212-2017 tables B.1, B.2):
//   waste water  flow w00000: Avg in L/s, Cou (the hour's volume) in m³;
//                concentration mg/L = g/m³, so mg/L × m³ = g;
//   flue gas     flow a00000: Avg in m³/s (standard dry flue gas), Cou in m³;
//                concentration mg/m³ (measured, not the 折算 value), so mg/m³ × m³ = mg.
// An hour counts only when both its flow and its concentration are valid data
// (standards::IsValidEmissionFlag); an hour flagged F (排放源停运) on either emitted
// nothing; any other hour is missing and is reported as such, never taken as zero.
//
// Pure functions, no I/O; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

#include "core/factors.h"
#include "core/time.h"

namespace ecohub::permit {

// The flow factor of an outlet of `medium`: "w00000" (water) or "a00000" (air).
std::string_view FlowFactor(Medium medium);

// The volume in m³ that flowed in one hour: the hour's Cou when the device sent it,
// else the mean flow Avg × 3600 s (water: L/s × 3.6 = m³; flue gas: m³/s × 3600).
// nullopt when neither is there, or the one used is negative or not finite.
std::optional<double> HourVolumeM3(Medium medium, std::optional<double> cou,
                                   std::optional<double> avg);

// The mass in kg carried by `volume_m3` at `concentration` (mg/L for water, mg/m³
// for flue gas): water mg/L × m³ = g, ÷ 10³; flue gas mg/m³ × m³ = mg, ÷ 10⁶.
double MassKg(Medium medium, double concentration, double volume_m3);

// One hour of the flow series and of a pollutant's series, as stored from 2061 data.
struct FlowHour {
  std::optional<double> cou, avg;
  char flag = 0;  // HJ 212 flag, 0 when absent
};
struct ConcentrationHour {
  std::optional<double> avg;
  char flag = 0;
};

struct Emitted {
  double tonnes = 0;
  int64_t hours_with_data = 0;  // mass counted
  int64_t hours_stopped = 0;    // flagged F: nothing emitted
  int64_t hours_missing = 0;    // no valid flow or concentration: not counted
  Emitted& operator+=(const Emitted& o);
};

// The mass emitted in the hours [from, to) (starts of hours, UTC), keyed by the start
// of each hour; every hour of the window is counted once as with data, stopped or
// missing.
Emitted SumEmitted(Medium medium, const std::map<UnixSeconds, FlowHour>& flow,
                   const std::map<UnixSeconds, ConcentrationHour>& concentration, UnixSeconds from,
                   UnixSeconds to);

// The share of the permitted quantity used: emitted / permitted (0.25 = 25 %);
// nullopt when nothing is permitted (permitted ≤ 0).
std::optional<double> ShareUsed(double emitted_tonnes, double permitted_tonnes);

}  // namespace ecohub::permit
