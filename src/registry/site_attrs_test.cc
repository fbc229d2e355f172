// What each kind's attributes must say: one row per case, with the message a
// refused one must name.
#include "registry/site_attrs.h"

#include <gtest/gtest.h>

namespace ecohub::registry {
namespace {

struct AttrsCase {
  SiteKind kind;
  const char* attrs;
  const char* refusal;  // nullptr: accepted; else a part of the message
};

constexpr AttrsCase kCases[] = {
    // Every kind but noise takes no attributes at all, or free ones.
    {SiteKind::kAir, "", nullptr},
    {SiteKind::kAir, "{}", nullptr},
    {SiteKind::kAir, R"({"level":"national","dataset":"x.csv"})", nullptr},
    {SiteKind::kAir, R"({"level":"micro"})", nullptr},
    {SiteKind::kAir, R"({"level":"provincial"})", nullptr},
    {SiteKind::kAir, R"({"level":"国控"})", "attrs.level must be one of national"},
    {SiteKind::kAir, R"({"level":1})", "attrs.level"},
    {SiteKind::kAir, "[]", "attrs must be a JSON object"},
    {SiteKind::kAir, "{", "attrs must be a JSON object"},
    {SiteKind::kWater, R"({"water_type":"river","river":"永定河","target_class":"III"})", nullptr},
    {SiteKind::kWater, R"({"water_type":"reservoir","target_class":"I"})", nullptr},
    {SiteKind::kWater, R"({"water_type":"sea"})", "attrs.water_type"},
    {SiteKind::kWater, R"({"target_class":"劣V"})", "attrs.target_class must be one of I, II"},
    {SiteKind::kWater, R"({"target_class":"3"})", "attrs.target_class"},
    {SiteKind::kDrinkingWater, R"({"water_type":"groundwater","target_class":"III"})", nullptr},
    {SiteKind::kDrinkingWater, R"({"water_type":"well"})", "attrs.water_type"},
    {SiteKind::kGroundwater, R"({"target_class":"IV"})", nullptr},
    {SiteKind::kGroundwater, R"({"target_class":"VI"})", "attrs.target_class"},
    {SiteKind::kNoise, R"({"zone":"4b"})", nullptr},
    {SiteKind::kNoise, R"({"zone":"4A","day_start":7,"day_end":23})", nullptr},
    {SiteKind::kNoise, R"({"zone":"4b","railway_trunk_background":true})", nullptr},
    {SiteKind::kNoise, "{}", "attrs.zone is required"},
    {SiteKind::kNoise, "", "attrs.zone is required"},
    {SiteKind::kNoise, R"({"zone":"5"})", "attrs.zone"},
    {SiteKind::kNoise, R"({"zone":2})", "attrs.zone"},
    {SiteKind::kNoise, R"({"zone":"2","day_start":"6"})", "attrs.day_start must be an hour"},
    {SiteKind::kNoise, R"({"zone":"2","day_start":22,"day_end":6})", "attrs.day_start and"},
    {SiteKind::kNoise, R"({"zone":"2","day_start":4294967302})", "attrs.day_start must be an hour"},
    {SiteKind::kNoise, R"({"zone":"2","day_end":-1})", "attrs.day_end must be an hour"},
    {SiteKind::kNoise, R"({"zone":"2","railway_trunk_background":1})", "railway_trunk"},
    {SiteKind::kDust, R"({"project":"地铁12号线三标段"})", nullptr},
    {SiteKind::kOutletGas, R"({"limits":{"a21026":35}})", nullptr},
    {SiteKind::kOutletWater, "{}", nullptr},
};

TEST(SiteAttrsTest, EachKindChecksItsKeys) {
  for (const AttrsCase& c : kCases) {
    SCOPED_TRACE(std::string(SiteKindName(c.kind)) + " " + c.attrs);
    Status s = CheckSiteAttrs(c.kind, c.attrs);
    if (!c.refusal) {
      EXPECT_TRUE(s.ok()) << s.message();
      continue;
    }
    EXPECT_EQ(s.code(), Code::kInvalidInput);
    EXPECT_NE(s.message().find(c.refusal), std::string::npos) << s.message();
  }
}

TEST(SiteAttrsTest, NoiseAttrsGiveZoneAndHours) {
  auto a =
      NoiseAttrsOf(R"({"zone":"4b","day_start":7,"day_end":23,"railway_trunk_background":true})");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->zone, standards::NoiseZone::k4b);
  EXPECT_EQ(a->options.day_start_hour, 7);
  EXPECT_EQ(a->options.day_end_hour, 23);
  EXPECT_TRUE(a->options.railway_trunk_background);
  auto d = NoiseAttrsOf(R"({"zone":"1"})");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->options.day_start_hour, 6);
  EXPECT_EQ(d->options.day_end_hour, 22);
  EXPECT_FALSE(d->options.railway_trunk_background);
  EXPECT_FALSE(NoiseAttrsOf("{}").ok());
}

}  // namespace
}  // namespace ecohub::registry
