#include "ingest/session.h"

#include <gtest/gtest.h>

#include "hj212/builder.h"
#include "hj212/framer.h"

namespace ecohub::ingest {
namespace {

const char* kMn = "010000A8900016F000169DC0";

class SessionTest : public testing::Test {
 protected:
  SessionTest() {
    registry_.Publish(
        {}, {}, {},
        {store::Device{kMn, 1, "123456", 1, "utf-8", true, "hj212"},
         store::Device{"88888880000001", 2, "654321", 0, "utf-8", true, "hj212"},
         store::Device{"DISABLED00000000000000000", 3, "123456", 1, "utf-8", false, "hj212"}});
  }
  hj212::Packet P(const std::string& seg) {
    hj212::Packet p;
    EXPECT_EQ(hj212::ParsePacket(seg, &p), hj212::Error::kNone) << seg;
    return p;
  }
  static std::string Seg(const std::string& frame) {
    std::string_view s;
    EXPECT_EQ(hj212::CheckFrame(frame, {}, &s), hj212::Error::kNone);
    return std::string(s);
  }
  registry::Registry registry_;
  Metrics metrics_;
  SessionOptions options_;
};

TEST_F(SessionTest, RealtimeUploadStoresEveryValueKindWithItsFlag) {
  options_.time_sync = false;
  Session s(registry_, options_, metrics_);
  Outcome o = s.OnPacket(P(std::string("QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=") + kMn +
                           ";Flag=5;CP=&&DataTime=20160801085857;w01018-Rtd=231.0,w01018-Flag=D,"
                           "w01018-ZsRtd=240.5;w00000-Rtd=1.5;w00000-SampleTime=20160801085800&&"),
                         1470013137000);
  EXPECT_EQ(o.verdict, Verdict::kStored);
  ASSERT_EQ(o.readings.size(), 3u);
  EXPECT_EQ(o.readings[0].field, "Rtd");
  EXPECT_EQ(o.readings[0].value, "231.0");
  EXPECT_EQ(o.readings[0].flag, 'D');
  EXPECT_EQ(o.readings[1].field, "ZsRtd");
  EXPECT_EQ(o.readings[2].flag, 0);
  EXPECT_EQ(o.readings[0].time, 1470013137);  // Beijing 08:58:57 = 00:58:57 UTC
  EXPECT_EQ(
      Seg(o.ack_after_commit),
      std::string("QN=20160801085857223;ST=91;CN=9014;PW=123456;MN=") + kMn + ";Flag=4;CP=&&&&");
}

TEST_F(SessionTest, NoAckWhenTheABitIsClear) {
  Session s(registry_, options_, metrics_);
  Outcome o = s.OnPacket(P(std::string("QN=1;ST=32;CN=2061;PW=123456;MN=") + kMn +
                           ";Flag=4;CP=&&DataTime=20160801080000;w01018-Avg=1&&"),
                         0);
  EXPECT_EQ(o.readings.size(), 1u);
  EXPECT_EQ(o.readings[0].period, Period::kHour);
  EXPECT_TRUE(o.ack_after_commit.empty());
}

TEST_F(SessionTest, WrongPasswordUnknownAndDisabledDevicesStoreNothing) {
  Session s(registry_, options_, metrics_);
  for (std::string seg :
       {std::string("QN=1;ST=32;CN=2011;PW=000000;MN=") + kMn +
            ";Flag=5;CP=&&DataTime=20160801080000;a-Rtd=1&&",
        std::string(
            "QN=1;ST=32;CN=2011;PW=123456;MN=FFFF;Flag=5;CP=&&DataTime=20160801080000;a-Rtd=1&&"),
        std::string("QN=1;ST=32;CN=2011;PW=123456;MN=DISABLED00000000000000000;Flag=5;CP=&&"
                    "DataTime=20160801080000;a-Rtd=1&&")}) {
    Outcome o = s.OnPacket(P(seg), 0);
    EXPECT_TRUE(o.readings.empty());
    EXPECT_TRUE(o.ack_after_commit.empty());
    EXPECT_TRUE(o.verdict == Verdict::kBadPassword || o.verdict == Verdict::kUnknownMn)
        << VerdictName(o.verdict);
  }
  EXPECT_EQ(metrics_.Value("ecohub_gateway_auth_rejected_total{reason=\"bad_password\"}"), 1);
  EXPECT_EQ(metrics_.Value("ecohub_gateway_auth_rejected_total{reason=\"unknown_mn\"}"), 2);
}

TEST_F(SessionTest, AConnectedDeviceFollowsTheRegistrysNextSnapshot) {
  Session s(registry_, options_, metrics_);
  std::string seg = std::string("QN=1;ST=32;CN=2011;PW=123456;MN=") + kMn +
                    ";Flag=5;CP=&&DataTime=20160801080000;a-Rtd=1&&";
  EXPECT_EQ(s.OnPacket(P(seg), 0).verdict, Verdict::kStored);
  // The password changes (an admin, `ecohub device put`): the open connection's
  // next packet is checked against the new snapshot, not the one it started with.
  registry_.Publish({}, {}, {}, {store::Device{kMn, 1, "654321", 1, "utf-8", true, "hj212"}});
  EXPECT_EQ(s.OnPacket(P(seg), 0).verdict, Verdict::kBadPassword);
  // Disabled: unknown from then on.
  registry_.Publish({}, {}, {}, {store::Device{kMn, 1, "123456", 1, "utf-8", false, "hj212"}});
  EXPECT_EQ(s.OnPacket(P(seg), 0).verdict, Verdict::kUnknownMn);
}

TEST(VerdictTest, NamesAreTheStoredOnes) {
  // The names are data: raw packets in every existing store carry them.
  EXPECT_EQ(VerdictName(Verdict::kStored), "stored");
  EXPECT_EQ(VerdictName(Verdict::kNoData), "no_data");
  EXPECT_EQ(VerdictName(Verdict::kReply), "reply");
  EXPECT_EQ(VerdictName(Verdict::kNotify), "notify");
  EXPECT_EQ(VerdictName(Verdict::kKeptRaw), "kept_raw");
  EXPECT_EQ(VerdictName(Verdict::kUnknownMn), "unknown_mn");
  EXPECT_EQ(VerdictName(Verdict::kBadPassword), "bad_password");
  EXPECT_EQ(VerdictName(Verdict::kBadDataTime), "bad_datatime");
  EXPECT_EQ(VerdictName(Verdict::kUnexpectedReply), "unexpected_reply");
  EXPECT_FALSE(Accepted(Verdict::kBadPassword));
  EXPECT_TRUE(Accepted(Verdict::kNoData));
  EXPECT_TRUE(AuthFailed(Verdict::kUnknownMn));
  EXPECT_FALSE(AuthFailed(Verdict::kBadDataTime));
}

TEST_F(SessionTest, Version2005DeviceGets2005Ack) {
  options_.time_sync = false;
  Session s(registry_, options_, metrics_);
  Outcome o = s.OnPacket(P("QN=20040516010101001;ST=32;CN=2051;PW=654321;MN=88888880000001;Flag=1;"
                           "CP=&&DataTime=20040516010000;011-Avg=12.5,011-Flag=N&&"),
                         0);
  EXPECT_EQ(Seg(o.ack_after_commit), "ST=91;CN=9014;CP=&&QN=20040516010101001;CN=2051&&");
}

TEST_F(SessionTest, BadDataTimeIsKeptRawAndAnswered) {
  Session s(registry_, options_, metrics_);
  Outcome o = s.OnPacket(P(std::string("QN=1;ST=32;CN=2011;PW=123456;MN=") + kMn +
                           ";Flag=5;CP=&&DataTime=20161301000000;a-Rtd=1&&"),
                         0);
  EXPECT_EQ(o.verdict, Verdict::kBadDataTime);
  EXPECT_TRUE(o.readings.empty());
  EXPECT_FALSE(o.ack_after_commit.empty());  // kept raw; resending would not help
}

TEST_F(SessionTest, TimeSyncOnFirstPacketThenResendAndTimeout) {
  options_.request_timeout_ms = 1000;
  options_.request_retries = 2;
  Session s(registry_, options_, metrics_);
  Outcome o = s.OnPacket(P(std::string("QN=1;ST=32;CN=2011;PW=123456;MN=") + kMn +
                           ";Flag=5;CP=&&DataTime=20160801080000;a-Rtd=1&&"),
                         1470009600000);
  ASSERT_EQ(o.send_now.size(), 1u);
  std::string req = Seg(o.send_now[0]);
  EXPECT_NE(req.find("CN=1012"), std::string::npos);
  EXPECT_NE(req.find("SystemTime=20160801080000"), std::string::npos);
  EXPECT_EQ(s.pending_requests(), 1u);
  EXPECT_TRUE(s.OnTick(1470009600500).send_now.empty());
  EXPECT_EQ(s.OnTick(1470009601000).send_now.size(), 1u);  // resend 1
  EXPECT_EQ(s.OnTick(1470009602000).send_now.size(), 1u);  // resend 2
  EXPECT_TRUE(s.OnTick(1470009603000).send_now.empty());   // given up
  EXPECT_EQ(s.pending_requests(), 0u);
  EXPECT_EQ(metrics_.Value("ecohub_gateway_host_requests_timeout_total"), 1);
}

TEST_F(SessionTest, RequestAnsweredBy9011Then9012) {
  Session s(registry_, options_, metrics_);
  Outcome o = s.OnPacket(P(std::string("QN=1;ST=32;CN=2011;PW=123456;MN=") + kMn +
                           ";Flag=5;CP=&&DataTime=20160801080000;a-Rtd=1&&"),
                         1470009600000);
  hj212::Packet req = P(Seg(o.send_now.at(0)));
  std::string qn(*req.Header("QN"));
  s.OnPacket(P("QN=" + qn + ";ST=91;CN=9011;PW=123456;MN=" + kMn + ";Flag=4;CP=&&QnRtn=1&&"),
             1470009600100);
  EXPECT_EQ(s.pending_requests(), 1u);
  EXPECT_TRUE(
      s.OnTick(1470009610500).send_now.empty());  // answered: no resend, execution timeout runs
  s.OnPacket(P("QN=" + qn + ";ST=91;CN=9012;PW=123456;MN=" + kMn + ";Flag=4;CP=&&ExeRtn=1&&"),
             1470009600200);
  EXPECT_EQ(s.pending_requests(), 0u);
  EXPECT_EQ(metrics_.Value("ecohub_gateway_host_requests_done_total"), 1);
}

TEST_F(SessionTest, NotifyGets9013AndTimeSet) {
  Session s(registry_, options_, metrics_);
  Outcome o = s.OnPacket(
      P(std::string("QN=20160801085857223;ST=32;CN=1013;PW=123456;MN=") + kMn + ";Flag=5;CP=&&&&"),
      1470009600000);
  ASSERT_GE(o.send_now.size(), 2u);
  EXPECT_EQ(Seg(o.send_now[0]), std::string("QN=20160801085857223;ST=91;CN=9013;PW=123456;MN=") +
                                    kMn + ";Flag=4;CP=&&&&");
  EXPECT_NE(o.send_now[1].find("CN=1012"), std::string::npos);
}

TEST_F(SessionTest, SkippedHourIsPulledBack) {
  options_.time_sync = false;
  Session s(registry_, options_, metrics_);
  auto hour = [&](const char* dt) {
    return s.OnPacket(P(std::string("QN=1;ST=32;CN=2061;PW=123456;MN=") + kMn +
                        ";Flag=5;CP=&&DataTime=" + dt + ";w01018-Avg=1&&"),
                      1470009600000);
  };
  EXPECT_TRUE(hour("20160801050000").send_now.empty());
  EXPECT_TRUE(hour("20160801060000").send_now.empty());
  Outcome o = hour("20160801090000");  // 07:00 and 08:00 missing
  ASSERT_EQ(o.send_now.size(), 1u);
  std::string req = Seg(o.send_now[0]);
  EXPECT_NE(req.find("CN=2061"), std::string::npos);
  EXPECT_NE(req.find("BeginTime=20160801070000"), std::string::npos);
  EXPECT_NE(req.find("EndTime=20160801080000"), std::string::npos);
}

// A command staff sent, through each answer a device may give (HJ 212-2017 §6.5.1):
// the events the connection records and the status they end in.
TEST_F(SessionTest, CommandsAreTrackedToTheirEnd) {
  struct Step {
    std::string cn;  // the device's packet ("" : a tick at `at`)
    std::string cp;
    int64_t at;  // ms after the command was sent
  };
  struct Case {
    const char* what;
    const char* kind;
    control::Params params;
    std::vector<Step> steps;
    std::vector<std::string> statuses;  // of the events, in order
    std::string code, result;           // of the last event
  } cases[] = {
      {"set interval done",
       "set_rtd_interval",
       {{"RtdInterval", "60"}},
       {{"9011", "QnRtn=1", 100}, {"9012", "ExeRtn=1", 200}},
       {"accepted", "done"},
       "",
       ""},
      {"get interval answered with data",
       "get_rtd_interval",
       {},
       {{"9011", "QnRtn=1", 100}, {"1061", "RtdInterval=45", 150}, {"9012", "ExeRtn=1", 200}},
       {"accepted", "accepted", "done"},
       "",
       "RtdInterval=45"},
      {"refused",
       "set_min_interval",
       {{"MinInterval", "5"}},
       {{"9011", "QnRtn=2", 100}},
       {"refused"},
       "2",
       ""},
      {"failed",
       "time_sync",
       {},
       {{"9011", "QnRtn=1", 100}, {"9012", "ExeRtn=5", 300}},
       {"accepted", "failed"},
       "5",
       ""},
      {"ignored: resent, then timed out",
       "get_time",
       {},
       {{"", "", 1000}, {"", "", 2000}, {"", "", 3000}},
       {"timed_out"},
       "no 9011",
       ""},
      {"accepted, never executed",
       "get_time",
       {},
       {{"9011", "QnRtn=1", 100}, {"", "", 1500}, {"", "", 2100}},
       {"accepted", "timed_out"},
       "no 9012",
       ""},
  };
  const int64_t t0 = 1470009600000;
  for (const auto& c : cases) {
    options_.time_sync = false;
    options_.request_timeout_ms = 1000;
    options_.request_retries = 2;
    Session s(registry_, options_, metrics_);
    s.OnPacket(P(std::string("QN=1;ST=32;CN=2011;PW=123456;MN=") + kMn +
                 ";Flag=4;CP=&&DataTime=20160801080000;a-Rtd=1&&"),
               t0);
    auto cmd = control::NewCommand(kMn, c.kind, c.params, "user:1", t0 / 1000);
    ASSERT_TRUE(cmd.ok()) << c.what << cmd.status().ToString();
    cmd->id = 42;
    std::string qn = s.NextQn(t0);
    Outcome sent = s.SendCommand(*cmd, qn, t0);
    ASSERT_EQ(sent.send_now.size(), 1u) << c.what;
    std::string req = Seg(sent.send_now[0]);
    EXPECT_NE(req.find("QN=" + qn + ";"), std::string::npos) << req;
    EXPECT_NE(req.find("CN=" + cmd->cn + ";"), std::string::npos) << req;
    if (!cmd->params.empty()) {
      EXPECT_NE(req.find(cmd->params), std::string::npos) << req;
    }
    std::vector<RequestEvent> events;
    for (const auto& st : c.steps) {
      Outcome o = st.cn.empty()
                      ? s.OnTick(t0 + st.at)
                      : s.OnPacket(P("QN=" + qn + ";ST=91;CN=" + st.cn + ";PW=123456;MN=" + kMn +
                                     ";Flag=4;CP=&&" + st.cp + "&&"),
                                   t0 + st.at);
      if (!st.cn.empty()) {
        EXPECT_EQ(o.verdict, Verdict::kReply) << c.what << " " << st.cn;
      }
      events.insert(events.end(), o.events.begin(), o.events.end());
    }
    std::vector<std::string> statuses;
    for (const auto& e : events) {
      EXPECT_EQ(e.command_id, 42) << c.what;
      statuses.push_back(e.status);
    }
    EXPECT_EQ(statuses, c.statuses) << c.what;
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().code, c.code) << c.what;
    EXPECT_EQ(events.back().result, c.result) << c.what;
    EXPECT_EQ(s.pending_requests(), 0u) << c.what;
  }
}

TEST_F(SessionTest, CommandBeforeAuthenticationOrLinkLostTimesOut) {
  Session s(registry_, options_, metrics_);
  auto cmd = control::NewCommand(kMn, "get_time", {}, "user:1", 0);
  ASSERT_TRUE(cmd.ok());
  cmd->id = 7;
  Outcome o = s.SendCommand(*cmd, s.NextQn(1000), 1000);
  EXPECT_TRUE(o.send_now.empty());
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].status, "timed_out");
  s.OnPacket(P(std::string("QN=1;ST=32;CN=2011;PW=123456;MN=") + kMn +
               ";Flag=4;CP=&&DataTime=20160801080000;a-Rtd=1&&"),
             1470009600000);
  o = s.SendCommand(*cmd, s.NextQn(1470009600000), 1470009600000);
  EXPECT_EQ(o.send_now.size(), 1u);
  o = s.OnClose();
  ASSERT_EQ(o.events.size(), 1u);  // the time sync of the session's own is not a command
  EXPECT_EQ(o.events[0].status, "timed_out");
  EXPECT_EQ(o.events[0].code, "link closed");
}

// Minute gaps are pulled with 2051; a gap still open when its pull ends is asked
// again, narrowed to what is missing, a bounded number of times.
TEST_F(SessionTest, MinuteGapIsPulledAndAskedAgainWhileOpen) {
  options_.time_sync = false;
  options_.backfill_follow_ups = 1;
  options_.backfill_follow_up_ms = 60'000;
  Session s(registry_, options_, metrics_);
  const int64_t t0 = 1470009600000;
  auto minute = [&](const std::string& qn, const char* dt, int64_t at) {
    return s.OnPacket(P("QN=" + qn + ";ST=32;CN=2051;PW=123456;MN=" + kMn +
                        ";Flag=4;CP=&&DataTime=" + dt + ";w01018-Avg=1&&"),
                      at);
  };
  EXPECT_TRUE(minute("1", "20160801080000", t0).send_now.empty());
  EXPECT_TRUE(minute("2", "20160801081000", t0).send_now.empty());  // MinInterval 10 min
  Outcome o = minute("3", "20160801085000", t0);                    // 08:20, 08:30, 08:40 missing
  ASSERT_EQ(o.send_now.size(), 1u);
  std::string req = Seg(o.send_now[0]);
  EXPECT_NE(req.find("CN=2051"), std::string::npos);
  EXPECT_NE(req.find("BeginTime=20160801082000;EndTime=20160801084000"), std::string::npos) << req;
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_TRUE(o.events[0].started);
  EXPECT_EQ(o.events[0].expected, 3);
  EXPECT_EQ(o.events[0].follow_up_of, 0);
  std::string qn(*P(req).Header("QN"));
  s.SetCommandId(qn, 100);
  // The device answers with 08:20 only (records carry new QNs), then 9012.
  s.OnPacket(P("QN=" + qn + ";ST=91;CN=9011;PW=123456;MN=" + kMn + ";Flag=4;CP=&&QnRtn=1&&"), t0);
  EXPECT_EQ(minute("4", "20160801082000", t0 + 100).verdict, Verdict::kStored);
  o = s.OnPacket(P("QN=" + qn + ";ST=91;CN=9012;PW=123456;MN=" + kMn + ";Flag=4;CP=&&ExeRtn=1&&"),
                 t0 + 200);
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].status, "done");
  EXPECT_EQ(o.events[0].records, 1);
  EXPECT_EQ(s.open_gaps(), 1u);
  EXPECT_TRUE(s.OnTick(t0 + 30'000).send_now.empty());  // not yet
  o = s.OnTick(t0 + 60'200);                            // asked again: 08:30..08:40
  ASSERT_EQ(o.send_now.size(), 1u);
  req = Seg(o.send_now[0]);
  EXPECT_NE(req.find("BeginTime=20160801083000;EndTime=20160801084000"), std::string::npos) << req;
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_TRUE(o.events[0].started);
  EXPECT_EQ(o.events[0].follow_up_of, 100);
  EXPECT_EQ(o.events[0].expected, 2);
  qn = std::string(*P(req).Header("QN"));
  s.SetCommandId(qn, 101);
  // Nothing answers: resends, then the pull times out; no asks remain.
  int64_t at = t0 + 60'200;
  for (int i = 0; i < 6; ++i) o = s.OnTick(at += options_.request_timeout_ms);
  EXPECT_EQ(s.pending_requests(), 0u);
  EXPECT_EQ(s.open_gaps(), 0u);
  EXPECT_TRUE(s.OnTick(at + 600'000).send_now.empty());
  EXPECT_EQ(metrics_.Value("ecohub_gateway_backfill_gaps_abandoned_total"), 1);

  // Told to send every 30 minutes, the device's longer steps are no gaps.
  auto cmd = control::NewCommand(kMn, "set_min_interval", {{"MinInterval", "30"}}, "u", 0);
  ASSERT_TRUE(cmd.ok());
  qn = s.NextQn(at);
  s.SendCommand(*cmd, qn, at);
  s.OnPacket(P("QN=" + qn + ";ST=91;CN=9012;PW=123456;MN=" + kMn + ";Flag=4;CP=&&ExeRtn=1&&"), at);
  EXPECT_TRUE(minute("5", "20160801092000", at).send_now.empty());  // last was 08:50
  EXPECT_TRUE(minute("6", "20160801095000", at).send_now.empty());
  EXPECT_EQ(minute("7", "20160801105000", at).send_now.size(), 1u);  // 10:20 missing
}

}  // namespace
}  // namespace ecohub::ingest
