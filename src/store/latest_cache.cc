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
  for (const auto& v : *latest)
    Put(by_mn_[v.mn], v.mn, v.period, v.factor, v.field, v.value, v.flag, v.time);
  return Status::Ok();
}

void LatestCache::SetDevices(const std::vector<Device>& devices) {
  std::unique_lock lock(mu_);
  site_of_mn_.clear();
  for (const auto& d : devices) site_of_mn_[d.mn] = d.site_id;
}

void LatestCache::Put(Values& values, const std::string& mn, Period p, const std::string& factor,
                      const std::string& field, const std::string& value, char flag,
                      UnixSeconds t) {
  auto it = values.find(
      std::tuple<int, std::string_view, std::string_view>(static_cast<int>(p), factor, field));
  if (it == values.end()) {
    values.emplace(Key{static_cast<int>(p), factor, field},
                   LatestValue{mn, p, factor, field, value, flag, t});
    return;
  }
  LatestValue& slot = it->second;
  if (slot.time > t) return;
  slot.value.assign(value);
  slot.flag = flag;
  slot.time = t;
}

void LatestCache::Update(const std::vector<Batch>& batches) {
  std::unique_lock lock(mu_);
  for (const auto& b : batches) {
    const std::string* mn = nullptr;  // the device of the current run of readings
    Values* values = nullptr;
    for (const auto& r : b.readings) {
      if (!mn || r.mn != *mn) {
        mn = &r.mn;
        values = &by_mn_[r.mn];
      }
      Put(*values, r.mn, r.period, r.factor, r.field, r.value, r.flag, r.time);
    }
  }
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
