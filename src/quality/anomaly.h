// Anomaly checks on one factor's series at one site: they FLAG suspicious values
// and silences, they never delete or change data (the bureau decides; HJ 212
// keeps what the device sent).
//
// Checked: out of instrument range, negative values, a stuck sensor (the same
// value repeated), long zero runs, sudden jumps, values claiming normal operation
// inside a declared stop/maintenance window, and silence longer than the expected
// interval allows (offline). Consecutive samples that fail the same check merge
// into ONE anomaly (a stuck run is one anomaly from its first to its last sample).
//
// Value checks look only at samples with a valid flag (IsValidFlag): a value the
// device already flagged (M, D, C, T...) is excluded from statistics anyway, and
// such samples neither break nor extend a run. Offline looks at every sample: a
// device sending flagged data is online.
//
// Pure functions: no I/O, no logging, no exceptions. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/reading.h"
#include "core/status.h"
#include "core/time.h"
#include "quality/aggregate.h"

namespace ecohub::quality {

enum class AnomalyKind : uint8_t {
  kOutOfRange = 0,
  kNegative,
  kStuck,
  kZeroRun,
  kJump,
  kDuringMaintenance,
  kOffline,
};
constexpr int kAnomalyKindCount = 7;

// Stable names for the API and stored reports: "out_of_range", "negative", "stuck",
// "zero_run", "jump", "during_maintenance", "offline".
const char* AnomalyKindName(AnomalyKind kind);
std::optional<AnomalyKind> AnomalyKindFromName(std::string_view name);

// [start, end) in UTC seconds.
struct TimeRange {
  UnixSeconds start = 0;
  UnixSeconds end = 0;
};

struct Anomaly {
  AnomalyKind kind = AnomalyKind::kOutOfRange;
  // Runs of samples: the times of the first and the last sample (both inclusive).
  // Offline: the first expected time that did not arrive, and the time of the next
  // sample (or `now`) that ended the silence.
  UnixSeconds start = 0;
  UnixSeconds end = 0;
  // Runs: the samples in the run. Offline: the expected values missing,
  // (end - start) / interval.
  int count = 0;
  std::string detail;  // short, for people: "6 values of 35.2", "40 -> 400"
};

struct AnomalyOptions {
  // Instrument measuring range in the factor's unit; a bound is inclusive; nullopt:
  // not checked. Per factor from the instrument's certificate (no universal default).
  std::optional<Decimal> range_min;
  std::optional<Decimal> range_max;

  // Concentrations cannot be negative; turn off for signed factors (temperature).
  bool check_negative = true;

  // A stuck sensor: at least this many consecutive identical non-zero values.
  // Default 6 (six hours of hourly values); 30 for minute values. 0 disables.
  int stuck_run = 6;
  // At least this many consecutive zero values. Same defaults; 0 disables. Zero
  // runs are reported as zero_run only, never also as stuck.
  int zero_run = 6;

  // A jump: a value v after the previous valid value p with v > jump_ratio * p AND
  // v - p > jump_floor (both; upward only: a spike's return is not a second jump).
  // The floor is in the factor's unit; 50 suits µg/m³ concentrations (PM, SO2, NO2,
  // O3); set ~1 for CO in mg/m³. jump_ratio <= 0 disables.
  double jump_ratio = 5.0;
  double jump_floor = 50.0;

  // Declared stop/maintenance windows: a value with a valid flag inside one should
  // have carried F or M (HJ 212-2017 table 8).
  std::vector<TimeRange> maintenance;

  // One value is expected every interval_seconds; silence (between two samples, or
  // from the last sample to `now`) longer than offline_factor intervals is offline.
  // Default 3 × 1 h: the digest (hj212.md §12) advises idle limits of 2-3× the
  // longest upload interval. offline_factor 0 disables.
  int64_t interval_seconds = 3600;
  int offline_factor = 3;

  // InvalidInput naming the first bad field: range_min > range_max, a negative run
  // length or stuck_run 1 (every value would be stuck), a NaN jump_ratio or a
  // negative or NaN jump_floor, an empty or inverted maintenance window,
  // interval_seconds <= 0, a negative offline_factor. Call once at start-up; Detect* do not
  // re-check (a bad option gives a defined but useless result, never a crash).
  Status Validate() const;
};

// The defaults for values of this period: kMinute: stuck/zero 30, interval 60 s;
// kDay: stuck/zero 3, interval 1 day; any other period: the hourly struct defaults.
AnomalyOptions DefaultAnomalyOptions(Period period);

// All anomalies of the series, sorted by start then kind. The samples may come in
// any order; duplicate times keep the last (NormalizeSeries). With `now`, silence
// after the last sample is checked too (a series of no samples cannot be: use
// CheckOffline with the last time known elsewhere).
std::vector<Anomaly> DetectAnomalies(std::span<const Sample> samples, const AnomalyOptions& options,
                                     std::optional<UnixSeconds> now = std::nullopt);

// Offline as of `now` given the time of the last sample received (nullopt: never
// seen, which is not reported: there is no start to give). Reported when
// now - last > offline_factor × interval_seconds.
std::optional<Anomaly> CheckOffline(std::optional<UnixSeconds> last, UnixSeconds now,
                                    const AnomalyOptions& options);

}  // namespace ecohub::quality
