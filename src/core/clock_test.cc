#include "core/clock.h"

#include <gtest/gtest.h>

namespace ecohub {
namespace {

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock c(1'000'000);
  EXPECT_EQ(c.WallMillis(), 1'000'000);
  EXPECT_EQ(c.WallSeconds(), 1'000);
  double s0 = c.SteadySeconds();
  c.Advance(std::chrono::seconds(90));
  EXPECT_EQ(c.WallSeconds(), 1'090);
  EXPECT_DOUBLE_EQ(c.SteadySeconds() - s0, 90.0);
  // Setting the wall clock back (an NTP step) leaves steady time alone.
  c.SetWallSeconds(500);
  EXPECT_EQ(c.WallSeconds(), 500);
  EXPECT_DOUBLE_EQ(c.SteadySeconds() - s0, 90.0);
}

TEST(ClockTest, RealClockIsTheSystemClock) {
  const Clock& c = RealClock();
  int64_t before = WallMillis();
  int64_t now = c.WallMillis();
  EXPECT_GE(now, before);
  EXPECT_LT(now - before, 60'000);
  EXPECT_GT(c.SteadySeconds(), 0);
}

}  // namespace
}  // namespace ecohub
