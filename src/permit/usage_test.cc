// A permit's usage over a year, with the readings of a fake store.
#include "permit/usage.h"

#include <gtest/gtest.h>

#include <tuple>

namespace ecohub::permit {
namespace {

constexpr UnixSeconds kHour = 3600, kDay = 86400;
constexpr UnixSeconds kJan1 = 1767196800;  // 2026-01-01 00:00 Beijing
constexpr int64_t kWaterOutlet = 7, kGasOutlet = 8;

// Hourly readings by (site, factor, field), served in [from, to).
class FakeReadings {
 public:
  void Hours(int64_t site, const std::string& factor, const std::string& field, UnixSeconds from,
             int hours, const std::string& value, char flag = 'N') {
    for (int h = 0; h < hours; ++h)
      series_[{site, factor, field}].push_back(
          {"MN", Period::kHour, from + h * kHour, factor, field, value, flag});
  }
  HourReader Reader() {
    return [this](int64_t site, const std::string& factor, const std::string& field,
                  UnixSeconds from, UnixSeconds to) -> Result<std::vector<Reading>> {
      ++reads;
      if (fail) return Status::IoError("disk");
      std::vector<Reading> out;
      for (const Reading& r : series_[{site, factor, field}])
        if (r.time >= from && r.time < to) out.push_back(r);
      return out;
    };
  }
  int reads = 0;
  bool fail = false;

 private:
  std::map<std::tuple<int64_t, std::string, std::string>, std::vector<Reading>> series_;
};

Permit TwoOutlets() {
  Permit p;
  p.id = 1;
  p.number = "91610400MA0000000X001P";
  p.enterprise_id = 3;
  p.valid_from = "2025-06-01";
  p.valid_to = "2030-05-31";
  p.outlets = {{kWaterOutlet, {}}, {kGasOutlet, {}}};
  p.quantities = {{"w01018", 60}, {"a21026", 80}, {"a21002", 100}};
  return p;
}

const std::map<int64_t, Medium> kMedia = {{kWaterOutlet, Medium::kWater},
                                          {kGasOutlet, Medium::kAir}};

// The hand-worked year of quantity_test.cc through the whole path: 100 m³ an hour at
// 50 mg/L COD for 8,760 hours is 43.8 t, 0.73 of 60 t/a. The gas outlet sent flow
// but no SO2 and no NOx: its hours are all missing and it emitted nothing counted.
TEST(ComputeUsage, AFullYearOfTheWaterOutletAndAGasOutletWithoutData) {
  FakeReadings db;
  db.Hours(kWaterOutlet, "w00000", "Cou", kJan1, 8760, "100.00");
  db.Hours(kWaterOutlet, "w01018", "Avg", kJan1, 8760, "50.0");
  db.Hours(kGasOutlet, "a00000", "Avg", kJan1, 8760, "55.6");
  auto u = ComputeUsage(TwoOutlets(), 2026, kJan1 + 400 * kDay, kMedia, db.Reader());
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->from, kJan1);
  EXPECT_EQ(u->to, kJan1 + 365 * kDay);
  ASSERT_EQ(u->outlets.size(), 2u);
  const OutletUsage& water = u->outlets[0];
  EXPECT_EQ(water.site_id, kWaterOutlet);
  ASSERT_EQ(water.factors.size(), 1u);  // COD only: the other quantities are of flue gas
  EXPECT_NEAR(water.factors[0].emitted.tonnes, 43.8, 1e-9);
  const OutletUsage& gas = u->outlets[1];
  ASSERT_EQ(gas.factors.size(), 2u);
  EXPECT_EQ(gas.factors[0].emitted.hours_missing, 8760);
  EXPECT_EQ(gas.factors[0].emitted.tonnes, 0);
  ASSERT_EQ(u->total.size(), 3u);
  EXPECT_EQ(u->total[0].factor, "w01018");
  EXPECT_NEAR(u->total[0].emitted.tonnes, 43.8, 1e-9);
  EXPECT_NEAR(*u->total[0].share, 0.73, 1e-12);
  EXPECT_EQ(u->total[0].emitted.hours_with_data, 8760);
  EXPECT_EQ(u->total[1].emitted.hours_missing, 8760);
  EXPECT_EQ(*u->total[1].share, 0);
}

// The window ends with the last hour that has ended and starts with the permit: a
// permit valid from 2026-03-01, asked on 2026-03-02 10:30, covers 34 hours.
TEST(ComputeUsage, TheWindowIsTheYearCutToTheValidityAndToNow) {
  Permit p = TwoOutlets();
  p.valid_from = "2026-03-01";
  UnixSeconds march1 = kJan1 + 59 * kDay;
  FakeReadings db;
  db.Hours(kWaterOutlet, "w00000", "Avg", march1 - 5 * kHour, 48, "27.78");
  db.Hours(kWaterOutlet, "w01018", "Avg", march1 - 5 * kHour, 48, "50");
  auto u = ComputeUsage(p, 2026, march1 + 34 * kHour + 1800, kMedia, db.Reader());
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->from, march1);
  EXPECT_EQ(u->to, march1 + 34 * kHour);
  const FactorUsage& cod = u->outlets[0].factors[0];
  EXPECT_EQ(cod.emitted.hours_with_data, 34);  // the 5 hours before March 1 do not count
  // 27.78 L/s × 3.6 = 100.008 m³ an hour × 50 g/m³ = 5.0004 kg, 34 hours.
  EXPECT_NEAR(cod.emitted.tonnes, 34 * 5.0004 / 1e3, 1e-9);
  // A year before the permit: an empty window.
  auto before = ComputeUsage(p, 2025, march1 + kDay, kMedia, db.Reader());
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->from, before->to);
  EXPECT_EQ(before->total[0].emitted.hours_missing, 0);
}

TEST(ComputeUsage, OutletsOfUnknownSitesAreLeftOutAndReadErrorsReturned) {
  FakeReadings db;
  auto u =
      ComputeUsage(TwoOutlets(), 2026, kJan1 + 2 * kDay, {{kGasOutlet, Medium::kAir}}, db.Reader());
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u->outlets.size(), 1u);
  EXPECT_EQ(u->outlets[0].site_id, kGasOutlet);
  db.fail = true;
  EXPECT_EQ(ComputeUsage(TwoOutlets(), 2026, kJan1 + 2 * kDay, kMedia, db.Reader()).status().code(),
            Code::kIoError);
}

}  // namespace
}  // namespace ecohub::permit
