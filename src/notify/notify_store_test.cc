// The NotifyStore contract, run against every backend: subscriptions come back as
// saved (across a restart), publishing is all-or-none and never twice for one event,
// inboxes count and mark what is unread, deliveries come due and keep their log.
#include "notify/notify_store.h"

#include <gtest/gtest.h>

#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"

namespace ecohub::notify {
namespace {

constexpr UnixSeconds kT0 = 1796000000;  // 2026-11-30

Subscription Hook(int64_t user) {
  Subscription s;
  s.user_id = user;
  s.name = "值班系统";
  s.channel = Channel::kWebhook;
  s.target = "https://duty.example.org/hook";
  s.secret = "0123456789abcdef0123";
  s.kinds = {"alarm.exceedance", "alarm.offline"};
  s.districts = {3, 5};
  s.min_severity = Severity::kWarning;
  s.hours = Hours{8 * 60, 18 * 60};
  s.created = kT0;
  return s;
}

Event Alarm(int id, int64_t district) {
  return {"alarm:" + std::to_string(id),
          "alarm.exceedance",
          Severity::kCritical,
          district,
          7,
          "超标告警：某厂 二氧化硫",
          "峰值 120 mg/m³",
          "/console/alarms?id=" + std::to_string(id),
          kT0 - 600};
}

using Backend = store::BackendOf<NotifyStore>;

std::unique_ptr<NotifyStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteNotifyStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<NotifyStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresNotifyStore(url);
}

class NotifyStoreContract : public store::ContractFixture<NotifyStore> {};

TEST_P(NotifyStoreContract, SubscriptionsComeBackAsSavedAcrossARestart) {
  auto a = store_->AddSubscription(Hook(4));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  Subscription inbox;
  inbox.user_id = 9;
  inbox.name = "站内消息";
  auto b = store_->AddSubscription(inbox);
  ASSERT_TRUE(b.ok());
  Subscription want = Hook(4);
  want.id = a->id;
  EXPECT_EQ(*a, want);
  Restart();
  EXPECT_EQ(*store_->GetSubscription(a->id), want);
  EXPECT_EQ(store_->Subscriptions(0)->size(), 2u);
  ASSERT_EQ(store_->Subscriptions(9)->size(), 1u);
  EXPECT_FALSE((*store_->Subscriptions(9))[0].hours.has_value());

  want.enabled = false;
  want.hours.reset();
  want.kinds.clear();
  ASSERT_TRUE(store_->SaveSubscription(want).ok());
  EXPECT_EQ(*store_->GetSubscription(a->id), want);
  Subscription ghost = want;
  ghost.id = 999;
  EXPECT_EQ(store_->SaveSubscription(ghost).code(), Code::kNotFound);
  ASSERT_TRUE(store_->DeleteSubscription(a->id).ok());
  EXPECT_EQ(store_->GetSubscription(a->id).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->DeleteSubscription(a->id).code(), Code::kNotFound);
}

TEST_P(NotifyStoreContract, PublishingIsOnceByRefWithItsCursor) {
  auto hook = store_->AddSubscription(Hook(4));
  ASSERT_TRUE(hook.ok());
  EXPECT_FALSE(store_->Cursor("alarms")->has_value());
  std::vector<Fanout> first = {{Alarm(1, 3), {4, 9}, {hook->id}}, {Alarm(2, 5), {9}, {}}};
  auto n = store_->Publish("alarms", 2, first, kT0);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(**store_->Cursor("alarms"), 2);
  // Again with one more: only the new one counts, nobody is told twice.
  first.push_back({Alarm(3, 3), {4}, {hook->id}});
  EXPECT_EQ(*store_->Publish("alarms", 3, first, kT0 + 10), 1);
  EXPECT_EQ(**store_->Cursor("alarms"), 3);
  EXPECT_EQ(*store_->UnreadCount(4), 2);
  EXPECT_EQ(*store_->UnreadCount(9), 2);
  auto due = store_->Due(kT0 + 10, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].event, Alarm(1, 3));
  EXPECT_EQ((*due)[0].state, DeliveryState::kPending);
  EXPECT_EQ((*due)[1].event.ref, "alarm:3");
  EXPECT_EQ(store_->Due(kT0 + 5, 10)->size(), 1u);  // the second was queued at kT0 + 10
  // An empty publish moves the cursor alone (the first pass of a deployment).
  EXPECT_EQ(*store_->Publish("other", 40, {}, kT0), 0);
  EXPECT_EQ(**store_->Cursor("other"), 40);
  Restart();
  EXPECT_EQ(**store_->Cursor("alarms"), 3);
}

TEST_P(NotifyStoreContract, InboxPagesCountsAndMarksRead) {
  std::vector<Fanout> f;
  for (int i = 1; i <= 5; ++i) f.push_back({Alarm(i, 3), {4}, {}});
  f.push_back({Alarm(6, 3), {8}, {}});
  ASSERT_TRUE(store_->Publish("alarms", 6, f, kT0).ok());
  auto all = store_->Inbox(4, false, 0, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].event.ref, "alarm:5");  // newest first
  EXPECT_EQ((*all)[0].user_id, 4);
  EXPECT_EQ((*all)[0].read_at, 0);
  auto page = store_->Inbox(4, false, (*all)[1].id, 2);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].event.ref, "alarm:3");

  EXPECT_EQ(*store_->MarkRead(4, (*all)[0].id, kT0 + 60), 1);
  EXPECT_EQ(*store_->MarkRead(4, (*all)[0].id, kT0 + 90), 0);  // already read
  EXPECT_EQ(store_->Inbox(4, false, 0, 1)->front().read_at, kT0 + 60);
  EXPECT_EQ(*store_->UnreadCount(4), 4);
  EXPECT_EQ(store_->Inbox(4, true, 0, 10)->size(), 4u);
  // Another user's item is not found, and not marked.
  auto theirs = store_->Inbox(8, false, 0, 1);
  EXPECT_EQ(store_->MarkRead(4, theirs->front().id, kT0).status().code(), Code::kNotFound);
  EXPECT_EQ(*store_->UnreadCount(8), 1);
  EXPECT_EQ(*store_->MarkRead(4, 0, kT0 + 120), 4);
  EXPECT_EQ(*store_->UnreadCount(4), 0);
}

TEST_P(NotifyStoreContract, AttemptsAreRecordedAndRemovalDropsWhatIsPending) {
  auto hook = store_->AddSubscription(Hook(4));
  auto other = store_->AddSubscription(Hook(5));
  ASSERT_TRUE(hook.ok() && other.ok());
  ASSERT_TRUE(store_
                  ->Publish("alarms", 2,
                            std::vector<Fanout>{{Alarm(1, 3), {}, {hook->id, other->id}},
                                                {Alarm(2, 3), {}, {hook->id}}},
                            kT0)
                  .ok());
  auto due = store_->Due(kT0, 10);
  ASSERT_EQ(due->size(), 3u);
  Delivery d = (*due)[0];
  d.attempts = 1;
  d.next_at = kT0 + 60;
  d.last_error = "the receiver answered HTTP 503";
  ASSERT_TRUE(store_->RecordAttempt(d).ok());
  Delivery sent = (*due)[2];
  sent.attempts = 1;
  sent.state = DeliveryState::kSent;
  sent.done_at = kT0;
  ASSERT_TRUE(store_->RecordAttempt(sent).ok());
  EXPECT_EQ(store_->Due(kT0 + 59, 10)->size(), 1u);
  EXPECT_EQ(store_->Due(kT0 + 60, 10)->size(), 2u);
  Delivery ghost = d;
  ghost.id = 999;
  EXPECT_EQ(store_->RecordAttempt(ghost).code(), Code::kNotFound);

  auto log = store_->Deliveries(d.subscription_id, 10);
  ASSERT_TRUE(log.ok());
  bool found = false;
  for (const auto& x : *log)
    if (x.id == d.id) {
      EXPECT_EQ(x, d);
      found = true;
    }
  EXPECT_TRUE(found);
  // Removing the first subscription drops its pending deliveries, keeps the sent.
  ASSERT_TRUE(store_->DeleteSubscription(hook->id).ok());
  auto left = store_->Due(kT0 + 3600, 10);
  ASSERT_TRUE(left.ok());
  for (const auto& x : *left) EXPECT_NE(x.subscription_id, hook->id);
  auto kept = store_->Deliveries(hook->id, 10);
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ(kept->front().state, DeliveryState::kSent);
}

INSTANTIATE_TEST_SUITE_P(Backends, NotifyStoreContract,
                         testing::Values(Backend{"sqlite", OpenSqlite},
                                         store::pg::PostgresBackend<NotifyStore>(OpenPostgres)),
                         store::BackendName<NotifyStore>);

}  // namespace
}  // namespace ecohub::notify
