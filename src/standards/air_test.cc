// GB 3095 / HJ 663 statistics against the vectors (percentile, composite index,
// O3 daily max 8-h) and the validity edges.
#include "standards/air.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/factors.h"
#include "standards/exact.h"
#include "standards/test_vectors.h"

namespace ecohub::standards {
namespace {

using nlohmann::json;

Decimal D(double v) { return VectorDecimal(v); }
Decimal S(const std::string& s) { return *Decimal::Parse(s); }

TEST(AirVectors, PercentileHj663) {
  SKIP_WITHOUT_STANDARDS_VECTORS();
  for (const json& v : StandardsVectors()["percentile_hj663"]) {
    std::vector<Decimal> values;
    if (v["values"].is_string()) {  // "1..365"
      for (int k = 1; k <= 365; ++k) values.push_back(MakeDecimal(k, 0));
    } else {
      for (const json& x : v["values"]) values.push_back(D(x.get<double>()));
    }
    auto got = PercentileHj663(values, v["p"].get<int>());
    ASSERT_TRUE(got);
    EXPECT_EQ(Compare(*got, S(v["result"].get<std::string>())), 0)
        << v.dump() << " got " << got->ToString();
  }
}

TEST(AirVectors, CompositeIndex) {
  SKIP_WITHOUT_STANDARDS_VECTORS();
  for (const json& v : StandardsVectors()["composite_index"]) {
    std::array<std::optional<Decimal>, kPollutantCount> c;
    for (auto& [k, x] : v["conc"].items())
      c[static_cast<int>(*PollutantFromName(k))] = D(x.get<double>());
    CompositeIndex r = ComputeComposite(c);
    for (auto& [k, x] : v["single"].items()) {
      auto& got = r.single[static_cast<int>(*PollutantFromName(k))];
      ASSERT_TRUE(got);
      EXPECT_EQ(got->ToString(), x.get<std::string>()) << k << " " << v.dump();
    }
    EXPECT_EQ(r.sum.ToString(), v["sum"].get<std::string>());
    std::vector<std::string> primary;
    for (Pollutant p : r.primary) primary.push_back(PollutantName(p));
    EXPECT_EQ(primary, v["primary"].get<std::vector<std::string>>());
  }
}

TEST(AirVectors, O3DailyMax8h) {
  SKIP_WITHOUT_STANDARDS_VECTORS();
  for (const json& v : StandardsVectors()["o3_daily_max_8h"]) {
    std::vector<std::optional<Decimal>> hours;
    for (const json& h : v["hours"])
      hours.push_back(h.is_null() ? std::nullopt : std::optional(D(h.get<double>())));
    O3Max8h r = DailyMax8hO3(hours);
    SCOPED_TRACE(v["label"].get<std::string>());
    ASSERT_TRUE(r.value);
    EXPECT_EQ(r.value->ToString(), v["value"].get<std::string>());
    EXPECT_EQ(r.valid, v["valid"].get<bool>());
    EXPECT_EQ(r.windows, v["n_windows"].get<int>());
  }
}

TEST(Air, O3Max8hWindowNeedsSixHours) {
  std::vector<std::optional<Decimal>> hours(24, MakeDecimal(100, 0));
  for (int h = 0; h < 24; h += 4) hours[h] = std::nullopt;  // 2 of every 8 missing
  O3Max8h r = DailyMax8hO3(hours);
  EXPECT_EQ(r.windows, 17);
  hours.assign(24, std::nullopt);
  for (int h = 0; h < 5; ++h) hours[h] = MakeDecimal(500, 0);  // 5 hours: no window
  EXPECT_FALSE(DailyMax8hO3(hours).value);
}

TEST(Air, DailyMeanNeedsTwentyHoursAndRoundsHalfEven) {
  std::vector<std::optional<Decimal>> hours(24);
  for (int h = 0; h < 20; ++h) hours[h] = MakeDecimal(h % 2 ? 75 : 74, 0);  // mean 74.5
  Stat s = DailyMean(hours, 0);
  EXPECT_TRUE(s.valid);
  EXPECT_EQ(s.n, 20);
  EXPECT_EQ(s.value->ToString(), "74");  // GB/T 8170: 74.5 -> 74
  hours[0] = std::nullopt;
  EXPECT_FALSE(DailyMean(hours, 0).valid);
  // CO in mg/m3 to one decimal: 1.1 and 1.2 -> 1.15 -> 1.2 (even).
  std::vector<std::optional<Decimal>> co = {S("1.1"), S("1.2")};
  EXPECT_EQ(DailyMean(co, 1).value->ToString(), "1.2");
  co = {S("1.2"), S("1.3")};  // 1.25 -> 1.2
  EXPECT_EQ(DailyMean(co, 1).value->ToString(), "1.2");
}

TEST(Air, SlidingMean8h) {
  std::vector<std::optional<Decimal>> h = {
      MakeDecimal(1000, 0), MakeDecimal(10, 0), MakeDecimal(20, 0), std::nullopt,      std::nullopt,
      MakeDecimal(30, 0),   MakeDecimal(40, 0), MakeDecimal(50, 0), MakeDecimal(60, 0)};
  Stat s = SlidingMean8h(h);  // the last 8: 6 valid, mean 35
  EXPECT_TRUE(s.valid);
  EXPECT_EQ(s.n, 6);
  EXPECT_EQ(s.value->ToString(), "35");
  h[2] = std::nullopt;
  EXPECT_FALSE(SlidingMean8h(h).valid);
}

// GB/T 8170 forbids successive rounding: an area's mean is taken over its stations'
// unrounded values and rounded once. Each case gives the stations' unrounded means
// (sum/n), the single rounding and what rounding each station first would give.
TEST(Air, AreaMeanRoundsOnceNotTwice) {
  struct Case {
    const char* name;
    std::vector<std::pair<const char*, int64_t>> stations;  // sum, n
    int digits;
    const char* once;
    const char* twice;  // mean of the stations' rounded values, rounded again
  };
  const Case kCases[] = {
      // 10.5 -> 10 and 10.6 -> 11: (10 + 11)/2 = 10.5 -> 10; exactly 10.55 -> 11.
      {"daily means 10.5 and 10.6", {{"252", 24}, {"254.4", 24}}, 0, "11", "10"},
      // O3 max 8-h windows 804/8 = 100.5 -> 100 and 811/8 = 101.375 -> 101:
      // 100.5 -> 100 twice; exactly 100.9375 -> 101.
      {"O3 8-h 100.5 and 101.375", {{"804", 8}, {"811", 8}}, 0, "101", "100"},
      // Thirds: 73.33 -> 73 twice and 74: 73.33 -> 73; exactly 662/9 = 73.56 -> 74.
      {"thirds", {{"220", 3}, {"220", 3}, {"222", 3}}, 0, "74", "73"},
      // CO to one decimal: 1.25 -> 1.2 and 1.36 -> 1.4: 1.3 twice; exactly 1.305 -> 1.3.
      {"CO agrees", {{"30", 24}, {"32.64", 24}}, 1, "1.3", "1.3"},
      // Different counts: 20 hours mean 75.5 and 24 hours mean 74.5 -> 75, exactly 75.
      {"exact half, different n", {{"1510", 20}, {"1788", 24}}, 0, "75", "75"},
      {"one station", {{"252", 24}}, 0, "10", "10"},
  };
  for (const Case& c : kCases) {
    std::vector<Unrounded> v;
    std::vector<Decimal> rounded;
    for (auto [sum, n] : c.stations) {
      v.push_back({S(sum), n});
      rounded.push_back(RoundRatio(ScaledTo(S(sum), 3), static_cast<__int128>(n) * 1000, c.digits));
    }
    auto once = MeanOfUnrounded(v, c.digits);
    ASSERT_TRUE(once) << c.name;
    EXPECT_EQ(once->ToString(), c.once) << c.name;
    EXPECT_EQ(MeanRounded(rounded, c.digits)->ToString(), c.twice) << c.name;
  }
  EXPECT_FALSE(MeanOfUnrounded({}, 0));
  std::vector<Unrounded> bad = {{S("1"), 0}};
  EXPECT_FALSE(MeanOfUnrounded(bad, 0));  // n must be at least 1
}

// The statistics hand out the value before rounding, which MeanOfUnrounded takes.
TEST(Air, StatisticsKeepTheirUnroundedValue) {
  std::vector<std::optional<Decimal>> hours(24, S("10.5"));
  Stat d = DailyMean(hours, 0);
  EXPECT_EQ(d.value->ToString(), "10");
  ASSERT_TRUE(d.exact);
  EXPECT_EQ(d.exact->sum.ToString(), "252.0");
  EXPECT_EQ(d.exact->n, 24);
  std::vector<std::optional<Decimal>> o3(24, std::nullopt);
  for (int h = 0; h < 8; ++h) o3[h] = MakeDecimal(h == 0 ? 104 : 100, 0);  // 804/8 = 100.5
  O3Max8h m = DailyMax8hO3(o3);
  EXPECT_EQ(m.value->ToString(), "100");
  ASSERT_TRUE(m.exact);
  EXPECT_EQ(m.exact->sum.ToString(), "804");
  EXPECT_EQ(m.exact->n, 8);
  Stat w = SlidingMean8h(std::span(o3).subspan(0, 8));
  EXPECT_EQ(w.value->ToString(), "100");
  EXPECT_EQ(w.exact->sum.ToString(), "804");
}

// HJ 633's six pollutants keep their own names and HJ 212 codes here (the standard
// stays self-contained); the factor table must agree on both.
TEST(Air, PollutantsAreTheFactorTablesAirFactors) {
  for (int k = 0; k < kPollutantCount; ++k) {
    auto p = static_cast<Pollutant>(k);
    const Factor* f = FindFactor(PollutantFactor(p));
    ASSERT_NE(f, nullptr) << PollutantName(p);
    EXPECT_EQ(f->name, PollutantName(p));
    EXPECT_EQ(f->medium, Medium::kAir);
    EXPECT_EQ(PollutantFromFactor(f->code), p);
  }
}

TEST(Air, LimitsAreDated) {
  UnixSeconds d2026 = DaysFromCivil(2026, 3, 1) * 86400 - 8 * 3600;
  EXPECT_EQ(StageForDayStart(d2026 - 86400), LimitStage::k2012);
  EXPECT_EQ(StageForDayStart(d2026), LimitStage::k2026Transition);
  EXPECT_EQ(StageForDayStart(DaysFromCivil(2030, 12, 31) * 86400 - 8 * 3600),
            LimitStage::k2026Transition);
  EXPECT_EQ(StageForDayStart(DaysFromCivil(2031, 1, 1) * 86400 - 8 * 3600), LimitStage::k2026Final);
  auto L = [](Pollutant p, Averaging a, int g, LimitStage s) {
    auto v = Gb3095Limit(p, a, g, s);
    return v ? v->ToString() : std::string("none");
  };
  EXPECT_EQ(L(Pollutant::kPM25, Averaging::kDaily, 2, LimitStage::k2012), "75");
  EXPECT_EQ(L(Pollutant::kPM25, Averaging::kDaily, 2, LimitStage::k2026Transition), "60");
  EXPECT_EQ(L(Pollutant::kPM25, Averaging::kAnnual, 2, LimitStage::k2026Final), "25");
  EXPECT_EQ(L(Pollutant::kPM10, Averaging::kAnnual, 2, LimitStage::k2026Transition), "60");
  EXPECT_EQ(L(Pollutant::kSO2, Averaging::kAnnual, 2, LimitStage::k2026Final), "20");
  EXPECT_EQ(L(Pollutant::kNO2, Averaging::kDaily, 1, LimitStage::k2026Final), "50");
  EXPECT_EQ(L(Pollutant::kCO, Averaging::kDaily, 2, LimitStage::k2012), "4");
  EXPECT_EQ(L(Pollutant::kO3, Averaging::kMax8h, 1, LimitStage::k2012), "100");
  EXPECT_EQ(L(Pollutant::kCO, Averaging::kAnnual, 2, LimitStage::k2012), "none");
}

TEST(Air, AnnualValidityNeeds324DaysAndEveryMonth) {
  std::vector<DailyValue> days;
  UnixSeconds jan1 = DaysFromCivil(2015, 1, 1) * 86400 - 8 * 3600;
  for (int d = 0; d < 365; ++d) days.push_back({jan1 + d * 86400, MakeDecimal(d % 100, 0)});
  EXPECT_TRUE(PeriodStatistic(Pollutant::kPM25, days, true).value.valid);
  // Drop 5 days of March: 26 left in March -> invalid although 360 days remain.
  std::vector<DailyValue> gap;
  for (int d = 0; d < 365; ++d)
    if (d < 59 || d >= 64) gap.push_back(days[d]);
  PeriodStatistic(Pollutant::kPM25, gap, true);
  EXPECT_FALSE(PeriodStatistic(Pollutant::kPM25, gap, true).value.valid);
  // CO uses the 95th percentile of daily values, O3 the 90th.
  std::vector<DailyValue> co;
  for (int d = 0; d < 365; ++d) co.push_back({jan1 + d * 86400, MakeDecimal(d + 1, 1)});
  EXPECT_EQ(PeriodStatistic(Pollutant::kCO, co, true).value.value->ToString(), "34.7");
}

TEST(Air, RankingSharesEqualValues) {
  std::vector<Decimal> v = {S("3.06"), S("1.74"), S("3.06"), S("6.00")};
  EXPECT_EQ(RankAscending(v), (std::vector<int>{2, 1, 2, 4}));
}

}  // namespace
}  // namespace ecohub::standards
