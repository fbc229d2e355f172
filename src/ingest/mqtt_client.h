// MqttClient: EcoHub's MQTT subscriber (MQTT 3.1.1 over TCP or TLS, Boost.Asio).
//
// Connects to the broker with a fixed client id and clean_session = 0, so that the
// broker keeps the subscription and the QoS-1 messages not yet acknowledged while
// EcoHub (or the broker, with persistence) is down, and delivers them at the next
// connection. Subscribes to `subscriptions` at QoS 1 and hands each PUBLISH to
// `on_message` with a `settle` function: settle(true) sends the PUBACK (call it once
// the message's data is durable), settle(false) drops the connection so that the
// broker delivers every unacknowledged message again. A settle arriving after its
// connection closed is ignored: the broker redelivers that message, and storing it
// again is an idempotent upsert. Reconnects with a doubling back-off (0.5 s .. 30 s),
// pings every keepalive, and closes a connection that is silent 1.5 keepalives.
//
// Thread-safety: Start and Stop from one thread; `settle` from any thread (it posts
// to the client's strand); on_message runs on the strand. The client may be
// destroyed while settles are pending: they then do nothing.
#pragma once

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"

namespace ecohub::ingest {

struct MqttClientOptions {
  std::string host;  // empty: MQTT off
  uint16_t port = 1883;
  // Fixed, so that the broker finds this subscriber's persistent session again.
  std::string client_id = "ecohub";
  std::string username, password;  // empty: not sent
  // TLS when `tls` is set or any of the files is named. cafile verifies the broker
  // (empty: the system's CAs); certfile and keyfile authenticate EcoHub to it.
  bool tls = false;
  std::string cafile, certfile, keyfile;
  uint16_t keepalive_seconds = 30;
  std::vector<std::string> subscriptions;
  // A packet above this closes the connection (an HJ 212 frame is ~1-2 KB).
  size_t max_packet_bytes = 256 * 1024;
  std::chrono::milliseconds reconnect_min{500}, reconnect_max{30'000};
};

class MqttClient {
 public:
  using Settle = std::function<void(bool ack)>;
  using OnMessage =
      std::function<void(std::string_view topic, std::string_view payload, Settle settle)>;

  MqttClient(boost::asio::io_context& io, MqttClientOptions options, OnMessage on_message,
             Metrics& metrics);
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Loads the TLS files (InvalidInput when one does not load) and starts connecting in
  // the background; a broker that is down is retried, not an error.
  Status Start();
  // Disconnects and stops reconnecting. Idempotent.
  void Stop();
  // Whether a session with the broker is established (CONNACK accepted).
  bool connected() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ecohub::ingest
