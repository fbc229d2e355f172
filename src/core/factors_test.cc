#include "core/factors.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ecohub {
namespace {

TEST(FactorsTest, FindsKnownCodesOnly) {
  const Factor* pm25 = FindFactor("a34004");
  ASSERT_NE(pm25, nullptr);
  EXPECT_EQ(pm25->name, "PM2.5");
  EXPECT_EQ(pm25->unit, "µg/m³");
  EXPECT_EQ(MediumName(pm25->medium), std::string("air"));
  EXPECT_EQ(MediumName(FindFactor("w21003")->medium), std::string("water"));
  EXPECT_EQ(FindFactor("a99999"), nullptr);
  EXPECT_EQ(FindFactor("leq"), nullptr);  // codes are exact: Table B.3 writes "Leq"
  EXPECT_EQ(FindFactor(""), nullptr);
}

TEST(FactorsTest, CodesAreUniqueAndRangesOrdered) {
  std::set<std::string_view> codes;
  for (const Factor& f : Factors()) {
    EXPECT_TRUE(codes.insert(f.code).second) << f.code;
    EXPECT_FALSE(f.name.empty()) << f.code;
    EXPECT_FALSE(f.name_zh.empty()) << f.code;
    for (const auto& r : {f.station, f.outlet})
      if (r) {
        EXPECT_LT(r->min, r->max) << f.code;
        EXPECT_GT(r->jump_floor, 0) << f.code;
      }
  }
}

// The station and outlet ranges of SO2 are in different units (µg/m³, mg/m³).
TEST(FactorsTest, So2HasOneRangePerKindOfSite) {
  const Factor* so2 = FindFactor("a21026");
  ASSERT_NE(so2, nullptr);
  ASSERT_TRUE(so2->station && so2->outlet);
  EXPECT_EQ(so2->station->max, 2620);
  EXPECT_EQ(so2->outlet->max, 2000);
}

// HJ 212-2017 Table B.3: the noise codes, in dB(A), judged at stations only; and
// the dust monitors' TSP.
TEST(FactorsTest, NoiseAndDustFactors) {
  struct Row {
    const char* code;
    const char* name_zh;
    double jump_floor;
  } rows[] = {{"Leq", "等效声级", 15},        {"Ld", "昼间等效声级", 15},
              {"Ln", "夜间等效声级", 15},     {"Ldn", "昼夜等效声级", 15},
              {"L90", "累计百分声级L90", 15}, {"LA", "A权声级", 40},
              {"LMx", "最大的瞬时声级", 40}};
  for (const Row& r : rows) {
    const Factor* f = FindFactor(r.code);
    ASSERT_NE(f, nullptr) << r.code;
    EXPECT_EQ(f->name_zh, r.name_zh);
    EXPECT_EQ(f->unit, "dB(A)");
    EXPECT_EQ(MediumName(f->medium), std::string("noise"));
    ASSERT_TRUE(f->station) << r.code;
    EXPECT_EQ(f->station->max, 140);
    EXPECT_EQ(f->station->jump_floor, r.jump_floor) << r.code;
    EXPECT_FALSE(f->outlet) << r.code;
  }
  const Factor* tsp = FindFactor("a34001");
  ASSERT_NE(tsp, nullptr);
  EXPECT_EQ(tsp->name, "TSP");
  EXPECT_EQ(MediumName(tsp->medium), std::string("air"));
  ASSERT_TRUE(tsp->station);
  EXPECT_EQ(tsp->station->max, 5000);
}

}  // namespace
}  // namespace ecohub
