// The site kind's names are the stored and published form: the table pins each
// name, and parsing is exact.
#include "registry/types.h"

#include <gtest/gtest.h>

namespace ecohub::registry {
namespace {

struct KindCase {
  SiteKind kind;
  const char* name;
  bool outlet, ambient, public_station;
};

constexpr KindCase kKinds[] = {
    {SiteKind::kAir, "air", false, true, true},
    {SiteKind::kWater, "water", false, true, true},
    {SiteKind::kOutletGas, "outlet_gas", true, false, false},
    {SiteKind::kOutletWater, "outlet_water", true, false, false},
    {SiteKind::kNoise, "noise", false, true, true},
    {SiteKind::kDust, "dust", false, true, false},
    {SiteKind::kGroundwater, "groundwater", false, true, true},
    {SiteKind::kDrinkingWater, "drinking_water", false, true, true},
};

TEST(SiteKindTest, NamesRoundTripAndClassify) {
  for (const KindCase& c : kKinds) {
    SCOPED_TRACE(c.name);
    EXPECT_STREQ(SiteKindName(c.kind), c.name);
    EXPECT_EQ(ParseSiteKind(c.name), c.kind);
    EXPECT_EQ(IsOutlet(c.kind), c.outlet);
    EXPECT_EQ(IsAmbient(c.kind), c.ambient);
    EXPECT_EQ(IsPublicStation(c.kind), c.public_station);
  }
  // Every kind has a row above, in AllSiteKinds' order, and SiteKindList names them.
  ASSERT_EQ(AllSiteKinds().size(), std::size(kKinds));
  for (size_t i = 0; i < std::size(kKinds); ++i) EXPECT_EQ(AllSiteKinds()[i], kKinds[i].kind);
  EXPECT_EQ(SiteKindList(),
            "air, water, outlet_gas, outlet_water, noise, dust, groundwater, drinking_water");
}

TEST(SiteKindTest, OnlyExactNamesParse) {
  for (const char* bad :
       {"", "Air", "AIR", " air", "air ", "outlet", "outlet_", "outlet_gas\n", "station",
        "outlet-gas", "Noise", "drinking-water", "drinking", "ground_water"})
    EXPECT_EQ(ParseSiteKind(bad), std::nullopt) << '"' << bad << '"';
  EXPECT_EQ(ParseSiteKind(std::string_view("air\0", 4)), std::nullopt);
}

TEST(SiteKindTest, ASiteIsAnAirStationUntilSaidOtherwise) {
  EXPECT_EQ(Site{}.kind, SiteKind::kAir);
}

TEST(EnterpriseFieldsTest, KeyMediaAreStoredInOneOrder) {
  std::string bad;
  EXPECT_EQ(NormalizeKeyMedia("", &bad), "");
  EXPECT_EQ(NormalizeKeyMedia("air, water,air", &bad), "water,air");
  EXPECT_EQ(NormalizeKeyMedia("risk,soil,noise,air,water", &bad), "water,air,noise,soil,risk");
  EXPECT_EQ(NormalizeKeyMedia(" , ", &bad), "");
  EXPECT_EQ(NormalizeKeyMedia("water,Air", &bad), std::nullopt);
  EXPECT_EQ(bad, "Air");
}

TEST(EnterpriseFieldsTest, StatusesAreExact) {
  for (const char* s : kEnterpriseStatuses) EXPECT_TRUE(IsEnterpriseStatus(s)) << s;
  EXPECT_FALSE(IsEnterpriseStatus("Operating"));
  EXPECT_FALSE(IsEnterpriseStatus(""));
}

}  // namespace
}  // namespace ecohub::registry
