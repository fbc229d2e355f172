#include "ingest/device_status.h"

namespace ecohub::ingest {

void DeviceStatusBoard::OnAccepted(std::string_view mn, UnixSeconds now) {
  std::lock_guard lock(mu_);
  DeviceLive& d = by_mn_[std::string(mn)];
  if (d.last_packet == 0 || now - d.last_packet > options_.offline_after_seconds) d.resumed = now;
  if (now > d.last_packet) d.last_packet = now;
  ++d.packets;
}

void DeviceStatusBoard::OnRejected(std::string_view mn) {
  std::lock_guard lock(mu_);
  ++by_mn_[std::string(mn)].rejected;
}

void DeviceStatusBoard::OnConnected(std::string_view mn) {
  std::lock_guard lock(mu_);
  ++by_mn_[std::string(mn)].connections;
}

void DeviceStatusBoard::OnDisconnected(std::string_view mn) {
  std::lock_guard lock(mu_);
  auto it = by_mn_.find(std::string(mn));
  if (it != by_mn_.end() && it->second.connections > 0) --it->second.connections;
}

DeviceLive DeviceStatusBoard::Get(std::string_view mn) const {
  std::lock_guard lock(mu_);
  auto it = by_mn_.find(std::string(mn));
  return it == by_mn_.end() ? DeviceLive{} : it->second;
}

std::unordered_map<std::string, DeviceLive> DeviceStatusBoard::All() const {
  std::lock_guard lock(mu_);
  return by_mn_;
}

}  // namespace ecohub::ingest
