#include "standards/epa.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "standards/exact.h"
#include "standards/test_vectors.h"

namespace ecohub::standards {
namespace {

Decimal D(const char* s) { return *Decimal::Parse(s); }

// Every "epa_aqi_2024" vector of ../shared/reference/standards_vectors.json.
TEST(EpaVectors, AllReferenceVectors) {
  SKIP_WITHOUT_STANDARDS_VECTORS();
  const nlohmann::json& all = StandardsVectors();
  const nlohmann::json& vectors = all.at("epa_aqi_2024");
  ASSERT_GE(vectors.size(), 12u);
  for (const nlohmann::json& v : vectors) {
    std::string key = v.at("key").get<std::string>();
    SCOPED_TRACE(key + " " + v.at("conc").dump());
    std::optional<int> got = v.at("conc").is_number_integer()
                                 ? EpaSubindex(key, MakeDecimal(v.at("conc").get<int64_t>(), 0))
                                 : EpaSubindex(key, v.at("conc").get<double>());
    if (v.at("aqi").is_null()) {
      EXPECT_FALSE(got);
    } else {
      ASSERT_TRUE(got);
      EXPECT_EQ(*got, v.at("aqi").get<int>());
    }
  }
}

struct Case {
  const char* key;
  const char* conc;
  int aqi;  // -1: no index
};

// Every breakpoint of every key gives the band's end index.
TEST(EpaSubindex, Breakpoints) {
  const Case cases[] = {
      {"O3_8h_ppm", "0", 0},       {"O3_8h_ppm", "0.054", 50},  {"O3_8h_ppm", "0.055", 51},
      {"O3_8h_ppm", "0.070", 100}, {"O3_8h_ppm", "0.071", 101}, {"O3_8h_ppm", "0.085", 150},
      {"O3_8h_ppm", "0.086", 151}, {"O3_8h_ppm", "0.105", 200}, {"O3_8h_ppm", "0.106", 201},
      {"O3_8h_ppm", "0.200", 300}, {"O3_1h_ppm", "0.125", 101}, {"O3_1h_ppm", "0.164", 150},
      {"O3_1h_ppm", "0.165", 151}, {"O3_1h_ppm", "0.204", 200}, {"O3_1h_ppm", "0.205", 201},
      {"O3_1h_ppm", "0.404", 300}, {"O3_1h_ppm", "0.405", 301}, {"O3_1h_ppm", "0.604", 500},
      {"PM2.5_24h", "0.0", 0},     {"PM2.5_24h", "9.0", 50},    {"PM2.5_24h", "9.1", 51},
      {"PM2.5_24h", "35.4", 100},  {"PM2.5_24h", "35.5", 101},  {"PM2.5_24h", "55.4", 150},
      {"PM2.5_24h", "55.5", 151},  {"PM2.5_24h", "125.4", 200}, {"PM2.5_24h", "125.5", 201},
      {"PM2.5_24h", "225.4", 300}, {"PM2.5_24h", "225.5", 301}, {"PM2.5_24h", "325.4", 500},
      {"PM10_24h", "54", 50},      {"PM10_24h", "55", 51},      {"PM10_24h", "154", 100},
      {"PM10_24h", "155", 101},    {"PM10_24h", "254", 150},    {"PM10_24h", "354", 200},
      {"PM10_24h", "424", 300},    {"PM10_24h", "425", 301},    {"PM10_24h", "604", 500},
      {"CO_8h_ppm", "4.4", 50},    {"CO_8h_ppm", "4.5", 51},    {"CO_8h_ppm", "9.4", 100},
      {"CO_8h_ppm", "12.4", 150},  {"CO_8h_ppm", "15.4", 200},  {"CO_8h_ppm", "30.4", 300},
      {"CO_8h_ppm", "30.5", 301},  {"CO_8h_ppm", "50.4", 500},  {"SO2_1h_ppb", "35", 50},
      {"SO2_1h_ppb", "36", 51},    {"SO2_1h_ppb", "75", 100},   {"SO2_1h_ppb", "185", 150},
      {"SO2_1h_ppb", "304", 200},  {"NO2_1h_ppb", "53", 50},    {"NO2_1h_ppb", "54", 51},
      {"NO2_1h_ppb", "100", 100},  {"NO2_1h_ppb", "360", 150},  {"NO2_1h_ppb", "649", 200},
      {"NO2_1h_ppb", "1249", 300}, {"NO2_1h_ppb", "1250", 301}, {"NO2_1h_ppb", "2049", 500},
      {"SO2_24h_ppb", "305", 201}, {"SO2_24h_ppb", "604", 300}, {"SO2_24h_ppb", "1004", 500},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(EpaSubindex(c.key, D(c.conc)).value_or(-1), c.aqi) << c.key << " " << c.conc;
  }
}

TEST(EpaSubindex, TruncationRoundingAndLimits) {
  const Case cases[] = {
      // Truncated, not rounded: 9.09 is 9.0, 0.0549 is 0.054, 54.9 is 54.
      {"PM2.5_24h", "9.09", 50},
      {"O3_8h_ppm", "0.0549", 50},
      {"PM10_24h", "54.9", 50},
      {"CO_8h_ppm", "4.49", 50},
      {"NO2_1h_ppb", "53.99", 50},
      // Round to nearest, not up: 1-h O3 0.162 is 147.49 -> 147 (the TAD example says 148).
      {"O3_1h_ppm", "0.162", 147},
      // x.5 rounds up: O3 8-h 0.078 is 125.5 -> 126.
      {"O3_8h_ppm", "0.078", 126},
      // Above the top: the 301–500 slope continues.
      {"PM2.5_24h", "400.0", 649},
      // Undefined.
      {"O3_8h_ppm", "0.201", -1},
      {"O3_8h_ppm", "0.2009", 300},  // truncates to 0.200
      {"O3_1h_ppm", "0.124", -1},
      {"O3_1h_ppm", "0.1249", -1},
      {"SO2_24h_ppb", "304", -1},
      {"PM2.5_24h", "-0.1", -1},
      {"Lead_3mo", "0.1", -1},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(EpaSubindex(c.key, D(c.conc)).value_or(-1), c.aqi) << c.key << " " << c.conc;
  }
  // PM10 700: 301 + 199*(700 − 425)/(604 − 425) = 301 + 54725/179 = 606.72 -> 607.
  EXPECT_EQ(EpaSubindex("PM10_24h", D("700")), 607);
  // The double overload reads the shortest decimal: 35.9 is not 35.8999.
  EXPECT_EQ(EpaSubindex("PM2.5_24h", 35.9), 102);
  EXPECT_EQ(EpaSubindex("PM2.5_24h", 9.1), 51);
  EXPECT_FALSE(EpaSubindex("PM2.5_24h", std::nan("")));
}

TEST(EpaSubindex, So2WithBothAverages) {
  EXPECT_EQ(EpaSo2Subindex(D("75"), std::nullopt), 100);
  EXPECT_EQ(EpaSo2Subindex(D("304"), D("400")), 200);  // 1-h below 305: 1-h row
  EXPECT_FALSE(EpaSo2Subindex(D("305"), std::nullopt));
  EXPECT_EQ(EpaSo2Subindex(D("400"), D("200")), 200);  // footnote: 24-h < 305 -> 200
  EXPECT_EQ(EpaSo2Subindex(D("700"), D("305")), 201);
  EXPECT_EQ(EpaSo2Subindex(D("700"), D("605")), 301);
  EXPECT_FALSE(EpaSo2Subindex(D("-1"), std::nullopt));
  // The single-key form continues on the 24-h rows.
  EXPECT_EQ(EpaSubindex("SO2_1h_ppb", D("305")), 201);
}

TEST(EpaCategory, BandsAndColours) {
  EXPECT_STREQ(EpaCategoryOf(0).name, "Good");
  EXPECT_STREQ(EpaCategoryOf(50).name, "Good");
  EXPECT_STREQ(EpaCategoryOf(51).name, "Moderate");
  EXPECT_STREQ(EpaCategoryOf(101).name, "Unhealthy for Sensitive Groups");
  EXPECT_STREQ(EpaCategoryOf(151).name, "Unhealthy");
  const EpaCategory& vu = EpaCategoryOf(201);
  EXPECT_STREQ(vu.name, "Very Unhealthy");
  EXPECT_EQ(vu.rgb[0], 143);  // EPA purple 143,63,151
  EXPECT_EQ(vu.rgb[1], 63);
  EXPECT_EQ(vu.rgb[2], 151);
  EXPECT_STREQ(EpaCategoryOf(300).name, "Very Unhealthy");
  EXPECT_STREQ(EpaCategoryOf(301).name, "Hazardous");
  EXPECT_STREQ(EpaCategoryOf(649).name, "Hazardous");
  EXPECT_EQ(EpaCategoryOf(0).rgb[1], 228);
  EXPECT_EQ(EpaCategoryOf(400).index, 6);
  EXPECT_TRUE(IsEpaKey("O3_8h_ppm"));
  EXPECT_FALSE(IsEpaKey("O3_8h"));
}

}  // namespace
}  // namespace ecohub::standards
