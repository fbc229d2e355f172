// Reading: one measured value as EcoHub stores it, the unit of the data flow
// device -> Pipeline -> Writer -> Store (DESIGN.md, "The way data flows").
//
// The key (mn, period, time, factor, field) makes a retransmitted packet an
// idempotent upsert. A Reading is a plain copyable value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace ecohub {

// What kind of upload a value came in; each maps to one HJ 212 CN.
enum class Period : uint8_t {
  kRealtime = 0,   // CN 2011, DataTime is the sampling instant
  kMinute = 1,     // CN 2051, DataTime is the start of the interval (HJ 212-2017 §6.6.3)
  kHour = 2,       // CN 2061, start of the hour
  kDay = 3,        // CN 2031, start of the day
  kRunStatus = 4,  // CN 2021, facility run state SBxxx-RS
  kRunTime = 5,    // CN 2041, facility run time per day SBxxx-RT
};
constexpr int kPeriodCount = 6;

// CN of the upload that carries this period ("2011" ...).
const char* PeriodCn(Period p);
// Short name used in the API and logs: realtime, minute, hour, day, status, runtime.
const char* PeriodName(Period p);
std::optional<Period> PeriodFromCn(std::string_view cn);
std::optional<Period> PeriodFromName(std::string_view name);

// A decimal number kept exactly as the device wrote it: "231.0" stays "231.0".
// mantissa * 10^-scale; scale 0..15. Values that are not plain decimals (exponents,
// a leading '+', leading zeros, more than 18 digits) do not fit and are kept as text.
struct Decimal {
  int64_t mantissa = 0;
  uint8_t scale = 0;
  bool negative_zero = false;  // "-0.0" round-trips

  static std::optional<Decimal> Parse(std::string_view text);
  std::string ToString() const;
  double ToDouble() const;
};

struct Reading {
  std::string mn;  // device (data logger) id, as sent
  Period period = Period::kRealtime;
  UnixSeconds time = 0;  // UTC; for interval data the start of the interval
  std::string factor;    // "w01018", "a34004", "SB1" ...
  std::string field;     // value kind: Rtd, Avg, Min, Max, Cou, ZsRtd, ZsAvg, RS, RT ...
  std::string value;     // exact text as sent
  char flag = 0;         // HJ 212 data flag (N F M S D C T B, P; 0-3), 0 when absent
};

// True when a CP key suffix names a value (as opposed to Flag, EFlag, SampleTime,
// Info, SN): these are the fields stored as readings.
bool IsValueField(std::string_view field);

}  // namespace ecohub
