// The dispatcher over a real NotifyStore (SQLite), a fake alarm store and fake
// transports: alarms become events for those who want them and may see them, each
// channel gets its message, failures are retried on the schedule and then given up.
#include "notify/dispatcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace ecohub::notify {
namespace {

constexpr UnixSeconds kT0 = 1796608800;  // Monday 2026-12-07 10:00 CST

// Alarms in memory, queried as the stores do (newest first, above_id, paging).
class FakeAlarms final : public store::AlarmStore {
 public:
  Status UpsertAlarms(std::span<const store::Alarm> alarms) override {
    for (store::Alarm a : alarms) {
      a.id = static_cast<int64_t>(rows_.size()) + 1;
      rows_.push_back(a);
    }
    return Status::Ok();
  }
  Result<std::vector<store::Alarm>> QueryAlarms(const store::AlarmFilter& f) override {
    std::vector<store::Alarm> out;
    for (const auto& a : rows_)
      if (a.id > f.above_id &&
          (!f.after || std::tie(a.started, a.id) < std::tie(f.after->first, f.after->second)))
        out.push_back(a);
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
      return std::tie(x.started, x.id) > std::tie(y.started, y.id);
    });
    if (out.size() > f.limit) out.resize(f.limit);
    return out;
  }
  Result<std::vector<store::AlarmCount>> CountAlarms(const store::AlarmFilter&) override {
    return Status(Code::kInternal, "unused");
  }
  Result<store::Alarm> GetAlarm(int64_t) override { return Status(Code::kInternal, "unused"); }
  Result<store::Alarm> TransitionAlarm(int64_t, std::string_view, std::string_view,
                                       std::string_view, UnixSeconds) override {
    return Status(Code::kInternal, "unused");
  }

 private:
  std::vector<store::Alarm> rows_;
};

store::Alarm Raised(const std::string& kind, int64_t district, UnixSeconds started) {
  store::Alarm a;
  a.key = kind + std::to_string(started);
  a.kind = kind;
  a.site_id = 5;
  a.site_code = "DS0005";
  a.district_id = district;
  a.enterprise_id = kind == "exceedance" ? 7 : 0;
  a.factor = kind == "offline" ? "" : "a21026";
  a.started = started;
  if (kind == "exceedance") {
    a.value = 123.45;
    a.limit = 100;
    a.unit = "mg/m³";
  }
  return a;
}

class DispatcherTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "/ecohub_dispatch_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = OpenSqliteNotifyStore(dir_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    clock_.SetWallSeconds(kT0);
    Audience audience{[this](int64_t user, const Event& e) {
                        // User 2 is of district 3 only; user 6 is disabled.
                        return user != 6 && (user != 2 || e.district_id == 3);
                      },
                      [](int64_t site) { return site == 5 ? std::string("某热电厂") : ""; }};
    Senders senders{
        [this](const HttpCall& c) -> Result<HttpReply> {
          calls_.push_back(c);
          if (http_down_) return Status(Code::kUnavailable, "connection refused");
          return HttpReply{http_status_, ""};
        },
        [this](const std::string& from, const std::string& to, const std::string& text) -> Status {
          mails_.push_back({from, to, "", text});
          return Status::Ok();
        },
        [](const std::string& v) -> Result<std::string> { return v; }};
    DispatchOptions options;
    options.mail_from = "ecohub@bureau.example";
    options.console_url = "https://eco.example.gov.cn";
    options.sms_url = "http://sms.example/send";
    options.sms_secret = "sms-secret-0123456789";
    dispatcher_ =
        std::make_unique<Dispatcher>(*store_, alarms_, audience, senders, options, clock_);
  }
  void TearDown() override {
    dispatcher_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Subscription Add(int64_t user, Channel c, const std::string& target) {
    Subscription s;
    s.user_id = user;
    s.name = "订阅";
    s.channel = c;
    s.target = target;
    if (c == Channel::kWebhook) s.secret = "0123456789abcdef";
    auto added = store_->AddSubscription(s);
    EXPECT_TRUE(added.ok());
    return *added;
  }

  std::string dir_;
  ManualClock clock_;
  FakeAlarms alarms_;
  std::unique_ptr<NotifyStore> store_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::vector<HttpCall> calls_;
  std::vector<Mail> mails_;
  bool http_down_ = false;
  int http_status_ = 204;
};

TEST_F(DispatcherTest, AFirstPassTellsNobodyOfOldAlarms) {
  ASSERT_TRUE(alarms_.UpsertAlarms(std::vector{Raised("offline", 3, kT0 - 86400)}).ok());
  Add(1, Channel::kInbox, "");
  EXPECT_EQ(*dispatcher_->PublishAlarms(kT0), 0);
  EXPECT_EQ(*store_->UnreadCount(1), 0);
  ASSERT_TRUE(alarms_.UpsertAlarms(std::vector{Raised("offline", 3, kT0 - 60)}).ok());
  EXPECT_EQ(*dispatcher_->PublishAlarms(kT0), 1);
  EXPECT_EQ(*dispatcher_->PublishAlarms(kT0 + 10), 0);  // never twice
  auto inbox = store_->Inbox(1, false, 0, 10);
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ(inbox->front().event.ref, "alarm:2");
  EXPECT_EQ(inbox->front().event.title, "设备离线：某热电厂");
  EXPECT_EQ(inbox->front().event.severity, Severity::kWarning);
}

TEST_F(DispatcherTest, EachChannelGetsItsMessageWithinItsOwnersRights) {
  ASSERT_TRUE(dispatcher_->PublishAlarms(kT0).ok());  // the deployment's first pass
  Add(1, Channel::kInbox, "");
  Add(2, Channel::kInbox, "");  // district 3 only
  Add(6, Channel::kInbox, "");  // disabled: never told
  Subscription hook = Add(1, Channel::kWebhook, "https://duty.example.org/hook");
  Subscription mail = Add(1, Channel::kEmail, "duty@example.org");
  Subscription sms = Add(2, Channel::kSms, "13800138000");
  ASSERT_TRUE(alarms_
                  .UpsertAlarms(std::vector{Raised("exceedance", 3, kT0 - 600),
                                            Raised("exceedance", 4, kT0 - 300)})
                  .ok());
  EXPECT_EQ(*dispatcher_->PublishAlarms(kT0), 2);
  EXPECT_EQ(*store_->UnreadCount(1), 2);
  EXPECT_EQ(*store_->UnreadCount(2), 1);
  EXPECT_EQ(*store_->UnreadCount(6), 0);

  EXPECT_EQ(*dispatcher_->DeliverDue(kT0), 5);  // 2 webhooks, 2 e-mails, 1 SMS
  ASSERT_EQ(calls_.size(), 3u);
  const HttpCall& w = calls_[0];
  EXPECT_EQ(w.url, "https://duty.example.org/hook");
  auto body = nlohmann::json::parse(w.body);
  EXPECT_EQ(body["title"], "超标告警：某热电厂 二氧化硫");
  EXPECT_NE(body["body"].get<std::string>().find("峰值 123.45 mg/m³，限值 100 mg/m³"),
            std::string::npos);
  std::string signature;
  for (const auto& [k, v] : w.headers)
    if (k == "X-EcoHub-Signature") signature = v;
  EXPECT_EQ(signature, *WebhookSignature("0123456789abcdef", kT0, w.body));
  const HttpCall* text = nullptr;
  for (const auto& c : calls_)
    if (c.url == "http://sms.example/send") text = &c;
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(nlohmann::json::parse(text->body)["phone"], "13800138000");
  ASSERT_EQ(mails_.size(), 2u);
  EXPECT_EQ(mails_[0].to, "duty@example.org");
  EXPECT_NE(mails_[0].text.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_EQ(store_->Due(kT0 + 86400, 10)->size(), 0u);
  for (const auto& s : {hook, mail}) {
    auto log = store_->Deliveries(s.id, 10);
    ASSERT_TRUE(log.ok());
    for (const auto& d : *log) EXPECT_EQ(d.state, DeliveryState::kSent);
  }
  EXPECT_EQ(store_->Deliveries(sms.id, 10)->size(), 1u);
}

TEST_F(DispatcherTest, FailuresAreRetriedOnTheScheduleThenGivenUp) {
  ASSERT_TRUE(dispatcher_->PublishAlarms(kT0).ok());
  Subscription hook = Add(1, Channel::kWebhook, "https://duty.example.org/hook");
  ASSERT_TRUE(alarms_.UpsertAlarms(std::vector{Raised("exceedance", 3, kT0 - 60)}).ok());
  ASSERT_TRUE(dispatcher_->PublishAlarms(kT0).ok());
  http_status_ = 503;
  UnixSeconds now = kT0;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    EXPECT_EQ(*dispatcher_->DeliverDue(now), 0);
    auto d = store_->Deliveries(hook.id, 1)->front();
    EXPECT_EQ(d.attempts, attempt);
    EXPECT_EQ(d.last_error, "the receiver answered HTTP 503");
    if (attempt < kMaxAttempts) {
      EXPECT_EQ(d.state, DeliveryState::kPending);
      EXPECT_EQ(d.next_at, now + *RetryAfter(attempt));
      EXPECT_EQ(*dispatcher_->DeliverDue(d.next_at - 1), 0);  // not yet due
      EXPECT_EQ(store_->Deliveries(hook.id, 1)->front().attempts, attempt);
      now = d.next_at;
    } else {
      EXPECT_EQ(d.state, DeliveryState::kFailed);
      EXPECT_EQ(d.done_at, now);
    }
  }
  EXPECT_EQ(calls_.size(), static_cast<size_t>(kMaxAttempts));
  // A receiver down, then back: the retry succeeds.
  ASSERT_TRUE(alarms_.UpsertAlarms(std::vector{Raised("offline", 3, now)}).ok());
  ASSERT_TRUE(dispatcher_->PublishAlarms(now).ok());
  http_down_ = true;
  EXPECT_EQ(*dispatcher_->DeliverDue(now), 0);
  EXPECT_EQ(store_->Deliveries(hook.id, 1)->front().last_error, "connection refused");
  http_down_ = false;
  http_status_ = 200;
  EXPECT_EQ(*dispatcher_->DeliverDue(now + 60), 1);
  EXPECT_EQ(store_->Deliveries(hook.id, 1)->front().state, DeliveryState::kSent);
}

// A dead receiver costs one attempt per pass: its other messages wait with it, untried,
// and another subscription's are sent in the same pass.
TEST_F(DispatcherTest, ADeadReceiverIsTriedOncePerPass) {
  ASSERT_TRUE(dispatcher_->PublishAlarms(kT0).ok());
  Subscription hook = Add(1, Channel::kWebhook, "https://duty.example.org/hook");
  Add(1, Channel::kEmail, "duty@example.org");
  ASSERT_TRUE(alarms_
                  .UpsertAlarms(std::vector{Raised("exceedance", 3, kT0 - 90),
                                            Raised("exceedance", 3, kT0 - 60),
                                            Raised("exceedance", 3, kT0 - 30)})
                  .ok());
  ASSERT_EQ(*dispatcher_->PublishAlarms(kT0), 3);
  http_down_ = true;
  EXPECT_EQ(*dispatcher_->DeliverDue(kT0), 3);  // the three e-mails
  EXPECT_EQ(calls_.size(), 1u);                 // one try of the dead hook
  auto log = store_->Deliveries(hook.id, 10);
  ASSERT_EQ(log->size(), 3u);
  int tried = 0;
  for (const auto& d : *log) {
    EXPECT_EQ(d.state, DeliveryState::kPending);
    EXPECT_EQ(d.next_at, kT0 + *RetryAfter(1));
    tried += d.attempts;
  }
  EXPECT_EQ(tried, 1);
  EXPECT_EQ(*dispatcher_->DeliverDue(kT0 + 59), 0);  // all wait the minute
  EXPECT_EQ(calls_.size(), 1u);
  http_down_ = false;
  EXPECT_EQ(*dispatcher_->DeliverDue(kT0 + 60), 3);
  EXPECT_EQ(calls_.size(), 4u);
}

TEST_F(DispatcherTest, ClosedAlarmsAndRemovedSubscriptionsAreNotSent) {
  ASSERT_TRUE(dispatcher_->PublishAlarms(kT0).ok());
  Subscription hook = Add(1, Channel::kWebhook, "https://duty.example.org/hook");
  store::Alarm suppressed = Raised("exceedance", 3, kT0 - 60);
  suppressed.status = "closed";
  ASSERT_TRUE(alarms_.UpsertAlarms(std::vector{suppressed}).ok());
  EXPECT_EQ(*dispatcher_->PublishAlarms(kT0), 0);
  ASSERT_TRUE(alarms_.UpsertAlarms(std::vector{Raised("exceedance", 3, kT0 - 30)}).ok());
  EXPECT_EQ(*dispatcher_->PublishAlarms(kT0), 1);
  Subscription off = hook;
  off.enabled = false;
  ASSERT_TRUE(store_->SaveSubscription(off).ok());
  EXPECT_EQ(*dispatcher_->DeliverDue(kT0), 0);
  EXPECT_TRUE(calls_.empty());
  auto d = store_->Deliveries(hook.id, 1)->front();
  EXPECT_EQ(d.state, DeliveryState::kFailed);
  EXPECT_EQ(d.last_error, "the subscription is off");
}

// Steps of grid tasks: a task given or sent back reaches its inspector's inbox
// whatever they subscribed to; an escalation reaches those who subscribed to it and
// may see the task; notes are not news.
TEST_F(DispatcherTest, TaskStepsReachTheInspectorAndTheSubscribers) {
  auto opened = casework::OpenSqliteTaskStore(dir_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<casework::TaskStore> tasks = std::move(*opened);
  dispatcher_->Tasks(tasks.get());
  casework::Task t;
  t.title = "核查超标：某热电厂";
  t.address = "丰台区某路 1 号";
  t.district_id = 3;
  t.created_at = kT0 - 3600;
  t.due_at = kT0 + 86400;
  auto before = tasks->Add(t, {0, kT0 - 3600, casework::TaskStep::kCreate, "user:1", ""});
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*dispatcher_->PublishTasks(kT0), 0);  // the deployment's first pass
  Add(1, Channel::kInbox, "");                    // every kind, every district
  Subscription escalations = Add(2, Channel::kInbox, "");
  escalations.kinds = {"task.escalated"};
  ASSERT_TRUE(store_->SaveSubscription(escalations).ok());

  casework::Task given = *before;
  given.assignee = 11;
  given.status = casework::TaskStatus::kAssigned;
  casework::TaskChange assign{given,
                              {{given.id, kT0, casework::TaskStep::kAssign, "user:1", ""},
                               {given.id, kT0, casework::TaskStep::kNote, "user:1", "带上仪器"}}};
  ASSERT_TRUE(tasks->Apply({&assign, 1}).ok());
  EXPECT_EQ(*dispatcher_->PublishTasks(kT0), 1);  // the note is not news
  auto inspector = store_->Inbox(11, false, 0, 10);
  ASSERT_EQ(inspector->size(), 1u);
  EXPECT_EQ(inspector->front().event.kind, "task.assigned");
  EXPECT_EQ(inspector->front().event.title, "新任务：核查超标：某热电厂");
  EXPECT_NE(inspector->front().event.body.find("截止 2026-12-08 10:00"), std::string::npos);
  EXPECT_EQ(inspector->front().event.link, "/console/tasks?id=" + std::to_string(given.id));
  EXPECT_EQ(*store_->UnreadCount(1), 1);  // the subscriber of everything who may see it
  EXPECT_EQ(*store_->UnreadCount(2), 0);  // only escalations

  casework::Task late = *tasks->Get(given.id);
  late.escalation = casework::Escalation::kDistrict;
  casework::TaskChange up{late,
                          {{late.id, kT0 + 90000, casework::TaskStep::kEscalate, "system",
                            "已超期，升级至区县负责人"}}};
  ASSERT_TRUE(tasks->Apply({&up, 1}).ok());
  EXPECT_EQ(*dispatcher_->PublishTasks(kT0 + 90000), 1);
  auto head = store_->Inbox(2, false, 0, 10);
  ASSERT_EQ(head->size(), 1u);
  EXPECT_EQ(head->front().event.title, "任务超期：核查超标：某热电厂");
  EXPECT_EQ(head->front().event.severity, Severity::kCritical);
  EXPECT_EQ(*store_->UnreadCount(11), 1);  // the inspector was told of the task, not this
}

// Steps of complaints: a new one reaches the subscribers who may see its district; the
// message names the category, the place and the deadline, never the complainant's
// words or phone.
TEST_F(DispatcherTest, ComplaintsReachTheirDistrictWithoutPersonalData) {
  auto opened = casework::OpenSqliteComplaintStore(dir_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<casework::ComplaintStore> complaints = std::move(*opened);
  dispatcher_->Complaints(complaints.get());
  auto complaint = [&](const char* code, int64_t district) {
    casework::Complaint c;
    c.tracking_code = code;
    c.category = "air";
    c.description = "工厂烟囱冒黑烟，我家就在隔壁";
    c.address = "丰台区某路 1 号";
    c.submitted_at = kT0;
    c.phone = "13912345678";
    c.district_id = district;
    c.deadline = kT0 + 7 * 86400;
    c.source = "portal";
    auto added = complaints->Add(c, {0, kT0, casework::Step::kSubmit, "public", ""});
    EXPECT_TRUE(added.ok());
  };
  complaint("AAAAAAAAAAAA", 3);
  EXPECT_EQ(*dispatcher_->PublishComplaints(kT0), 0);  // the deployment's first pass
  Add(1, Channel::kInbox, "");
  Add(2, Channel::kInbox, "");  // district 3 only
  Add(1, Channel::kEmail, "duty@example.org");
  complaint("BBBBBBBBBBBB", 3);
  complaint("CCCCCCCCCCCC", 4);
  EXPECT_EQ(*dispatcher_->PublishComplaints(kT0 + 10), 2);
  EXPECT_EQ(*store_->UnreadCount(1), 2);
  auto district = store_->Inbox(2, false, 0, 10);
  ASSERT_EQ(district->size(), 1u);
  const Event& e = district->front().event;
  EXPECT_EQ(e.kind, "complaint.received");
  EXPECT_EQ(e.title, "新举报：大气污染，丰台区某路 1 号");
  EXPECT_NE(e.body.find("BBBBBBBBBBBB"), std::string::npos);
  EXPECT_NE(e.body.find("答复期限 2026-12-14 10:00"), std::string::npos);
  EXPECT_EQ(*dispatcher_->DeliverDue(kT0 + 10), 2);  // both by e-mail
  // Every channel's text is made of the event's title and body.
  auto all = store_->Inbox(1, false, 0, 10);
  ASSERT_TRUE(all.ok());
  for (const auto& item : *all)
    for (const std::string& text : {item.event.title, item.event.body}) {
      EXPECT_EQ(text.find("隔壁"), std::string::npos) << text;
      EXPECT_EQ(text.find("13912345678"), std::string::npos) << text;
    }
}

}  // namespace
}  // namespace ecohub::notify
