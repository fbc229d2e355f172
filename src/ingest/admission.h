// Admission: whether a reading from a device may be stored as data.
//
// A device that authenticated can still send what cannot be true: a DataTime in
// 2099 or in year 1, NaN or infinity, -99999 as a "no value" marker, a pH of 40.
// Stored, such a value becomes the site's latest value, feeds the AQI and the
// statistics, and stays there. CheckReading refuses it; the gateway still
// acknowledges the frame (its CRC and password were good, and a refused frame
// resent forever helps nobody), counts the refusal by reason and keeps the raw
// packet. History pulled or imported on purpose does not pass through here.
//
// Pure: no I/O, no clock (the caller passes `now`); thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/reading.h"
#include "core/time.h"

namespace ecohub::ingest {

struct AdmissionPolicy {
  // DataTime later than now by more than this is refused: loggers' clocks drift a
  // little, and interval data is dated at the start of its interval.
  int64_t future_tolerance_seconds = 600;
  // DataTime older than this is refused: a logger keeps weeks of history, not
  // years; 400 days lets a year-old record through after a long outage.
  int64_t horizon_days = 400;
  // A concentration may read a little below zero (zero drift of the analyser): up
  // to this fraction of the factor's scale (the top of its typical range).
  double below_zero_fraction = 0.05;
};

enum class Admission : uint8_t {
  kAdmitted,
  kFuture,      // DataTime beyond now + future_tolerance_seconds
  kTooOld,      // DataTime before now - horizon_days
  kNotFinite,   // NaN, infinity, or a number too large for a double
  kImpossible,  // outside the physically possible range of the factor
};
constexpr int kAdmissionCount = 5;

// The reason's name in metrics and logs ("future", "too_old", ...).
std::string_view AdmissionName(Admission a);

// The values a factor's analyser can physically report, where known. nullopt
// bounds are not checked. Derived from core/factors.h (a concentration cannot be
// negative) plus the hard limits that table lacks (pH 0-14, O2 at most 100 %,
// no temperature below absolute zero): those belong in core/factors.h.
struct PhysicalRange {
  std::optional<double> min, max;
  double slack = 0;  // tolerated excursion beyond min and max (zero drift)
};
PhysicalRange PhysicalRangeOf(std::string_view factor, const AdmissionPolicy& policy);

// Whether `r` may be stored, given the time `now`. Values that are not numbers
// (text some loggers send) are not judged here; only the time checks apply to them.
// The range check applies to concentration fields (Rtd, Avg, Min, Max and their
// Zs- converted forms), not to Cou (an amount) or run status and time.
Admission CheckReading(const Reading& r, UnixMillis now, const AdmissionPolicy& policy);

}  // namespace ecohub::ingest
