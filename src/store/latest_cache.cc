#include "store/latest_cache.h"

#include <mutex>

namespace ecohub::store {

Status LatestCache::Warm(Store& store) {
  auto devices = store.Devices();
  if (!devices.ok()) return devices.status();
  SetDevices(*devices);
  auto latest = store.LatestAll();
  if (!latest.ok()) return latest.status();
  std::unique_lock lock(mu_);
  for (const auto& v : *latest) Put(v.mn, v.period, v.factor, v.field, v.value, v.flag, v.time);
  return Status::Ok();
}

void LatestCache::SetDevices(const std::vector<Device>& devices) {
  std::unique_lock lock(mu_);
  site_of_mn_.clear();
  for (const auto& d : devices) site_of_mn_[d.mn] = d.site_id;
}

void LatestCache::Put(const std::string& mn, Period p, const std::string& factor,
                      const std::string& field, const std::string& value, char flag,
                      UnixSeconds t) {
  auto& slot = by_mn_[mn][Key{static_cast<int>(p), factor, field}];
  if (!slot.mn.empty() && slot.time > t) return;
  slot = LatestValue{mn, p, factor, field, value, flag, t};
}

void LatestCache::Update(const std::vector<Batch>& batches) {
  std::unique_lock lock(mu_);
  for (const auto& b : batches)
    for (const auto& r : b.readings)
      Put(r.mn, r.period, r.factor, r.field, r.value, r.flag, r.time);
}

std::vector<LatestValue> LatestCache::ForSite(int64_t site_id) const {
  std::shared_lock lock(mu_);
  std::vector<LatestValue> out;
  for (const auto& [mn, values] : by_mn_) {
    auto s = site_of_mn_.find(mn);
    if (s == site_of_mn_.end() || s->second != site_id) continue;
    for (const auto& [k, v] : values) out.push_back(v);
  }
  return out;
}

std::vector<LatestValue> LatestCache::All() const {
  std::shared_lock lock(mu_);
  std::vector<LatestValue> out;
  for (const auto& [mn, values] : by_mn_)
    for (const auto& [k, v] : values) out.push_back(v);
  return out;
}

}  // namespace ecohub::store
