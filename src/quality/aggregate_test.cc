#include "quality/aggregate.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace ecohub::quality {
namespace {

Decimal D(const char* text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Decimal{});
}

// 2026-03-01 00:00 Beijing = 2026-02-28T16:00:00Z.
const UnixSeconds kDay = DaysFromCivil(2026, 2, 28) * 86400 + 16 * 3600;

// `n` samples every `step` seconds from `start`, all with `value` and `flag`.
void Append(std::vector<Sample>* out, UnixSeconds start, int64_t step, int n, const char* value,
            char flag) {
  for (int i = 0; i < n; ++i) out->push_back({start + i * step, D(value), flag});
}

// ---------------------------------------------------------------------------
// Flags.

struct FlagCase {
  char flag;
  FlagClass want;
};
void PrintTo(const FlagCase& c, std::ostream* os) { *os << "flag " << +c.flag; }
class FlagTest : public testing::TestWithParam<FlagCase> {};
TEST_P(FlagTest, Classified) {
  EXPECT_EQ(ClassifyFlag(GetParam().flag), GetParam().want) << "flag " << +GetParam().flag;
  EXPECT_EQ(IsValidFlag(GetParam().flag), GetParam().want == FlagClass::kValid);
  EXPECT_EQ(IsAbnormalFlag(GetParam().flag), GetParam().want == FlagClass::kAbnormal);
}
INSTANTIATE_TEST_SUITE_P(
    Table, FlagTest,
    testing::Values(FlagCase{0, FlagClass::kValid}, FlagCase{'N', FlagClass::kValid},
                    FlagCase{'3', FlagClass::kValid}, FlagCase{'1', FlagClass::kValid},
                    FlagCase{'F', FlagClass::kAbnormal}, FlagCase{'M', FlagClass::kAbnormal},
                    FlagCase{'S', FlagClass::kAbnormal}, FlagCase{'D', FlagClass::kAbnormal},
                    FlagCase{'C', FlagClass::kAbnormal}, FlagCase{'T', FlagClass::kAbnormal},
                    FlagCase{'B', FlagClass::kAbnormal}, FlagCase{'P', FlagClass::kAbnormal},
                    FlagCase{'0', FlagClass::kAbnormal}, FlagCase{'2', FlagClass::kAbnormal},
                    FlagCase{'n', FlagClass::kUnknown}, FlagCase{'X', FlagClass::kUnknown},
                    FlagCase{'H', FlagClass::kUnknown}, FlagCase{'4', FlagClass::kUnknown}));

// ---------------------------------------------------------------------------
// Rules.

TEST(Rules, ByPeriodAndSite) {
  struct Case {
    Period period;
    SiteKind site;
    std::optional<ValidityRule> want;
  };
  const Case cases[] = {
      {Period::kHour, SiteKind::kAirStation, ValidityRule{60, 45}},
      {Period::kDay, SiteKind::kAirStation, ValidityRule{24, 20}},
      {Period::kHour, SiteKind::kFlueGas, ValidityRule{60, 45}},
      {Period::kDay, SiteKind::kFlueGas, ValidityRule{24, 20}},
      {Period::kHour, SiteKind::kWasteWater, ValidityRule{60, 45}},
      {Period::kDay, SiteKind::kWasteWater, ValidityRule{24, 20}},
      {Period::kMinute, SiteKind::kAirStation, std::nullopt},
      {Period::kRealtime, SiteKind::kFlueGas, std::nullopt},
      {Period::kRunStatus, SiteKind::kWasteWater, std::nullopt},
  };
  for (const Case& c : cases) {
    auto got = RuleFor(c.period, c.site);
    ASSERT_EQ(got.has_value(), c.want.has_value()) << PeriodName(c.period);
    if (!got) continue;
    EXPECT_EQ(got->expected, c.want->expected) << PeriodName(c.period);
    EXPECT_EQ(got->min_valid, c.want->min_valid) << PeriodName(c.period);
  }
  EXPECT_EQ(kAirO3EightHourRule.expected, 8);
  EXPECT_EQ(kAirO3EightHourRule.min_valid, 6);
}

TEST(Rules, Scale) {
  struct Case {
    ValidityRule rule;
    int expected;
    int want_min;
  };
  const Case cases[] = {
      {kAirHourRule, 60, 45}, {kAirHourRule, 6, 5}, {kAirHourRule, 12, 9}, {kAirHourRule, 4, 3},
      {kAirDayRule, 12, 10},  {kAirHourRule, 1, 1}, {kAirHourRule, 0, 0},  {kAirHourRule, -5, 0},
  };
  for (const Case& c : cases) {
    ValidityRule r = ScaleRule(c.rule, c.expected);
    EXPECT_EQ(r.min_valid, c.want_min) << c.expected;
    EXPECT_EQ(r.expected, c.expected > 0 ? c.expected : 0);
  }
}

// ---------------------------------------------------------------------------
// Coverage and interval flags.

struct CoverageCase {
  const char* name;
  ValidityRule rule;
  SiteKind site;
  int64_t step;  // seconds between values
  int normal;    // values flagged N first ...
  char other_flag;
  int other;  // ... then this many with other_flag
  int want_observed;
  int want_valid_count;
  bool want_valid;
  bool want_abnormal;
  char want_flag;
};

class CoverageTest : public testing::TestWithParam<CoverageCase> {};
TEST_P(CoverageTest, RuleApplied) {
  const CoverageCase& c = GetParam();
  std::vector<Sample> s;
  Append(&s, kDay, c.step, c.normal, "10", 'N');
  Append(&s, kDay + c.normal * c.step, c.step, c.other, "10", c.other_flag);
  Aggregate a = AggregateInterval(s, kDay, c.rule.expected * c.step, c.rule, c.site);
  EXPECT_EQ(a.coverage.expected, c.rule.expected);
  EXPECT_EQ(a.coverage.observed, c.want_observed);
  EXPECT_EQ(a.coverage.valid, c.want_valid_count);
  EXPECT_EQ(a.valid, c.want_valid);
  EXPECT_EQ(a.abnormal, c.want_abnormal);
  EXPECT_EQ(a.flag, c.want_flag);
}

constexpr SiteKind kAir = SiteKind::kAirStation;
constexpr SiteKind kFlue = SiteKind::kFlueGas;
constexpr SiteKind kWater = SiteKind::kWasteWater;

INSTANTIATE_TEST_SUITE_P(
    Table, CoverageTest,
    testing::Values(
        // GB 3095 Table 4: 1-h mean needs >= 45 minutes.
        CoverageCase{"air_hour_45", kAirHourRule, kAir, 60, 45, 0, 0, 45, 45, true, false, 'N'},
        CoverageCase{"air_hour_44", kAirHourRule, kAir, 60, 44, 0, 0, 44, 44, false, true, 'D'},
        CoverageCase{"air_hour_60", kAirHourRule, kAir, 60, 60, 0, 0, 60, 60, true, false, 'N'},
        // Calibration minutes do not count, but 45 others still make the hour.
        CoverageCase{"air_hour_45_plus_15_C", kAirHourRule, kAir, 60, 45, 'C', 15, 60, 45, true,
                     false, 'N'},
        // 44 good minutes and 16 calibrating: invalid, and the flag says why.
        CoverageCase{"air_hour_44_plus_16_C", kAirHourRule, kAir, 60, 44, 'C', 16, 60, 44, false,
                     true, 'C'},
        // 2005 air-station digits: '3' normal counts, '0' calibration does not.
        CoverageCase{"air_hour_2005_digits", kAirHourRule, kAir, 60, 0, '3', 45, 45, 45, true,
                     false, 'N'},
        CoverageCase{"air_hour_2005_calibration", kAirHourRule, kAir, 60, 44, '0', 16, 60, 44,
                     false, true, '0'},
        // Unknown flags are not valid.
        CoverageCase{"air_hour_unknown_flag", kAirHourRule, kAir, 60, 44, 'X', 16, 60, 44, false,
                     true, 'D'},
        // Daily mean: >= 20 hourly values of 24.
        CoverageCase{"air_day_20", kAirDayRule, kAir, 3600, 20, 0, 0, 20, 20, true, false, 'N'},
        CoverageCase{"air_day_19", kAirDayRule, kAir, 3600, 19, 0, 0, 19, 19, false, true, 'D'},
        CoverageCase{"air_day_19_plus_5_D", kAirDayRule, kAir, 3600, 19, 'D', 5, 24, 19, false,
                     true, 'D'},
        // O3 8-h mean: >= 6 of 8 hours.
        CoverageCase{"o3_8h_6", kAirO3EightHourRule, kAir, 3600, 6, 0, 0, 6, 6, true, false, 'N'},
        CoverageCase{"o3_8h_5", kAirO3EightHourRule, kAir, 3600, 5, 'M', 3, 8, 5, false, true, 'M'},
        // Flue gas (CEMS): App. D 45 minutes; C.17 note: >= 75 % normal -> N else D.
        CoverageCase{"flue_hour_45", kCemsHourRule, kFlue, 60, 45, 'C', 15, 60, 45, true, false,
                     'N'},
        CoverageCase{"flue_hour_44", kCemsHourRule, kFlue, 60, 44, 'C', 16, 60, 44, false, true,
                     'D'},
        CoverageCase{"flue_hour_44_missing", kCemsHourRule, kFlue, 60, 44, 0, 0, 44, 44, false,
                     true, 'D'},
        CoverageCase{"flue_day_20", kCemsDayRule, kFlue, 3600, 20, 'D', 4, 24, 20, true, false,
                     'N'},
        // 19 of 24 normal is >= 75 % (flag N) but below App. D's 20 hours (not valid).
        CoverageCase{"flue_day_19", kCemsDayRule, kFlue, 3600, 19, 'D', 5, 24, 19, false, false,
                     'N'},
        CoverageCase{"flue_day_18", kCemsDayRule, kFlue, 3600, 18, 0, 0, 18, 18, false, false, 'N'},
        CoverageCase{"flue_day_17", kCemsDayRule, kFlue, 3600, 17, 'F', 7, 24, 17, false, true,
                     'D'},
        // Waste water, C.16 note: ONE abnormal value makes the interval abnormal.
        CoverageCase{"water_hour_all_normal", kCemsHourRule, kWater, 60, 60, 0, 0, 60, 60, true,
                     false, 'N'},
        CoverageCase{"water_hour_one_D", kCemsHourRule, kWater, 60, 59, 'D', 1, 60, 59, false, true,
                     'D'},
        CoverageCase{"water_hour_one_T", kCemsHourRule, kWater, 60, 59, 'T', 1, 60, 59, false, true,
                     'T'},
        CoverageCase{"water_day_one_F", kCemsDayRule, kWater, 3600, 23, 'F', 1, 24, 23, false, true,
                     'F'},
        // An unknown flag is not abnormal: the hour stays valid on its 59 values.
        CoverageCase{"water_hour_one_unknown", kCemsHourRule, kWater, 60, 59, 'X', 1, 60, 59, true,
                     false, 'N'},
        CoverageCase{"water_hour_44", kCemsHourRule, kWater, 60, 44, 0, 0, 44, 44, false, true,
                     'D'},
        // Nothing received at all.
        CoverageCase{"air_hour_empty", kAirHourRule, kAir, 60, 0, 0, 0, 0, 0, false, true, 'D'},
        CoverageCase{"flue_hour_empty", kCemsHourRule, kFlue, 60, 0, 0, 0, 0, 0, false, true, 'D'}),
    [](const testing::TestParamInfo<CoverageCase>& info) { return std::string(info.param.name); });

TEST(Aggregate, DominantAbnormalFlagTiesToEarliest) {
  std::vector<Sample> s;
  Append(&s, kDay, 60, 10, "1", 'N');
  Append(&s, kDay + 600, 60, 5, "1", 'M');
  Append(&s, kDay + 900, 60, 5, "1", 'C');
  Append(&s, kDay + 1200, 60, 6, "1", 'D');
  EXPECT_EQ(AggregateInterval(s, kDay, 3600, kAirHourRule, kAir).flag, 'D');
  s.pop_back();  // D now 5, as many as M and C: M came first
  EXPECT_EQ(AggregateInterval(s, kDay, 3600, kAirHourRule, kAir).flag, 'M');
  EXPECT_EQ(AggregateInterval(s, kDay, 3600, kAirHourRule, kWater).flag, 'M');
}

TEST(Aggregate, CoverageRatios) {
  Coverage c{60, 45, 44};
  EXPECT_DOUBLE_EQ(*c.ObservedRatio(), 0.75);
  EXPECT_DOUBLE_EQ(*c.ValidRatio(), 44.0 / 60);
  EXPECT_FALSE((Coverage{0, 3, 3}).ObservedRatio().has_value());
  EXPECT_FALSE((Coverage{0, 3, 3}).ValidRatio().has_value());
}

// ---------------------------------------------------------------------------
// Exact means, GB/T 8170 half-even.

struct MeanCase {
  std::vector<const char*> values;
  int digits;
  const char* want;
};
void PrintTo(const MeanCase& c, std::ostream* os) {
  for (const char* v : c.values) *os << v << ' ';
  *os << "digits " << c.digits << " -> " << c.want;
}
class MeanTest : public testing::TestWithParam<MeanCase> {};
TEST_P(MeanTest, HalfEven) {
  const MeanCase& c = GetParam();
  std::vector<Sample> s;
  for (size_t i = 0; i < c.values.size(); ++i) s.push_back({kDay + 60 * int(i), D(c.values[i])});
  Aggregate a = AggregateInterval(s, kDay, 3600, ScaleRule(kAirHourRule, 1), kAir);
  auto mean = a.Mean(c.digits);
  ASSERT_TRUE(mean.has_value());
  EXPECT_EQ(mean->ToString(), c.want);
  EXPECT_EQ(mean->scale, c.digits);
}
INSTANTIATE_TEST_SUITE_P(
    Table, MeanTest,
    testing::Values(MeanCase{{"74", "75"}, 0, "74"},        // 74.5 -> even 74
                    MeanCase{{"75", "76"}, 0, "76"},        // 75.5 -> even 76
                    MeanCase{{"1.1", "1.2"}, 1, "1.2"},     // 1.15 -> even 1.2
                    MeanCase{{"1.1", "1.2"}, 2, "1.15"},    // exact
                    MeanCase{{"1.2", "1.3"}, 1, "1.2"},     // 1.25 -> even 1.2
                    MeanCase{{"1.0", "1.3"}, 1, "1.2"},     // 1.15 again, other inputs
                    MeanCase{{"74", "75", "75"}, 0, "75"},  // 74.67 -> 75
                    MeanCase{{"1", "2", "2"}, 2, "1.67"},   // 1.6666...
                    MeanCase{{"1", "1.05"}, 2, "1.02"},     // 1.025 -> even 1.02, mixed scales
                    MeanCase{{"1", "1.07"}, 2, "1.04"},     // 1.035 -> even 1.04
                    MeanCase{{"1", "2"}, 3, "1.500"},       // more digits than the inputs
                    MeanCase{{"-74", "-75"}, 0, "-74"},     // symmetric for negatives
                    MeanCase{{"-0.05", "0.04"}, 1, "0.0"},  // -0.005 -> 0.0, no "-0.0"
                    MeanCase{{"0.000000000000001"}, 15, "0.000000000000001"},
                    MeanCase{{"231.0"}, 0, "231"}));

TEST(Aggregate, OnlyValidFlagsEnterTheMean) {
  std::vector<Sample> s = {{kDay, D("10"), 'N'},         {kDay + 60, D("20"), 0},
                           {kDay + 120, D("1000"), 'T'}, {kDay + 180, D("-5"), 'C'},
                           {kDay + 240, D("30.5"), '3'}, {kDay + 300, D("999"), 'X'}};
  Aggregate a = AggregateInterval(s, kDay, 3600, kAirHourRule, kAir);
  EXPECT_EQ(a.coverage.observed, 6);
  EXPECT_EQ(a.coverage.valid, 3);
  EXPECT_EQ(a.n, 3);
  EXPECT_EQ(a.Mean(1)->ToString(), "20.2");  // 60.5 / 3 = 20.1666...
  EXPECT_NEAR(*a.MeanDouble(), 60.5 / 3, 1e-12);
  EXPECT_EQ(a.min->ToString(), "10");
  EXPECT_EQ(a.max->ToString(), "30.5");
  EXPECT_EQ(a.sum_scale, 1);
  EXPECT_EQ(static_cast<int64_t>(a.sum), 605);
}

TEST(Aggregate, NoValidValueHasNoMean) {
  std::vector<Sample> s = {{kDay, D("10"), 'D'}};
  for (const Aggregate& a : {AggregateInterval(s, kDay, 3600, kAirHourRule, kAir),
                             AggregateInterval({}, kDay, 3600, kAirHourRule, kAir)}) {
    EXPECT_EQ(a.n, 0);
    EXPECT_FALSE(a.Mean(0).has_value());
    EXPECT_FALSE(a.MeanDouble().has_value());
    EXPECT_FALSE(a.min.has_value());
    EXPECT_FALSE(a.max.has_value());
    EXPECT_FALSE(a.valid);
  }
}

TEST(Aggregate, MeanDigitsOutOfRange) {
  std::vector<Sample> s = {{kDay, D("1"), 'N'}};
  Aggregate a = AggregateInterval(s, kDay, 3600, ScaleRule(kAirHourRule, 1), kAir);
  EXPECT_TRUE(a.Mean(15).has_value());
  EXPECT_FALSE(a.Mean(-1).has_value());
  EXPECT_FALSE(a.Mean(16).has_value());
}

TEST(Aggregate, MeanNotFittingDecimal) {
  std::vector<Sample> s = {{kDay, D("900000000000000000"), 'N'}};
  Aggregate a = AggregateInterval(s, kDay, 3600, ScaleRule(kAirHourRule, 1), kAir);
  EXPECT_EQ(a.Mean(0)->ToString(), "900000000000000000");
  EXPECT_FALSE(a.Mean(2).has_value());  // 9e19 does not fit int64
}

TEST(Aggregate, SumOverflowIsAbnormalNotUndefined) {
  Decimal huge;  // not what Parse makes (19 digits), but a Decimal may hold it
  huge.mantissa = std::numeric_limits<int64_t>::max();
  std::vector<Sample> s;
  for (int i = 0; i < 30000; ++i) s.push_back({kDay + i, huge, 'N'});
  s.push_back({kDay + 40000, D("0.000000000000001"), 'N'});  // lifts the sum to scale 15
  Aggregate a = AggregateInterval(s, kDay, 86400, ScaleRule(kAirHourRule, 1), kAir);
  EXPECT_TRUE(a.overflow);
  EXPECT_FALSE(a.Mean(0).has_value());
  EXPECT_FALSE(a.MeanDouble().has_value());
  EXPECT_FALSE(a.valid);
  EXPECT_EQ(a.flag, 'D');
  EXPECT_EQ(a.max->ToString(), "9223372036854775807");
}

// ---------------------------------------------------------------------------
// Series: duplicates, windows, Beijing boundaries.

TEST(Aggregate, DuplicateTimeKeepsTheLast) {
  std::vector<Sample> s = {{kDay + 60, D("5"), 'N'},
                           {kDay, D("1"), 'N'},
                           {kDay, D("3"), 'N'},  // retransmission corrects 1 -> 3
                           {kDay + 120, D("7"), 'N'},
                           {kDay + 120, D("100"), 'D'}};  // ... and marks 7 as fault
  Aggregate a = AggregateInterval(s, kDay, 3600, ScaleRule(kAirHourRule, 1), kAir);
  EXPECT_EQ(a.coverage.observed, 3);
  EXPECT_EQ(a.coverage.valid, 2);
  EXPECT_EQ(a.Mean(0)->ToString(), "4");

  std::vector<Sample> n = NormalizeSeries(s);
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0].value.ToString(), "3");
  EXPECT_EQ(n[1].value.ToString(), "5");
  EXPECT_EQ(n[2].flag, 'D');
}

TEST(Aggregate, SamplesOutsideTheIntervalIgnored) {
  std::vector<Sample> s = {
      {kDay - 1, D("100")}, {kDay, D("1")}, {kDay + 3599, D("3")}, {kDay + 3600, D("100")}};
  Aggregate a = AggregateInterval(s, kDay, 3600, ScaleRule(kAirHourRule, 2), kAir);
  EXPECT_EQ(a.coverage.observed, 2);
  EXPECT_EQ(a.Mean(0)->ToString(), "2");
  EXPECT_TRUE(a.valid);
  EXPECT_EQ(AggregateInterval(s, kDay, 0, kAirHourRule, kAir).coverage.observed, 0);
}

TEST(Split, BeijingDayBoundaries) {
  // The Beijing day of 2026-03-01 is [2026-02-28T16:00Z, 2026-03-01T16:00Z).
  EXPECT_EQ(kDay, *ParseCompactLocal("20260301000000"));
  const UnixSeconds utc_feb28 = DaysFromCivil(2026, 2, 28) * 86400;
  std::vector<Sample> s = {
      {kDay + 86400, D("4")},  // 2026-03-01T16:00Z = Mar 2 00:00 Beijing
      {kDay - 1, D("1")},      // 2026-02-28T15:59:59Z = Feb 28 23:59:59 Beijing
      {kDay, D("2")},          // Mar 1 00:00 Beijing
      {kDay + 86399, D("3")},  // 2026-03-01T15:59:59Z = Mar 1 23:59:59 Beijing
      {utc_feb28, D("0.5")},   // 2026-02-28T00:00Z = Feb 28 08:00 Beijing
  };
  std::vector<Bucket> days = SplitDays(s);
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(days[0].start, kDay - 86400);
  EXPECT_EQ(days[1].start, kDay);
  EXPECT_EQ(days[2].start, kDay + 86400);
  ASSERT_EQ(days[0].samples.size(), 2u);
  EXPECT_EQ(days[0].samples[0].value.ToString(), "0.5");
  ASSERT_EQ(days[1].samples.size(), 2u);
  EXPECT_EQ(days[1].samples[0].value.ToString(), "2");
  EXPECT_EQ(days[1].samples[1].value.ToString(), "3");
  EXPECT_EQ(FormatCompactLocal(days[2].start), "20260302000000");

  std::vector<Bucket> hours = SplitHours(s);
  ASSERT_EQ(hours.size(), 5u);
  EXPECT_EQ(hours[1].start, kDay - 3600);
  EXPECT_EQ(hours[3].start, kDay + 86400 - 3600);
  EXPECT_TRUE(SplitBeijing(s, 0).empty());
}

TEST(Split, DuplicatesAcrossTheSeries) {
  std::vector<Sample> s = {{kDay, D("1")}, {kDay + 60, D("2")}, {kDay, D("9")}};
  std::vector<Bucket> hours = SplitHours(s);
  ASSERT_EQ(hours.size(), 1u);
  ASSERT_EQ(hours[0].samples.size(), 2u);
  EXPECT_EQ(hours[0].samples[0].value.ToString(), "9");
}

TEST(Aggregate, MinuteToHourToDay) {
  // One Beijing day of minute values: hour h has value h; hours 0..19 have 45
  // minutes, hours 20..23 only 44 (invalid hours).
  std::vector<Sample> minutes;
  for (int h = 0; h < 24; ++h) {
    std::string v = std::to_string(h);
    Append(&minutes, kDay + h * 3600, 60, h < 20 ? 45 : 44, v.c_str(), 'N');
  }
  std::vector<Aggregate> hours = AggregateSeries(minutes, 3600, kAirHourRule, kAir);
  ASSERT_EQ(hours.size(), 24u);
  std::vector<Sample> hourly;
  for (const Aggregate& h : hours) hourly.push_back(ToSample(h, 1));
  EXPECT_EQ(hourly[0].flag, 'N');
  EXPECT_EQ(hourly[19].value.ToString(), "19.0");
  EXPECT_EQ(hourly[20].flag, 'D');

  std::vector<Aggregate> days = AggregateSeries(hourly, 86400, kAirDayRule, kAir);
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].start, kDay);
  EXPECT_EQ(days[0].coverage.observed, 24);
  EXPECT_EQ(days[0].coverage.valid, 20);
  EXPECT_TRUE(days[0].valid);
  EXPECT_EQ(days[0].Mean(0)->ToString(), "10");  // (0 + ... + 19) / 20 = 9.5 -> even 10

  hourly[0].flag = 'M';  // one hour fewer: 19 of 24
  days = AggregateSeries(hourly, 86400, kAirDayRule, kAir);
  EXPECT_FALSE(days[0].valid);
  EXPECT_EQ(days[0].flag, 'D');  // 'D' hours (4) outnumber the 'M' hour (1)
}

TEST(Aggregate, ToSampleWithoutMeanIsNotValid) {
  Aggregate empty = AggregateInterval({}, kDay, 3600, kAirHourRule, kAir);
  Sample s = ToSample(empty, 0);
  EXPECT_EQ(s.time, kDay);
  EXPECT_FALSE(IsValidFlag(s.flag));

  std::vector<Sample> one = {{kDay, D("5")}};
  Aggregate a = AggregateInterval(one, kDay, 3600, ScaleRule(kAirHourRule, 1), kAir);
  EXPECT_EQ(ToSample(a, 0).flag, 'N');
  EXPECT_EQ(ToSample(a, 99).flag, 'D');  // no mean at 99 digits: not passed on as valid
}

}  // namespace
}  // namespace ecohub::quality
