// Offline alarms driven by a ManualClock through AlarmSyncer on a real store: the
// syncer's "now" is the clock's, so the 30 minutes of silence pass without sleeping.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "alarm/sync.h"
#include "core/clock.h"
#include "store/sqlite_store.h"

namespace ecohub::alarm {
namespace {

using std::chrono::minutes;

class OfflineClockTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "/ecohub_alarm_" +
           testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
           std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    auto s = store::OpenSqliteStore(dir_, {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    int64_t district = *store_->PutDistrict({0, "D1", "东城区"});
    store::Site site;
    site.code = "AIR-1";
    site.name = "Station";
    site.kind = registry::SiteKind::kAir;
    site.district_id = district;
    site_id_ = *store_->PutSite(site);
    ASSERT_TRUE(store_->PutDevice({"MN1", site_id_, "pw"}).ok());
    started_ = clock_.WallSeconds();
    syncer_ = std::make_unique<AlarmSyncer>(
        *store_, [this] { return std::vector<DeviceSeen>{seen_}; }, started_, SyncOptions{},
        nullptr, clock_);
  }
  void TearDown() override {
    syncer_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::vector<store::Alarm> Offline() {
    store::AlarmFilter f;
    f.kind = "offline";
    auto got = store_->QueryAlarms(f);
    EXPECT_TRUE(got.ok());
    return got.ok() ? *got : std::vector<store::Alarm>{};
  }

  ManualClock clock_;
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  int64_t site_id_ = 0;
  UnixSeconds started_ = 0;
  DeviceSeen seen_;
  std::unique_ptr<AlarmSyncer> syncer_;
};

TEST_F(OfflineClockTest, SilentPastOfflineAfterRaisesAndHeardAgainEnds) {
  clock_.Advance(minutes(5));
  UnixSeconds last = clock_.WallSeconds();
  seen_ = {"MN1", site_id_, true, last, 0};

  clock_.Advance(minutes(29));  // 29 min of silence: not yet (offline after 30)
  syncer_->RunOnce();
  EXPECT_TRUE(Offline().empty());

  clock_.Advance(minutes(2));  // 31 min
  syncer_->RunOnce();
  auto raised = Offline();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].key, "offline:MN1:" + std::to_string(last));
  EXPECT_EQ(raised[0].started, last);
  EXPECT_FALSE(raised[0].ended);

  clock_.Advance(minutes(10));  // heard again
  seen_.last_packet = seen_.resumed = clock_.WallSeconds();
  syncer_->RunOnce();
  auto ended = Offline();
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].ended, seen_.resumed);
}

TEST_F(OfflineClockTest, NeverHeardCountsFromStartUp) {
  seen_ = {"MN1", site_id_, true, 0, 0};  // not heard since start-up

  clock_.Advance(minutes(29));  // the start-up grace: devices get 30 min to call in
  syncer_->RunOnce();
  EXPECT_TRUE(Offline().empty());

  clock_.Advance(minutes(2));
  syncer_->RunOnce();
  auto raised = Offline();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].key, "offline:MN1:" + std::to_string(started_));
  EXPECT_EQ(raised[0].started, started_);
  EXPECT_FALSE(raised[0].ended);
}

}  // namespace
}  // namespace ecohub::alarm
