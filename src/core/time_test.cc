#include "core/time.h"

#include <gtest/gtest.h>

namespace ecohub {

TEST(Time, CompactLocalRoundTrip) {
  // HJ 212 Appendix A: 2016-08-01 08:58:57 Beijing = 00:58:57 UTC.
  auto t = ParseCompactLocal("20160801085857");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, 1470013137);
  EXPECT_EQ(FormatCompactLocal(*t), "20160801085857");
  EXPECT_EQ(FormatRfc3339Beijing(*t), "2016-08-01T08:58:57+08:00");
}

TEST(Time, MillisecondsAccepted) {
  EXPECT_EQ(ParseCompactLocal("20160824003817000"), ParseCompactLocal("20160824003817"));
}

struct BadTime {
  const char* text;
};
class BadTimeTest : public testing::TestWithParam<BadTime> {};
TEST_P(BadTimeTest, Rejected) { EXPECT_FALSE(ParseCompactLocal(GetParam().text).has_value()); }
INSTANTIATE_TEST_SUITE_P(Table, BadTimeTest,
                         testing::Values(BadTime{""}, BadTime{"2016080108585"},
                                         BadTime{"20161301085857"}, BadTime{"20160230085857"},
                                         BadTime{"20160801245857"}, BadTime{"2016080108585x"},
                                         BadTime{"20150229000000"}));

TEST(Time, LeapDay) { EXPECT_TRUE(ParseCompactLocal("20160229000000").has_value()); }

TEST(Time, FloorBeijingDay) {
  auto t = *ParseCompactLocal("20261123013000");
  EXPECT_EQ(FormatCompactLocal(FloorBeijing(t, 86400)), "20261123000000");
  EXPECT_EQ(FormatCompactLocal(FloorBeijing(t, 3600)), "20261123010000");
}

TEST(Time, Qn) { EXPECT_EQ(FormatQn(1470013137223LL), "20160801085857223"); }

}  // namespace ecohub
