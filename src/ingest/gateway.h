// Gateway: the HJ 212 TCP server (一张网). Accepts thousands of long-lived device
// connections on a Boost.Asio io_context, frames and parses each byte stream,
// lets the connection's Session decide, hands readings and the raw packet to the
// store Writer, and sends the 9014 only from the Writer's commit callback.
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

#include "core/metrics.h"
#include "hj212/framer.h"
#include "ingest/device_status.h"
#include "ingest/session.h"
#include "registry/snapshot.h"
#include "store/store.h"
#include "store/writer.h"

namespace ecohub::ingest {

struct GatewayOptions {
  std::string listen_host = "0.0.0.0";
  uint16_t listen_port = 9212;
  // Connections beyond this are accepted and closed at once (counted).
  size_t max_connections = 20000;
  // A device that sends nothing for this long is disconnected. HJ 212 has no
  // heartbeat; loggers send at least every RtdInterval (30-3600 s), and some only
  // hourly data, so the default is a little over two hours (digest §12).
  std::chrono::seconds idle_timeout{2 * 3600 + 600};
  // Per-connection byte rate limit (token bucket); beyond it reading pauses.
  size_t max_bytes_per_second = 64 * 1024;
  // Per-connection unsent-reply limit; beyond it the connection is closed.
  size_t max_pending_output = 256 * 1024;
  hj212::FramerOptions framer;
  SessionOptions session;
  // Keep the raw bytes of every frame (accepted and rejected) with its verdict.
  bool keep_raw = true;
};

class Gateway {
 public:
  Gateway(boost::asio::io_context& io, const GatewayOptions& options,
          const registry::Registry& registry, store::Writer& writer, Metrics& metrics);
  ~Gateway();

  // Binds and starts accepting. Returns the bound port (useful with port 0).
  Result<uint16_t> Start();
  // Stops accepting and closes every connection.
  void Stop();
  size_t connections() const;
  // Where each device's packets, rejections and connections are counted (optional;
  // set before Start, outlives the gateway).
  void SetDeviceStatus(DeviceStatusBoard* board) { status_ = board; }

  class Connection;

 private:
  void Accept();

  boost::asio::io_context& io_;
  GatewayOptions options_;
  const registry::Registry& registry_;
  store::Writer& writer_;
  Metrics& metrics_;
  DeviceStatusBoard* status_ = nullptr;
  boost::asio::ip::tcp::acceptor acceptor_;
  struct Counters;
  std::unique_ptr<Counters> counters_;
  std::shared_ptr<std::atomic<bool>> stopped_;
  struct ConnectionList;
  std::unique_ptr<ConnectionList> conns_;
};

}  // namespace ecohub::ingest
