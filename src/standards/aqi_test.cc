// HJ 633 AQI against every vector of standards_vectors.json, plus the arithmetic
// traps the digest names.
#include "standards/aqi.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "standards/exact.h"
#include "standards/test_vectors.h"

namespace ecohub::standards {
namespace {

using nlohmann::json;

Decimal D(double v) { return VectorDecimal(v); }

AqiInput InputOf(const json& v) {
  AqiInput in;
  in.edition = *EditionFromName(v["edition"].get<std::string>());
  in.mode = v["mode"] == "daily" ? AqiMode::kDaily : AqiMode::kHourly;
  in.round_inputs = v.value("round_inputs", true);
  in.o3_8h_in_hourly = v.value("o3_8h_in_hourly", true);
  for (auto& [key, c] : v["conc"].items()) {
    auto i = IndicatorFromName(key);
    EXPECT_TRUE(i) << key;
    if (!i) continue;
    if (c.is_number())
      in.Set(*i, D(c.get<double>()));
    else if (c.is_string() && c == "/")
      in.conc[static_cast<int>(*i)].state = AqiValue::State::kNotMonitored;
  }
  return in;
}

std::vector<std::string> Labels(uint16_t mask) {
  std::vector<std::string> out;
  for (int k = 0; k < kIndicatorCount; ++k)
    if (mask & (1u << k)) out.push_back(PollutantLabel(static_cast<Indicator>(k)));
  return out;
}

std::vector<std::string> Names(uint16_t mask) {
  std::vector<std::string> out;
  for (int k = 0; k < kIndicatorCount; ++k)
    if (mask & (1u << k)) out.push_back(IndicatorName(static_cast<Indicator>(k)));
  return out;
}

TEST(AqiVectors, EveryVectorPasses) {
  SKIP_WITHOUT_STANDARDS_VECTORS();
  json all = StandardsVectors()["aqi"];
  ASSERT_GE(all.size(), 190u);
  for (const json& v : all) {
    SCOPED_TRACE(v["id"].get<std::string>() + " " + v["note"].get<std::string>());
    AqiInput in = InputOf(v);
    AqiResult r = ComputeAqi(in);
    if (v["aqi"].is_null()) {
      EXPECT_FALSE(r.has_aqi());
      continue;
    }
    EXPECT_EQ(r.aqi, v["aqi"].get<int>());
    EXPECT_EQ(r.level, v["level"].get<int>());
    EXPECT_EQ(LevelInfo(in.edition, r.level).category, v["category"].get<std::string>());
    EXPECT_EQ(Labels(r.primary), v["primary"].get<std::vector<std::string>>());
    json iaqi = json::object();
    for (int k = 0; k < kIndicatorCount; ++k)
      if (r.iaqi[k] >= 0) iaqi[IndicatorName(static_cast<Indicator>(k))] = r.iaqi[k];
    EXPECT_EQ(iaqi, v["iaqi"]);
    EXPECT_EQ(r.published, v["aqi_published"].get<bool>());
    if (v.contains("missing")) {
      EXPECT_EQ(Names(r.missing), v["missing"].get<std::vector<std::string>>());
    }
    if (v.contains("over_standard")) {
      EXPECT_EQ(Labels(r.over_standard), v["over_standard"].get<std::vector<std::string>>());
    }
  }
}

// With doubles, 50 + (39 - 35) * 50 / 40 can come out as 55.000000000000007 and
// ceil to 56. The integer path must say 55.
TEST(Aqi, ExactInterpolationBeforeCeiling) {
  for (int c = 0; c <= 500; ++c) {
    int got = Iaqi(Indicator::kPM25_24h, MakeDecimal(c, 0), Edition::k2012);
    // Reference by hand on integers: find the segment, ceil of the ratio.
    static const int bp[] = {0, 35, 75, 115, 150, 250, 350, 500};
    static const int ia[] = {0, 50, 100, 150, 200, 300, 400, 500};
    int k = 1;
    while (c > bp[k]) ++k;
    int num = (ia[k] - ia[k - 1]) * (c - bp[k - 1]), den = bp[k] - bp[k - 1];
    EXPECT_EQ(got, ia[k - 1] + (num + den - 1) / den) << c;
  }
  EXPECT_EQ(Iaqi(Indicator::kPM25_24h, MakeDecimal(39, 0), Edition::k2012), 55);
  EXPECT_EQ(Iaqi(Indicator::kPM25_24h, MakeDecimal(40, 0), Edition::k2012), 57);  // 56.25
  EXPECT_EQ(Iaqi(Indicator::kPM25_1h, MakeDecimal(84, 0), Edition::k2012), 112);  // 111.25
}

TEST(Aqi, Gbt8170InputRounding) {
  // 74.5 -> 74 (half to even) -> 99; 75.5 -> 76 -> 102; 74.51 -> 75 -> 100.
  EXPECT_EQ(Iaqi(Indicator::kPM25_24h, D(74.5), Edition::k2012), 99);
  EXPECT_EQ(Iaqi(Indicator::kPM25_24h, D(75.5), Edition::k2012), 102);
  EXPECT_EQ(Iaqi(Indicator::kPM25_24h, D(74.51), Edition::k2012), 100);
  EXPECT_EQ(Iaqi(Indicator::kPM25_24h, D(74.5), Edition::k2012, false), 100);
  // CO to one decimal: 4.05 -> 4.0, 4.15 -> 4.2, 4.25 -> 4.2, 4.251 -> 4.3.
  EXPECT_EQ(Iaqi(Indicator::kCO_24h, D(4.05), Edition::k2026), 100);
  EXPECT_EQ(Iaqi(Indicator::kCO_24h, D(4.15), Edition::k2026), 101);
  EXPECT_EQ(Iaqi(Indicator::kCO_24h, D(4.25), Edition::k2026), 101);
  EXPECT_EQ(Iaqi(Indicator::kCO_24h, D(4.251), Edition::k2026), 102);
}

TEST(Aqi, EditionsDifferOnlyInPmRows) {
  for (int k = 0; k < kIndicatorCount; ++k) {
    auto i = static_cast<Indicator>(k);
    bool pm = i == Indicator::kPM10_24h || i == Indicator::kPM10_1h || i == Indicator::kPM25_24h ||
              i == Indicator::kPM25_1h;
    for (int c = 0; c <= 1300; c += 7) {
      int a = Iaqi(i, MakeDecimal(c, 0), Edition::k2012);
      int b = Iaqi(i, MakeDecimal(c, 0), Edition::k2026);
      if (!pm && !(i == Indicator::kSO2_1h && c > 800) && !(i == Indicator::kO3_8h && c > 800)) {
        EXPECT_EQ(a, b) << IndicatorName(i) << " " << c;
      }
    }
  }
  EXPECT_EQ(Iaqi(Indicator::kPM25_1h, MakeDecimal(60, 0), Edition::k2026), 100);
  EXPECT_EQ(Iaqi(Indicator::kPM25_1h, MakeDecimal(60, 0), Edition::k2012), 82);
  EXPECT_EQ(Iaqi(Indicator::kPM10_24h, MakeDecimal(120, 0), Edition::k2026), 100);
}

TEST(Aqi, EditionSwitchAtTheHourLabelledMarchFirstOneOClock) {
  // The hour 2026-03-01 00:00-01:00 Beijing (labelled 01:00 by CNEMC) is 2026's.
  UnixSeconds start = DaysFromCivil(2026, 3, 1) * 86400 - 8 * 3600;
  EXPECT_EQ(EditionForHourStart(start), Edition::k2026);
  EXPECT_EQ(EditionForHourStart(start - 3600), Edition::k2012);
  EXPECT_EQ(EditionForDayStart(start), Edition::k2026);
  EXPECT_EQ(EditionForDayStart(start - 86400), Edition::k2012);
}

TEST(Aqi, MonotoneAndBounded) {
  for (int k = 0; k < kIndicatorCount; ++k) {
    auto i = static_cast<Indicator>(k);
    int prev = 0;
    for (int c = 0; c <= 4000; ++c) {
      int x = Iaqi(i, MakeDecimal(c, InputDecimals(i)), Edition::k2026);
      EXPECT_GE(x, prev) << IndicatorName(i) << " " << c;
      EXPECT_LE(x, 500);
      prev = x;
    }
  }
  EXPECT_EQ(Iaqi(Indicator::kPM25_24h, MakeDecimal(-1, 0), Edition::k2026), -1);
}

TEST(Aqi, NotMonitoredDoesNotSuppressPublication) {
  AqiInput in;
  in.edition = Edition::k2026;
  in.mode = AqiMode::kHourly;
  for (auto i : {Indicator::kNO2_1h, Indicator::kPM10_1h, Indicator::kO3_1h, Indicator::kPM25_1h})
    in.Set(i, MakeDecimal(40, 0));
  in.conc[static_cast<int>(Indicator::kSO2_1h)].state = AqiValue::State::kNotMonitored;
  in.conc[static_cast<int>(Indicator::kCO_1h)].state = AqiValue::State::kNotMonitored;
  AqiResult r = ComputeAqi(in);
  EXPECT_TRUE(r.published);
  EXPECT_EQ(r.missing, 0);
  in.conc[static_cast<int>(Indicator::kCO_1h)].state = AqiValue::State::kMissing;
  EXPECT_FALSE(ComputeAqi(in).published);
}

TEST(Aqi, CnemcPracticeLeavesO3EightHourOutOf2012Hourly) {
  // 2025-07-15 16:00 阿拉善 2204A: O3-1h 139 -> 44, O3-8h 127 -> 73; published 44.
  AqiInput in;
  in.edition = Edition::k2012;
  in.mode = AqiMode::kHourly;
  in.Set(Indicator::kO3_1h, MakeDecimal(139, 0));
  in.Set(Indicator::kO3_8h, MakeDecimal(127, 0));
  EXPECT_EQ(ComputeAqi(in).aqi, 73);
  in.o3_8h_in_hourly = false;
  EXPECT_EQ(ComputeAqi(in).aqi, 44);
  in.edition = Edition::k2026;  // 2026 real-time report has no O3 8-h either way
  in.o3_8h_in_hourly = true;
  EXPECT_EQ(ComputeAqi(in).aqi, 44);
}

TEST(Aqi, NothingToCompute) {
  AqiInput in;
  AqiResult r = ComputeAqi(in);
  EXPECT_FALSE(r.has_aqi());
  EXPECT_EQ(r.level, 0);
  EXPECT_FALSE(r.published);
  EXPECT_EQ(r.primary, 0);
}

TEST(Aqi, LevelsAndColours) {
  EXPECT_EQ(AqiLevel(0), 1);
  EXPECT_EQ(AqiLevel(50), 1);
  EXPECT_EQ(AqiLevel(51), 2);
  EXPECT_EQ(AqiLevel(300), 5);
  EXPECT_EQ(AqiLevel(301), 6);
  EXPECT_STREQ(LevelInfo(Edition::k2012, 5).color, "#99004C");  // not the EPA purple
  EXPECT_STREQ(LevelInfo(Edition::k2026, 6).category, "严重污染");
}

}  // namespace
}  // namespace ecohub::standards
