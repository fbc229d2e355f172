// The contract of the readings module (reading_store.h), for every backend (store_contract.h).
#include <gtest/gtest.h>

#include <map>

#include "store/store_contract.h"

namespace ecohub::store {
namespace {

class ReadingStoreContract : public StoreContract {};

TEST_P(ReadingStoreContract, UpsertIsIdempotent) {
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

TEST_P(ReadingStoreContract, ExactTextSurvivesStorageAndRestart) {
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

TEST_P(ReadingStoreContract, ScanOrderAndRange) {
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

TEST_P(ReadingStoreContract, CompactionKeepsEverythingAndLaterUpsertsWin) {
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

// A day with more hot rows than one compaction transaction takes (SQLite moves
// whole series in slices of about 10,000 rows): 10 series of 3,000 rows, then 25,000
// series of one row at the same instant. Every value comes back, once.
TEST_P(ReadingStoreContract, CompactionOfADayLargerThanASlice) {
  const int64_t day = 86400 * 7;
  Batch b;
  for (int i = 0; i < 3000; ++i)
    for (int dev = 0; dev < 10; ++dev)
      b.readings.push_back(R("D" + std::to_string(dev), Period::kRealtime, day + i * 2, "a34004",
                             "Rtd", std::to_string(i)));
  for (int dev = 0; dev < 25000; ++dev)
    b.readings.push_back(
        R("W" + std::to_string(dev), Period::kRealtime, day + 7000, "a34004", "Rtd", "1"));
  ASSERT_TRUE(Append(b).ok());
  ASSERT_TRUE(store_->Compact().ok());
  EXPECT_EQ(*store_->CountReadings(), 55000);
  auto r = store_->Range("D3", Period::kRealtime, "a34004", "Rtd", 0, INT64_MAX);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3000u);
  for (int i = 0; i < 3000; ++i) {
    EXPECT_EQ((*r)[i].time, day + i * 2);
    EXPECT_EQ((*r)[i].value, std::to_string(i));
  }
  auto w = store_->Range("W24999", Period::kRealtime, "a34004", "Rtd", 0, INT64_MAX);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->size(), 1u);
  EXPECT_EQ((*w)[0].time, day + 7000);
}

TEST_P(ReadingStoreContract, RawPacketsAndRetention) {
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

TEST_P(ReadingStoreContract, BytesPerValueAfterCompaction) {
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
  // SQLite keeps everything in the data directory; PostgreSQL keeps it in the
  // server, and TableBytes is what its tables and indexes take there.
  const bool server = std::string_view(GetParam().name) == "postgresql";
  uint64_t bytes = 0;
  if (server) {
    auto tables = store_->TableBytes();
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    for (const auto& [name, n] : *tables) bytes += n;
  }
  store_.reset();
  if (!server)
    for (auto& e : std::filesystem::directory_iterator(dir_)) bytes += e.file_size();
  double per_value = static_cast<double>(bytes) / (200.0 * 10 * 1440);
  RecordProperty("bytes_per_value", std::to_string(per_value));
  // PostgreSQL has no chunks: a value is a row (a 24-byte header, a line pointer, an
  // entry in the key's B-tree), about 130 bytes here; its bound is the row's.
  EXPECT_LE(per_value, server ? 160.0 : 16.0);
}

TEST_P(ReadingStoreContract, LatestForSiteAcrossHotAndChunksWithLateData) {
  auto site = store_->PutSite(
      {0, "AIR-2", "天坛", registry::SiteKind::kAir, 0, 0, 116.4, 39.88, false, "{}"});
  auto other = store_->PutSite(
      {0, "AIR-3", "农展馆", registry::SiteKind::kAir, 0, 0, 116.46, 39.94, false, "{}"});
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

TEST_P(ReadingStoreContract, ScanWindowMergesChunksAndHotRowsOfOnePeriod) {
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

// A year's worth of reads of hourly and daily series (the periods PostgreSQL keeps in
// day chunks too): the same answer before and after compaction, after late changes
// to compacted days (an upsert, a day that had no value), after a restart and after
// retention cuts inside a day; windows that start and end inside days.
TEST_P(ReadingStoreContract, HourlyAndDailyRangesAcrossCompactionAndLateChanges) {
  const int64_t d0 = 86400 * 100;
  std::map<int64_t, std::pair<std::string, char>> model;  // M1's hours
  Batch b;
  for (int h = 0; h < 40 * 24; ++h) {
    if (h / 24 == 17) continue;  // a day without values
    const char flag = h % 50 == 0 ? 'D' : 0;
    b.readings.push_back(
        R("M1", Period::kHour, d0 + h * 3600, "a34004", "Avg", std::to_string(h) + ".5", flag));
    b.readings.push_back(R("M2", Period::kHour, d0 + h * 3600, "a34004", "Avg", "2"));
    model[d0 + h * 3600] = {std::to_string(h) + ".5", flag};
  }
  for (int d = 0; d < 40; ++d)
    b.readings.push_back(R("M1", Period::kDay, d0 + d * 86400, "a34004", "Avg", std::to_string(d)));
  ASSERT_TRUE(Append(b).ok());
  // Compares M1's hours in [from, to) with the model.
  auto check = [&](int64_t from, int64_t to, const std::string& when) {
    auto r = store_->Range("M1", Period::kHour, "a34004", "Avg", from, to);
    ASSERT_TRUE(r.ok()) << when;
    std::vector<std::tuple<int64_t, std::string, char>> got, want;
    for (const Reading& x : *r) got.emplace_back(x.time, x.value, x.flag);
    for (auto it = model.lower_bound(from); it != model.end() && it->first < to; ++it)
      want.emplace_back(it->first, it->second.first, it->second.second);
    EXPECT_EQ(got, want) << when << " [" << from << ", " << to << ")";
  };
  auto check_all = [&](const std::string& when) {
    check(0, INT64_MAX, when);
    check(d0 + 5 * 3600 + 17, d0 + 39 * 86400 - 7 * 3600, when + ", inside days");
    check(d0 + 5 * 86400, d0 + 7 * 86400, when + ", whole days");
    check(d0 + 17 * 86400, d0 + 18 * 86400, when + ", the empty day");
    check(d0 + 3 * 86400 + 3600, d0 + 3 * 86400 + 7200, when + ", one hour");
    check(INT64_MIN, d0, when + ", before");
  };
  check_all("appended");
  ASSERT_TRUE(store_->Compact(d0 + 20 * 86400).ok());
  check_all("half compacted");
  ASSERT_TRUE(store_->Compact().ok());
  check_all("compacted");
  Batch late;
  late.readings = {R("M1", Period::kHour, d0 + 10 * 86400 + 3 * 3600, "a34004", "Avg", "99", 'M'),
                   R("M1", Period::kHour, d0 + 17 * 86400 + 5 * 3600, "a34004", "Avg", "new", 0)};
  model[d0 + 10 * 86400 + 3 * 3600] = {"99", 'M'};
  model[d0 + 17 * 86400 + 5 * 3600] = {"new", 0};
  ASSERT_TRUE(Append(late).ok());
  check_all("late changes");
  ASSERT_TRUE(store_->Compact().ok());
  Restart();
  check_all("compacted again, restarted");
  auto days = store_->Range("M1", Period::kDay, "a34004", "Avg", d0 + 86400, d0 + 3 * 86400);
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 2u);
  EXPECT_EQ((*days)[1].value, "2");
  auto m2 = store_->Range("M2", Period::kHour, "a34004", "Avg", d0, d0 + 86400);
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->size(), 24u);
  EXPECT_TRUE(store_->Range("M9", Period::kHour, "a34004", "Avg", 0, INT64_MAX)->empty());
  // Retention cuts inside day 12: what is left of it, and what follows, stays.
  const int64_t cut = d0 + 12 * 86400 + 6 * 3600;
  ASSERT_TRUE(store_->PruneReadings(Period::kHour, cut).ok());
  model.erase(model.begin(), model.lower_bound(cut));
  check_all("pruned");
  ASSERT_TRUE(store_->Compact().ok());
  check_all("pruned, compacted");
}

TEST_P(ReadingStoreContract, PruneCutsInsideACompactedDay) {
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

TEST_P(ReadingStoreContract, RestartBetweenAppendsAndCompactionsLosesNothing) {
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

TEST_P(ReadingStoreContract, PruneAcrossMonthsKeepsLaterDataAndOtherPeriods) {
  // Every ten days from 2023-11-14, real-time and hourly values of one device.
  const int64_t t0 = 1700000000;
  Batch b;
  for (int i = 0; i < 12; ++i) {
    b.readings.push_back(
        R("M1", Period::kRealtime, t0 + i * 864000, "a", "Rtd", std::to_string(i)));
    b.readings.push_back(R("M1", Period::kHour, t0 + i * 864000, "a", "Avg", std::to_string(i)));
  }
  ASSERT_TRUE(Append(b).ok());
  // Up to 2024-01-15: November and December whole, January in part (a backend
  // that keeps months apart drops the first two and cuts the third).
  ASSERT_TRUE(store_->PruneReadings(Period::kRealtime, t0 + 62 * 86400).ok());
  auto rt = store_->Range("M1", Period::kRealtime, "a", "Rtd", 0, INT64_MAX);
  ASSERT_TRUE(rt.ok());
  ASSERT_EQ(rt->size(), 5u);
  EXPECT_EQ(rt->front().value, "7");
  EXPECT_EQ(store_->Range("M1", Period::kHour, "a", "Avg", 0, INT64_MAX)->size(), 12u);
  // A late value for a pruned month is stored again.
  Batch late;
  late.readings = {R("M1", Period::kRealtime, t0, "a", "Rtd", "late")};
  ASSERT_TRUE(Append(late).ok());
  EXPECT_EQ(store_->Range("M1", Period::kRealtime, "a", "Rtd", 0, INT64_MAX)->front().value,
            "late");
  EXPECT_EQ(*store_->CountReadings(), 5 + 12 + 1);
}

TEST_P(ReadingStoreContract, BytesThatAreNotUtf8AreStoredAsSent) {
  // A device's stray bytes are its own business: they must neither be altered nor
  // fail the commit of the packets committed with them.
  const std::string mn = "M\xff"
                         "1",
                    factor = "a\xc3(", value = "1\xfe.5";
  Batch b;
  b.readings = {R(mn, Period::kHour, 3600, factor, "Avg", value),
                R("M2", Period::kHour, 3600, "a34004", "Avg", "12")};
  const std::string bytes("##\xff\x00\x01", 5);
  b.raw = {{1000, "127.0.0.1:5", mn, "unknown_mn", bytes}};
  ASSERT_TRUE(Append(b).ok());
  auto all = All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].mn, mn);  // byte order: "M2" < "M\xff1"
  EXPECT_EQ(all[1].factor, factor);
  EXPECT_EQ(all[1].value, value);
  auto r = store_->Range(mn, Period::kHour, factor, "Avg", 0, INT64_MAX);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].value, value);
  auto raw = store_->RawPackets(mn, 0, 2000, 10);
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->size(), 1u);
  EXPECT_EQ((*raw)[0].mn, mn);
  EXPECT_EQ((*raw)[0].bytes, bytes);
}

TEST_P(ReadingStoreContract, DevicesThatChangeTheirItemsAndTheirOrder) {
  // A writer may remember where each device's items came last time (SQLite's
  // SeriesMemo): items reordered, added, dropped, another period or field in the same
  // place, and two devices taking turns within one batch must each still reach their
  // own series.
  std::map<std::tuple<std::string, Period, std::string, std::string, int64_t>, std::string> want;
  auto send = [&](std::vector<Reading> readings) {
    Batch b;
    b.readings = std::move(readings);
    for (const auto& r : b.readings) want[{r.mn, r.period, r.factor, r.field, r.time}] = r.value;
    return Append(b);
  };
  ASSERT_TRUE(send({R("M1", Period::kRealtime, 100, "a", "Rtd", "1"),
                    R("M1", Period::kRealtime, 100, "b", "Rtd", "2"),
                    R("M2", Period::kRealtime, 100, "a", "Rtd", "3"),
                    R("M1", Period::kRealtime, 100, "c", "Rtd", "4")})
                  .ok());
  ASSERT_TRUE(send({R("M1", Period::kRealtime, 200, "b", "Rtd", "5"),
                    R("M1", Period::kRealtime, 200, "a", "Rtd", "6"),
                    R("M1", Period::kRealtime, 200, "d", "Rtd", "7"),
                    R("M1", Period::kRealtime, 200, "c", "Rtd", "8")})
                  .ok());
  ASSERT_TRUE(send({R("M1", Period::kMinute, 300, "b", "Rtd", "9"),
                    R("M1", Period::kRealtime, 300, "a", "Flag", "10"),
                    R("M2", Period::kRealtime, 300, "b", "Rtd", "11"),
                    R("M2", Period::kRealtime, 300, "a", "Rtd", "12")})
                  .ok());
  ASSERT_TRUE(send({R("M1", Period::kRealtime, 400, "a", "Rtd", "13"),
                    R("M1", Period::kRealtime, 400, "b", "Rtd", "14")})
                  .ok());
  Restart();
  ASSERT_TRUE(send({R("M1", Period::kRealtime, 500, "c", "Rtd", "15"),
                    R("M1", Period::kRealtime, 500, "a", "Rtd", "16")})
                  .ok());
  std::map<std::tuple<std::string, Period, std::string, std::string, int64_t>, std::string> got;
  for (const auto& r : All()) got[{r.mn, r.period, r.factor, r.field, r.time}] = r.value;
  EXPECT_EQ(got, want);
  auto a = store_->Range("M1", Period::kRealtime, "a", "Rtd", 0, INT64_MAX);
  ASSERT_TRUE(a.ok());
  std::vector<std::string> values;
  for (const auto& r : *a) values.push_back(r.value);
  EXPECT_EQ(values, (std::vector<std::string>{"1", "6", "13", "16"}));
}

INSTANTIATE_TEST_SUITE_P(All, ReadingStoreContract, StoreBackends(), BackendName<Store>);

}  // namespace
}  // namespace ecohub::store
