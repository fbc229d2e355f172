// MqttBridge: the MQTT way in, assembled — an MqttClient subscribed to the devices'
// topics whose messages an MqttIngest stores through the Writer, acknowledging each
// one after its commit (docs/mqtt.md). Off unless options.client.host is set.
//
// Thread-safety: Start and Stop from one thread; the rest runs on the io_context.
// The writer may call back after Stop: those settles are ignored (the broker keeps
// the messages and redelivers them at the next start).
#pragma once

#include <boost/asio.hpp>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "ingest/mqtt_client.h"
#include "ingest/mqtt_ingest.h"
#include "registry/snapshot.h"
#include "store/writer.h"

namespace ecohub::ingest {

struct MqttBridgeOptions {
  // host, port, client id, username, TLS files, keepalive. The subscriptions are set
  // from ingest.topic_prefix. Defaults: port 1883, client id and username "ecohub".
  MqttClientOptions client{.username = "ecohub"};
  // EcoHub's broker password: the first line of this file (kept out of the config).
  std::string password_file;
  MqttIngestOptions ingest;

  bool enabled() const { return !client.host.empty(); }
};

// InvalidInput when enabled and an option is wrong: no password file, a file that
// cannot be read, a certfile without keyfile, a bad prefix, a keepalive of 0.
Status ValidateMqtt(const MqttBridgeOptions& o);

class MqttBridge {
 public:
  // Everything passed in must outlive the bridge.
  MqttBridge(boost::asio::io_context& io, MqttBridgeOptions options,
             const registry::Registry& registry, store::Writer& writer, Metrics& metrics,
             const Clock& clock);
  ~MqttBridge();

  void SetDeviceStatus(DeviceStatusBoard* board) { ingest_.SetDeviceStatus(board); }
  // Reads the password file, loads the TLS files and starts connecting (a broker that
  // is down is retried in the background).
  // Start again after Stop is allowed (a node given the subscription back).
  Status Start();
  void Stop();
  bool running() const { return client_ != nullptr; }
  bool connected() const { return client_ && client_->connected(); }

 private:
  boost::asio::io_context& io_;
  MqttBridgeOptions options_;
  Metrics& metrics_;
  WriterSink sink_;
  MqttIngest ingest_;
  std::unique_ptr<MqttClient> client_;
};

}  // namespace ecohub::ingest
