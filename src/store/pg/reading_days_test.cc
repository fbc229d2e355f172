// Day chunks on a real server (reading_days.h): they are built, used, and never older
// than the rows, also when a late write meets a build in progress.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "store/pg/test_backend.h"
#include "store/postgresql_store.h"

namespace ecohub::store::pg {
namespace {

class ReadingDaysTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    url_ = DatabaseForThisTest(&why);
    if (url_.empty()) GTEST_SKIP() << why;
    char dir[] = "/tmp/ecohub-reading-days-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    auto store =
        OpenPostgresStore(url_, PostgresOptions{.keys_file = dir_ + "/keys", .pool_size = 2});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto conn = Conn::Open(url_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    sql_ = std::move(*conn);
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  static Reading Hour(int64_t t, std::string v) {
    return Reading{"M1", Period::kHour, t, "a34004", "Avg", std::move(v), 'N'};
  }
  Status Append(std::vector<Reading> readings) {
    Batch b;
    b.readings = std::move(readings);
    const Batch* p = &b;
    return store_->Append(std::span<const Batch* const>(&p, 1));
  }
  int64_t Count(const char* sql) {
    auto rows = sql_->Query(sql, "count");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? rows->Int(0, 0) : -1;
  }
  std::string ValueAt(int64_t t) {
    auto r = store_->Range("M1", Period::kHour, "a34004", "Avg", t, t + 1);
    EXPECT_TRUE(r.ok());
    return r.ok() && r->size() == 1 ? (*r)[0].value : "<none>";
  }

  std::string url_, dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Conn> sql_;
};

constexpr int64_t kDay0 = 86400 * 1000;  // 1972: long ended

TEST_F(ReadingDaysTest, DaysThatEndedADayAgoAreBuiltAndRecentOnesAreNot) {
  const int64_t now = WallMillis() / 1000;
  std::vector<Reading> rows;
  for (int h = 0; h < 48; ++h) rows.push_back(Hour(kDay0 + h * 3600, std::to_string(h)));
  rows.push_back(Hour(now - now % 3600, "recent"));
  ASSERT_TRUE(Append(rows).ok());
  ASSERT_TRUE(store_->Compact(now - 3600).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM reading_days"), 2);  // the two old days, not today
  EXPECT_EQ(ValueAt(kDay0 + 30 * 3600), "30");
  EXPECT_EQ(ValueAt(now - now % 3600), "recent");
  // A late write forgets its day at once and marks it; the next pass rebuilds it.
  ASSERT_TRUE(Append({Hour(kDay0 + 30 * 3600, "late")}).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM reading_days"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM reading_days_stale"), 1);
  EXPECT_EQ(ValueAt(kDay0 + 30 * 3600), "late");
  ASSERT_TRUE(store_->Compact(now - 3600).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM reading_days"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM reading_days_stale"), 0);
  EXPECT_EQ(ValueAt(kDay0 + 30 * 3600), "late");
  // A recent write touches no chunk and takes no lock on them.
  ASSERT_TRUE(Append({Hour(now - now % 3600, "recent 2")}).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM reading_days_stale"), 0);
}

// A device whose clock is far off: its times are outside the days chunks can bound,
// so they stay rows, and every read and pass still works.
TEST_F(ReadingDaysTest, TimesAtTheEndsOfTheClockStayRows) {
  ASSERT_TRUE(
      Append({Hour(INT64_MIN + 7, "min"), Hour(kDay0, "day"), Hour(INT64_MAX - 7, "max")}).ok());
  ASSERT_TRUE(store_->Compact().ok());
  ASSERT_TRUE(Append({Hour(INT64_MIN + 7, "min again")}).ok());  // a late write there too
  ASSERT_TRUE(store_->Compact().ok());
  EXPECT_EQ(Count("SELECT count(*) FROM reading_days"), 1);  // kDay0's only
  auto all = store_->Range("M1", Period::kHour, "a34004", "Avg", INT64_MIN, INT64_MAX);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].value, "min again");
  EXPECT_EQ((*all)[1].value, "day");
  EXPECT_EQ((*all)[2].value, "max");
}

// A build holds reading_days while it reads the rows: a late write waits for it and
// then removes the chunk it made, so no reader sees the old value afterwards.
TEST_F(ReadingDaysTest, ALateWriteDuringABuildWaitsAndWins) {
  std::vector<Reading> rows;
  for (int h = 0; h < 24; ++h) rows.push_back(Hour(kDay0 + h * 3600, std::to_string(h)));
  ASSERT_TRUE(Append(rows).ok());
  ASSERT_TRUE(store_->Compact().ok());
  ASSERT_EQ(Count("SELECT count(*) FROM reading_days"), 1);
  // This connection plays a builder in the middle of its transaction.
  ASSERT_TRUE(sql_->Exec("BEGIN; LOCK TABLE reading_days IN SHARE ROW EXCLUSIVE MODE").ok());
  auto write = std::async(std::launch::async, [&] { return Append({Hour(kDay0 + 7200, "late")}); });
  // The writer queues for the lock (seen in pg_locks), and stays there.
  bool waiting = false;
  for (int i = 0; i < 1000 && !waiting; ++i) {
    waiting = Count(
                  "SELECT count(*) FROM pg_locks WHERE NOT granted AND "
                  "relation = 'reading_days'::regclass") == 1;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(waiting);
  EXPECT_EQ(write.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  EXPECT_EQ(ValueAt(kDay0 + 7200), "2");  // readers are not held back meanwhile
  ASSERT_TRUE(sql_->Exec("COMMIT").ok());
  ASSERT_TRUE(write.get().ok());
  EXPECT_EQ(ValueAt(kDay0 + 7200), "late");
  EXPECT_EQ(Count("SELECT count(*) FROM reading_days"), 0);
  ASSERT_TRUE(store_->Compact().ok());
  EXPECT_EQ(ValueAt(kDay0 + 7200), "late");
  EXPECT_EQ(Count("SELECT count(*) FROM reading_days"), 1);
}

}  // namespace
}  // namespace ecohub::store::pg
