// The MQTT 3.1.1 packets a subscriber needs (OASIS MQTT 3.1.1, §2-§3), as bytes.
//
//   packet          := fixed-header remaining-length body
//   fixed-header    := type (high 4 bits) flags (low 4 bits)
//   remaining-length:= 1..4 bytes, 7 bits each, least significant first, the high bit
//                      saying another byte follows (§2.2.3)
//   string          := u16 big-endian length, UTF-8 bytes
//   PUBLISH body    := topic:string [packet-id:u16 when QoS > 0] payload:rest (§3.3)
//
// We send CONNECT, SUBSCRIBE, PUBACK, PINGREQ and DISCONNECT, and read CONNACK,
// SUBACK, PUBLISH and PINGRESP. EcoHub writes its own subscriber rather than use
// libmosquitto because Debian bookworm's libmosquitto (2.0.11) sends the PUBACK of a
// QoS-1 message by itself, before the application has it; EcoHub must send it only
// once the readings are committed (docs/mqtt.md).
//
// A decoder does no I/O: MqttDecoder::Feed hands complete packets to a callback.
// Pure, not thread-safe (one decoder per connection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ecohub::ingest::mqtt {

enum Type : uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kSubscribe = 8,
  kSuback = 9,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
};

struct ConnectOptions {
  std::string client_id;
  std::string username, password;  // empty: not sent
  bool clean_session = false;
  uint16_t keepalive_seconds = 30;
};

std::string EncodeConnect(const ConnectOptions& o);
// SUBSCRIBE of `filters`, each at `qos`.
std::string EncodeSubscribe(uint16_t packet_id, const std::vector<std::string>& filters,
                            uint8_t qos);
std::string EncodePuback(uint16_t packet_id);
std::string EncodePingreq();
std::string EncodeDisconnect();
// For tests and tools: a PUBLISH as a broker sends it.
std::string EncodePublish(std::string_view topic, std::string_view payload, uint8_t qos,
                          uint16_t packet_id, bool dup = false);

struct Publish {
  std::string_view topic, payload;
  uint8_t qos = 0;
  bool dup = false, retain = false;
  uint16_t packet_id = 0;  // QoS > 0 only
};

// Parses a PUBLISH's flags and body; nullopt when malformed (QoS 3, a topic longer
// than the body, packet id 0, a topic with a wildcard).
std::optional<Publish> ParsePublish(uint8_t flags, std::string_view body);

enum class DecodeError : uint8_t {
  kNone,
  kBadLength,  // remaining length longer than 4 bytes
  kOversize,   // a packet above the decoder's limit
};

class Decoder {
 public:
  explicit Decoder(size_t max_packet_bytes) : max_(max_packet_bytes) {}
  // Appends `data` and calls on_packet(type, flags, body) for each complete packet
  // (views valid during the call). Returns kNone, or the error after which the
  // connection must be closed (nothing more is decoded).
  template <class F>
  DecodeError Feed(std::string_view data, F&& on_packet) {
    buf_.append(data);
    size_t pos = 0;
    DecodeError err = DecodeError::kNone;
    while (true) {
      size_t header = 0, length = 0;
      err = Header(std::string_view(buf_).substr(pos), &header, &length);
      if (err != DecodeError::kNone || header == 0 || buf_.size() - pos < header + length) break;
      uint8_t b = static_cast<uint8_t>(buf_[pos]);
      on_packet(static_cast<uint8_t>(b >> 4), static_cast<uint8_t>(b & 0x0f),
                std::string_view(buf_).substr(pos + header, length));
      pos += header + length;
    }
    buf_.erase(0, pos);
    return err;
  }

 private:
  // Sets *header (fixed header bytes) and *length when both are complete; *header = 0
  // when more bytes are needed.
  DecodeError Header(std::string_view in, size_t* header, size_t* length) const;

  size_t max_;
  std::string buf_;
};

}  // namespace ecohub::ingest::mqtt
