#include "ingest/mqtt_bridge.h"

#include <fstream>

#include "ingest/mqtt_payload.h"

namespace ecohub::ingest {

Status ValidateMqtt(const MqttBridgeOptions& o) {
  if (!o.enabled()) return Status::Ok();
  const MqttClientOptions& c = o.client;
  if (c.port == 0) return Status::InvalidInput("mqtt port must be 1..65535");
  if (c.client_id.empty() || c.client_id.size() > 23 || !ValidTopicMn(c.client_id))
    return Status::InvalidInput("mqtt client_id must be 1..23 of [0-9A-Za-z_.-]");
  if (!ValidTopicMn(c.username)) return Status::InvalidInput("mqtt username is empty or odd");
  if (o.password_file.empty())
    return Status::InvalidInput("mqtt password_file is required (EcoHub's broker password)");
  if (c.keepalive_seconds < 5) return Status::InvalidInput("mqtt keepalive_seconds must be >= 5");
  if (!ValidTopicMn(o.ingest.topic_prefix))
    return Status::InvalidInput("mqtt topic_prefix must be one topic level of [0-9A-Za-z_.-]");
  if (c.certfile.empty() != c.keyfile.empty())
    return Status::InvalidInput("mqtt certfile and keyfile go together");
  for (const std::string* f : {&o.password_file, &c.cafile, &c.certfile, &c.keyfile})
    if (!f->empty() && !std::ifstream(*f).good())
      return Status::InvalidInput("mqtt file '" + *f + "' cannot be read");
  return Status::Ok();
}

MqttBridge::MqttBridge(boost::asio::io_context& io, MqttBridgeOptions options,
                       const registry::Registry& registry, store::Writer& writer, Metrics& metrics,
                       const Clock& clock)
    : io_(io),
      options_(std::move(options)),
      metrics_(metrics),
      sink_(writer),
      ingest_(registry, sink_, metrics, clock, options_.ingest) {}

MqttBridge::~MqttBridge() { Stop(); }

Status MqttBridge::Start() {
  MqttClientOptions c = options_.client;
  std::ifstream in(options_.password_file);
  if (!in || !std::getline(in, c.password) || c.password.empty())
    return Status::InvalidInput("mqtt password_file '" + options_.password_file +
                                "' has no password on its first line");
  const std::string& p = options_.ingest.topic_prefix;
  c.subscriptions = {p + "/hj212/+", p + "/json/+"};
  client_ = std::make_unique<MqttClient>(
      io_, std::move(c),
      [this](std::string_view topic, std::string_view payload, MqttClient::Settle settle) {
        ingest_.OnMessage(topic, payload, [settle = std::move(settle)](Settlement s) {
          settle(s == Settlement::kAck);
        });
      },
      metrics_);
  return client_->Start();
}

void MqttBridge::Stop() {
  // The client's handlers keep its state alive until they finish; a later Start
  // makes a new one.
  if (client_) client_->Stop();
  client_.reset();
}

}  // namespace ecohub::ingest
