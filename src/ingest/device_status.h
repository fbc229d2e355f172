// DeviceStatusBoard: what the gateway has seen of each device since start-up — whether
// a connection of it is open now, when its last accepted packet arrived, how many
// packets were accepted and rejected. Kept in memory only: after a restart every
// device is "not heard yet" until it sends (the raw packets in the store keep the
// older history with their verdicts).
//
// "Accepted" is a packet the session took from an authenticated device (verdicts
// stored, no_data, notify, kept_raw, reply); "rejected" is a frame the codec refused
// or a packet the session refused (unknown or disabled MN, bad password, bad
// DataTime) from a registered MN. Unregistered MNs are not tracked (the board must
// not grow with whatever a scanner sends).
//
// Thread-safety: every method may be called from any thread (one mutex; the gateway
// calls it once per packet, the API and the alarm sync read copies).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/time.h"

namespace ecohub::ingest {

struct DeviceLive {
  int connections = 0;          // open connections that sent an accepted packet as this MN
  UnixSeconds last_packet = 0;  // 0: not heard since start-up
  // The first packet after the last silence longer than the board's threshold (or the
  // first since start-up): when an offline period ended.
  UnixSeconds resumed = 0;
  int64_t packets = 0, rejected = 0;
  bool connected() const { return connections > 0; }
};

struct DeviceStatusOptions {
  // A device is online while its last accepted packet is at most this old. HJ 212
  // loggers send real-time data every 30-3600 s; 30 minutes tolerates a few losses.
  int64_t offline_after_seconds = 1800;
};

class DeviceStatusBoard {
 public:
  // `started`: when the gateway began listening (what "not heard since start-up" means).
  explicit DeviceStatusBoard(const DeviceStatusOptions& o = {},
                             UnixSeconds started = RealClock().WallSeconds())
      : options_(o), started_(started) {}

  void OnAccepted(std::string_view mn, UnixSeconds now);
  void OnRejected(std::string_view mn);
  void OnConnected(std::string_view mn);
  void OnDisconnected(std::string_view mn);

  // A copy of one device's entry (a default entry when never seen).
  DeviceLive Get(std::string_view mn) const;
  std::unordered_map<std::string, DeviceLive> All() const;
  // Whether `d`'s last packet is recent enough at `now`.
  bool Online(const DeviceLive& d, UnixSeconds now) const {
    return d.last_packet > 0 && now - d.last_packet <= options_.offline_after_seconds;
  }
  UnixSeconds started() const { return started_; }
  const DeviceStatusOptions& options() const { return options_; }

 private:
  DeviceStatusOptions options_;
  UnixSeconds started_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, DeviceLive> by_mn_;
};

}  // namespace ecohub::ingest
