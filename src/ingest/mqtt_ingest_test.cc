#include "ingest/mqtt_ingest.h"

#include <gtest/gtest.h>

#include "hj212/builder.h"

namespace ecohub::ingest {
namespace {

const char* kMn = "88888880000001";

// A sink that commits at once, or fails the commits it is told to fail (fault
// injection beside the seam), or refuses to queue.
class FakeSink final : public BatchSink {
 public:
  Status Submit(store::Batch batch, std::function<void(const Status&)> done) override {
    if (refuse) return Status::Unavailable("queue full");
    ++submitted;
    if (fail_commits > 0) {
      --fail_commits;
      done(Status::IoError("disk full"));
      return Status::Ok();
    }
    committed.push_back(std::move(batch));
    done(Status::Ok());
    return Status::Ok();
  }
  int fail_commits = 0;
  bool refuse = false;
  int submitted = 0;
  std::vector<store::Batch> committed;
};

class MqttIngestTest : public testing::Test {
 protected:
  MqttIngestTest() : clock_(1772330400000 /* 2026-03-01 10:00 Beijing */) {
    registry_.Publish({}, {}, {},
                      {store::Device{kMn, 1, "123456", 1, "utf-8", true, "hj212"},
                       store::Device{"OFF0000000001", 2, "123456", 1, "utf-8", false, "hj212"}});
  }
  static std::string Frame(const std::string& mn, const std::string& pw,
                           const std::string& cp =
                               "DataTime=20260301080000;a34004-Avg=35,"
                               "a34004-Flag=N") {
    return hj212::Frame("QN=20260301090000000;ST=22;CN=2061;PW=" + pw + ";MN=" + mn +
                        ";Flag=4;CP=&&" + cp + "&&");
  }
  // Sends one message; returns what it was settled with (nullopt: not settled).
  std::optional<Settlement> Send(const std::string& topic, const std::string& payload) {
    std::optional<Settlement> got;
    int calls = 0;
    ingest_.OnMessage(topic, payload, [&](Settlement s) {
      got = s;
      ++calls;
    });
    EXPECT_LE(calls, 1) << "settled twice";
    return got;
  }
  double Counter(const std::string& name) { return metrics_.counter(name)->value(); }

  registry::Registry registry_;
  FakeSink sink_;
  Metrics metrics_;
  ManualClock clock_;
  MqttIngest ingest_{registry_, sink_, metrics_, clock_};
};

TEST_F(MqttIngestTest, Hj212PacketIsStoredThenAcknowledged) {
  EXPECT_EQ(Send(std::string("ecohub/hj212/") + kMn, Frame(kMn, "123456")), Settlement::kAck);
  ASSERT_EQ(sink_.committed.size(), 1u);
  const auto& b = sink_.committed[0];
  ASSERT_EQ(b.readings.size(), 1u);
  EXPECT_EQ(b.readings[0].factor, "a34004");
  EXPECT_EQ(b.readings[0].value, "35");
  EXPECT_EQ(b.readings[0].period, Period::kHour);
  ASSERT_EQ(b.raw.size(), 1u);
  EXPECT_EQ(b.raw[0].verdict, "stored");
  EXPECT_EQ(b.raw[0].peer, std::string("mqtt:ecohub/hj212/") + kMn);
  EXPECT_EQ(b.raw[0].bytes.find("123456"), std::string::npos);  // password masked
  EXPECT_EQ(Counter("ecohub_mqtt_acked_total"), 1);
}

TEST_F(MqttIngestTest, JsonUploadTakesTheSamePath) {
  EXPECT_EQ(Send(std::string("ecohub/json/") + kMn,
                 R"({"pw":"123456","cn":"2061","data_time":"2026-03-01T08:00:00+08:00",
                     "values":{"a34004":{"avg":35,"flag":"N"},"a21026":{"avg":"7"}}})"),
            Settlement::kAck);
  ASSERT_EQ(sink_.committed.size(), 1u);
  EXPECT_EQ(sink_.committed[0].readings.size(), 2u);
  EXPECT_EQ(sink_.committed[0].readings[0].time, 1772323200);
}

// Never acknowledge what is not durable: a failed commit settles kRedeliver (the
// client then reconnects so that the broker resends), and the resend is stored.
TEST_F(MqttIngestTest, FailedCommitIsNotAcknowledged) {
  sink_.fail_commits = 1;
  std::string topic = std::string("ecohub/hj212/") + kMn;
  EXPECT_EQ(Send(topic, Frame(kMn, "123456")), Settlement::kRedeliver);
  EXPECT_TRUE(sink_.committed.empty());
  EXPECT_EQ(Counter("ecohub_mqtt_commit_failed_total"), 1);
  EXPECT_EQ(Counter("ecohub_mqtt_acked_total"), 0);
  EXPECT_EQ(Send(topic, Frame(kMn, "123456")), Settlement::kAck);  // the redelivery
  EXPECT_EQ(sink_.committed.size(), 1u);
  sink_.refuse = true;
  EXPECT_EQ(Send(topic, Frame(kMn, "123456")), Settlement::kRedeliver);
  EXPECT_EQ(Counter("ecohub_mqtt_commit_failed_total"), 2);
}

// Bad input is consumed (acknowledged, nothing stored but its raw bytes), counted by
// reason, and the next good message is stored as usual.
TEST_F(MqttIngestTest, BadInputIsRefusedCountedAndConsumed) {
  std::string good = Frame(kMn, "123456");
  struct Case {
    std::string topic, payload, reason;
  } cases[] = {
      {"ecohub/xml/" + std::string(kMn), good, "bad_topic"},
      {"ecohub/hj212/a/b", good, "bad_topic"},
      {"ecohub/hj212/" + std::string(kMn), "garbage", "bad_header"},
      {"ecohub/hj212/" + std::string(kMn), "", "bad_header"},
      {"ecohub/hj212/" + std::string(kMn), good.substr(0, good.size() - 6) + "0000\r\n",
       "crc_mismatch"},
      {"ecohub/hj212/" + std::string(kMn), std::string("##\xff\xfe\x00", 5), "bad_length_field"},
      {"ecohub/hj212/OTHER0000001", good, "mn_mismatch"},
      {"ecohub/hj212/UNKNOWN000001", Frame("UNKNOWN000001", "123456"), "unknown_mn"},
      {"ecohub/hj212/OFF0000000001", Frame("OFF0000000001", "123456"), "unknown_mn"},
      {"ecohub/hj212/" + std::string(kMn), Frame(kMn, "wrong"), "bad_password"},
      {"ecohub/hj212/" + std::string(kMn), Frame(kMn, "123456", "a34004-Avg=35"), "bad_datatime"},
      {"ecohub/json/" + std::string(kMn), "{not json", "bad_json"},
      {"ecohub/json/" + std::string(kMn),
       R"({"pw":"wrong","cn":"2061","data_time":"20260301080000","values":{"a1":{"avg":1}}})",
       "bad_password"},
  };
  for (const auto& c : cases) {
    std::string name = "ecohub_mqtt_rejected_total{reason=\"" + c.reason + "\"}";
    double before = Counter(name);
    EXPECT_EQ(Send(c.topic, c.payload), Settlement::kAck) << c.reason;
    EXPECT_EQ(Counter(name), before + 1) << c.reason;
  }
  for (const auto& b : sink_.committed) EXPECT_TRUE(b.readings.empty());
  EXPECT_EQ(Send(std::string("ecohub/hj212/") + kMn, good), Settlement::kAck);
  EXPECT_EQ(sink_.committed.back().readings.size(), 1u);
}

TEST_F(MqttIngestTest, ImpossibleReadingsAreDroppedTheRestStored) {
  EXPECT_EQ(Send(std::string("ecohub/hj212/") + kMn,
                 Frame(kMn, "123456", "DataTime=20260301080000;a34004-Avg=35;a21026-Avg=nan")),
            Settlement::kAck);
  ASSERT_EQ(sink_.committed.size(), 1u);
  EXPECT_EQ(sink_.committed[0].readings.size(), 1u);
  EXPECT_EQ(Counter("ecohub_mqtt_readings_refused_total{reason=\"not_finite\"}"), 1);
}

}  // namespace
}  // namespace ecohub::ingest
