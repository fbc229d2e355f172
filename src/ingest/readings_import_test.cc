// Imported values against a real SQLite store: the device each site's values go
// under, all or nothing, idempotence, replaced values, the caller's scope.
#include "ingest/readings_import.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace ecohub::ingest {
namespace {

class ReadingsImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecohub_readings_import_" + std::to_string(::getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto st = store::OpenSqliteStore(dir_.string(), {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    int64_t district = *store_->PutDistrict({0, "610402", "秦都区"});
    for (const char* code : {"AIR-1", "AIR-2", "AIR-3"}) {
      registry::Site s;
      s.code = code;
      s.name = code;
      s.district_id = district;
      sites_[code] = *store_->PutSite(s);
    }
    ASSERT_TRUE(store_->PutDevice({"MN-B", sites_["AIR-1"], "pw"}).ok());
    registry::Device off{"MN-A", sites_["AIR-1"], "pw"};
    off.enabled = false;
    ASSERT_TRUE(store_->PutDevice(off).ok());  // first by MN, but disabled
    off.mn = "MN-C";
    off.site_id = sites_["AIR-3"];
    ASSERT_TRUE(store_->PutDevice(off).ok());  // AIR-3's only device
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::shared_ptr<const registry::Snapshot> Snap() {
    registry_.Publish(*store_->Districts(), *store_->Enterprises(), *store_->Sites(),
                      *store_->Devices());
    return registry_.Current();
  }
  ImportResult Import(std::string_view csv, bool dry_run = false, ImportScope scope = {}) {
    auto file = ReadValues(csv, nullptr);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    auto r = ImportValues(*store_, *Snap(), std::move(*file), scope, dry_run);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ImportResult{};
  }
  std::string Value(const std::string& mn, UnixSeconds t) {
    auto got = store_->Range(mn, Period::kHour, "a34004", "Avg", t, t + 1);
    return got.ok() && !got->empty() ? got->front().value : "";
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  registry::Registry registry_;
  std::map<std::string, int64_t> sites_;
};

constexpr UnixSeconds k8 = 1772294400 + 8 * 3600;  // 2026-03-01 08:00 Beijing
constexpr const char* kFile =
    "site,factor,period,time,value\n"
    "AIR-1,a34004,hour,2026-03-01 08:00,35\n"
    "AIR-2,a34004,hour,2026-03-01 08:00,40\n"
    "AIR-3,a34004,hour,2026-03-01 08:00,45\n"
    "AIR-1,a34004,hour,2026-03-01 09:00,37\n";

TEST_F(ReadingsImportTest, StoresUnderEachSitesDeviceAndTwiceChangesNothing) {
  ImportResult r = Import(kFile);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.created, 4);
  EXPECT_EQ(r.sites, (std::set<std::string>{"AIR-1", "AIR-2", "AIR-3"}));
  EXPECT_EQ(r.first, k8);
  EXPECT_EQ(r.last, k8 + 3600);
  EXPECT_EQ(r.last_end, k8 + 7200);
  EXPECT_EQ(Value("MN-B", k8), "35");  // the enabled device, not MN-A
  EXPECT_EQ(Value("MN-C", k8), "45");  // a disabled device is better than none
  EXPECT_EQ(Value("import:AIR-2", k8), "40");
  EXPECT_EQ(r.devices_created, std::vector<std::string>{"import:AIR-2"});
  auto made = store_->GetDevice("import:AIR-2");
  ASSERT_TRUE(made.ok());
  EXPECT_FALSE(made->enabled);  // never a connection, never an offline alarm
  EXPECT_EQ(made->site_id, sites_["AIR-2"]);

  ImportResult again = Import(kFile);
  EXPECT_FALSE(again.committed);
  EXPECT_EQ(again.unchanged, 4);
  EXPECT_EQ(again.created + again.replaced, 0);
  EXPECT_TRUE(again.devices_created.empty());
  EXPECT_EQ(*store_->CountReadings(), 4);

  ImportResult changed = Import(
      "site,factor,period,time,value\nAIR-1,a34004,hour,2026-03-01 08:00,35.0\n"
      "AIR-1,a34004,hour,2026-03-01 10:00,1\n");
  EXPECT_EQ(changed.replaced, 1);
  EXPECT_EQ(changed.created, 1);
  EXPECT_EQ(Value("MN-B", k8), "35.0");
}

// Regression: a site whose only device is its manual one (samples/record.h) must not
// have its automatic values written there, mixed with the laboratory's.
TEST_F(ReadingsImportTest, NeverUnderTheManualDevice) {
  registry::Device manual{registry::ManualMn("AIR-2"), sites_["AIR-2"], "pw"};
  manual.enabled = false;
  ASSERT_TRUE(store_->PutDevice(manual).ok());
  ImportResult r = Import(
      "site,factor,period,time,value\n"
      "AIR-2,a34004,hour,2026-03-01 08:00,35\n");
  ASSERT_TRUE(r.committed);
  EXPECT_EQ(r.devices_created, std::vector<std::string>{"import:AIR-2"});
  EXPECT_EQ(r.written.readings.at(0).mn, "import:AIR-2");
}

TEST_F(ReadingsImportTest, AnyBadValueStoresNothing) {
  ImportResult r = Import(
      "site,factor,period,time,value\n"
      "AIR-1,a34004,hour,2026-03-01 08:00,35\n"
      "AIR-9,a34004,hour,2026-03-01 08:00,40\n"
      "AIR-2,a34004,hour,2026-03-01 08:00,oops\n");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].row, 3);
  EXPECT_EQ(r.errors[0].column, "site");
  EXPECT_EQ(r.errors[0].reason, "no site with the code \"AIR-9\"");
  EXPECT_EQ(r.errors[1].row, 4);
  EXPECT_EQ(r.errors[1].column, "value");
  EXPECT_FALSE(r.committed);
  EXPECT_EQ(*store_->CountReadings(), 0);
  EXPECT_FALSE(store_->GetDevice("import:AIR-2").ok());
}

TEST_F(ReadingsImportTest, DryRunChecksAndStoresNothing) {
  ImportResult r = Import(kFile, /*dry_run=*/true);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.created, 4);
  EXPECT_FALSE(r.committed);
  EXPECT_EQ(*store_->CountReadings(), 0);
  EXPECT_FALSE(store_->GetDevice("import:AIR-2").ok());
}

TEST_F(ReadingsImportTest, ScopeLimitsSitesAndFactors) {
  ImportScope scope;
  scope.sites = {"AIR-1"};
  scope.factors = {"a34004"};
  ImportResult r = Import(
      "site,factor,period,time,value\n"
      "AIR-1,a34004,hour,2026-03-01 08:00,35\n"
      "AIR-2,a34004,hour,2026-03-01 08:00,40\n"
      "AIR-1,a21026,hour,2026-03-01 08:00,9\n",
      false, scope);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].reason, "site AIR-2 is outside this key's scope");
  EXPECT_EQ(r.errors[1].reason, "factor a21026 is outside this key's scope");
  EXPECT_EQ(*store_->CountReadings(), 0);
}

}  // namespace
}  // namespace ecohub::ingest
