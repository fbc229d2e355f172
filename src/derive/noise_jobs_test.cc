// The noise_day rows of a noise station from a real SQLite store: hourly Leq and LMx
// as HJ 212 sends them ("Data"), judged by the station's zone.
#include "derive/noise_jobs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <vector>

#include "store/sqlite_store.h"

namespace ecohub::derive {
namespace {

using nlohmann::json;

constexpr UnixSeconds kHour = 3600, kDay = 86400;

// NoiseDays on a real SQLite store holding the readings; the site as the Deriver
// knows it.
class NoiseJobsTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "/ecohub_noise_" +
           testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    auto s = store::OpenSqliteStore(dir_, {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // One hourly `field` value of `factor` from device MN1 at local hour `h` of `day`.
  void Put(const char* factor, UnixSeconds day, int h, const char* value,
           const char* field = "Data", char flag = 'N') {
    store::Batch b;
    b.readings.push_back({"MN1", Period::kHour, day + h * kHour, factor, field, value, flag});
    const store::Batch* p = &b;
    ASSERT_TRUE(store_->Append(std::span<const store::Batch* const>(&p, 1)).ok());
    touched_.insert(day + h * kHour);
  }
  // The rows of the station with these attributes.
  std::vector<store::DerivedRow> Run(const char* attrs) {
    SiteInfo site{1, "N1", "N1", registry::SiteKind::kNoise, "610402", "MN1", attrs};
    std::vector<store::DerivedRow> rows;
    EXPECT_TRUE(NoiseDays(*store_, site, touched_, &rows).ok());
    return rows;
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::set<UnixSeconds> touched_;
};

TEST_F(NoiseJobsTest, ADayOfAZone2Station) {
  UnixSeconds day = DaysFromCivil(2026, 5, 10) * kDay - 8 * kHour;  // 00:00 Beijing
  for (int h = 0; h < 24; ++h)
    Put("Leq", day, h, h >= 6 && h < 22 ? "60.0" : h == 23 ? "55.0" : "50.0");
  Put("Leq", day, 12, "99.9", "Avg");  // "Data" is the noise field and wins
  Put("LMx", day, 2, "66.0");
  Put("LMx", day, 12, "95.0");  // by day: not a night sudden noise
  auto rows = Run(R"({"zone":"2"})");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].kind, "noise_day");
  EXPECT_EQ(rows[0].scope, "site:N1");
  EXPECT_EQ(rows[0].time, day);
  // Ld 60.0 = the zone 2 day limit: meets. Ln = 50 + 10·lg((7 + 10^0.5)/8)
  // = 50 + 10·lg 1.27028 = 51.039 → 51.0, over 50 by 1.0. Night Lmax 66.0 > 50 + 15.
  // Ldn = 10·lg((16·10^6.0 + 8·10^6.1039)/24) = 60 + 10·lg((16 + 8·1.27028)/24)
  // = 60 + 10·lg 1.09009 = 60.375 → 60.4.
  EXPECT_EQ(rows[0].value, 60.0);
  json b = json::parse(rows[0].body);
  EXPECT_EQ(b["zone"], "2");
  EXPECT_EQ(b["limits"], json::parse(R"({"day":60,"night":50})"));
  EXPECT_EQ(b["day"], json::parse(R"({"value":60.0,"limit":60,"hours_present":16,
      "hours_expected":16,"complete":true,"meets":true})"));
  EXPECT_EQ(b["night"]["value"], 51.0);
  EXPECT_EQ(b["night"]["exceedance"], 1.0);
  EXPECT_EQ(b["ldn"], 60.4);
  EXPECT_EQ(b["night_max"], json::parse(R"({"lmax":66.0,"allowed":65,"meets":false,
      "exceedance":1.0})"));
  // A station without a zone (only a direct import could store one) is not evaluated.
  EXPECT_TRUE(Run(R"({"level":"x"})").empty());
}

TEST_F(NoiseJobsTest, AFlaggedHourLeavesTheNightWithoutAVerdict) {
  UnixSeconds day = DaysFromCivil(2026, 5, 11) * kDay - 8 * kHour;
  for (int h = 0; h < 24; ++h) Put("Leq", day, h, "52.0", "Data", h == 3 ? 'C' : 'N');
  auto rows = Run(R"({"zone":"2"})");
  ASSERT_EQ(rows.size(), 1u);
  json b = json::parse(rows[0].body);
  EXPECT_EQ(b["night"]["hours_present"], 7);  // 03:00 was calibrating
  EXPECT_EQ(b["night"]["complete"], false);
  EXPECT_FALSE(b["night"].contains("meets"));
  EXPECT_EQ(b["night"]["value"], 52.0);
  EXPECT_EQ(b["day"]["meets"], true);
  EXPECT_FALSE(b.contains("night_max"));
}

}  // namespace
}  // namespace ecohub::derive
