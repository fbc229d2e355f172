#include "store/latest_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "store/sqlite_store.h"

namespace ecohub::store {
namespace {

Reading R(std::string mn, Period p, int64_t t, std::string v) {
  return Reading{std::move(mn), p, t, "a34004", "Avg", std::move(v), 'N'};
}

TEST(LatestCache, WarmsFromStoreThenFollowsCommits) {
  // The process id keeps two runs of the suite on one machine apart.
  std::string dir = testing::TempDir() + "/ecohub_latest_cache_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  auto store = std::move(OpenSqliteStore(dir, SqliteOptions{})).value();
  ASSERT_TRUE(store->PutDevice({"MA", 1, "p", 1, "utf-8", true, "hj212"}).ok());
  ASSERT_TRUE(store->PutDevice({"MB", 2, "p", 1, "utf-8", true, "hj212"}).ok());
  Batch b;
  b.readings = {R("MA", Period::kHour, 3600, "10"), R("MA", Period::kHour, 7200, "11"),
                R("MB", Period::kHour, 7200, "20")};
  const Batch* p = &b;
  ASSERT_TRUE(store->Append(std::span<const Batch* const>(&p, 1)).ok());

  LatestCache cache;
  ASSERT_TRUE(cache.Warm(*store).ok());
  auto a = cache.ForSite(1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].value, "11");
  EXPECT_EQ(cache.All().size(), 2u);

  Batch next;
  next.readings = {R("MA", Period::kHour, 10800, "12"), R("MA", Period::kRealtime, 10801, "12.5"),
                   R("MB", Period::kHour, 3600, "late")};  // late data does not go back
  cache.Update({next});
  a = cache.ForSite(1);
  ASSERT_EQ(a.size(), 2u);
  for (const auto& v : a) EXPECT_TRUE(v.value == "12" || v.value == "12.5") << v.value;
  auto bsite = cache.ForSite(2);
  ASSERT_EQ(bsite.size(), 1u);
  EXPECT_EQ(bsite[0].value, "20");
  EXPECT_TRUE(cache.ForSite(3).empty());
  store.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ecohub::store
