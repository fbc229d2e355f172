// libFuzzer target for every parser of device bytes: the stream framer (fed in
// chunks whose sizes come from the input), the packet parser, the session's reading
// extraction, and the replies built from whatever parsed; and the MQTT path's (the
// packet decoder, PUBLISH, the topic scheme, the JSON form and the frame it becomes,
// which must parse as HJ 212).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/reading.h"
#include "hj212/framer.h"
#include "hj212/packet.h"
#include "hj212/reply.h"
#include "ingest/mqtt_codec.h"
#include "ingest/mqtt_payload.h"

namespace {

// The same bytes as an MQTT stream from a broker, and as a JSON upload.
void FuzzMqtt(std::string_view in, size_t chunk) {
  namespace mqtt = ecohub::ingest::mqtt;
  mqtt::Decoder decoder(4096);
  auto on_packet = [](uint8_t type, uint8_t flags, std::string_view body) {
    if (type != 3) return;  // PUBLISH
    auto p = mqtt::ParsePublish(flags, body);
    if (!p) return;
    auto topic = ecohub::ingest::ParseMqttTopic(p->topic, "ecohub");
    if (topic.ok() && topic->form == ecohub::ingest::MqttForm::kJson)
      (void)ecohub::ingest::JsonUploadToFrame(p->payload, topic->mn);
  };
  for (size_t i = 0; i < in.size(); i += chunk)
    if (decoder.Feed(in.substr(i, chunk), on_packet) != mqtt::DecodeError::kNone) break;
  // A JSON form that converts must give a frame that checks and parses.
  auto frame = ecohub::ingest::JsonUploadToFrame(in, "MN0001");
  if (frame.ok()) {
    std::string_view seg;
    if (ecohub::hj212::CheckFrame(*frame, {}, &seg) != ecohub::hj212::Error::kNone)
      __builtin_trap();
    ecohub::hj212::Packet p;
    if (ecohub::hj212::ParsePacket(seg, &p) != ecohub::hj212::Error::kNone) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ecohub::hj212::Framer framer;
  size_t chunk = size > 0 ? 1 + data[0] % 64 : 1;
  auto on_frame = [](std::string_view segment, std::string_view) {
    ecohub::hj212::Packet p, q;
    // The token-driven parse must agree with the byte-by-byte one, always.
    ecohub::hj212::Tokens tokens;
    ecohub::hj212::Crc16WithTokens(segment, &tokens);
    ecohub::hj212::Error e1 = ecohub::hj212::ParsePacket(segment, &p);
    ecohub::hj212::Error e2 = ecohub::hj212::ParsePacket(segment, &q, {}, &tokens);
    if (e1 != e2) __builtin_trap();
    if (e1 != ecohub::hj212::Error::kNone) return;
    if (p.cp_count() != q.cp_count()) __builtin_trap();
    for (size_t i = 0; i < p.cp_count(); ++i)
      if (p.cp_key(i) != q.cp_key(i) || p.cp_value(i) != q.cp_value(i) ||
          p.cp_separator(i) != q.cp_separator(i))
        __builtin_trap();
    for (size_t i = 0; i < p.cp_count(); ++i) (void)ecohub::Decimal::Parse(p.cp_value(i));
    (void)ecohub::hj212::DataAck(p);
    (void)ecohub::hj212::NotifyAck(p);
  };
  for (size_t i = 0; i < size; i += chunk)
    framer.Feed(in.substr(i, chunk), on_frame, [](ecohub::hj212::Error, std::string_view) {});
  // The whole input as one frame and as one segment, too.
  std::string_view seg;
  if (ecohub::hj212::CheckFrame(in, {}, &seg) == ecohub::hj212::Error::kNone) on_frame(seg, in);
  on_frame(in, in);
  FuzzMqtt(in, chunk);
  return 0;
}
