// SiteDirectory: the registry (districts, enterprises, sites, devices) as the API
// reads it.
//
// A snapshot is reloaded from the store at most every 5 seconds, or at the next
// Get after Invalidate (a change through the API), so that list and access checks
// do not query the store on every request. A snapshot, once handed out, never
// changes: callers keep the shared_ptr for as long as they read it.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace ecohub::api {

class SiteDirectory {
 public:
  struct Snapshot {
    std::vector<store::District> districts;
    std::vector<store::Enterprise> enterprises;
    std::vector<store::Site> sites;  // ordered by id
    std::vector<store::Device> devices;
    // Lookups; nullptr (or no MNs) when nothing matches.
    const store::Site* Site(int64_t id) const;
    const store::Site* SiteByCode(std::string_view code) const;
    const store::District* DistrictByCode(std::string_view code) const;
    const store::District* DistrictById(int64_t id) const;
    const store::Enterprise* EnterpriseById(int64_t id) const;
    const store::Device* DeviceByMn(std::string_view mn) const;
    // The MNs of the devices that measure the site.
    std::vector<std::string> MnsOf(int64_t site_id) const;
  };

  // `store` must outlive the directory; `clock` times the snapshot's lifetime.
  explicit SiteDirectory(store::Store* store, const Clock& clock = RealClock())
      : store_(store), clock_(clock) {}

  // The current snapshot. When a reload fails the previous snapshot is served (and
  // the failure logged); an empty one when there was none.
  std::shared_ptr<const Snapshot> Get();
  // The next Get reloads.
  void Invalidate();

 private:
  store::Store* store_;
  const Clock& clock_;
  std::mutex mu_;
  std::shared_ptr<const Snapshot> snap_;
  double loaded_at_ = 0;  // the clock's steady seconds
};

}  // namespace ecohub::api
