// The SQLite store's read connections (sqlite/db.h, ReadPool): readers on several
// threads each get a connection of their own, and a reader beyond the pool waits
// for one to come back instead of failing. Waits are bounded: a broken pool fails
// these tests, it does not hang them.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <optional>
#include <span>

#include "store/contract_fixture.h"
#include "store/sqlite/db.h"
#include "store/sqlite_store.h"

namespace ecohub::store {
namespace {

constexpr auto kBound = std::chrono::seconds(20);

class ReadPoolTest : public testing::Test {
 protected:
  void SetUp() override { dir_ = FreshTestDir("/ecohub_read_pool_"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open(int read_connections) {
    SqliteOptions o;
    o.read_connections = read_connections;
    auto s = OpenSqliteStore(dir_, o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  std::string dir_;
};

// One reader is held inside a scan callback until another reader's Range has
// returned: with one shared read connection the second would wait for the first,
// which waits for it.
TEST_F(ReadPoolTest, AReadRunsWhileAnotherHoldsAConnection) {
  auto store = Open(2);
  ASSERT_NE(store, nullptr);
  Batch b;
  for (int64_t t = 0; t < 3; ++t)
    b.readings.push_back(
        Reading{"M1", Period::kHour, 3600 * t, "a34004", "Avg", std::to_string(10 + t), 0});
  const Batch* p = &b;
  ASSERT_TRUE(store->Append(std::span<const Batch* const>(&p, 1)).ok());

  // Outside the callback: a timed-out future must not be waited for inside it.
  std::future<Result<std::vector<Reading>>> other;
  std::optional<std::future_status> waited;
  Status scanned = store->ScanReadings([&](const Reading&) {
    if (!other.valid()) {
      other = std::async(std::launch::async, [&] {
        return store->Range("M1", Period::kHour, "a34004", "Avg", 0, 1000000);
      });
      waited = other.wait_for(kBound);
    }
    return true;
  });
  ASSERT_TRUE(scanned.ok()) << scanned.ToString();
  ASSERT_TRUE(waited.has_value());
  EXPECT_EQ(*waited, std::future_status::ready) << "the second reader waited for the first";
  auto range = other.get();
  ASSERT_TRUE(range.ok()) << range.status().ToString();
  EXPECT_EQ(range->size(), 3u);
}

// Each lease is a connection of its own; a reader beyond the pool waits until a
// lease ends, then gets that connection.
TEST_F(ReadPoolTest, AReaderBeyondThePoolWaitsForALease) {
  ASSERT_NE(Open(1), nullptr);  // creates and migrates ecohub.db
  auto pool = sqlite::ReadPool::Open(dir_ + "/ecohub.db", 2, {}, "PRAGMA cache_size=-2048");
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  ASSERT_EQ((*pool)->size(), 2u);
  auto first = (*pool)->Acquire();
  std::future<sqlite::Db*> third;
  sqlite::Db* second_db = nullptr;
  {
    auto second = (*pool)->Acquire();
    second_db = &*second;
    EXPECT_NE(second_db, &*first);
    EXPECT_TRUE(second->Exec("SELECT count(*) FROM readings").ok());
    third = std::async(std::launch::async, [&] { return &*(*pool)->Acquire(); });
    // Both connections are leased: the third reader cannot have one yet.
    EXPECT_EQ(third.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  }
  ASSERT_EQ(third.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(third.get(), second_db);
}

}  // namespace
}  // namespace ecohub::store
