#include "registry/snapshot.h"

#include <algorithm>

namespace ecohub::registry {

namespace {

template <class T>
std::vector<T> SortedBy(std::vector<T> v, auto key) {
  std::stable_sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  return v;
}

template <class T, class K>
const T* Lookup(const std::vector<T>& rows, const std::unordered_map<K, size_t>& index,
                const K& key) {
  auto it = index.find(key);
  return it == index.end() ? nullptr : &rows[it->second];
}

}  // namespace

Snapshot::Snapshot(uint64_t version, std::vector<District> districts,
                   std::vector<Enterprise> enterprises, std::vector<registry::Site> sites,
                   std::vector<registry::Device> devices)
    : districts(std::move(districts)),
      enterprises(std::move(enterprises)),
      sites(SortedBy(std::move(sites), [](const registry::Site& s) { return s.id; })),
      devices(SortedBy(std::move(devices), [](const registry::Device& d) { return d.mn; })),
      version_(version) {
  // The first of equal keys wins, as a linear search would find it.
  for (size_t i = 0; i < this->sites.size(); ++i) {
    site_by_id_.try_emplace(this->sites[i].id, i);
    site_by_code_.try_emplace(this->sites[i].code, i);
  }
  for (size_t i = 0; i < this->districts.size(); ++i) {
    district_by_id_.try_emplace(this->districts[i].id, i);
    district_by_code_.try_emplace(this->districts[i].code, i);
  }
  for (size_t i = 0; i < this->enterprises.size(); ++i) {
    enterprise_by_id_.try_emplace(this->enterprises[i].id, i);
    enterprise_by_code_.try_emplace(this->enterprises[i].credit_code, i);
  }
  for (size_t i = 0; i < this->devices.size(); ++i)
    device_by_mn_.try_emplace(this->devices[i].mn, i);
}

const Site* Snapshot::Site(int64_t id) const { return Lookup(sites, site_by_id_, id); }
const Site* Snapshot::SiteByCode(std::string_view code) const {
  return Lookup(sites, site_by_code_, code);
}
const District* Snapshot::DistrictById(int64_t id) const {
  return Lookup(districts, district_by_id_, id);
}
const District* Snapshot::DistrictByCode(std::string_view code) const {
  return Lookup(districts, district_by_code_, code);
}
const Enterprise* Snapshot::EnterpriseById(int64_t id) const {
  return Lookup(enterprises, enterprise_by_id_, id);
}
const Enterprise* Snapshot::EnterpriseByCode(std::string_view credit_code) const {
  return Lookup(enterprises, enterprise_by_code_, credit_code);
}
const Device* Snapshot::DeviceByMn(std::string_view mn) const {
  return Lookup(devices, device_by_mn_, mn);
}

std::vector<std::string> Snapshot::MnsOf(int64_t site_id) const {
  std::vector<std::string> out;
  for (const auto& d : devices)
    if (d.site_id == site_id) out.push_back(d.mn);
  return out;
}

std::shared_ptr<const Snapshot> Registry::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

std::shared_ptr<const Snapshot> Registry::Publish(std::vector<District> districts,
                                                  std::vector<Enterprise> enterprises,
                                                  std::vector<registry::Site> sites,
                                                  std::vector<registry::Device> devices) {
  std::lock_guard publishing(publish_mu_);
  std::vector<Listener> listeners;
  std::shared_ptr<const Snapshot> next;
  {
    std::lock_guard lock(mu_);
    next = std::make_shared<const Snapshot>(current_->version() + 1, std::move(districts),
                                            std::move(enterprises), std::move(sites),
                                            std::move(devices));
    current_ = next;
    version_.store(next->version(), std::memory_order_release);
    listeners = listeners_;
  }
  for (const auto& fn : listeners) fn(next);
  return next;
}

void Registry::Subscribe(Listener fn) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(fn));
}

}  // namespace ecohub::registry
