#include "quality/rates.h"

#include <algorithm>
#include <vector>

#include "quality/aggregate.h"

namespace ecohub::quality {

namespace {

std::optional<double> Ratio(int64_t num, int64_t den) {
  if (den <= 0) return std::nullopt;
  if (num >= den) return 1.0;
  if (num <= 0) return 0.0;
  return static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace

Status RatesOptions::Validate() const {
  if (interval_seconds <= 0) return Status::InvalidInput("interval_seconds must be > 0");
  if (max_lag_seconds < 0) return Status::InvalidInput("max_lag_seconds must be >= 0");
  return Status::Ok();
}

RateCounts CountArrivals(int64_t expected, std::span<const Arrival> arrivals,
                         const RatesOptions& options) {
  RateCounts c;
  c.expected = std::max<int64_t>(expected, 0);
  std::vector<Arrival> sorted(arrivals.begin(), arrivals.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Arrival& a, const Arrival& b) { return a.time < b.time; });
  size_t i = 0;
  while (i < sorted.size()) {
    UnixSeconds first_arrival = sorted[i].received_at;
    size_t j = i + 1;
    for (; j < sorted.size() && sorted[j].time == sorted[i].time; ++j) {
      first_arrival = std::min(first_arrival, sorted[j].received_at);
    }
    const Arrival& kept = sorted[j - 1];  // last in input order (stable sort)
    ++c.received;
    if (IsValidFlag(kept.flag)) ++c.valid;
    // Deadline = interval end + allowed lag, in 128 bits: no overflow on odd times.
    __int128 deadline =
        static_cast<__int128>(kept.time) + options.interval_seconds + options.max_lag_seconds;
    if (first_arrival <= deadline) ++c.timely;
    i = j;
  }
  return c;
}

Rates ComputeRates(const RateCounts& counts) {
  Rates r;
  r.counts = counts;
  r.transmission = Ratio(counts.received, counts.expected);
  r.validity = Ratio(counts.valid, counts.received);
  if (r.transmission && r.validity) {
    r.transmission_validity = *r.transmission * *r.validity;
  } else if (r.transmission) {
    r.transmission_validity = 0.0;  // expected > 0, nothing received
  }
  r.completeness = Ratio(counts.valid, counts.expected);
  r.timeliness = Ratio(counts.timely, counts.received);
  return r;
}

Rates RollUp(std::span<const Rates> parts) {
  RateCounts sum;
  for (const Rates& p : parts) sum += p.counts;
  return ComputeRates(sum);
}

Rates RollUp(std::span<const RateCounts> parts) {
  RateCounts sum;
  for (const RateCounts& p : parts) sum += p;
  return ComputeRates(sum);
}

}  // namespace ecohub::quality
