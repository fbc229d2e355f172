// LatestCache: the newest value of every series, in memory, so maps and cockpits
// never touch the store (performance.md, "What follows" 5). Filled from the store at
// start-up and kept current by the Writer's after-commit hook.
//
// Thread-safe: Update on the writer thread, reads from HTTP threads (shared mutex).
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace ecohub::store {

class LatestCache {
 public:
  // Loads devices (MN -> site) and the newest stored values.
  Status Warm(Store& store);
  void SetDevices(const std::vector<Device>& devices);
  // Keeps the newer of cached and committed values (late data does not go back).
  void Update(const std::vector<Batch>& batches);
  std::vector<LatestValue> ForSite(int64_t site_id) const;
  std::vector<LatestValue> All() const;

 private:
  using Key = std::tuple<int, std::string, std::string>;  // period, factor, field
  // Found by views of the names: a reading already cached costs no copy of them.
  using Values = std::map<Key, LatestValue, std::less<>>;
  static void Put(Values& values, const std::string& mn, Period p, const std::string& factor,
                  const std::string& field, const std::string& value, char flag, UnixSeconds t);

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, int64_t> site_of_mn_;
  std::unordered_map<std::string, Values> by_mn_;
};

}  // namespace ecohub::store
