// DeviceRegistry: who may send data. Maps an HJ 212 MN to its site, password,
// protocol version, charset and CRC variant (digest §14.3: legacy Modbus CRCs are a
// per-device override, off by default).
//
// Thread-safe: the gateway's network threads look devices up concurrently while an
// admin change replaces an entry. Lookups copy the entry out (it is small).
#pragma once

#include <atomic>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace ecohub::ingest {

class DeviceRegistry {
 public:
  // Replaces the whole registry (at start-up, from the store).
  void Load(const std::vector<store::Device>& devices);
  void Put(const store::Device& device);
  std::optional<store::Device> Find(std::string_view mn) const;
  size_t size() const;
  // Bumped by every Load/Put: a session may keep the device it looked up until the
  // version changes, instead of copying it out for every packet.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }

 private:
  mutable std::shared_mutex mu_;
  std::atomic<uint64_t> version_{1};
  std::unordered_map<std::string, store::Device> by_mn_;
};

}  // namespace ecohub::ingest
