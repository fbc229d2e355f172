// The demo's complaints: a month of them in the city's own districts, a queue with
// every kind of status, the same again for the same day, nothing twice.
#include "app/demo_complaints.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

namespace ecohub::app {
namespace {

constexpr int64_t kNow = 1796000000;  // 2026-11-30 08:53 Beijing

registry::District Square(int64_t id, double west) {
  registry::District d;
  d.id = id;
  d.name = "区" + std::to_string(id);
  d.lon = west + 0.5;
  d.lat = 34.5;
  d.geojson =
      nlohmann::json{
          {"type", "Polygon"},
          {"coordinates", {{{west, 34}, {west + 1, 34}, {west + 1, 35}, {west, 35}, {west, 34}}}}}
          .dump();
  return d;
}

TEST(DemoComplaints, AMonthOfTheCitysOwnWithEveryStatus) {
  auto dir = std::filesystem::temp_directory_path() /
             ("ecohub_demo_complaints_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto store = casework::OpenSqliteComplaintStore(dir.string());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto keys = crypto::KeyRing::Parse("k1:" + std::string(64, 'c'), "test");
  ASSERT_TRUE(keys.ok());
  crypto::Sealer sealer(std::make_shared<const crypto::KeyRing>(*keys));
  std::vector<registry::District> districts = {Square(4, 108), Square(9, 109)};
  ASSERT_TRUE(SeedDemoComplaints(**store, sealer, districts, kNow).ok());
  auto all = (*store)->List({.limit = 1000});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 36u);
  std::map<casework::ComplaintStatus, int> statuses;
  for (const auto& c : *all) {
    ++statuses[c.status];
    EXPECT_TRUE(c.district_id == 4 || c.district_id == 9);
    EXPECT_LE(c.submitted_at, kNow);
    EXPECT_GE(c.submitted_at, kNow - 31 * 86400);
    EXPECT_TRUE(casework::NormaliseTrackingCode(c.tracking_code) == c.tracking_code);
    EXPECT_TRUE(c.phone.empty() || crypto::Sealer::IsSealed(c.phone));
    // Each complaint lies in its own district.
    double west = c.district_id == 4 ? 108 : 109;
    EXPECT_TRUE(*c.lon >= west && *c.lon <= west + 1) << c.tracking_code;
  }
  for (auto s : {casework::ComplaintStatus::kSubmitted, casework::ComplaintStatus::kAccepted,
                 casework::ComplaintStatus::kDispatched, casework::ComplaintStatus::kReplied,
                 casework::ComplaintStatus::kClosed})
    EXPECT_GT(statuses[s], 0) << casework::StatusCode(s);
  EXPECT_FALSE((*store)->List({.overdue_at = kNow})->empty()) << "some are past their deadline";
  // Seeded again: nothing new.
  ASSERT_TRUE(SeedDemoComplaints(**store, sealer, districts, kNow).ok());
  EXPECT_EQ((*store)->List({.limit = 1000})->size(), 36u);
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ecohub::app
