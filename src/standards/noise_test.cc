// GB 3096-2008 noise evaluation by hand-worked cases: Table 1, the energy average,
// Ldn, completeness, GB/T 8170 rounding at 0.1 dB, the night Lmax +15 dB(A) rule and
// the railway trunk-line clause. lg is log10; every figure below was worked by hand
// (lg 2 = 0.30103, lg 5.5 = 0.74036, lg 1.5625 = 0.19382, lg 125.875 = 2.09994,
// lg 63.4375 = 1.80234).
#include "standards/noise.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace ecohub::standards {
namespace {

using Hours = std::array<std::optional<Decimal>, 24>;

Decimal D(const char* s) { return *Decimal::Parse(s); }

Hours All(const char* level) {
  Hours h;
  h.fill(D(level));
  return h;
}

std::string Str(const std::optional<Decimal>& d) { return d ? d->ToString() : "none"; }

TEST(Noise, Table1LimitsAndNames) {
  struct Case {
    const char* name;
    NoiseZone zone;
    int day, night;
  } cases[] = {{"0", NoiseZone::k0, 50, 40},   {"1", NoiseZone::k1, 55, 45},
               {"2", NoiseZone::k2, 60, 50},   {"3", NoiseZone::k3, 65, 55},
               {"4a", NoiseZone::k4a, 70, 55}, {"4b", NoiseZone::k4b, 70, 60}};
  for (const auto& c : cases) {
    EXPECT_EQ(NoiseZoneFromName(c.name), c.zone) << c.name;
    EXPECT_STREQ(NoiseZoneName(c.zone), c.name);
    EXPECT_EQ(Gb3096Limits(c.zone), (NoiseLimits{c.day, c.night})) << c.name;
  }
  EXPECT_EQ(NoiseZoneFromName("4A"), NoiseZone::k4a);
  EXPECT_EQ(NoiseZoneFromName("4B"), NoiseZone::k4b);
  for (const char* bad : {"", "4", "4c", "5", "a4", " 1", "1 ", "0a", "Ⅱ"})
    EXPECT_FALSE(NoiseZoneFromName(bad)) << bad;
}

TEST(Noise, EnergyAverage) {
  // 60 and 70: 60 + 10·lg((1 + 10)/2) = 60 + 7.4036 = 67.4036.
  std::optional<Decimal> two[] = {D("60"), D("70"), std::nullopt};
  EXPECT_NEAR(static_cast<double>(*EnergyAverage(two)), 67.4036, 1e-4);
  std::optional<Decimal> none[] = {std::nullopt};
  EXPECT_FALSE(EnergyAverage(none));
  EXPECT_FALSE(EnergyAverage({}));
}

TEST(Noise, ExactlyAtTheLimitMeets) {
  // Zone 1, every hour 55.0: Ld = 55.0 = 55 meets; Ln = 55.0 exceeds 45 by 10.0.
  // Ldn = 10·lg((16·10^5.5 + 8·10^6.5)/24) = 55 + 10·lg((16 + 80)/24) = 55 + 10·lg 4
  //     = 55 + 6.0206 = 61.0.
  Hours h = All("55.0");
  auto e = EvaluateNoiseDay(NoiseZone::k1, h);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(Str(e->day.value), "55.0");
  EXPECT_EQ(e->day.limit, 55);
  EXPECT_EQ(e->day.meets, true);
  EXPECT_FALSE(e->day.exceedance);
  EXPECT_EQ(e->night.meets, false);
  EXPECT_EQ(Str(e->night.exceedance), "10.0");
  EXPECT_EQ(Str(e->ldn), "61.0");
  EXPECT_EQ(e->day.hours_present, 16);
  EXPECT_EQ(e->day.hours_expected, 16);
  EXPECT_EQ(e->night.hours_present, 8);
  EXPECT_TRUE(e->day.complete && e->night.complete);
  EXPECT_FALSE(e->night_max);
}

TEST(Noise, OneLoudHourDecidesTheDay) {
  // Zone 2, day hours at 60.0 but 12:00 at 70.0: Ld = 60 + 10·lg((15 + 10)/16)
  // = 60 + 10·lg 1.5625 = 61.938 → 61.9, over 60 by 1.9 (an arithmetic mean, 60.6,
  // would hide a third of it). Night 50.0 = 50 meets.
  Hours h = All("50.0");
  for (int i = 6; i < 22; ++i) h[i] = D("60.0");
  h[12] = D("70.0");
  auto e = EvaluateNoiseDay(NoiseZone::k2, h);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Str(e->day.value), "61.9");
  EXPECT_EQ(e->day.meets, false);
  EXPECT_EQ(Str(e->day.exceedance), "1.9");
  EXPECT_EQ(Str(e->night.value), "50.0");
  EXPECT_EQ(e->night.meets, true);
}

TEST(Noise, Zone4bNightIs60) {
  // 4b (railway trunk lines): night 60; 4a beside roads: night 55.
  Hours h = All("60.0");
  auto b = EvaluateNoiseDay(NoiseZone::k4b, h);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->night.limit, 60);
  EXPECT_EQ(b->night.meets, true);
  auto a = EvaluateNoiseDay(NoiseZone::k4a, h);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Str(a->night.exceedance), "5.0");
  // 60.1: the smallest reported step over the limit.
  h = All("60.1");
  b = EvaluateNoiseDay(NoiseZone::k4b, h);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->night.meets, false);
  EXPECT_EQ(Str(b->night.exceedance), "0.1");
}

TEST(Noise, RailwayTrunkBackgroundClause) {
  // §5.3: 4b held to 70/55 while no train passes; night 58.0 then exceeds by 3.0.
  NoiseOptions o;
  o.railway_trunk_background = true;
  Hours h = All("58.0");
  auto b = EvaluateNoiseDay(NoiseZone::k4b, h, {}, o);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->limits, (NoiseLimits{70, 55}));
  EXPECT_EQ(Str(b->night.exceedance), "3.0");
  // No effect on another zone.
  auto z2 = EvaluateNoiseDay(NoiseZone::k2, h, {}, o);
  ASSERT_TRUE(z2.ok());
  EXPECT_EQ(z2->limits, (NoiseLimits{60, 50}));
}

TEST(Noise, MissingHourGivesValuesButNoVerdict) {
  // 03:00 missing: the night has 7 of 8 hours, all 52.0 in zone 2: Ln = 52.0 is
  // reported, but without the full night there is no verdict. The day is complete.
  Hours h = All("52.0");
  h[3] = std::nullopt;
  auto e = EvaluateNoiseDay(NoiseZone::k2, h);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->night.hours_present, 7);
  EXPECT_FALSE(e->night.complete);
  EXPECT_EQ(Str(e->night.value), "52.0");
  EXPECT_FALSE(e->night.meets);
  EXPECT_FALSE(e->night.exceedance);
  EXPECT_TRUE(e->day.complete);
  EXPECT_EQ(e->day.meets, true);
  EXPECT_EQ(Str(e->ldn), "58.0");  // 52 + 10·lg((16 + 80)/24) = 52 + 6.0206
  // A bureau that accepts 7 night hours gets the verdict: 52.0 over 50 by 2.0.
  NoiseOptions o;
  o.min_night_hours = 7;
  e = EvaluateNoiseDay(NoiseZone::k2, h, {}, o);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->night.complete);
  EXPECT_EQ(Str(e->night.exceedance), "2.0");
  // A night with no hour at all: no value, no Ldn.
  for (int i : {22, 23, 0, 1, 2, 4, 5}) h[i] = std::nullopt;
  e = EvaluateNoiseDay(NoiseZone::k2, h);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->night.hours_present, 0);
  EXPECT_FALSE(e->night.value);
  EXPECT_FALSE(e->ldn);
}

TEST(Noise, RoundsOnceHalfToEven) {
  // Every day hour at 55.05: Ld is exactly 55.05, GB/T 8170 → 55.0 (5 to the even
  // neighbour); 55.15 → 55.2; 55.25 → 55.2; 55.251 → 55.3.
  struct Case {
    const char* level;
    const char* ld;
  } cases[] = {{"55.05", "55.0"}, {"55.15", "55.2"}, {"55.25", "55.2"}, {"55.251", "55.3"}};
  for (const auto& c : cases) {
    auto e = EvaluateNoiseDay(NoiseZone::k1, All(c.level));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(Str(e->day.value), c.ld) << c.level;
  }
  // 55.04 rounds to 55.0, which meets 55; the verdict is on the reported value.
  auto e = EvaluateNoiseDay(NoiseZone::k1, All("55.04"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->day.meets, true);
}

TEST(Noise, DayHoursAreConfigurable) {
  // Every hour 40.0 but 22:00 at 70.0, zone 0.
  Hours h = All("40.0");
  h[22] = D("70.0");
  // Default (22:00 is night): Ln = 40 + 10·lg((7 + 1000)/8) = 40 + 10·lg 125.875
  // = 60.9994 → 61.0; Ld 40.0.
  auto e = EvaluateNoiseDay(NoiseZone::k0, h);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Str(e->night.value), "61.0");
  EXPECT_EQ(Str(e->day.value), "40.0");
  // Day 07:00–23:00: 22:00 is day, Ld = 40 + 10·lg((15 + 1000)/16) = 40 + 10·lg 63.4375
  // = 58.0234 → 58.0; the night (23:00–07:00) is all 40.0.
  NoiseOptions o;
  o.day_start_hour = 7;
  o.day_end_hour = 23;
  e = EvaluateNoiseDay(NoiseZone::k0, h, {}, o);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Str(e->day.value), "58.0");
  EXPECT_EQ(Str(e->night.value), "40.0");
  EXPECT_EQ(e->day.hours_expected, 16);
}

TEST(Noise, NightLmaxMayExceedByFifteen) {
  // Zone 2: night 50, so a night Lmax up to 65.0 is allowed; 65.1 is over by 0.1. A
  // louder Lmax by day is not a night sudden noise.
  Hours leq = All("45.0");
  Hours lmax;
  lmax[12] = D("90.0");
  lmax[2] = D("65.0");
  lmax[23] = D("58.3");
  auto e = EvaluateNoiseDay(NoiseZone::k2, leq, lmax);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->night_max);
  EXPECT_EQ(e->night_max->allowed, 65);
  EXPECT_EQ(e->night_max->lmax.ToString(), "65.0");
  EXPECT_TRUE(e->night_max->meets);
  EXPECT_FALSE(e->night_max->exceedance);
  lmax[3] = D("65.1");
  e = EvaluateNoiseDay(NoiseZone::k2, leq, lmax);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->night_max->meets);
  EXPECT_EQ(Str(e->night_max->exceedance), "0.1");
}

TEST(Noise, BadInputIsRefused) {
  Hours h = All("50.0");
  std::array<std::optional<Decimal>, 23> short_day{};
  EXPECT_EQ(EvaluateNoiseDay(NoiseZone::k1, short_day).status().code(), Code::kInvalidInput);
  h[5] = D("-1");
  auto e = EvaluateNoiseDay(NoiseZone::k1, h);
  EXPECT_NE(e.status().message().find("hour 5"), std::string::npos) << e.status().message();
  h[5] = D("200.1");
  EXPECT_FALSE(EvaluateNoiseDay(NoiseZone::k1, h).ok());
  h[5] = D("200");
  EXPECT_TRUE(EvaluateNoiseDay(NoiseZone::k1, h).ok());
  Hours lmax;
  lmax[1] = D("300");
  EXPECT_FALSE(EvaluateNoiseDay(NoiseZone::k1, h, lmax).ok());
  struct Opt {
    int start, end;
    std::optional<int> min_day, min_night;
  } bad[] = {{22, 6, {}, {}}, {-1, 22, {}, {}}, {6, 25, {}, {}}, {0, 24, {}, {}},
             {6, 22, 17, {}}, {6, 22, {}, 9},   {6, 22, -1, {}}};
  for (const auto& b : bad) {
    NoiseOptions o{.day_start_hour = b.start,
                   .day_end_hour = b.end,
                   .min_day_hours = b.min_day,
                   .min_night_hours = b.min_night};
    EXPECT_EQ(EvaluateNoiseDay(NoiseZone::k1, All("50"), {}, o).status().code(),
              Code::kInvalidInput)
        << b.start << "-" << b.end;
  }
}

}  // namespace
}  // namespace ecohub::standards
