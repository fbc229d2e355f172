// The pure rules of notifications as tables: checks of a subscription, which events it
// wants, working hours, the retry schedule, and the messages of each channel.
#include "notify/notify.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/sm.h"

namespace ecohub::notify {
namespace {

// Monday 2026-12-07 10:00 China Standard Time.
constexpr UnixSeconds kMonday10 = 1796608800;

Subscription Valid(Channel c) {
  Subscription s;
  s.user_id = 3;
  s.name = "值班";
  s.channel = c;
  if (c == Channel::kWebhook) {
    s.target = "https://duty.example.org/hook";
    s.secret = "0123456789abcdef";
  } else if (c == Channel::kEmail) {
    s.target = "duty@example.org";
  } else if (c == Channel::kSms) {
    s.target = "13800138000";
  }
  return s;
}

Event Exceedance(int64_t district = 3) {
  return {"alarm:12",
          "alarm.exceedance",
          Severity::kCritical,
          district,
          7,
          "超标告警：某厂 二氧化硫",
          "峰值 120",
          "/console/alarms?id=12",
          kMonday10 - 300};
}

TEST(Notify, KnowsTheWeekdayAndHoursInChinaStandardTime) {
  Hours office{8 * 60 + 30, 17 * 60 + 30};
  struct Case {
    UnixSeconds t;
    bool in;
  } cases[] = {
      {kMonday10, true},
      {kMonday10 - 90 * 60 - 1, false},         // 08:29:59
      {kMonday10 - 90 * 60, true},              // 08:30
      {kMonday10 + 7 * 3600 + 29 * 60, true},   // 17:29
      {kMonday10 + 7 * 3600 + 30 * 60, false},  // 17:30: the end is excluded
      {kMonday10 + 5 * 86400, false},           // Saturday 10:00
      {kMonday10 + 6 * 86400, false},           // Sunday
      {kMonday10 + 4 * 86400, true},            // Friday
      {kMonday10 - 10 * 3600, false},           // Monday 00:00 CST is Sunday 16:00 UTC
  };
  for (const auto& c : cases) EXPECT_EQ(InHours(office, c.t), c.in) << c.t;
}

TEST(Notify, ChecksSubscriptionsPerChannel) {
  struct Case {
    Channel channel;
    std::string target, secret;
    std::string error;  // a substring; "" for none
  } cases[] = {
      {Channel::kInbox, "", "", ""},
      {Channel::kInbox, "x@example.org", "", "target"},
      {Channel::kWebhook, "https://a.example.org/h?x=1", "0123456789abcdef", ""},
      {Channel::kWebhook, "http://10.0.0.5:8080/h", "0123456789abcdef", ""},
      {Channel::kWebhook, "ftp://a.example.org/", "0123456789abcdef", "URL"},
      {Channel::kWebhook, "https://a.example.org/\r\nX: y", "0123456789abcdef", "URL"},
      {Channel::kWebhook, "https://a.example.org/", "short", "secret"},
      {Channel::kEmail, "duty@example.org", "", ""},
      {Channel::kEmail, "duty@example", "", "e-mail"},
      {Channel::kEmail, "a@b@example.org", "", "e-mail"},
      {Channel::kEmail, "duty@example.org>\r\nRCPT TO:<x@y.z", "", "e-mail"},
      {Channel::kEmail, "duty@example.org", "0123456789abcdef", "secret"},
      {Channel::kSms, "13800138000", "", ""},
      {Channel::kSms, "+8613800138000", "", ""},
      {Channel::kSms, "23800138000", "", "phone"},
      {Channel::kSms, "1380013800", "", "phone"},
  };
  for (const auto& c : cases) {
    Subscription s = Valid(c.channel);
    s.target = c.target;
    s.secret = c.secret;
    std::string got = CheckSubscription(s);
    if (c.error.empty())
      EXPECT_EQ(got, "") << c.target;
    else
      EXPECT_NE(got.find(c.error), std::string::npos) << c.target << ": " << got;
  }
  Subscription s = Valid(Channel::kInbox);
  s.kinds = {"alarm.flood"};
  EXPECT_NE(CheckSubscription(s).find("unknown kind"), std::string::npos);
  s = Valid(Channel::kInbox);
  s.hours = Hours{600, 600};
  EXPECT_NE(CheckSubscription(s).find("hours"), std::string::npos);
  s.hours = Hours{0, 1441};
  EXPECT_NE(CheckSubscription(s).find("hours"), std::string::npos);
  s.hours.reset();
  s.name.clear();
  EXPECT_NE(CheckSubscription(s).find("name"), std::string::npos);
}

TEST(Notify, WantsByKindDistrictSeverityAndHours) {
  struct Case {
    const char* what;
    void (*set)(Subscription&);
    bool wants;
  } cases[] = {
      {"everything", [](Subscription&) {}, true},
      {"off", [](Subscription& s) { s.enabled = false; }, false},
      {"the kind", [](Subscription& s) { s.kinds = {"alarm.exceedance"}; }, true},
      {"another kind", [](Subscription& s) { s.kinds = {"alarm.offline"}; }, false},
      {"its district",
       [](Subscription& s) {
         s.districts = {2, 3};
       },
       true},
      {"other districts", [](Subscription& s) { s.districts = {2}; }, false},
      {"critical only", [](Subscription& s) { s.min_severity = Severity::kCritical; }, true},
      {"office hours", [](Subscription& s) { s.hours = Hours{}; }, true},
      {"night shift",
       [](Subscription& s) {
         s.hours = Hours{0, 8 * 60};
       },
       false},
  };
  for (const auto& c : cases) {
    Subscription s = Valid(Channel::kInbox);
    c.set(s);
    EXPECT_EQ(Wants(s, Exceedance(), kMonday10), c.wants) << c.what;
  }
  Subscription s = Valid(Channel::kInbox);
  s.min_severity = Severity::kCritical;
  Event offline = Exceedance();
  offline.severity = Severity::kWarning;
  EXPECT_FALSE(Wants(s, offline, kMonday10));
}

TEST(Notify, RetriesGrowThenGiveUp) {
  EXPECT_EQ(RetryAfter(1), 60);
  EXPECT_EQ(RetryAfter(2), 300);
  EXPECT_EQ(RetryAfter(3), 1800);
  EXPECT_EQ(RetryAfter(4), 7200);
  EXPECT_EQ(RetryAfter(5), 21600);
  EXPECT_EQ(RetryAfter(kMaxAttempts), std::nullopt);
  EXPECT_EQ(RetryAfter(0), std::nullopt);
}

TEST(Notify, WebhooksAreSignedOverTimeAndBody) {
  std::string body = WebhookBody(Exceedance());
  auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j["ref"], "alarm:12");
  EXPECT_EQ(j["kind_name"], "超标告警");
  EXPECT_EQ(j["severity"], "critical");
  EXPECT_EQ(j["at"], "2026-12-07T09:55:00+08:00");
  auto sig = WebhookSignature("0123456789abcdef", 1796608800, body);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(sig->starts_with("t=1796608800,sha256="));
  // As a receiver computes it: HMAC-SHA256("Jefe", "0.") by Python's hmac module.
  auto known = WebhookSignature("Jefe", 0, "");
  ASSERT_TRUE(known.ok());
  EXPECT_NE(known->find(",sha256=813f643c8863ba9754215e64cdab172f2e96c1a413d772978aba7398cc864e55"),
            std::string::npos);
  auto sm3 = crypto::HmacSm3("Jefe", "0.");
  EXPECT_NE(known->find(",sm3=" + crypto::ToHex(*sm3)), std::string::npos);
  EXPECT_NE(*WebhookSignature("0123456789abcdef", 1796608800, body + " "), *sig);
  EXPECT_NE(*WebhookSignature("0123456789abcdef", 1796608801, body), *sig);
}

TEST(Notify, MailIsUtf8WithAnEncodedSubjectAndALink) {
  Mail m = MailOf(Exceedance(), "ecohub@bureau.example", "duty@example.org",
                  "https://eco.example.gov.cn/");
  EXPECT_EQ(m.subject, "[严重] 超标告警：某厂 二氧化硫");
  EXPECT_NE(m.text.find("查看：https://eco.example.gov.cn/console/alarms?id=12"),
            std::string::npos);
  std::string msg = MailMessage(m, kMonday10, "1.2@ecohub");
  EXPECT_NE(msg.find("Date: Mon, 07 Dec 2026 10:00:00 +0800\r\n"), std::string::npos);
  EXPECT_NE(msg.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(msg.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_EQ(msg.find("超标"), std::string::npos);  // base64, 7-bit clean
  EXPECT_EQ(msg.find('\n', 0), msg.find("\r\n") + 1);
}

TEST(Notify, SmsAndMasks) {
  std::string sms = SmsText(Exceedance());
  EXPECT_EQ(sms, "【EcoHub】超标告警：某厂 二氧化硫（12-07 09:55）");
  Event long_one = Exceedance();
  long_one.title = std::string(300, 'x') + "终";
  std::string cut = SmsText(long_one);
  EXPECT_LE(cut.size(), 140u * 3);
  EXPECT_EQ(cut.find("终"), std::string::npos);
  EXPECT_EQ(MaskTarget(Channel::kSms, "13800138000"), "138****8000");
  EXPECT_EQ(MaskTarget(Channel::kEmail, "duty@example.org"), "du***@example.org");
  EXPECT_EQ(MaskTarget(Channel::kWebhook, "https://duty.example.org/hook?k=secret"),
            "https://duty.example.org/…");
}

}  // namespace
}  // namespace ecohub::notify
