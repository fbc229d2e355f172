// SeriesWindow: the hourly values of a few factors of one site over a window, read
// once from the store and indexed by hour, so the AQI, the 8-h means and the daily
// statistics of many hours cost one range read per factor.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/reading.h"
#include "core/status.h"
#include "store/store.h"

namespace ecohub::derive {

// Hourly readings for a pass: with Prefetch, one scan of a window serves every
// Range inside it from memory (a pass over 1,000 stations reads the store once);
// outside it, or without it, Range reads the store. A series with no hourly value
// at all in the window (a logger that sends only 2051 minute data) is aggregated
// from its minute values per hour, with the validity rule of the site's kind
// (quality/aggregate.h); hours short of the rule get no value. Not thread-safe.
class HourSource {
 public:
  explicit HourSource(store::Store& store) : store_(store) {}
  // The site kind decides the minute -> hour validity rule (quality/aggregate.h).
  void set_site_kind(registry::SiteKind kind) { kind_ = kind; }
  int64_t hours_from_minutes() const { return hours_from_minutes_; }
  // Reads the hourly series of devices `mns` (sorted, unique) over [from, to).
  Status Prefetch(UnixSeconds from, UnixSeconds to, std::vector<std::string> mns);
  // Hourly `field` readings of (mn, factor) in [from, to), ordered by time.
  Result<std::vector<Reading>> Range(const std::string& mn, const std::string& factor,
                                     const std::string& field, UnixSeconds from, UnixSeconds to);
  store::Store& store() { return store_; }

 private:
  Result<std::vector<Reading>> FromMinutes(const std::string& mn, const std::string& factor,
                                           const std::string& field, UnixSeconds from,
                                           UnixSeconds to);
  store::Store& store_;
  std::vector<std::string> mns_;  // of the prefetch
  bool have_minutes_ = false;     // minute data of the window read (on first need)
  std::unordered_map<std::string, std::vector<Reading>> minutes_;
  registry::SiteKind kind_ = registry::SiteKind::kAir;
  int64_t hours_from_minutes_ = 0;
  bool have_ = false;
  UnixSeconds from_ = 0, to_ = 0;
  std::unordered_map<std::string, std::vector<Reading>> by_series_;
};

class SeriesWindow {
 public:
  // [from, to) on hour boundaries; `factors.size()` series.
  SeriesWindow(UnixSeconds from, UnixSeconds to, size_t factors);

  // Reads hourly `field` values of `factor` (series index k) of device `mn`. Values
  // with a flag that does not count as valid data (HJ 212 §10) and values that are
  // not plain decimals are left out (counted in `rejected`).
  Status Load(HourSource& source, const std::string& mn, size_t k, const std::string& factor,
              const std::string& field = "Avg");

  UnixSeconds from() const { return from_; }
  UnixSeconds to() const { return to_; }
  // Value of series k at the hour starting at h; nullopt when missing or outside.
  std::optional<Decimal> At(size_t k, UnixSeconds h) const;
  // n consecutive hours from `start`.
  std::vector<std::optional<Decimal>> Hours(size_t k, UnixSeconds start, int n) const;
  bool HasAnyAt(UnixSeconds h) const;   // a valid value of any series
  bool SeenAnyAt(UnixSeconds h) const;  // a reading of any series, valid or not
  // Readings seen for series k in [from, to) (valid or not) and valid ones.
  int received(size_t k, UnixSeconds from, UnixSeconds to) const;
  int64_t rejected = 0;

 private:
  UnixSeconds from_, to_;
  std::vector<std::vector<std::optional<Decimal>>> v_;
  std::vector<std::vector<bool>> seen_;
};

}  // namespace ecohub::derive
