// Gateway: the HJ 212 TCP server (一张网). Accepts thousands of long-lived device
// connections on a Boost.Asio io_context, frames and parses each byte stream,
// lets the connection's Session decide, hands readings and the raw packet to the
// store Writer, and sends the 9014 only from the Writer's commit callback.
//
// What is not a device meets the GatewayGuard (guard.h): authentication failures,
// rejected frames and connections per address are limited there; readings from an
// authenticated device pass CheckReading (admission.h) before they are stored.
// Time is read only from the Clock passed in.
//
// Thread-safety: Start/Stop from one thread; everything else runs on the
// io_context's threads, each connection serialised by its strand. The Writer
// calls back from its own thread; the callback posts to the strand.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "control/command_store.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "hj212/framer.h"
#include "ingest/admission.h"
#include "ingest/device_status.h"
#include "ingest/guard.h"
#include "ingest/security_events.h"
#include "ingest/session.h"
#include "registry/snapshot.h"
#include "store/store.h"
#include "store/writer.h"

namespace ecohub::ingest {

struct GatewayOptions {
  std::string listen_host = "0.0.0.0";
  uint16_t listen_port = 9212;
  // Connections beyond this are accepted and closed at once (counted). The
  // per-address cap and the back-off of failing addresses are in `guard`.
  size_t max_connections = 20000;
  // A device that sends nothing for this long is disconnected. HJ 212 has no
  // heartbeat; loggers send at least every RtdInterval (30-3600 s), and some only
  // hourly data, so the default is a little over two hours (digest §12).
  std::chrono::seconds idle_timeout{2 * 3600 + 600};
  // A connection that has not sent a valid frame (one accepted from an
  // authenticated device) this long after it opened is closed, whatever bytes it
  // sent: a device speaks at once, a scanner or a slow attacker need not be held.
  std::chrono::seconds first_frame_timeout{60};
  // Per-connection byte rate limit (token bucket); beyond it reading pauses.
  size_t max_bytes_per_second = 64 * 1024;
  // Per-connection unsent-reply limit; beyond it the connection is closed.
  size_t max_pending_output = 256 * 1024;
  hj212::FramerOptions framer;
  SessionOptions session;
  // Keep the raw bytes of every frame with its verdict: every accepted one, and
  // rejected ones within the guard's budgets.
  bool keep_raw = true;
  GuardOptions guard;
  AdmissionPolicy admission;
  // Commands (control/command.h): this node's name in the command store, how often
  // queued commands are looked for (one query for all devices), and how long a
  // command waits for its device to connect before it expires, and how long a sent
  // command may go without news before it counts as abandoned (its node died with
  // it in flight; a live session ends its own commands within a minute or two).
  std::string node = "gateway";
  std::chrono::milliseconds command_sweep{5000};
  std::chrono::seconds command_ttl{600};
  std::chrono::seconds command_abandon{3600};
};

class Gateway {
 public:
  Gateway(boost::asio::io_context& io, const GatewayOptions& options,
          const registry::Registry& registry, store::Writer& writer, Metrics& metrics,
          const Clock& clock);
  ~Gateway();

  // Binds and starts accepting. Returns the bound port (useful with port 0).
  Result<uint16_t> Start();
  // Stops accepting and closes every connection.
  void Stop();
  size_t connections() const;
  // Where each device's packets, rejections and connections are counted (optional;
  // set before Start, outlives the gateway).
  void SetDeviceStatus(DeviceStatusBoard* board) { status_ = board; }
  // Where device authentication failures are reported for the security audit
  // (optional; set before Start, outlives the gateway).
  // Also told when a staff command ends, for the audit.
  void SetSecurityEvents(SecurityEvents* events) {
    guard_->SetSecurityEvents(events);
    events_ = events;
  }
  // Where commands to devices are kept (optional; set before Start, outlives the
  // gateway). Without it no command is sent and history pulls are not recorded.
  void SetCommandStore(control::CommandStore* commands) { commands_ = commands; }
  // Any thread: sends `c` (queued) now if its device is connected to this node; the
  // periodic sweep sends it otherwise, from whichever node holds the device.
  void Deliver(const control::Command& c);
  // The limits' state, for tests.
  const GatewayGuard& guard() const { return *guard_; }

  class Connection;

 private:
  void Accept();
  // Admits or closes a socket just accepted.
  void Admit(boost::asio::ip::tcp::socket socket);
  // Accept failed (out of file descriptors...): pause, longer while it lasts.
  void AcceptFailed(const boost::system::error_code& ec);
  void Report();
  // Every command_sweep: expires stale commands and delivers the queued ones.
  void Sweep();
  // The connection that receives `mn`'s commands (the newest to authenticate it).
  void Register(const std::string& mn, std::weak_ptr<Connection> conn);
  void Unregister(const std::string& mn, const Connection* conn);

  boost::asio::io_context& io_;
  GatewayOptions options_;
  const registry::Registry& registry_;
  store::Writer& writer_;
  Metrics& metrics_;
  const Clock& clock_;
  DeviceStatusBoard* status_ = nullptr;
  boost::asio::ip::tcp::acceptor acceptor_;
  control::CommandStore* commands_ = nullptr;
  SecurityEvents* events_ = nullptr;
  boost::asio::steady_timer accept_timer_, report_timer_, sweep_timer_;
  int64_t accept_pause_ms_ = 0;          // 0: accepting normally
  uint64_t accept_errors_ = 0;           // in the current episode
  std::shared_ptr<GatewayGuard> guard_;  // shared with connections, which may outlive Stop
  struct Counters;
  std::unique_ptr<Counters> counters_;
  std::shared_ptr<std::atomic<bool>> stopped_;
  struct ConnectionList;
  std::unique_ptr<ConnectionList> conns_;
};

}  // namespace ecohub::ingest
