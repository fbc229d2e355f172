#include "ingest/device_registry.h"

#include <mutex>

namespace ecohub::ingest {

void DeviceRegistry::Load(const std::vector<store::Device>& devices) {
  std::unordered_map<std::string, store::Device> m;
  for (const auto& d : devices) m[d.mn] = d;
  std::unique_lock lock(mu_);
  by_mn_.swap(m);
  version_.fetch_add(1, std::memory_order_release);
}

void DeviceRegistry::Put(const store::Device& device) {
  std::unique_lock lock(mu_);
  by_mn_[device.mn] = device;
  version_.fetch_add(1, std::memory_order_release);
}

std::optional<store::Device> DeviceRegistry::Find(std::string_view mn) const {
  std::shared_lock lock(mu_);
  auto it = by_mn_.find(std::string(mn));
  if (it == by_mn_.end()) return std::nullopt;
  return it->second;
}

size_t DeviceRegistry::size() const {
  std::shared_lock lock(mu_);
  return by_mn_.size();
}

}  // namespace ecohub::ingest
