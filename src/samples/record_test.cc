// Recording samples against a real SQLite store and samples.db: the manual device a
// site's first sample makes, the automatic reporting device left alone, every bad sample
// named with nothing stored, and nothing half-written when the readings store fails.
#include "samples/record.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/contract_fixture.h"
#include "store/sqlite_store.h"
#include "store/store_wrapper.h"

namespace ecohub::samples {
namespace {

constexpr UnixSeconds kDay = 1772294400;  // 2026-03-01 00:00 Beijing
constexpr UnixSeconds kNow = kDay + 10 * 86400;

// A store whose readings append fails: the fault a sample must survive whole.
class FailingAppend : public store::StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  Status Append(std::span<const store::Batch* const>) override {
    return Status(Code::kIoError, "disk full");
  }
};

class RecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::FreshTestDir("/ecohub_samples_record_");
    auto st = store::OpenSqliteStore(dir_, {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    auto ss = OpenSqliteSampleStore(dir_);
    ASSERT_TRUE(ss.ok()) << ss.status().ToString();
    samples_ = std::move(*ss);
    int64_t district = *store_->PutDistrict({0, "610402", "秦都区"});
    for (const char* code : {"W-1", "W-2"}) {
      registry::Site s;
      s.code = code;
      s.name = code;
      s.district_id = district;
      sites_[code] = *store_->PutSite(s);
    }
    // W-2 has a disabled data logger: still its reporting device, not the manual one.
    registry::Device off{"MN-W2", sites_["W-2"], "pw"};
    off.enabled = false;
    ASSERT_TRUE(store_->PutDevice(off).ok());
  }
  void TearDown() override {
    samples_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::shared_ptr<const registry::Snapshot> Snap() {
    registry_.Publish(*store_->Districts(), *store_->Enterprises(), *store_->Sites(),
                      *store_->Devices());
    return registry_.Current();
  }
  static Sample Water(const std::string& site) {
    Sample s;
    s.site_code = site;
    s.sampled_at = kDay + 10 * 3600;
    s.kind = "water";
    s.method = "HJ 535-2009";
    s.lab = "Lab A";
    s.values = {{"w21003", "0.52", false, ""}, {"w21011", "", true, "0.01"}};
    return s;
  }
  std::vector<Reading> Day(const std::string& mn, const std::string& factor) {
    auto got = store_->Range(mn, Period::kDay, factor, "Avg", kDay, kDay + 86400);
    EXPECT_TRUE(got.ok());
    return got.ok() ? *got : std::vector<Reading>{};
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<SampleStore> samples_;
  std::map<std::string, int64_t> sites_;
  registry::Registry registry_;
};

TEST_F(RecordTest, ValuesGoUnderADisabledManualDevice) {
  auto out = RecordSamples(*store_, *samples_, *Snap(), {Water("W-1"), Water("W-2")}, "user:3",
                           kNow, false, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->errors.empty());
  ASSERT_EQ(out->ids.size(), 2u);
  EXPECT_EQ(out->devices_created, (std::vector<std::string>{"manual:W-1", "manual:W-2"}));
  auto snap = Snap();
  const auto* dev = snap->DeviceByMn("manual:W-1");
  ASSERT_NE(dev, nullptr);
  EXPECT_FALSE(dev->enabled);
  auto tp = Day("manual:W-1", "w21011");
  ASSERT_EQ(tp.size(), 1u);
  EXPECT_EQ(tp[0].value, "0.005");
  EXPECT_TRUE(Day("MN-W2", "w21003").empty());  // never under the automatic device
  EXPECT_EQ(Day("manual:W-2", "w21003").size(), 1u);
  auto got = samples_->Get(out->ids[0]);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->entered_by, "user:3");
  EXPECT_EQ(got->site_id, sites_["W-1"]);
  // A second sample of the site: its device is there already.
  Sample later = Water("W-1");
  later.sampled_at += 86400;
  out = RecordSamples(*store_, *samples_, *Snap(), {later}, "user:3", kNow, false, {});
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->devices_created.empty());
}

TEST_F(RecordTest, OneBadSampleStoresNothing) {
  Sample bad = Water("W-2");
  bad.lab.clear();
  auto out =
      RecordSamples(*store_, *samples_, *Snap(), {Water("W-1"), bad, Water("NOPE")}, "user:3", kNow,
                    false, [](const registry::Site& s) { return s.code != "W-1"; });
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->errors.size(), 3u);
  EXPECT_EQ(out->errors[0].index, 0u);  // not the caller's to enter
  EXPECT_NE(out->errors[0].reason.find("not yours"), std::string::npos);
  EXPECT_EQ(out->errors[1].index, 1u);
  EXPECT_NE(out->errors[1].reason.find("laboratory"), std::string::npos);
  EXPECT_EQ(out->errors[2].index, 2u);
  EXPECT_TRUE(out->ids.empty());
  EXPECT_TRUE(samples_->List({})->empty());
  EXPECT_EQ(Snap()->DeviceByMn("manual:W-2"), nullptr);
}

TEST_F(RecordTest, DryRunStoresNothing) {
  auto out =
      RecordSamples(*store_, *samples_, *Snap(), {Water("W-1")}, "cli", kNow, /*dry_run=*/true, {});
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->errors.empty());
  EXPECT_EQ(out->values, 2u);
  EXPECT_TRUE(out->ids.empty());
  EXPECT_TRUE(samples_->List({})->empty());
  EXPECT_TRUE(Day("manual:W-1", "w21003").empty());
}

TEST_F(RecordTest, AFailedAppendTakesTheSampleBack) {
  FailingAppend failing(*store_);
  auto out = RecordSamples(failing, *samples_, *Snap(), {Water("W-1")}, "cli", kNow, false, {});
  EXPECT_EQ(out.status().code(), Code::kIoError) << out.status().ToString();
  EXPECT_TRUE(samples_->List({})->empty());
  EXPECT_TRUE(Day("manual:W-1", "w21003").empty());
}

}  // namespace
}  // namespace ecohub::samples
