// The contract of the alarm module (alarm_store.h), for every backend (store_contract.h).
#include <gtest/gtest.h>

#include <map>
#include <thread>
#include <tuple>

#include "store/store_contract.h"

namespace ecohub::store {
namespace {

class AlarmStoreContract : public StoreContract {};

Alarm MakeAlarm(std::string key, std::string kind, UnixSeconds started, int64_t district,
                int64_t enterprise = 0) {
  Alarm a;
  a.key = std::move(key);
  a.kind = std::move(kind);
  a.site_id = 3;
  a.site_code = "DA-40-1";
  a.enterprise_id = enterprise;
  a.district_id = district;
  a.factor = "a21002";
  a.started = started;
  a.value = 120;
  a.limit = 100;
  a.unit = "mg/m3";
  return a;
}

std::vector<Alarm> Alarms(Store& store, const AlarmFilter& f) {
  auto r = store.QueryAlarms(f);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : std::vector<Alarm>{};
}
Alarm AlarmById(Store& store, int64_t id) {
  auto r = store.GetAlarm(id);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Alarm{};
}

TEST_P(AlarmStoreContract, AlarmsUpsertKeepsStatusAndSurviveRestart) {
  std::vector<Alarm> v = {MakeAlarm("exceedance:DA-40-1/a21002:1000", "exceedance", 1000, 1, 11),
                          MakeAlarm("anomaly:DA-40-1/a21002:stuck:2000", "anomaly", 2000, 2)};
  ASSERT_TRUE(store_->UpsertAlarms(v).ok());
  auto all = Alarms(*store_, {});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].started, 2000);  // newest first
  EXPECT_EQ(all[0].enterprise_id, 0);
  EXPECT_EQ(all[1].enterprise_id, 11);
  EXPECT_EQ(all[1].status, "open");
  EXPECT_FALSE(all[1].ended);
  int64_t id = all[1].id;
  auto acked = store_->TransitionAlarm(id, "acknowledged", "user:li", "seen", 3000);
  ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  EXPECT_EQ(acked->status, "acknowledged");
  EXPECT_EQ(acked->ack_by, "user:li");
  EXPECT_EQ(acked->ack_comment, "seen");
  // The condition ends and the peak grows: the sync upserts; status stays.
  v[0].ended = 4600;
  v[0].value = 180;
  v[0].detail = R"({"hours":3})";
  ASSERT_TRUE(store_->UpsertAlarms(v).ok());
  Restart();
  Alarm got = AlarmById(*store_, id);
  EXPECT_EQ(got.status, "acknowledged");
  EXPECT_EQ(got.ended, 4600);
  EXPECT_EQ(got.value, 180);
  EXPECT_EQ(got.limit, 100);
  EXPECT_EQ(got.detail, R"({"hours":3})");
  EXPECT_EQ(got.ack_at, 3000);
  EXPECT_EQ(got.key, "exceedance:DA-40-1/a21002:1000");
  EXPECT_GT(got.created, 0);
  EXPECT_EQ(store_->GetAlarm(999).status().code(), Code::kNotFound);
}

// A sync may raise the same condition twice in one batch: stored as one upsert after
// the other would store it (the first inserts, the last updates), one row.
TEST_P(AlarmStoreContract, AKeyRepeatedInABatchIsOneAlarm) {
  Alarm first = MakeAlarm("offline:MN1:1000", "offline", 1000, 1);
  first.created = 1001;
  Alarm later = MakeAlarm("offline:MN1:1000", "exceedance", 5000, 2);
  later.created = 5001;
  later.ended = 1600;
  later.value.reset();
  later.detail = R"({"minutes":10})";
  ASSERT_TRUE(
      store_->UpsertAlarms(std::vector<Alarm>{first, MakeAlarm("b", "offline", 900, 1), later})
          .ok());
  Restart();
  auto all = Alarms(*store_, {});
  ASSERT_EQ(all.size(), 2u);
  const Alarm& got = all[0];
  EXPECT_EQ(got.kind, "offline");  // what the insert stored
  EXPECT_EQ(got.started, 1000);
  EXPECT_EQ(got.district_id, 1);
  EXPECT_EQ(got.created, 1001);
  EXPECT_EQ(got.ended, 1600);  // what the update changed
  EXPECT_FALSE(got.value);
  EXPECT_EQ(got.detail, R"({"minutes":10})");
  EXPECT_LT(got.id, all[1].id);  // ids in the order the keys first came
}

// Two EcoHub nodes (for SQLite, two processes on one data directory) acknowledge and
// close the same alarms at the same moment: each alarm takes exactly one of the
// moves that race, the other gets kConflict.
TEST_P(AlarmStoreContract, RacingTransitionsFromTwoNodesOneWins) {
  constexpr int kAlarms = 20;
  std::vector<Alarm> v;
  for (int i = 0; i < kAlarms; ++i)
    v.push_back(MakeAlarm("k" + std::to_string(i), "offline", i, 1));
  ASSERT_TRUE(store_->UpsertAlarms(v).ok());
  std::vector<int64_t> ids;
  for (const Alarm& a : Alarms(*store_, {})) ids.push_back(a.id);
  ASSERT_EQ(ids.size(), size_t{kAlarms});
  std::unique_ptr<Store> other = GetParam().open(dir_);
  ASSERT_NE(other, nullptr);
  // Each node closes every alarm in turn; won[i] is 1 where its move took.
  auto close_all = [&](Store* store, const char* by, std::vector<int>* won) {
    for (int i = 0; i < kAlarms; ++i) {
      auto r = store->TransitionAlarm(ids[i], "closed", by, "", 3000);
      (*won)[i] = r.ok();
      EXPECT_TRUE(r.ok() || r.status().code() == Code::kConflict) << r.status().ToString();
    }
  };
  std::vector<int> a_won(kAlarms, 0), b_won(kAlarms, 0);
  std::thread a(close_all, store_.get(), "user:a", &a_won);
  std::thread b(close_all, other.get(), "user:b", &b_won);
  a.join();
  b.join();
  for (int i = 0; i < kAlarms; ++i) {
    EXPECT_EQ(a_won[i] + b_won[i], 1) << "alarm " << ids[i];
    Alarm got = AlarmById(*store_, ids[i]);
    EXPECT_EQ(got.closed_by, a_won[i] ? "user:a" : "user:b");
  }
}

TEST_P(AlarmStoreContract, AlarmTransitionsRefuseIllegalMoves) {
  std::vector<Alarm> v = {MakeAlarm("a", "offline", 1000, 1), MakeAlarm("b", "offline", 1001, 1)};
  ASSERT_TRUE(store_->UpsertAlarms(v).ok());
  auto rows = Alarms(*store_, {});
  ASSERT_EQ(rows.size(), 2u);
  int64_t b = rows[0].id, a = rows[1].id;
  // open -> closed directly; then closed is final.
  auto closed = store_->TransitionAlarm(a, "closed", "user:z", "fixed", 2000);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->closed_by, "user:z");
  EXPECT_EQ(closed->close_comment, "fixed");
  EXPECT_EQ(store_->TransitionAlarm(a, "acknowledged", "user:z", "", 2001).status().code(),
            Code::kConflict);
  EXPECT_EQ(store_->TransitionAlarm(a, "closed", "user:y", "again", 2001).status().code(),
            Code::kConflict);
  EXPECT_EQ(AlarmById(*store_, a).closed_by, "user:z");  // the refused move changed nothing
  // open -> acknowledged -> closed; acknowledging twice is refused.
  ASSERT_TRUE(store_->TransitionAlarm(b, "acknowledged", "user:y", "", 2000).ok());
  EXPECT_EQ(store_->TransitionAlarm(b, "acknowledged", "user:y", "", 2001).status().code(),
            Code::kConflict);
  ASSERT_TRUE(store_->TransitionAlarm(b, "closed", "user:y", "done", 2002).ok());
  EXPECT_EQ(store_->TransitionAlarm(b, "open", "user:y", "", 2003).status().code(),
            Code::kInvalidInput);
  EXPECT_EQ(store_->TransitionAlarm(77, "closed", "user:y", "x", 2003).status().code(),
            Code::kNotFound);
}

TEST_P(AlarmStoreContract, AlarmQueriesFilterPageAndCount) {
  std::vector<Alarm> v;
  for (int i = 0; i < 10; ++i)
    v.push_back(MakeAlarm("k" + std::to_string(i), i % 2 ? "anomaly" : "exceedance",
                          1000 + (i / 2) * 100, 1 + i % 3, i < 4 ? 11 : 12));
  ASSERT_TRUE(store_->UpsertAlarms(v).ok());
  auto first = Alarms(*store_, {});
  ASSERT_EQ(first.size(), 10u);
  ASSERT_TRUE(store_->TransitionAlarm(first[0].id, "acknowledged", "u", "", 5).ok());
  ASSERT_TRUE(store_->TransitionAlarm(first[1].id, "closed", "u", "c", 5).ok());

  AlarmFilter f;
  f.statuses = {"open", "acknowledged"};
  EXPECT_EQ(Alarms(*store_, f).size(), 9u);
  f.kind = "anomaly";
  EXPECT_EQ(Alarms(*store_, f).size(), 5u);  // the closed one is an exceedance
  f = {};
  f.district_id = 2;
  for (const auto& a : Alarms(*store_, f)) EXPECT_EQ(a.district_id, 2);
  f = {};
  f.enterprise_id = 11;
  EXPECT_EQ(Alarms(*store_, f).size(), 4u);
  f = {};
  f.from = 1100;
  f.to = 1300;
  EXPECT_EQ(Alarms(*store_, f).size(), 4u);
  // Those raised after a given one (the notifications' cursor).
  int64_t highest = 0;
  for (const auto& a : first) highest = std::max(highest, a.id);
  f = {};
  f.above_id = highest - 3;
  auto later = Alarms(*store_, f);
  EXPECT_EQ(later.size(), 3u);
  for (const auto& a : later) EXPECT_GT(a.id, highest - 3);

  // Pages of 3 in (started, id) descending order cover every row once.
  std::vector<int64_t> seen;
  AlarmFilter page;
  page.limit = 3;
  for (int n = 0; n < 10; ++n) {
    auto rows = Alarms(*store_, page);
    if (rows.empty()) break;
    for (const auto& a : rows) {
      if (!seen.empty()) {
        Alarm prev = AlarmById(*store_, seen.back());
        EXPECT_TRUE(std::tie(prev.started, prev.id) > std::tie(a.started, a.id));
      }
      seen.push_back(a.id);
    }
    page.after = std::make_pair(rows.back().started, rows.back().id);
  }
  EXPECT_EQ(seen.size(), 10u);

  auto counts = store_->CountAlarms({});
  ASSERT_TRUE(counts.ok());
  std::map<std::string, int64_t> by_status;
  int64_t total = 0;
  for (const auto& c : *counts) {
    by_status[c.status] += c.count;
    total += c.count;
  }
  EXPECT_EQ(total, 10);
  EXPECT_EQ(by_status["closed"], 1);
  EXPECT_EQ(by_status["acknowledged"], 1);
  EXPECT_EQ(by_status["open"], 8);
}

INSTANTIATE_TEST_SUITE_P(All, AlarmStoreContract, StoreBackends(), BackendName<Store>);

}  // namespace
}  // namespace ecohub::store
