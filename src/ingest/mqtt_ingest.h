// MqttIngest: what EcoHub does with each MQTT message a device published.
//
// The message's topic names the device and the payload's form (mqtt_payload.h). Its
// frame takes the gateway's path: CheckFrame (length, CRC), ParsePacket, the topic's
// MN must be the packet's, a Session decides (device known and enabled, PW, DataTime),
// CheckReading refuses impossible readings, and the readings with the raw packet go
// to the BatchSink — the store Writer in `ecohub serve`, whose after-commit hook feeds
// the latest values, the deriver and the alarms exactly as for TCP.
//
// The answer over MQTT is the PUBACK. OnMessage settles every message exactly once:
//   kAck       the readings are committed (called from the sink's commit callback),
//              or the message was refused (bad input is consumed: resending it
//              forever would block the device's queue and help nobody);
//   kRedeliver the commit failed or the sink refused the batch: not acknowledged;
//              the client drops its connection so that the broker delivers the
//              message again (docs/mqtt.md).
// Every refusal is counted (`ecohub_mqtt_rejected_total{reason}`), logged (rate
// limited, escaped, passwords masked) and, with keep_raw, kept raw with its verdict.
//
// Thread-safety: OnMessage may be called from any thread; `settle` runs on the
// caller's thread or on the sink's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/metrics.h"
#include "hj212/framer.h"
#include "ingest/admission.h"
#include "ingest/device_status.h"
#include "ingest/session.h"
#include "registry/snapshot.h"
#include "store/store.h"
#include "store/writer.h"

namespace ecohub::ingest {

// Where batches go to be made durable: the seam between ingestion and the store.
class BatchSink {
 public:
  virtual ~BatchSink() = default;
  // As store::Writer::Submit: `done` is called exactly once with the commit's outcome,
  // unless Submit itself fails (then never).
  virtual Status Submit(store::Batch batch, std::function<void(const Status&)> done) = 0;
};

// The store Writer as a BatchSink.
class WriterSink final : public BatchSink {
 public:
  explicit WriterSink(store::Writer& writer) : writer_(writer) {}
  Status Submit(store::Batch batch, std::function<void(const Status&)> done) override {
    return writer_.Submit(std::move(batch), std::move(done));
  }

 private:
  store::Writer& writer_;
};

struct MqttIngestOptions {
  // The first topic level: devices publish to <prefix>/hj212/<MN> and <prefix>/json/<MN>.
  std::string topic_prefix = "ecohub";
  // No host requests over MQTT (there is no way back to the device): time sync and
  // history pulls stay with the TCP gateway.
  SessionOptions session{.time_sync = false, .backfill = false};
  hj212::FramerOptions framer;
  AdmissionPolicy admission;
  size_t max_json_bytes = 64 * 1024;
  bool keep_raw = true;
  // Refusals logged per 10 s at most; the rest are counted only.
  int log_per_10s = 20;
};

enum class Settlement : uint8_t { kAck, kRedeliver };

class MqttIngest {
 public:
  using Settle = std::function<void(Settlement)>;

  // All references must outlive the MqttIngest and every pending `settle`.
  MqttIngest(const registry::Registry& registry, BatchSink& sink, Metrics& metrics,
             const Clock& clock, MqttIngestOptions options = {});
  ~MqttIngest();

  // Where accepted packets are counted per device (optional; set before use). MQTT
  // devices then count as heard, so no offline alarm is raised for them.
  void SetDeviceStatus(DeviceStatusBoard* board) { status_ = board; }

  // One message, as received from the broker (raw packets keep "mqtt:<topic>" as peer).
  void OnMessage(std::string_view topic, std::string_view payload, Settle settle);

 private:
  void Refuse(std::string_view reason, const std::string& mn, std::string_view topic,
              std::string_view bytes, std::string_view detail, const Settle& settle);
  bool ShouldLog();

  const registry::Registry& registry_;
  BatchSink& sink_;
  Metrics& metrics_;
  const Clock& clock_;
  MqttIngestOptions options_;
  DeviceStatusBoard* status_ = nullptr;
  struct Counters;
  std::unique_ptr<Counters> counters_;
};

}  // namespace ecohub::ingest
