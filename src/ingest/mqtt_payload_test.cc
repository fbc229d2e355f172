#include "ingest/mqtt_payload.h"

#include <gtest/gtest.h>

#include "core/parse_time.h"
#include "hj212/framer.h"
#include "hj212/packet.h"

namespace ecohub::ingest {
namespace {

TEST(MqttTopicTest, SchemeAndItsRefusals) {
  struct Case {
    const char* topic;
    bool ok;
    MqttForm form;
    const char* mn;
  } cases[] = {
      {"ecohub/hj212/88888880000001", true, MqttForm::kHj212, "88888880000001"},
      {"ecohub/json/010000A8900016F000169DC0", true, MqttForm::kJson, "010000A8900016F000169DC0"},
      {"ecohub/json/dev_1.a-b", true, MqttForm::kJson, "dev_1.a-b"},
      {"ecohub/hj212/", false, MqttForm::kHj212, ""},
      {"ecohub/hj212/a/b", false, MqttForm::kHj212, ""},
      {"ecohub/hj212/a b", false, MqttForm::kHj212, ""},
      {"ecohub/xml/8888", false, MqttForm::kHj212, ""},
      {"other/hj212/8888", false, MqttForm::kHj212, ""},
      {"ecohubx/hj212/8888", false, MqttForm::kHj212, ""},
      {"ecohub", false, MqttForm::kHj212, ""},
      {"", false, MqttForm::kHj212, ""},
  };
  for (const auto& c : cases) {
    auto t = ParseMqttTopic(c.topic, "ecohub");
    ASSERT_EQ(t.ok(), c.ok) << c.topic;
    if (!c.ok) continue;
    EXPECT_EQ(t->form, c.form) << c.topic;
    EXPECT_EQ(t->mn, c.mn) << c.topic;
  }
}

TEST(MqttRfc3339Test, OffsetsAndRefusals) {
  EXPECT_EQ(ParseDateTime("2026-03-01T08:00:00+08:00", std::nullopt), 1772323200);
  EXPECT_EQ(ParseDateTime("2026-03-01T00:00:00Z", std::nullopt), 1772323200);
  EXPECT_EQ(ParseDateTime("2026-03-01T00:00:00.250Z", std::nullopt), 1772323200);
  EXPECT_EQ(ParseDateTime("2026-02-28T19:00:00-05:00", std::nullopt), 1772323200);
  for (const char* bad : {"2026-03-01T08:00:00", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                          "2026-03-01T24:00:00Z", "2026-03-01T08:00:00+8:00", "20260301080000",
                          "2026-03-01T08:00:00Zjunk", ""})
    EXPECT_FALSE(ParseDateTime(bad, std::nullopt)) << bad;
}

// The segment of the frame a JSON upload becomes.
std::string SegmentOf(const std::string& frame) {
  std::string_view seg;
  EXPECT_EQ(hj212::CheckFrame(frame, {}, &seg), hj212::Error::kNone) << frame;
  return std::string(seg);
}

TEST(MqttJsonTest, GoodUploadsBecomeTheFramesTheyStandFor) {
  struct Case {
    const char* json;
    const char* segment;
  } cases[] = {
      {R"({"pw":"123456","cn":"2061","data_time":"2026-03-01T08:00:00+08:00",
           "values":{"a34004":{"avg":35,"flag":"N"}}})",
       "QN=20260301080000000;ST=22;CN=2061;PW=123456;MN=M1;Flag=4;"
       "CP=&&DataTime=20260301080000;a34004-Avg=35,a34004-Flag=N&&"},
      // Compact local time, qn and st given, text values kept as sent, field names in
      // any case, several factors (in code order: a JSON object has none).
      {R"({"pw":"p","cn":"2011","data_time":"20260301081500","qn":"20260301081501123",
           "st":"32","values":{"w01018":{"Rtd":"231.0","ZSRTD":240.5},"w00000":{"rtd":1.5}}})",
       "QN=20260301081501123;ST=32;CN=2011;PW=p;MN=M1;Flag=4;"
       "CP=&&DataTime=20260301081500;w00000-Rtd=1.5;w01018-Rtd=231.0,w01018-ZsRtd=240.5&&"},
      // UTC is rewritten as Beijing local time; an "mn" equal to the topic's is fine.
      {R"({"mn":"M1","pw":"p","cn":"2031","data_time":"2026-02-28T16:00:00Z",
           "values":{"a21026":{"avg":-0.5,"min":0,"max":"1e2"}}})",
       "QN=20260301000000000;ST=22;CN=2031;PW=p;MN=M1;Flag=4;"
       "CP=&&DataTime=20260301000000;a21026-Avg=-0.5,a21026-Max=1e2,a21026-Min=0&&"},
  };
  for (const auto& c : cases) {
    auto f = JsonUploadToFrame(c.json, "M1");
    ASSERT_TRUE(f.ok()) << c.json << ": " << f.status().ToString();
    EXPECT_EQ(SegmentOf(*f), c.segment) << c.json;
    EXPECT_TRUE(f->ends_with("\r\n"));
  }
}

TEST(MqttJsonTest, BadUploadsAreRefusedSayingWhy) {
  const std::string ok_values = R"("values":{"a34004":{"avg":35}})";
  struct Case {
    std::string json;
    const char* why;  // a part of the message
  } cases[] = {
      {"", "not JSON"},
      {"{", "not JSON"},
      {"##0101QN=...", "not JSON"},
      {"[1,2]", "not a JSON object"},
      {R"({"cn":"2061","data_time":"20260301080000",)" + ok_values + "}", "no \"pw\""},
      {R"({"pw":"p","data_time":"20260301080000",)" + ok_values + "}", "no \"cn\""},
      {R"({"pw":"p","cn":"2061",)" + ok_values + "}", "no \"data_time\""},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000"})", "no \"values\""},
      {R"({"pw":1,"cn":"2061","data_time":"20260301080000",)" + ok_values + "}", "not a string"},
      {R"({"pw":"p","cn":2061,"data_time":"20260301080000",)" + ok_values + "}", "not a string"},
      {R"({"pw":"p","cn":"206","data_time":"20260301080000",)" + ok_values + "}", "four digits"},
      {R"({"pw":"p;CN=9014","cn":"2061","data_time":"20260301080000",)" + ok_values + "}",
       "\"pw\" holds"},
      {R"({"pw":"p","cn":"2061","data_time":"2026-03-01 08:00",)" + ok_values + "}",
       "\"data_time\""},
      {R"({"pw":"p","cn":"2061","data_time":"20261301080000",)" + ok_values + "}", "\"data_time\""},
      {R"({"pw":"p","cn":"2061","qn":"123","data_time":"20260301080000",)" + ok_values + "}",
       "\"qn\""},
      {R"({"pw":"p","cn":"2061","st":"x","data_time":"20260301080000",)" + ok_values + "}",
       "\"st\""},
      {R"({"mn":"M2","pw":"p","cn":"2061","data_time":"20260301080000",)" + ok_values + "}",
       "differs from the topic"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":[]})", "not an object"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":{}})", "empty"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":{"a1":{}}})", "empty"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":{"a1":35}})",
       "not an object"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":{"a;1":{"avg":1}}})",
       "factor code"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":{"a1":{"mean":1}}})",
       "not an HJ 212 value kind"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":{"a1":{"avg":"1,2"}}})",
       "not a finite number"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":{"a1":{"avg":true}}})",
       "not a finite number"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":{"a1":{"avg":null}}})",
       "not a finite number"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":{"a1":{"avg":""}}})",
       "not a finite number"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":{"a1":{"flag":"NN"}}})",
       "one letter"},
      {R"({"pw":"p","cn":"2061","data_time":"20260301080000","values":{"a1":{"flag":"1"}}})",
       "one letter"},
  };
  for (const auto& c : cases) {
    auto f = JsonUploadToFrame(c.json, "M1");
    ASSERT_FALSE(f.ok()) << c.json;
    EXPECT_NE(f.status().message().find(c.why), std::string::npos)
        << c.json << " -> " << f.status().message();
  }
  EXPECT_FALSE(
      JsonUploadToFrame(std::string(100, ' ') + "{}", "M1", kBeijingOffsetSeconds, 64).ok());
}

}  // namespace
}  // namespace ecohub::ingest
