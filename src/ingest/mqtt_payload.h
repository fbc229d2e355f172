// MQTT payloads: the topic scheme and the JSON form of an upload (docs/mqtt.md).
//
//   topic   := prefix "/hj212/" MN          payload: one HJ 212 frame, exactly the bytes
//            | prefix "/json/" MN                    a device sends over TCP (## … CRC CRLF)
//                                            payload: the JSON form below
//   MN      := 1*64 of [0-9A-Za-z_.-]
//
//   {"pw": "123456", "cn": "2061", "data_time": "2026-03-01T08:00:00+08:00",
//    "qn": "20260301090000123", "st": "22",
//    "values": {"a34004": {"avg": 35, "flag": "N"}, "a21026": {"avg": "12.5"}}}
//
// pw, cn, data_time and values are required; qn and st optional. data_time is RFC 3339
// with an offset or HJ 212's compact local "YYYYMMDDhhmmss". values maps a factor code to
// its fields: the HJ 212 value kinds (rtd avg min max cou zsrtd zsavg zsmin zsmax rs rt
// data daydata nightdata, any case) with a number or a decimal text, and flag (one
// letter). A JSON upload is turned into the HJ 212 frame it stands for, so that both
// forms then take the same checks (CRC, MN, PW, DataTime) and the same Session.
//
// Pure: no I/O, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace ecohub::ingest {

enum class MqttForm : uint8_t { kHj212, kJson };

struct MqttTopic {
  MqttForm form = MqttForm::kHj212;
  std::string mn;
};

// "ecohub/hj212/MN" -> {kHj212, MN}. InvalidInput when the topic is outside the scheme
// or its MN is empty or holds other characters than the scheme allows.
Result<MqttTopic> ParseMqttTopic(std::string_view topic, std::string_view prefix);

// Whether `mn` may name a topic level and a broker account: 1..64 of [0-9A-Za-z_.-]
// (no '/', '+', '#', ':' or space).
bool ValidTopicMn(std::string_view mn);

// The JSON form of an upload from device `mn` as the HJ 212 frame it stands for
// (with its CRC and CRLF). data_time in RFC 3339 is rewritten as compact local time at
// `utc_offset` (what the session reads DataTime as). InvalidInput naming the first
// thing wrong: not JSON, above `max_bytes`, a missing or mistyped member, an unknown
// field kind, a value or code with characters HJ 212 uses as separators.
Result<std::string> JsonUploadToFrame(std::string_view json, std::string_view mn,
                                      int64_t utc_offset = kBeijingOffsetSeconds,
                                      size_t max_bytes = 64 * 1024);

}  // namespace ecohub::ingest
