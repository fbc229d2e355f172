#include "quality/rates.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ecohub::quality {
namespace {

constexpr int64_t kHour = 3600;
// 2026-03-01 00:00 Beijing.
const UnixSeconds kT0 = DaysFromCivil(2026, 2, 28) * 86400 + 16 * 3600;

// Hourly values of one Beijing day: hour i (0..23) is received `lag` seconds after
// its hour ends with `flag`.
struct Value {
  int hour;
  int64_t lag;
  char flag;
};

std::vector<Arrival> Arrivals(const std::vector<Value>& values) {
  std::vector<Arrival> out;
  for (const Value& v : values) {
    UnixSeconds t = kT0 + v.hour * kHour;
    out.push_back({t, t + kHour + v.lag, v.flag});
  }
  return out;
}

std::vector<Value> FullDay(int hours, int64_t lag, char flag) {
  std::vector<Value> v;
  for (int h = 0; h < hours; ++h) v.push_back({h, lag, flag});
  return v;
}

void ExpectRate(const std::optional<double>& got, std::optional<double> want, const char* what) {
  ASSERT_EQ(got.has_value(), want.has_value()) << what;
  if (want) {
    EXPECT_NEAR(*got, *want, 1e-12) << what;
  }
}

struct RatesCase {
  const char* name;
  int64_t expected;
  std::vector<Value> values;
  RateCounts want_counts;
  std::optional<double> transmission, validity, transmission_validity, completeness, timeliness;
};

class RatesTest : public testing::TestWithParam<RatesCase> {};
TEST_P(RatesTest, Computed) {
  const RatesCase& c = GetParam();
  RatesOptions options;
  ASSERT_TRUE(options.Validate().ok());
  RateCounts counts = CountArrivals(c.expected, Arrivals(c.values), options);
  EXPECT_EQ(counts.expected, c.want_counts.expected);
  EXPECT_EQ(counts.received, c.want_counts.received);
  EXPECT_EQ(counts.valid, c.want_counts.valid);
  EXPECT_EQ(counts.timely, c.want_counts.timely);
  Rates r = ComputeRates(counts);
  ExpectRate(r.transmission, c.transmission, "transmission");
  ExpectRate(r.validity, c.validity, "validity");
  ExpectRate(r.transmission_validity, c.transmission_validity, "transmission_validity");
  ExpectRate(r.completeness, c.completeness, "completeness");
  ExpectRate(r.timeliness, c.timeliness, "timeliness");
}

std::vector<Value> TwentyWithFourFaults() {
  std::vector<Value> v = FullDay(20, 0, 'N');
  for (int h = 0; h < 4; ++h) v[h].flag = 'D';
  return v;
}

std::vector<Value> LateAtTheDeadline() {
  // Hour 0 arrives exactly 1 h after its end (timely), hour 1 one second later (late).
  return {{0, kHour, 'N'}, {1, kHour + 1, 'N'}, {2, -100, 'N'}, {3, 0, 0}};
}

INSTANTIATE_TEST_SUITE_P(
    Table, RatesTest,
    testing::Values(
        RatesCase{"all_good", 24, FullDay(24, 60, 'N'), {24, 24, 24, 24}, 1, 1, 1, 1, 1},
        // 20 of 24 received, 4 of them flagged D: 传输率 20/24, 有效率 16/20,
        // 传输有效率 = 20/24 × 16/20 = 16/24.
        RatesCase{"partial",
                  24,
                  TwentyWithFourFaults(),
                  {24, 20, 16, 20},
                  20.0 / 24,
                  16.0 / 20,
                  16.0 / 24,
                  16.0 / 24,
                  1},
        RatesCase{"deadline",
                  24,
                  LateAtTheDeadline(),
                  {24, 4, 4, 3},
                  4.0 / 24,
                  1,
                  4.0 / 24,
                  4.0 / 24,
                  3.0 / 4},
        RatesCase{"unknown_flag_not_valid",
                  2,
                  {{0, 0, 'N'}, {1, 0, 'X'}},
                  {2, 2, 1, 2},
                  1,
                  0.5,
                  0.5,
                  0.5,
                  1},
        // Nothing received of 24: 0 %, validity and timeliness have no rate.
        RatesCase{"nothing_received", 24, {}, {24, 0, 0, 0}, 0, std::nullopt, 0, 0, std::nullopt},
        // Nothing expected, nothing received: 0/0 everywhere, no NaN.
        RatesCase{"zero_over_zero",
                  0,
                  {},
                  {0, 0, 0, 0},
                  std::nullopt,
                  std::nullopt,
                  std::nullopt,
                  std::nullopt,
                  std::nullopt},
        // Values nobody expected: counts kept, rates capped at 1.
        RatesCase{"more_than_expected", 1, FullDay(3, 0, 'N'), {1, 3, 3, 3}, 1, 1, 1, 1, 1},
        RatesCase{"negative_expected",
                  -5,
                  {},
                  {0, 0, 0, 0},
                  std::nullopt,
                  std::nullopt,
                  std::nullopt,
                  std::nullopt,
                  std::nullopt}),
    [](const testing::TestParamInfo<RatesCase>& info) { return std::string(info.param.name); });

TEST(Rates, RetransmissionsCountOnce) {
  UnixSeconds t = kT0;
  std::vector<Arrival> a = {
      {t, t + 5 * kHour, 'N'},          // a late resend, listed first ...
      {t, t + kHour + 10, 'D'},         // ... of a value that came on time as D
      {t, t + 6 * kHour, 'N'},          // the last in input order decides the flag
      {t + kHour, t + 9 * kHour, 'N'},  // late
      {t + kHour, t + 9 * kHour, 'N'},
  };
  RateCounts c = CountArrivals(24, a, RatesOptions{});
  EXPECT_EQ(c.received, 2);
  EXPECT_EQ(c.valid, 2);
  EXPECT_EQ(c.timely, 1);
}

TEST(Rates, MinuteValuesAndCustomLag) {
  RatesOptions o;
  o.interval_seconds = 60;
  o.max_lag_seconds = 120;
  ASSERT_TRUE(o.Validate().ok());
  std::vector<Arrival> a = {{kT0, kT0 + 180, 'N'}, {kT0 + 60, kT0 + 241, 'N'}};
  RateCounts c = CountArrivals(60, a, o);
  EXPECT_EQ(c.timely, 1);
  EXPECT_NEAR(*ComputeRates(c).transmission, 2.0 / 60, 1e-12);
}

TEST(Rates, RollUpSumsCountsNotRatios) {
  // Site A: 24 of 24, all valid. Site B: 1 expected, nothing. Factor C: nothing
  // expected (0/0), must not disturb the sum.
  std::vector<Rates> parts = {
      ComputeRates(CountArrivals(24, Arrivals(FullDay(24, 0, 'N')), RatesOptions{})),
      ComputeRates(CountArrivals(1, {}, RatesOptions{})),
      ComputeRates(CountArrivals(0, {}, RatesOptions{})),
  };
  Rates district = RollUp(parts);
  EXPECT_EQ(district.counts.expected, 25);
  EXPECT_EQ(district.counts.received, 24);
  EXPECT_NEAR(*district.transmission, 24.0 / 25, 1e-12);  // not (1 + 0) / 2
  EXPECT_NEAR(*district.validity, 1.0, 1e-12);
  EXPECT_NEAR(*district.transmission_validity, 24.0 / 25, 1e-12);
  EXPECT_NEAR(*district.timeliness, 1.0, 1e-12);

  std::vector<RateCounts> counts = {{24, 20, 10, 20}, {24, 24, 24, 12}};
  Rates r = RollUp(counts);
  EXPECT_NEAR(*r.transmission, 44.0 / 48, 1e-12);
  EXPECT_NEAR(*r.validity, 34.0 / 44, 1e-12);
  EXPECT_NEAR(*r.transmission_validity, 34.0 / 48, 1e-12);
  EXPECT_NEAR(*r.completeness, 34.0 / 48, 1e-12);
  EXPECT_NEAR(*r.timeliness, 32.0 / 44, 1e-12);
}

TEST(Rates, RollUpOfNothing) {
  Rates r = RollUp(std::span<const Rates>{});
  EXPECT_FALSE(r.transmission.has_value());
  EXPECT_FALSE(r.validity.has_value());
  EXPECT_FALSE(r.transmission_validity.has_value());
  EXPECT_FALSE(r.completeness.has_value());
  EXPECT_FALSE(r.timeliness.has_value());
}

TEST(Rates, OptionsValidate) {
  RatesOptions o;
  o.interval_seconds = 0;
  EXPECT_EQ(o.Validate().code(), Code::kInvalidInput);
  o = RatesOptions{};
  o.max_lag_seconds = -1;
  EXPECT_EQ(o.Validate().code(), Code::kInvalidInput);
  o.max_lag_seconds = 0;
  EXPECT_TRUE(o.Validate().ok());
}

}  // namespace
}  // namespace ecohub::quality
