// SeriesMemo: the series ids of each device's last batch, by the readings' places in
// it. A logger sends the same items in the same order packet after packet, so the
// i-th reading of a batch nearly always belongs to the series of the i-th reading of
// that device's previous batch: comparing two short names then finds its id, where
// hashing a key of the whole series name in a table of every series cost a tenth of
// the SQLite writer's time at 50,000 readings/s (docs/benchmarks.md). A miss (a new
// item, another order) falls back to the full lookup and is remembered for next time.
// Not thread-safe: its owner's writer lock guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/reading.h"

namespace ecohub::store {

class SeriesMemo {
 public:
  struct Entry {
    Period period = Period::kRealtime;
    std::string factor, field;
    int64_t id = -1;  // -1: nothing remembered here
  };
  using Places = std::vector<Entry>;

  // A batch longer than this remembers its first kMaxPlaces places only.
  static constexpr size_t kMaxPlaces = 512;

  // The places of `mn`'s last batch (empty the first time).
  Places& Of(const std::string& mn) { return by_mn_[mn]; }

  // The id remembered at place `i` when it is of the series (p, factor, field);
  // -1 otherwise.
  static int64_t Find(const Places& places, size_t i, Period p, const std::string& factor,
                      const std::string& field) {
    if (i >= places.size()) return -1;
    const Entry& e = places[i];
    return e.period == p && e.factor == factor && e.field == field ? e.id : -1;
  }

  static void Remember(Places& places, size_t i, Period p, const std::string& factor,
                       const std::string& field, int64_t id) {
    if (i >= kMaxPlaces) return;
    if (places.size() <= i) places.resize(i + 1);
    Entry& e = places[i];
    e.period = p;
    e.factor.assign(factor);
    e.field.assign(field);
    e.id = id;
  }

  // Forgets everything: after a rollback that took back series ids it handed out.
  void Clear() { by_mn_.clear(); }

 private:
  std::unordered_map<std::string, Places> by_mn_;
};

}  // namespace ecohub::store
