// Pollution-source emission limits and exceedance events over hourly data (HJ 212
// CN 2061 hour values). Which value a limit is compared with depends on the factor:
// flue-gas concentrations are limited at a reference oxygen content, so the converted
// (折算) value ZsAvg is compared; waste-water concentrations are compared as measured
// (Avg). Comparisons are exact decimal comparisons; a value equal to a limit complies
// ("不得超过"). pH is limited by a range (6–9).
//
// Pure functions, no I/O, thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/reading.h"

namespace ecohub::standards {

// One limit of one factor of one source.
struct EmissionLimit {
  enum LimitBasis { kStandard, kPermit };

  std::string factor;  // HJ 212-2017 code: "a21026", "w01018" ...
  // Upper limit: a value above it exceeds. For a range limit (pH), the upper end.
  Decimal value;
  // Lower end of a range limit (pH 6 of 6–9): a value below it exceeds too. Nullopt
  // for an upper limit only.
  std::optional<Decimal> lower;
  std::string unit;  // "mg/m3", "mg/L", "" for pH
  LimitBasis basis = kStandard;
  // "GB 13223-2011 表1", "GB 8978-1996", or the permit number (排污许可证编号).
  std::string source;
  // Compare the converted value (ZsAvg) rather than the measured one (Avg). Normally
  // UsesConvertedValue(factor); a permit may say otherwise.
  bool use_converted = false;
};

// Whether the emission standards limit `factor` at a reference oxygen content, so that
// the converted value (HJ 212 field ZsAvg, 折算) is the one to compare. True for the
// combustion flue-gas factors a34013 烟尘, a21026 SO2, a21002 NOx and a20057 汞及其化
// 合物: GB 13223-2011 (thermal power; O2 6 % coal, 3 % oil/gas boilers, 15 % gas
// turbines) and GB 13271-2014 (boilers; O2 9 % coal, 3.5 % oil/gas) require the
// measured concentrations of exactly these to be converted to the reference oxygen
// content per GB/T 16157 before comparison. False for every waste-water factor
// (w01018 COD, w21003 NH3-N, w21011 TP, w01001 pH ...: the measured hourly mean is
// compared) and for everything else by default: process emissions under GB 16297-1996
// have no reference-oxygen conversion. CO (a21005) and HCl (a21024) are converted
// only under incineration standards (GB 18485-2014, O2 11 %); a limit under such a
// standard sets EmissionLimit::use_converted itself.
bool UsesConvertedValue(std::string_view factor);

// A limit of the standard kind for `factor`, with use_converted set from
// UsesConvertedValue. For "w01001" (pH) pass the range through `lower`.
EmissionLimit MakeEmissionLimit(std::string factor, Decimal value, std::string unit,
                                std::string source,
                                EmissionLimit::LimitBasis basis = EmissionLimit::kStandard,
                                std::optional<Decimal> lower = std::nullopt);

// One hour of one factor as stored from a CN 2061 upload.
struct HourValue {
  int64_t hour_start = 0;         // Unix seconds, start of the hour
  std::optional<Decimal> avg;     // Avg: measured hourly mean
  std::optional<Decimal> zs_avg;  // ZsAvg: converted (折算) hourly mean
  char flag = 0;                  // HJ 212 data flag, 0 when absent
};

// HJ 212-2017 data flags: only N (normal) or no flag is valid monitoring data; F (排
// 放源停运), M (维护), S (手工输入/设定值), C (校准), D (故障), T (超测上限), B (通讯异常)
// and anything else never raise an exceedance (HJ 75 treats them as invalid or
// non-normal data; T needs a person to review, not an automatic event).
bool IsValidEmissionFlag(char flag);

// A run of consecutive exceeding hours.
struct ExceedanceEvent {
  std::string factor;
  int64_t start = 0;  // start of the first exceeding hour
  int64_t end = 0;    // end of the last exceeding hour (its start + 3600)
  int hours = 0;
  Decimal peak;           // the value farthest beyond the limit (the first, on ties)
  int64_t peak_hour = 0;  // start of the hour of the peak
  // (peak − limit)/limit, exact ratio rounded half-even to 2 decimals. Nullopt for a
  // range limit exceeded below its lower end, and for a zero limit.
  std::optional<Decimal> multiple;
  Decimal limit;  // the bound that the peak exceeded
  EmissionLimit::LimitBasis basis = EmissionLimit::kStandard;
  // The last hour of the input is part of this event: it may still be going on.
  bool ongoing = false;
  // use_converted was asked for but some hour of the event had no ZsAvg, and its Avg
  // was compared instead.
  bool measured_fallback = false;
};

// The exceedance events of `limit.factor` in `hours`, which must be sorted by
// hour_start. An hour exceeds when its flag is valid, it has the value to compare
// (ZsAvg when use_converted, falling back to Avg when ZsAvg is absent; Avg otherwise)
// and that value is above `limit.value` or below `limit.lower`. An event is a run of
// exceeding hours each starting 3600 s after the previous one; a missing hour, an
// hour without a value, an hour with an invalid flag, a complying hour or an
// out-of-order hour ends it. Empty when nothing exceeds (or `hours` is empty).
std::vector<ExceedanceEvent> FindExceedances(const EmissionLimit& limit,
                                             std::span<const HourValue> hours);

}  // namespace ecohub::standards
