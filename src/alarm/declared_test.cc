// Self-declarations applied to alarms on a real store, driven by a ManualClock: an
// accepted 停产 window suppresses (closes, with a comment naming it) the offline
// alarm of its outlet and annotates its exceedances; accepting one later applies it
// to the alarms already raised.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "alarm/sync.h"
#include "core/clock.h"
#include "declare/alarms.h"
#include "store/sqlite_store.h"

namespace ecohub::alarm {
namespace {

using nlohmann::json;
using std::chrono::minutes;

class DeclaredAlarmsTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "/ecohub_declared_" +
           testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
           std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    auto s = store::OpenSqliteStore(dir_, {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    auto d = declare::OpenSqliteDeclarationStore(dir_);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    declarations_ = std::move(*d);
    int64_t district = *store_->PutDistrict({0, "D1", "东城区"});
    store::Site site;
    site.code = "WS-1";
    site.name = "Outlet";
    site.kind = registry::SiteKind::kOutletWater;
    site.district_id = district;
    site.enterprise_id = 0;
    site_id_ = *store_->PutSite(site);
    ASSERT_TRUE(store_->PutDevice({"MN1", site_id_, "pw"}).ok());
    started_ = clock_.WallSeconds();
    syncer_ = std::make_unique<AlarmSyncer>(
        *store_, [this] { return std::vector<DeviceSeen>{seen_}; }, started_, SyncOptions{},
        nullptr, clock_);
    syncer_->Declarations(declarations_.get());
  }
  void TearDown() override {
    syncer_.reset();
    declarations_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::vector<store::Alarm> Alarms(const std::string& kind) {
    store::AlarmFilter f;
    f.kind = kind;
    auto got = store_->QueryAlarms(f);
    EXPECT_TRUE(got.ok());
    return got.ok() ? *got : std::vector<store::Alarm>{};
  }
  int64_t Declare(const std::string& kind, UnixSeconds from, const std::string& status) {
    declare::Declaration d;
    d.site_id = site_id_;
    d.site_code = "WS-1";
    d.kind = kind;
    d.from = from;
    d.reason = "test";
    d.status = status;
    auto id = declarations_->Add(d);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  ManualClock clock_;
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<declare::DeclarationStore> declarations_;
  int64_t site_id_ = 0;
  UnixSeconds started_ = 0;
  DeviceSeen seen_;
  std::unique_ptr<AlarmSyncer> syncer_;
};

TEST_F(DeclaredAlarmsTest, AnAcceptedStopSuppressesTheOfflineAlarmItCovers) {
  UnixSeconds last = clock_.WallSeconds();
  seen_ = {"MN1", site_id_, true, last, 0};
  int64_t id = Declare("stopped", last - 60, "accepted");
  clock_.Advance(minutes(31));
  syncer_->RunOnce();
  auto off = Alarms("offline");
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].status, "closed");  // kept, closed, never deleted
  EXPECT_EQ(off[0].closed_by, "declaration:" + std::to_string(id));
  EXPECT_NE(off[0].close_comment.find("停产"), std::string::npos) << off[0].close_comment;
  auto detail = json::parse(off[0].detail);
  EXPECT_EQ(detail["declaration"]["id"], id);
  EXPECT_EQ(detail["declaration"]["effect"], "suppress");
  EXPECT_EQ(detail["mn"], "MN1");

  clock_.Advance(minutes(10));  // later passes leave it as it is
  syncer_->RunOnce();
  off = Alarms("offline");
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].status, "closed");
  EXPECT_EQ(json::parse(off[0].detail)["declaration"]["id"], id);
}

TEST_F(DeclaredAlarmsTest, ASubmittedDeclarationChangesNothingUntilAccepted) {
  UnixSeconds last = clock_.WallSeconds();
  seen_ = {"MN1", site_id_, true, last, 0};
  int64_t id = Declare("maintenance", last - 60, "submitted");
  clock_.Advance(minutes(31));
  syncer_->RunOnce();
  auto off = Alarms("offline");
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].status, "open");
  EXPECT_FALSE(json::parse(off[0].detail).contains("declaration"));

  // An exceedance in the window, raised already.
  store::Alarm exc;
  exc.key = "exceedance:WS-1/w01018:" + std::to_string(last + 600);
  exc.kind = "exceedance";
  exc.site_id = site_id_;
  exc.site_code = "WS-1";
  exc.factor = "w01018";
  exc.started = last + 600;
  ASSERT_TRUE(store_->UpsertAlarms(std::vector<store::Alarm>{exc}).ok());

  // Accepted now: applied to what was raised in its window.
  clock_.Advance(minutes(5));
  auto accepted = declarations_->Move(
      id, {"submitted", "accepted", "user:3", "属实", clock_.WallSeconds(), std::nullopt});
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  auto applied = declare::ApplyToAlarms(*store_, *accepted, clock_.WallSeconds());
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->annotated, 2);
  EXPECT_EQ(applied->closed, 1);
  off = Alarms("offline");
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].status, "closed");
  EXPECT_EQ(off[0].closed_at, clock_.WallSeconds());
  auto ex = Alarms("exceedance");
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].status, "open");  // an exceedance is annotated, never suppressed
  EXPECT_EQ(json::parse(ex[0].detail)["declaration"]["effect"], "annotate");

  // Applying again changes nothing more.
  applied = declare::ApplyToAlarms(*store_, *accepted, clock_.WallSeconds());
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->annotated, 0);
  EXPECT_EQ(applied->closed, 0);
}

TEST_F(DeclaredAlarmsTest, AnAbnormalDeclarationOnlyAnnotates) {
  UnixSeconds last = clock_.WallSeconds();
  seen_ = {"MN1", site_id_, true, last, 0};
  Declare("abnormal", last - 60, "accepted");  // open window: allowed in the store
  clock_.Advance(minutes(31));
  syncer_->RunOnce();
  auto off = Alarms("offline");
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].status, "open");
  EXPECT_EQ(json::parse(off[0].detail)["declaration"]["effect"], "annotate");
}

}  // namespace
}  // namespace ecohub::alarm
