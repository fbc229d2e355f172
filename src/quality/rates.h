// The data-quality rates a bureau reports per site, factor and day, and rolls up
// per district or city (docs/data-quality.md):
//
//   transmission rate 传输率          = received / expected
//   validity rate 有效率              = valid / received
//   transmission-validity 传输有效率  = 传输率 × 有效率   (national pollution-source
//                                       automatic-monitoring assessment formula)
//   completeness                      = valid / expected
//   timeliness                        = received within the deadline / received
//
// A value is timely when it arrives at most `max_lag_seconds` after its interval
// ends (HJ 633-2026 publishes each hour for the previous hour, "lag ≤ 1 h").
// Roll-ups add the COUNTS and divide once: a site with 24 expected values weighs
// 24 times one with 1, never an average of ratios. 0/0 is "no rate" (nullopt).
//
// Pure functions on plain values: no I/O, no exceptions. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/status.h"
#include "core/time.h"

namespace ecohub::quality {

// One value as the store saw it arrive.
struct Arrival {
  UnixSeconds time = 0;         // start of the value's interval (its DataTime), UTC
  UnixSeconds received_at = 0;  // when the gateway received it, UTC
  char flag = 0;                // HJ 212 data flag; IsValidFlag decides validity
};

struct RatesOptions {
  // Length of one value's interval: 3600 for hourly values, 60 for minute values.
  int64_t interval_seconds = 3600;
  // Allowed delay after the interval ends; default 1 h (HJ 633-2026 "lag ≤ 1 h").
  int64_t max_lag_seconds = 3600;

  // InvalidInput for interval_seconds <= 0 or max_lag_seconds < 0. Call once at
  // start-up.
  Status Validate() const;
};

struct RateCounts {
  int64_t expected = 0;  // values that should have arrived
  int64_t received = 0;  // distinct value times that arrived
  int64_t valid = 0;     // of those, with a valid flag
  int64_t timely = 0;    // of those, arrived by the deadline

  RateCounts& operator+=(const RateCounts& o) {
    expected += o.expected;
    received += o.received;
    valid += o.valid;
    timely += o.timely;
    return *this;
  }
};

// Ratios in [0, 1]; nullopt when the denominator is 0. A count above its
// denominator (a device sending more values than expected) gives 1, the counts
// stay as they are.
struct Rates {
  RateCounts counts;
  std::optional<double> transmission;           // received / expected
  std::optional<double> validity;               // valid / received
  std::optional<double> transmission_validity;  // transmission × validity; 0 when
                                                // nothing arrived of > 0 expected
  std::optional<double> completeness;           // valid / expected
  std::optional<double> timeliness;             // timely / received
};

// Counts the arrivals of one site/factor/period against `expected` (a negative
// expected counts as 0). Arrivals may be in any order; several arrivals of the same
// time are ONE received value: its flag is the last one in input order (a
// retransmission replaces what it repeats) and it is timely if its first arrival
// was. Arrivals are not checked against a window: pass only the period's values.
RateCounts CountArrivals(int64_t expected, std::span<const Arrival> arrivals,
                         const RatesOptions& options);

Rates ComputeRates(const RateCounts& counts);

// Sums the counts of the parts (sites, factors, days) and computes the rates of the
// sum. An empty span gives all-nullopt rates.
Rates RollUp(std::span<const Rates> parts);
Rates RollUp(std::span<const RateCounts> parts);

}  // namespace ecohub::quality
