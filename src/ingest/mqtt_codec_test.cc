#include "ingest/mqtt_codec.h"

#include <gtest/gtest.h>

namespace ecohub::ingest::mqtt {
namespace {

struct Seen {
  uint8_t type, flags;
  std::string body;
};

std::vector<Seen> FeedAll(Decoder& d, std::string_view bytes, DecodeError* err, size_t step) {
  std::vector<Seen> out;
  *err = DecodeError::kNone;
  for (size_t i = 0; i < bytes.size() && *err == DecodeError::kNone; i += step)
    *err = d.Feed(bytes.substr(i, step), [&](uint8_t t, uint8_t f, std::string_view b) {
      out.push_back({t, f, std::string(b)});
    });
  return out;
}

TEST(MqttCodecTest, ConnectAsTheStandardSpellsIt) {
  // MQTT 3.1.1 §3.1: "MQTT", level 4, flags user|password (clean session off),
  // keepalive 30, then client id, user name, password.
  std::string c = EncodeConnect({.client_id = "ecohub", .username = "u", .password = "pw"});
  std::string want(
      "\x10\x19\x00\x04MQTT\x04\xc0\x00\x1e\x00\x06"
      "ecohub\x00\x01u\x00\x02pw",
      27);
  EXPECT_EQ(c, want);
  EXPECT_EQ(EncodePuback(0x1234), std::string("\x40\x02\x12\x34", 4));
  EXPECT_EQ(EncodePingreq(), std::string("\xc0\x00", 2));
  EXPECT_EQ(EncodeSubscribe(1, {"a/+"}, 1), std::string("\x82\x08\x00\x01\x00\x03"
                                                        "a/+\x01",
                                                        10));
}

TEST(MqttCodecTest, PublishesSurviveAnySplitAndStickTogether) {
  std::string big(20000, 'x');  // remaining length needs 3 bytes
  std::string wire = EncodePublish("ecohub/hj212/M1", "##0101...", 1, 7) +
                     EncodePublish("t", big, 0, 0) + EncodePublish("t2", "", 1, 65535, true);
  for (size_t step : {size_t{1}, size_t{3}, size_t{4096}, wire.size()}) {
    Decoder d(64 * 1024);
    DecodeError err;
    auto seen = FeedAll(d, wire, &err, step);
    ASSERT_EQ(err, DecodeError::kNone);
    ASSERT_EQ(seen.size(), 3u) << step;
    auto p = ParsePublish(seen[0].flags, seen[0].body);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->topic, "ecohub/hj212/M1");
    EXPECT_EQ(p->payload, "##0101...");
    EXPECT_EQ(p->qos, 1);
    EXPECT_EQ(p->packet_id, 7);
    auto q = ParsePublish(seen[1].flags, seen[1].body);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->payload.size(), big.size());
    EXPECT_EQ(q->qos, 0);
    auto r = ParsePublish(seen[2].flags, seen[2].body);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->dup);
    EXPECT_EQ(r->packet_id, 65535);
    EXPECT_EQ(r->payload, "");
  }
}

TEST(MqttCodecTest, OversizeAndBadLengthsStopTheDecoder) {
  Decoder d(1024);
  DecodeError err;
  FeedAll(d, EncodePublish("t", std::string(2000, 'x'), 1, 1), &err, 5);
  EXPECT_EQ(err, DecodeError::kOversize);
  Decoder e(1 << 30);
  FeedAll(e, std::string("\x30\xff\xff\xff\xff\x01", 6), &err, 6);
  EXPECT_EQ(err, DecodeError::kBadLength);
}

TEST(MqttCodecTest, MalformedPublishesAreRefused) {
  EXPECT_FALSE(ParsePublish(0x06, std::string("\x00\x01t\x00\x01", 5)));  // QoS 3
  EXPECT_FALSE(ParsePublish(0x02, std::string("\x00\x05t", 3)));          // topic past the end
  EXPECT_FALSE(ParsePublish(0x02, std::string("\x00\x01t\x00\x00", 5)));  // packet id 0
  EXPECT_FALSE(ParsePublish(0x02, std::string("\x00\x01t\x00", 4)));      // no packet id
  EXPECT_FALSE(ParsePublish(0x00, std::string("\x00\x03"
                                              "a/#",
                                              5)));  // wildcard
  EXPECT_FALSE(ParsePublish(0x00, std::string("\x00", 1)));
  // Damage one byte at a time: never a crash, never a view outside the body.
  std::string body = EncodePublish("ecohub/json/M1", "{\"pw\":1}", 1, 9).substr(2);
  for (size_t i = 0; i < body.size(); ++i)
    for (int v : {0x00, 0xff, 0x7f}) {
      std::string b = body;
      b[i] = static_cast<char>(v);
      if (auto p = ParsePublish(0x02, b)) {
        EXPECT_LE(p->topic.size() + p->payload.size() + 4, b.size());
      }
    }
}

}  // namespace
}  // namespace ecohub::ingest::mqtt
