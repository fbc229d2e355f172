// Snapshot and Registry: one immutable, versioned picture of the city's registry
// (districts, enterprises, sites, devices), shared by every module that reads it.
//
// The gateway (who may send), the deriver (which sites to evaluate), the latest-value
// cache (which site a device reports for) and the API (what a caller may see) all read
// the same Snapshot. A change (through the API, the command line or another node) is
// published as a new Snapshot with a higher version; readers holding the old one keep
// a consistent picture until they ask again, and nothing is ever edited in place.
//
// Thread-safety: a Snapshot is immutable and may be read from any thread. Registry's
// methods may be called from any thread; subscribers are called on the publishing
// thread, in the order they subscribed, after the new snapshot is current.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "registry/types.h"

namespace ecohub::registry {

// Manual and laboratory results of a site (samples/sample.h) are kept under a device
// of their own, MN "manual:<site code>", disabled (the gateway refuses it, no offline
// alarm): never the site's reporting device, so they stay apart from its automatic
// series.
inline std::string ManualMn(std::string_view site_code) {
  return "manual:" + std::string(site_code);
}
inline bool IsManualMn(std::string_view mn) { return mn.starts_with("manual:"); }

class Snapshot {
 public:
  Snapshot() = default;
  // Sorts sites by id and devices by MN, and indexes them.
  Snapshot(uint64_t version, std::vector<District> districts, std::vector<Enterprise> enterprises,
           std::vector<registry::Site> sites, std::vector<registry::Device> devices);
  // The indexes point into this object's rows: a snapshot is shared, never copied.
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // 0 for the empty snapshot before anything was published; then 1, 2, ...
  uint64_t version() const { return version_; }
  size_t size() const { return devices.size(); }

  // In the store's order for districts and enterprises; sites by id; devices by MN.
  const std::vector<District> districts{};
  const std::vector<Enterprise> enterprises{};
  const std::vector<registry::Site> sites{};
  const std::vector<registry::Device> devices{};

  // Lookups: null when absent. Pointers live as long as the snapshot.
  const registry::Site* Site(int64_t id) const;
  const registry::Site* SiteByCode(std::string_view code) const;
  const District* DistrictById(int64_t id) const;
  const District* DistrictByCode(std::string_view code) const;
  const Enterprise* EnterpriseById(int64_t id) const;
  // By 统一社会信用代码, the enterprise's natural key.
  const Enterprise* EnterpriseByCode(std::string_view credit_code) const;
  const registry::Device* DeviceByMn(std::string_view mn) const;
  // The MNs of the devices reporting for a site, in MN order.
  std::vector<std::string> MnsOf(int64_t site_id) const;

 private:
  uint64_t version_ = 0;
  std::unordered_map<int64_t, size_t> site_by_id_, district_by_id_, enterprise_by_id_;
  std::unordered_map<std::string_view, size_t> site_by_code_, district_by_code_,
      enterprise_by_code_, device_by_mn_;
};

class Registry {
 public:
  using Listener = std::function<void(const std::shared_ptr<const Snapshot>&)>;

  Registry() : current_(std::make_shared<const Snapshot>()) {}

  // The current snapshot (never null; empty with version 0 before the first Publish).
  std::shared_ptr<const Snapshot> Current() const;
  // The current snapshot's version, without taking a lock: a reader that keeps a
  // snapshot checks this per use and asks for Current() only when it moved.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // Makes these rows the current snapshot with the next version, then tells every
  // listener. Returns the new snapshot.
  std::shared_ptr<const Snapshot> Publish(std::vector<District> districts,
                                          std::vector<Enterprise> enterprises,
                                          std::vector<Site> sites, std::vector<Device> devices);
  // `fn` is called after every later Publish.
  void Subscribe(Listener fn);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;
  std::atomic<uint64_t> version_{0};
  std::vector<Listener> listeners_;
  std::mutex publish_mu_;  // one Publish at a time, so listeners see versions in order
};

}  // namespace ecohub::registry
