// Flow × concentration, hour by hour, against cases worked by hand.
#include "permit/quantity.h"

#include <gtest/gtest.h>

namespace ecohub::permit {
namespace {

constexpr UnixSeconds kHour = 3600;
constexpr UnixSeconds kT0 = 1767196800;  // 2026-01-01 00:00 Beijing

struct VolumeCase {
  const char* what;
  Medium medium;
  std::optional<double> cou, avg, want;
};

TEST(HourVolume, CouIsTheHoursVolumeElseTheMeanFlowTimesAnHour) {
  const VolumeCase cases[] = {
      {"water Cou, m³", Medium::kWater, 100, std::nullopt, 100},
      // 27.5 L/s × 3600 s = 99,000 L = 99 m³.
      {"water Avg, L/s", Medium::kWater, std::nullopt, 27.5, 99},
      // 55.5 m³/s × 3600 s = 199,800 m³.
      {"gas Avg, m³/s", Medium::kAir, std::nullopt, 55.5, 199800},
      {"Cou wins over Avg", Medium::kWater, 100, 1, 100},
      {"negative Cou", Medium::kWater, -1, 27.5, std::nullopt},
      {"negative Avg", Medium::kAir, std::nullopt, -2, std::nullopt},
      {"neither", Medium::kAir, std::nullopt, std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    auto got = HourVolumeM3(c.medium, c.cou, c.avg);
    ASSERT_EQ(got.has_value(), c.want.has_value()) << c.what;
    if (got) {
      EXPECT_NEAR(*got, *c.want, 1e-9) << c.what;
    }
  }
}

TEST(MassKg, WaterIsGramsPerCubicMetreAndGasMilligrams) {
  // 50 mg/L COD = 50 g/m³; × 100 m³ = 5,000 g = 5 kg.
  EXPECT_DOUBLE_EQ(MassKg(Medium::kWater, 50, 100), 5);
  // 35 mg/m³ SO2 × 200,000 m³ = 7,000,000 mg = 7 kg.
  EXPECT_DOUBLE_EQ(MassKg(Medium::kAir, 35, 200000), 7);
  EXPECT_DOUBLE_EQ(MassKg(Medium::kWater, 0, 100), 0);
}

// The case, by hand: a waste-water outlet at 100 m³/h around the clock, at
// 50 mg/L COD, for a year of 365 days:
//   100 m³/h × 24 h × 365 d = 876,000 m³;
//   876,000 m³ × 50 g/m³ = 43,800,000 g = 43.8 t;
//   against a permitted 60 t/a: 43.8 / 60 = 0.73 of it used.
TEST(SumEmitted, AYearOfAWasteWaterOutletByHand) {
  std::map<UnixSeconds, FlowHour> flow;
  std::map<UnixSeconds, ConcentrationHour> cod;
  for (int h = 0; h < 8760; ++h) {
    flow[kT0 + h * kHour] = {100, 27.7778, 'N'};
    cod[kT0 + h * kHour] = {50, 'N'};
  }
  Emitted e = SumEmitted(Medium::kWater, flow, cod, kT0, kT0 + 8760 * kHour);
  EXPECT_NEAR(e.tonnes, 43.8, 1e-9);
  EXPECT_EQ(e.hours_with_data, 8760);
  EXPECT_EQ(e.hours_missing, 0);
  EXPECT_NEAR(*ShareUsed(e.tonnes, 60), 0.73, 1e-12);
}

// A flue-gas outlet: 200,000 m³/h (55.5556 m³/s) at 35 mg/m³ SO2 emits
// 7,000,000 mg = 7 kg an hour; a day of it, 168 kg = 0.168 t.
TEST(SumEmitted, ADayOfAFlueGasOutletFromTheMeanFlow) {
  std::map<UnixSeconds, FlowHour> flow;
  std::map<UnixSeconds, ConcentrationHour> so2;
  for (int h = 0; h < 24; ++h) {
    flow[kT0 + h * kHour] = {std::nullopt, 200000.0 / 3600, 0};
    so2[kT0 + h * kHour] = {35, 0};
  }
  Emitted e = SumEmitted(Medium::kAir, flow, so2, kT0, kT0 + 24 * kHour);
  EXPECT_NEAR(e.tonnes, 0.168, 1e-9);
  EXPECT_EQ(e.hours_with_data, 24);
}

// Every hour of the window is counted once: with data, stopped (F) or missing; the
// missing ones add nothing and are reported.
TEST(SumEmitted, StoppedAndMissingHoursAreCountedNotZeroed) {
  std::map<UnixSeconds, FlowHour> flow;
  std::map<UnixSeconds, ConcentrationHour> cod;
  for (int h = 0; h < 24; ++h) {
    flow[kT0 + h * kHour] = {100, std::nullopt, 'N'};
    cod[kT0 + h * kHour] = {50, 'N'};
  }
  flow[kT0 + 1 * kHour].flag = 'F';         // the plant stopped
  cod[kT0 + 2 * kHour].avg = std::nullopt;  // no concentration
  flow[kT0 + 3 * kHour].flag = 'D';         // flow meter fault
  flow.erase(kT0 + 4 * kHour);              // no flow at all
  cod[kT0 + 5 * kHour].flag = 'M';          // analyser maintenance
  Emitted e = SumEmitted(Medium::kWater, flow, cod, kT0, kT0 + 24 * kHour);
  EXPECT_EQ(e.hours_with_data, 19);
  EXPECT_EQ(e.hours_stopped, 1);
  EXPECT_EQ(e.hours_missing, 4);
  EXPECT_NEAR(e.tonnes, 19 * 5 / 1e3, 1e-12);  // 19 hours of 5 kg
}

TEST(ShareUsed, NothingPermittedHasNoShare) {
  EXPECT_FALSE(ShareUsed(1, 0));
  EXPECT_FALSE(ShareUsed(1, -3));
  EXPECT_DOUBLE_EQ(*ShareUsed(0, 10), 0);
  EXPECT_DOUBLE_EQ(*ShareUsed(12, 10), 1.2);  // over the quantity: above 1
}

TEST(FlowFactor, TheFlowCodeOfEachMedium) {
  EXPECT_EQ(FlowFactor(Medium::kWater), "w00000");
  EXPECT_EQ(FlowFactor(Medium::kAir), "a00000");
}

}  // namespace
}  // namespace ecohub::permit
