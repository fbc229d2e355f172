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

}  // namespace
}  // namespace ecohub
