// PlanCity and MeasureDistrict on hand-made boundaries: two unit squares side by side
// (their label points and the city's extent can be worked by hand), codes given,
// derived and clashing, and each kind of bad feature.
#include "registry/boundaries.h"

#include <gtest/gtest.h>

#include <cmath>
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

District Placed(int64_t id, json geometry, bool active = true) {
  District d;
  d.id = id;
  d.name = "d" + std::to_string(id);
  d.geojson = geometry.dump();
  d.active = active;
  return d;
}

// Two squares side by side (ids 7 and 3), a disabled one over them, a district with a
// broken geometry and one with none: each point answers as worked by hand.
TEST(DistrictLocator, FindsTheDistrictCoveringAPoint) {
  json bowtie = {{"type", "Polygon"},
                 {"coordinates", {{{120, 30}, {121, 31}, {121, 30}, {120, 31}, {120, 30}}}}};
  DistrictLocator where({Placed(7, Square(108, 34)), Placed(3, Square(109, 34)),
                         Placed(9, Square(107, 33, 5), false), Placed(11, bowtie),
                         Placed(12, json::object()), District{.id = 13}});
  EXPECT_EQ(where.size(), 3u);  // 7, 3 and the repaired bowtie
  struct Case {
    double lon, lat;
    int64_t want;
  } cases[] = {
      {108.5, 34.5, 7},        {109.5, 34.5, 3},  // inside each square
      {109.0, 34.5, 3},                           // on the shared side: the lower id
      {108.0, 34.0, 7},                           // on a corner: the boundary counts
      {110.5, 34.5, 0},        {107.5, 34.5, 0},  // outside both (the disabled one is ignored)
      {120.2, 30.5, 11},                          // inside the repaired bowtie's left lobe
      {std::nan(""), 34.5, 0},                    // not a number
  };
  for (const Case& c : cases) EXPECT_EQ(where.Find(c.lon, c.lat), c.want) << c.lon << "," << c.lat;
}

TEST(DistrictLocator, WithNoDistrictsFindsNone) {
  DistrictLocator where({});
  EXPECT_EQ(where.size(), 0u);
  EXPECT_EQ(where.Find(116.4, 39.9), 0);
}

}  // namespace
}  // namespace ecohub::registry
