#include "ingest/mqtt_ingest.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

#include "core/escape.h"
#include "hj212/packet.h"
#include "ingest/mqtt_payload.h"

namespace ecohub::ingest {

struct MqttIngest::Counters {
  explicit Counters(Metrics& m)
      : messages(m.counter("ecohub_mqtt_messages_total", "MQTT messages received")),
        readings(
            m.counter("ecohub_mqtt_readings_total", "Readings from MQTT handed to the writer")),
        acked(
            m.counter("ecohub_mqtt_acked_total", "MQTT messages acknowledged after their commit")),
        not_acked(m.counter("ecohub_mqtt_commit_failed_total",
                            "MQTT messages not acknowledged: commit failed or queue full")) {}
  Counter *messages, *readings, *acked, *not_acked;
  std::mutex mu;  // guards the log budget
  double window_start = -1e9;
  int logged = 0;
  uint64_t suppressed = 0;
};

MqttIngest::MqttIngest(const registry::Registry& registry, BatchSink& sink, Metrics& metrics,
                       const Clock& clock, MqttIngestOptions options)
    : registry_(registry),
      sink_(sink),
      metrics_(metrics),
      clock_(clock),
      options_(std::move(options)),
      counters_(std::make_unique<Counters>(metrics)) {}

MqttIngest::~MqttIngest() = default;

bool MqttIngest::ShouldLog() {
  std::lock_guard lock(counters_->mu);
  double now = clock_.SteadySeconds();
  if (now - counters_->window_start >= 10) {
    if (counters_->suppressed > 0)
      spdlog::warn("[mqtt] {} more refusals in the last 10 s not logged (see /metrics)",
                   counters_->suppressed);
    counters_->window_start = now;
    counters_->logged = 0;
    counters_->suppressed = 0;
  }
  if (counters_->logged < options_.log_per_10s) {
    ++counters_->logged;
    return true;
  }
  ++counters_->suppressed;
  return false;
}

void MqttIngest::Refuse(std::string_view reason, const std::string& mn, std::string_view topic,
                        std::string_view bytes, std::string_view detail, const Settle& settle) {
  metrics_
      .counter("ecohub_mqtt_rejected_total{reason=\"" + std::string(reason) + "\"}",
               "MQTT messages refused, by reason")
      ->Add();
  if (ShouldLog())
    spdlog::warn("[mqtt][{}][MN {}] refused: {}: {}: {}", EscapeForLog(topic), EscapeForLog(mn),
                 reason, detail, EscapeForLog(hj212::RedactPassword(bytes)));
  if (options_.keep_raw) {
    store::Batch batch;
    batch.raw.push_back(store::RawPacket{clock_.WallMillis(), "mqtt:" + std::string(topic), mn,
                                         std::string(reason),
                                         hj212::RedactPassword(bytes.substr(0, 4096))});
    (void)sink_.Submit(std::move(batch), [](const Status&) {});
  }
  settle(Settlement::kAck);
}

void MqttIngest::OnMessage(std::string_view topic, std::string_view payload, Settle settle) {
  counters_->messages->Add();
  auto t = ParseMqttTopic(topic, options_.topic_prefix);
  if (!t.ok()) return Refuse("bad_topic", "", topic, payload, t.status().message(), settle);
  const std::string& mn = t->mn;
  std::string frame;
  if (t->form == MqttForm::kJson) {
    auto f = JsonUploadToFrame(payload, mn, options_.session.default_utc_offset,
                               options_.max_json_bytes);
    if (!f.ok()) {
      // The JSON may hold a password: log only what is wrong, keep the bytes raw.
      return Refuse("bad_json", mn, topic, "", f.status().message(), settle);
    }
    frame = std::move(f).value();
  } else {
    frame = payload;
  }
  std::string_view segment;
  hj212::Error err = hj212::CheckFrame(frame, options_.framer, &segment);
  hj212::Packet packet;
  if (err == hj212::Error::kNone) err = hj212::ParsePacket(segment, &packet);
  if (err != hj212::Error::kNone)
    return Refuse(hj212::ErrorCode(err), mn, topic, frame, "not an HJ 212 frame", settle);
  if (packet.Header("MN").value_or("") != mn)
    return Refuse(
        "mn_mismatch", mn, topic, frame,
        "packet MN " + EscapeForLog(packet.Header("MN").value_or("")) + " differs from the topic's",
        settle);
  // One Session per message: over MQTT nothing is asked of the device, so no state
  // carries from one packet to the next.
  Session session(registry_, options_.session, metrics_);
  Outcome out = session.OnPacket(packet, clock_.WallMillis());
  if (!Accepted(out.verdict)) {
    if (status_ && AuthFailed(out.verdict) && registry_.Current()->DeviceByMn(mn))
      status_->OnRejected(mn);
    return Refuse(VerdictName(out.verdict), mn, topic, frame, "data not stored", settle);
  }
  if (status_) status_->OnAccepted(mn, clock_.WallSeconds());
  const UnixMillis now = clock_.WallMillis();
  std::erase_if(out.readings, [&](const Reading& r) {
    Admission a = CheckReading(r, now, options_.admission);
    if (a == Admission::kAdmitted) return false;
    metrics_
        .counter(
            "ecohub_mqtt_readings_refused_total{reason=\"" + std::string(AdmissionName(a)) + "\"}",
            "Readings from MQTT refused at admission, by reason")
        ->Add();
    if (ShouldLog())
      spdlog::warn("[mqtt][MN {}] reading refused: {} ({}-{}={} dated {})", EscapeForLog(mn),
                   AdmissionName(a), EscapeForLog(r.factor), EscapeForLog(r.field),
                   EscapeForLog(r.value), r.time);
    return true;
  });
  store::Batch batch;
  counters_->readings->Add(out.readings.size());
  batch.readings = std::move(out.readings);
  if (options_.keep_raw)
    batch.raw.push_back(store::RawPacket{now, "mqtt:" + std::string(topic), mn,
                                         std::string(VerdictName(out.verdict)),
                                         hj212::RedactPassword(frame)});
  if (batch.readings.empty() && batch.raw.empty()) return settle(Settlement::kAck);
  Counters* counters = counters_.get();
  Status s = sink_.Submit(std::move(batch), [settle, counters, mn](const Status& st) {
    if (!st.ok()) {
      counters->not_acked->Add();
      spdlog::warn("[mqtt][MN {}] commit failed, not acknowledged (the broker redelivers): {}",
                   EscapeForLog(mn), st.ToString());
      return settle(Settlement::kRedeliver);
    }
    counters->acked->Add();
    settle(Settlement::kAck);
  });
  if (!s.ok()) {
    counters_->not_acked->Add();
    spdlog::warn("[mqtt][MN {}] not queued, not acknowledged: {}", EscapeForLog(mn), s.ToString());
    settle(Settlement::kRedeliver);
  }
}

}  // namespace ecohub::ingest
