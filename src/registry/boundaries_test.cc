// PlanCity and MeasureDistrict on hand-made boundaries: two unit squares side by side
// (their label points and the city's extent can be worked by hand), codes given,
// derived and clashing, and each kind of bad feature.
#include "registry/boundaries.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ecohub::registry {
namespace {

using nlohmann::json;

json Square(double west, double south, double side = 1) {
  return {{"type", "Polygon"},
          {"coordinates",
           {{{west, south},
             {west + side, south},
             {west + side, south + side},
             {west, south + side},
             {west, south}}}}};
}

json Feature(json props, json geometry) {
  return {{"type", "Feature"}, {"properties", std::move(props)}, {"geometry", std::move(geometry)}};
}

std::string Collection(std::vector<json> features) {
  return json{{"type", "FeatureCollection"}, {"features", features}}.dump();
}

TEST(Boundaries, TwoDistrictsGiveTheCityItsExtentAndEachALabelInside) {
  auto plan = PlanCity("测试市", "610400",
                       Collection({Feature({{"name", "甲区"}, {"adcode", 610402}}, Square(108, 34)),
                                   Feature({{"name", "乙区"}}, Square(109, 34))}));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->districts.size(), 2u);
  const District& a = plan->districts[0];
  EXPECT_EQ(a.code, "610402");
  EXPECT_GT(a.lon, 108);
  EXPECT_LT(a.lon, 109);
  EXPECT_GT(a.lat, 34);
  EXPECT_LT(a.lat, 35);
  EXPECT_FALSE(a.geojson.empty());
  // Derived: the city's first four digits and the first number no feature names.
  EXPECT_EQ(plan->districts[1].code, "610401");
  const City& c = plan->city;
  EXPECT_EQ(c.name, "测试市");
  EXPECT_DOUBLE_EQ(c.west, 108);
  EXPECT_DOUBLE_EQ(c.east, 110);
  EXPECT_DOUBLE_EQ(c.south, 34);
  EXPECT_DOUBLE_EQ(c.north, 35);
  EXPECT_DOUBLE_EQ(c.lon, 109);
  EXPECT_DOUBLE_EQ(c.lat, 34.5);
}

TEST(Boundaries, ACityWithoutBoundariesHasNoExtent) {
  auto plan = PlanCity("测试县", "610424", "");
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->districts.empty());
  EXPECT_EQ(plan->city.west, 0);
}

TEST(Boundaries, AnInvalidRingIsMeasuredRepairedAndKeptAsGiven) {
  // A bow tie: the ring crosses itself. Its label must still fall inside one lobe.
  json bow = {{"type", "Polygon"}, {"coordinates", {{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}}}};
  District d;
  double box[4];
  ASSERT_TRUE(MeasureDistrict(bow.dump(), &d, box).ok());
  EXPECT_EQ(d.geojson, bow.dump());
  EXPECT_GT(d.lon, 0);
  EXPECT_LT(d.lon, 2);
}

TEST(Boundaries, BadFeaturesAreNamedAndNothingIsPlanned) {
  json ok = Feature({{"name", "甲区"}, {"code", "610402"}}, Square(108, 34));
  struct Case {
    const char* what;
    std::string geojson;
    const char* says;
  } cases[] = {
      {"not GeoJSON", "{", "FeatureCollection"},
      {"no features", Collection({}), "FeatureCollection"},
      {"no name", Collection({ok, Feature({{"code", "610403"}}, Square(109, 34))}),
       "feature 2: properties.name"},
      {"no geometry", Collection({ok, Feature({{"name", "乙区"}}, nullptr)}),
       "feature 2 (乙区): it has no geometry"},
      {"a point",
       Collection({Feature({{"name", "乙区"}}, {{"type", "Point"}, {"coordinates", {1, 2}}})}),
       "feature 1 (乙区): the geometry is not a Polygon"},
      {"projected metres", Collection({Feature({{"name", "乙区"}}, Square(500000, 3800000))}),
       "longitude/latitude"},
      {"code twice",
       Collection({ok, Feature({{"name", "乙区"}, {"code", "610402"}}, Square(109, 34))}),
       "feature 2 (乙区): its code 610402 is 甲区's too"},
      {"bad code", Collection({Feature({{"name", "乙区"}, {"adcode", "61-04"}}, Square(109, 34))}),
       "not six digits"},
      {"broken ring",
       Collection(
           {Feature({{"name", "乙区"}}, {{"type", "Polygon"}, {"coordinates", {{{1, 1}}}}})}),
       "feature 1 (乙区)"},
  };
  for (const auto& c : cases) {
    auto plan = PlanCity("测试市", "610400", c.geojson);
    ASSERT_FALSE(plan.ok()) << c.what;
    EXPECT_EQ(plan.status().code(), Code::kInvalidInput) << c.what;
    EXPECT_NE(plan.status().message().find(c.says), std::string::npos)
        << c.what << ": " << plan.status().message();
  }
  EXPECT_FALSE(PlanCity("测试市", "6104", "").ok());
  EXPECT_FALSE(PlanCity("", "610400", "").ok());
  EXPECT_TRUE(IsAreaCode("110000"));
  EXPECT_FALSE(IsAreaCode("11000a"));
}

}  // namespace
}  // namespace ecohub::registry
