// The Store contract, written once against Store& and run for every implementation
// (SQLite now; PostgreSQL joins the list). Each case may reopen the store mid-way.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <tuple>

#include "store/audit.h"
#include "store/sqlite_store.h"

namespace ecohub::store {
namespace {

struct Backend {
  const char* name;
  std::function<std::unique_ptr<Store>(const std::string& dir)> open;
};

std::unique_ptr<Store> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteStore(dir, SqliteOptions{});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

class StoreContract : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "/ecohub_store_" + GetParam().name + "_" +
           testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    store_ = GetParam().open(dir_);
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Restart() {
    store_.reset();
    store_ = GetParam().open(dir_);
    ASSERT_NE(store_, nullptr);
  }
  Status Append(const Batch& b) {
    const Batch* p = &b;
    return store_->Append(std::span<const Batch* const>(&p, 1));
  }
  std::vector<Reading> All() {
    std::vector<Reading> out;
    EXPECT_TRUE(store_
                    ->ScanReadings([&](const Reading& r) {
                      out.push_back(r);
                      return true;
                    })
                    .ok());
    return out;
  }
  static Reading R(std::string mn, Period p, int64_t t, std::string f, std::string field,
                   std::string v, char flag = 'N') {
    return Reading{std::move(mn), p, t, std::move(f), std::move(field), std::move(v), flag};
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContract, UpsertIsIdempotent) {
  Batch b;
  b.readings = {R("M1", Period::kRealtime, 1000, "a34004", "Rtd", "87"),
                R("M1", Period::kRealtime, 1000, "a21005", "Rtd", "1.250")};
  ASSERT_TRUE(Append(b).ok());
  ASSERT_TRUE(Append(b).ok());  // the device resent the packet
  EXPECT_EQ(All().size(), 2u);
  b.readings[0].value = "88";  // a correction replaces
  ASSERT_TRUE(Append(b).ok());
  auto all = All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].value, "88");
  EXPECT_EQ(*store_->CountReadings(), 2);
}

TEST_P(StoreContract, ExactTextSurvivesStorageAndRestart) {
  Batch b;
  const char* values[] = {"231.0", "0.000", "-0.5", "1e3", "007", "-0.0", "123456789012345678",
                          "abc"};
  int64_t t = 5000;
  for (const char* v : values)
    b.readings.push_back(R("M1", Period::kMinute, t += 600, "w01018", "Avg", v));
  ASSERT_TRUE(Append(b).ok());
  Restart();
  auto all = All();
  ASSERT_EQ(all.size(), std::size(values));
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].value, values[i]);
  ASSERT_TRUE(store_->Compact().ok());
  Restart();
  all = All();
  ASSERT_EQ(all.size(), std::size(values));
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].value, values[i]);
}

TEST_P(StoreContract, ScanOrderAndRange) {
  Batch b;
  b.readings = {R("M2", Period::kHour, 7200, "w01018", "Avg", "2"),
                R("M1", Period::kHour, 7200, "b", "Avg", "3"),
                R("M1", Period::kHour, 3600, "b", "Avg", "1"),
                R("M1", Period::kHour, 3600, "a", "Max", "4"),
                R("M1", Period::kRealtime, 9999, "a", "Rtd", "5")};
  ASSERT_TRUE(Append(b).ok());
  auto all = All();
  ASSERT_EQ(all.size(), 5u);
  // (mn, period, time, factor, field)
  EXPECT_EQ(all[0].value, "5");
  EXPECT_EQ(all[1].value, "4");
  EXPECT_EQ(all[2].value, "1");
  EXPECT_EQ(all[3].value, "3");
  EXPECT_EQ(all[4].value, "2");
  auto r = store_->Range("M1", Period::kHour, "b", "Avg", 3600, 7200);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].value, "1");
}

TEST_P(StoreContract, CompactionKeepsEverythingAndLaterUpsertsWin) {
  Batch b;
  for (int dev = 0; dev < 5; ++dev)
    for (int i = 0; i < 300; ++i)
      b.readings.push_back(R("D" + std::to_string(dev), Period::kRealtime, 86400 * 3 + i * 600,
                             "a34004", "Rtd", std::to_string(i % 97) + ".1"));
  ASSERT_TRUE(Append(b).ok());
  ASSERT_TRUE(store_->Compact(86400 * 3 + 150 * 600).ok());  // half compacted
  EXPECT_EQ(*store_->CountReadings(), 1500);
  Batch fix;
  fix.readings = {R("D1", Period::kRealtime, 86400 * 3 + 10 * 600, "a34004", "Rtd", "999", 'M')};
  ASSERT_TRUE(Append(fix).ok());
  ASSERT_TRUE(store_->Compact().ok());
  Restart();
  auto r = store_->Range("D1", Period::kRealtime, "a34004", "Rtd", 0, INT64_MAX);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 300u);
  EXPECT_EQ((*r)[10].value, "999");
  EXPECT_EQ((*r)[10].flag, 'M');
  EXPECT_EQ((*r)[11].value, "11.1");
  EXPECT_EQ(*store_->CountReadings(), 1500);
  auto latest = store_->LatestAll();
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->size(), 5u);
  for (const auto& v : *latest) {
    EXPECT_EQ(v.time, 86400 * 3 + 299 * 600);
    EXPECT_EQ(v.value, "8.1");  // 299 % 97
  }
}

TEST_P(StoreContract, RawPacketsAndRetention) {
  Batch b;
  b.raw = {{1000, "127.0.0.1:5", "M1", "stored", "##0001a"},
           {2000, "127.0.0.1:5", "M1", "crc_mismatch", "x"}};
  ASSERT_TRUE(Append(b).ok());
  auto raw = store_->RawPackets("M1", 0, 10000, 10);
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->size(), 2u);
  EXPECT_EQ((*raw)[0].verdict, "crc_mismatch");  // newest first
  ASSERT_TRUE(store_->PruneRaw(1500).ok());
  EXPECT_EQ(store_->RawPackets("M1", 0, 10000, 10)->size(), 1u);

  Batch r;
  r.readings = {R("M1", Period::kRealtime, 100, "a", "Rtd", "1"),
                R("M1", Period::kHour, 100, "a", "Avg", "1")};
  ASSERT_TRUE(Append(r).ok());
  ASSERT_TRUE(store_->PruneReadings(Period::kRealtime, 200).ok());
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].period, Period::kHour);
}

TEST_P(StoreContract, ReferenceTablesUpsertByNaturalKey) {
  auto d = store_->PutDistrict({0, "110101", "东城区", 116.4, 39.9, ""});
  ASSERT_TRUE(d.ok());
  auto d2 = store_->PutDistrict({0, "110101", "东城区 (renamed)", 116.4, 39.9, ""});
  EXPECT_EQ(*d, *d2);
  auto s = store_->PutSite({0, "AIR-1", "东四", "air", *d, 0, 116.417, 39.929, false, "{}"});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(store_->PutDevice({"MN1", *s, "123456", 1, "utf-8", true, "hj212"}).ok());
  Restart();
  EXPECT_EQ(store_->Districts()->at(0).name, "东城区 (renamed)");
  EXPECT_EQ(store_->GetSite(*s)->name, "东四");
  EXPECT_FALSE(store_->GetSite(*s + 100).ok());
  ASSERT_EQ(store_->Devices()->size(), 1u);
  EXPECT_EQ(store_->Devices()->at(0).password, "123456");
}

TEST_P(StoreContract, BytesPerValueAfterCompaction) {
  // 200 devices x 10 factors x 1,440 minute values, arriving time-major.
  for (int m = 0; m < 1440; m += 60) {
    Batch b;
    for (int t = m; t < m + 60; ++t)
      for (int dev = 0; dev < 200; ++dev)
        for (int f = 0; f < 10; ++f)
          b.readings.push_back(
              R("010000A8900016F0" + std::to_string(10000000 + dev), Period::kMinute,
                1700000000 + t * 60, "w0101" + std::to_string(f), "Avg",
                std::to_string((dev * 7 + t * 3 + f) % 500) + "." + std::to_string(t % 10)));
    ASSERT_TRUE(Append(b).ok());
  }
  ASSERT_TRUE(store_->Compact().ok());
  store_.reset();
  uint64_t bytes = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_)) bytes += e.file_size();
  double per_value = static_cast<double>(bytes) / (200.0 * 10 * 1440);
  RecordProperty("bytes_per_value", std::to_string(per_value));
  EXPECT_LE(per_value, 16.0);
}

TEST_P(StoreContract, LatestForSiteAcrossHotAndChunksWithLateData) {
  auto site = store_->PutSite({0, "AIR-2", "天坛", "air", 0, 0, 116.4, 39.88, false, "{}"});
  auto other = store_->PutSite({0, "AIR-3", "农展馆", "air", 0, 0, 116.46, 39.94, false, "{}"});
  ASSERT_TRUE(site.ok() && other.ok());
  ASSERT_TRUE(store_->PutDevice({"MA", *site, "p", 1, "utf-8", true, "hj212"}).ok());
  ASSERT_TRUE(store_->PutDevice({"MB", *other, "p", 1, "utf-8", true, "hj212"}).ok());
  Batch b;
  b.readings = {R("MA", Period::kHour, 86400 * 10, "a34004", "Avg", "40"),
                R("MA", Period::kHour, 86400 * 10 + 3600, "a34004", "Avg", "41"),
                R("MA", Period::kRealtime, 86400 * 10 + 3605, "a34004", "Rtd", "42.0"),
                R("MB", Period::kHour, 86400 * 10 + 7200, "a34004", "Avg", "99")};
  ASSERT_TRUE(Append(b).ok());
  ASSERT_TRUE(store_->Compact().ok());
  // A late hour arrives after compaction: older than what the chunk holds.
  Batch late;
  late.readings = {R("MA", Period::kHour, 86400 * 9, "a34004", "Avg", "7")};
  ASSERT_TRUE(Append(late).ok());
  Restart();
  auto l = store_->LatestForSite(*site);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[0].period, Period::kRealtime);
  EXPECT_EQ((*l)[0].value, "42.0");
  EXPECT_EQ((*l)[1].period, Period::kHour);
  EXPECT_EQ((*l)[1].value, "41");
  EXPECT_EQ((*l)[1].time, 86400 * 10 + 3600);
  EXPECT_EQ((*l)[1].flag, 'N');
  EXPECT_TRUE(store_->LatestForSite(*site + 1000)->empty());
  EXPECT_EQ(store_->LatestAll()->size(), 3u);
}

TEST_P(StoreContract, GetDeviceByMn) {
  ASSERT_TRUE(store_->PutDevice({"MN9", 3, "pw", 0, "gbk", false, "hj212"}).ok());
  ASSERT_TRUE(store_->PutDevice({"MN9", 4, "pw2", 1, "utf-8", true, "hj212"}).ok());
  auto d = store_->GetDevice("MN9");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->site_id, 4);
  EXPECT_EQ(d->password, "pw2");
  EXPECT_TRUE(d->enabled);
  EXPECT_EQ(store_->GetDevice("nope").status().code(), Code::kNotFound);
}

TEST_P(StoreContract, DerivedRowsUpsertReplaceAndSurviveRestart) {
  std::vector<DerivedRow> rows = {{"aqi_hour", "S1", 3600, 57.0, R"({"aqi":57})"},
                                  {"aqi_hour", "S1", 7200, 60.0, R"({"aqi":60})"},
                                  {"aqi_hour", "S2", 3600, std::nullopt, R"({"aqi":null})"},
                                  {"aqi_day", "S1", 0, 80.0, "{}"}};
  ASSERT_TRUE(store_->PutDerived(rows).ok());
  rows[0].value = 58;  // recomputed with late data: upsert
  ASSERT_TRUE(store_->PutDerived(std::span(rows).first(1)).ok());
  Restart();
  auto all = store_->QueryDerived("aqi_hour", "", 0, 10000, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);  // ordered by (time, scope)
  EXPECT_EQ((*all)[0].scope, "S1");
  EXPECT_EQ((*all)[0].value, 58.0);
  EXPECT_EQ((*all)[1].scope, "S2");
  EXPECT_FALSE((*all)[1].value);
  EXPECT_EQ((*all)[2].time, 7200);
  auto one = store_->QueryDerived("aqi_hour", "S1", 5000, 10000, 100);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().body, R"({"aqi":60})");
  EXPECT_EQ(store_->QueryDerived("aqi_hour", "S*", 0, 10000, 2)->size(), 2u);  // prefix, limit
  // Replace drops what the recomputation no longer finds, inside the window only.
  std::vector<DerivedRow> events = {{"exceedance", "S1/a21026", 100, 1.5, "{}"},
                                    {"exceedance", "S1/a21026", 500, 2.0, "{}"},
                                    {"exceedance", "S1/a21026", 9000, 3.0, "{}"}};
  ASSERT_TRUE(store_->PutDerived(events).ok());
  std::vector<DerivedRow> again = {{"exceedance", "S1/a21026", 200, 1.7, "{}"}};
  ASSERT_TRUE(store_->ReplaceDerived("exceedance", "S1/a21026", 0, 1000, again).ok());
  auto ev = store_->QueryDerived("exceedance", "S1/a21026", 0, 100000, 100);
  ASSERT_EQ(ev->size(), 2u);
  EXPECT_EQ((*ev)[0].time, 200);
  EXPECT_EQ((*ev)[1].time, 9000);
}

TEST_P(StoreContract, ScanWindowMergesChunksAndHotRowsOfOnePeriod) {
  Batch b;
  for (int h = 0; h < 48; ++h) {
    b.readings.push_back(R("A", Period::kHour, h * 3600, "a34004", "Avg", std::to_string(h)));
    b.readings.push_back(R("B", Period::kHour, h * 3600, "a34004", "Avg", "7"));
    b.readings.push_back(R("A", Period::kMinute, h * 3600, "a34004", "Avg", "1"));
  }
  ASSERT_TRUE(Append(b).ok());
  ASSERT_TRUE(store_->Compact(86400).ok());  // day 0 in chunks, day 1 hot
  Batch late;
  late.readings.push_back(R("A", Period::kHour, 10 * 3600, "a34004", "Avg", "99"));  // upsert
  ASSERT_TRUE(Append(late).ok());
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> got;
  ASSERT_TRUE(store_
                  ->ScanWindow(Period::kHour, 5 * 3600, 30 * 3600, {},
                               [&](const Reading& r) {
                                 EXPECT_EQ(r.period, Period::kHour);
                                 got[r.mn].push_back({r.time, r.value});
                                 return true;
                               })
                  .ok());
  ASSERT_EQ(got["A"].size(), 25u);
  ASSERT_EQ(got["B"].size(), 25u);
  EXPECT_EQ(got["A"].front(), (std::pair<int64_t, std::string>{5 * 3600, "5"}));
  EXPECT_EQ(got["A"][5].second, "99");  // the late value wins over the chunk
  EXPECT_EQ(got["A"].back().first, 29 * 3600);
  EXPECT_TRUE(std::is_sorted(got["A"].begin(), got["A"].end()));
  std::vector<std::string> only_b = {"B"};
  int n = 0;
  ASSERT_TRUE(store_
                  ->ScanWindow(Period::kHour, 0, 48 * 3600, only_b,
                               [&](const Reading& r) {
                                 EXPECT_EQ(r.mn, "B");
                                 ++n;
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(n, 48);
}

TEST_P(StoreContract, AuditLogIsAHashChainThatSurvivesRestart) {
  auto check = VerifyAuditChain(*store_);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok);
  EXPECT_EQ(check->rows, 0);
  EXPECT_EQ(check->head, kAuditGenesis);
  std::string prev = kAuditGenesis;
  for (int i = 0; i < 5; ++i) {
    AuditEntry e;
    e.actor = "cli";
    e.action = "device.put";
    e.object = "device:MN" + std::to_string(i);
    e.detail = R"({"enabled":true})";
    auto got = store_->AppendAudit(e);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->id, i + 1);
    EXPECT_EQ(got->prev_hash, prev);
    EXPECT_EQ(got->hash, AuditHash(*got));
    EXPECT_EQ(got->hash.size(), 64u);
    prev = got->hash;
  }
  Restart();
  check = VerifyAuditChain(*store_);
  EXPECT_TRUE(check->ok) << check->reason;
  EXPECT_EQ(check->rows, 5);
  EXPECT_EQ(check->head, prev);
  // Any field changes the hash.
  AuditEntry e{3, 1000, "cli", "device.put", "device:MN2", "{}", prev, ""};
  std::string h = AuditHash(e);
  for (auto* f : {&e.actor, &e.action, &e.object, &e.detail, &e.prev_hash}) {
    std::string keep = *f;
    *f += "x";
    EXPECT_NE(AuditHash(e), h);
    *f = keep;
  }
  e.time += 1;
  EXPECT_NE(AuditHash(e), h);
}

TEST_P(StoreContract, PruneCutsInsideACompactedDay) {
  Batch b;
  for (int i = 0; i < 48; ++i)
    b.readings.push_back(
        R("M1", Period::kMinute, 86400 * 20 + i * 3600, "w01018", "Avg", std::to_string(i)));
  b.readings.push_back(R("M1", Period::kHour, 86400 * 20, "w01018", "Avg", "h"));
  ASSERT_TRUE(Append(b).ok());
  ASSERT_TRUE(store_->Compact().ok());
  // Half of the first day and all earlier data of the minute period go.
  ASSERT_TRUE(store_->PruneReadings(Period::kMinute, 86400 * 20 + 12 * 3600).ok());
  Restart();
  auto r = store_->Range("M1", Period::kMinute, "w01018", "Avg", 0, INT64_MAX);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 36u);
  EXPECT_EQ(r->front().value, "12");
  EXPECT_EQ(*store_->CountReadings(), 37);  // the hour value is another period
}

TEST_P(StoreContract, RestartBetweenAppendsAndCompactionsLosesNothing) {
  // Each round: append a day's slice (some of it correcting earlier values), restart,
  // compact part of it, restart. The store must equal the model throughout.
  std::map<std::tuple<std::string, int64_t>, std::string> model;
  for (int round = 0; round < 4; ++round) {
    Batch b;
    for (int dev = 0; dev < 3; ++dev)
      for (int i = 0; i < 50; ++i) {
        int64_t t = 86400 * 30 + round * 40 * 300 + i * 300;  // overlaps the previous round
        std::string mn = "R" + std::to_string(dev);
        std::string v = std::to_string(round) + "." + std::to_string(i);
        b.readings.push_back(R(mn, Period::kMinute, t, "a21026", "Avg", v));
        model[{mn, t}] = v;
      }
    ASSERT_TRUE(Append(b).ok());
    Restart();
    ASSERT_TRUE(store_->Compact(86400 * 30 + round * 40 * 300 + 25 * 300).ok());
    Restart();
    auto all = All();
    ASSERT_EQ(all.size(), model.size()) << "round " << round;
    for (const auto& r : all) EXPECT_EQ(r.value, (model[{r.mn, r.time}])) << r.mn << " " << r.time;
  }
}

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

TEST_P(StoreContract, AlarmsUpsertKeepsStatusAndSurviveRestart) {
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

TEST_P(StoreContract, AlarmTransitionsRefuseIllegalMoves) {
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

TEST_P(StoreContract, AlarmQueriesFilterPageAndCount) {
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

INSTANTIATE_TEST_SUITE_P(All, StoreContract, testing::Values(Backend{"sqlite", OpenSqlite}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ecohub::store
