#include "ingest/mqtt_codec.h"

namespace ecohub::ingest::mqtt {

namespace {

void PutU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}

void PutString(std::string* out, std::string_view s) {
  PutU16(out, static_cast<uint16_t>(s.size()));
  out->append(s);
}

// Fixed header and remaining length (§2.2.3) before `body`.
std::string Packet(uint8_t first, std::string_view body) {
  std::string out(1, static_cast<char>(first));
  size_t n = body.size();
  do {
    uint8_t b = n % 128;
    n /= 128;
    if (n > 0) b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (n > 0);
  out.append(body);
  return out;
}

uint16_t U16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) << 8 | static_cast<uint8_t>(s[at + 1]));
}

}  // namespace

std::string EncodeConnect(const ConnectOptions& o) {
  std::string body;
  PutString(&body, "MQTT");
  body.push_back(4);  // protocol level 3.1.1
  uint8_t flags = 0;
  if (!o.username.empty()) flags |= 0x80;
  if (!o.password.empty()) flags |= 0x40;
  if (o.clean_session) flags |= 0x02;
  body.push_back(static_cast<char>(flags));
  PutU16(&body, o.keepalive_seconds);
  PutString(&body, o.client_id);
  if (!o.username.empty()) PutString(&body, o.username);
  if (!o.password.empty()) PutString(&body, o.password);
  return Packet(kConnect << 4, body);
}

std::string EncodeSubscribe(uint16_t packet_id, const std::vector<std::string>& filters,
                            uint8_t qos) {
  std::string body;
  PutU16(&body, packet_id);
  for (const auto& f : filters) {
    PutString(&body, f);
    body.push_back(static_cast<char>(qos));
  }
  return Packet(kSubscribe << 4 | 0x02, body);  // §3.8.1: flags 0010
}

std::string EncodePuback(uint16_t packet_id) {
  std::string body;
  PutU16(&body, packet_id);
  return Packet(kPuback << 4, body);
}

std::string EncodePingreq() { return Packet(kPingreq << 4, ""); }
std::string EncodeDisconnect() { return Packet(kDisconnect << 4, ""); }

std::string EncodePublish(std::string_view topic, std::string_view payload, uint8_t qos,
                          uint16_t packet_id, bool dup) {
  std::string body;
  PutString(&body, topic);
  if (qos > 0) PutU16(&body, packet_id);
  body.append(payload);
  return Packet(static_cast<uint8_t>(kPublish << 4 | (dup ? 0x08 : 0) | qos << 1), body);
}

std::optional<Publish> ParsePublish(uint8_t flags, std::string_view body) {
  Publish p;
  p.dup = flags & 0x08;
  p.qos = (flags >> 1) & 0x03;
  p.retain = flags & 0x01;
  if (p.qos == 3 || body.size() < 2) return std::nullopt;
  size_t len = U16(body, 0);
  size_t at = 2 + len;
  if (body.size() < at) return std::nullopt;
  p.topic = body.substr(2, len);
  // §3.3.2.1: a PUBLISH topic holds no wildcard.
  if (p.topic.find_first_of("+#") != std::string_view::npos) return std::nullopt;
  if (p.qos > 0) {
    if (body.size() < at + 2) return std::nullopt;
    p.packet_id = U16(body, at);
    if (p.packet_id == 0) return std::nullopt;
    at += 2;
  }
  p.payload = body.substr(at);
  return p;
}

DecodeError Decoder::Header(std::string_view in, size_t* header, size_t* length) const {
  *header = 0;
  if (in.size() < 2) return DecodeError::kNone;
  size_t n = 0, shift = 0;
  for (size_t i = 1; i <= 4; ++i) {
    if (i >= in.size()) return DecodeError::kNone;
    uint8_t b = static_cast<uint8_t>(in[i]);
    n |= static_cast<size_t>(b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) == 0) {
      if (n + i + 1 > max_) return DecodeError::kOversize;
      *header = i + 1;
      *length = n;
      return DecodeError::kNone;
    }
  }
  return DecodeError::kBadLength;
}

}  // namespace ecohub::ingest::mqtt
