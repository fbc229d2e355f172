#include "standards/exact.h"

#include <gtest/gtest.h>

namespace ecohub::standards {
namespace {

std::string R(double v, int digits) {
  return RoundGbt8170(*DecimalFromDouble(v), digits).ToString();
}

TEST(Exact, ShortestDecimalOfADouble) {
  EXPECT_EQ(DecimalFromDouble(4.05)->ToString(), "4.05");
  EXPECT_EQ(DecimalFromDouble(0.00005)->ToString(), "0.00005");
  EXPECT_EQ(DecimalFromDouble(87)->ToString(), "87");
  EXPECT_FALSE(DecimalFromDouble(1e300));
  EXPECT_FALSE(DecimalFromDouble(std::numeric_limits<double>::quiet_NaN()));
}

TEST(Exact, DecimalNearKeepsWhatFits) {
  EXPECT_EQ(DecimalNear(0.1 + 0.2)->ToString(), "0.3");
  EXPECT_EQ(DecimalNear(4.05)->ToString(), "4.05");
  EXPECT_EQ(DecimalNear(123456.1234567891234)->ToString(), "123456.12345678912");
  EXPECT_EQ(DecimalNear(0.1234567890123456789)->ToString(), "0.123456789012346");
  EXPECT_EQ(DecimalNear(1e-20)->ToString(), "0");
  EXPECT_FALSE(DecimalNear(1e19));
}

TEST(Exact, Gbt8170HalfToEven) {
  // GB/T 8170 四舍六入五成双: an exact half goes to the even digit, more rounds up.
  EXPECT_EQ(R(74.5, 0), "74");
  EXPECT_EQ(R(75.5, 0), "76");
  EXPECT_EQ(R(74.51, 0), "75");
  EXPECT_EQ(R(4.05, 1), "4.0");
  EXPECT_EQ(R(4.15, 1), "4.2");
  EXPECT_EQ(R(4.25, 1), "4.2");
  EXPECT_EQ(R(4.35, 1), "4.4");
  EXPECT_EQ(R(4.349, 1), "4.3");
  EXPECT_EQ(R(-2.5, 0), "-2");
  EXPECT_EQ(R(12, 1), "12");  // already short enough: unchanged
}

TEST(Exact, RatioAndCeiling) {
  EXPECT_EQ(RoundRatio(13, 40, 2).ToString(), "0.32");  // 0.325 -> even
  EXPECT_EQ(RoundRatio(9, 40, 2).ToString(), "0.22");   // 0.225
  EXPECT_EQ(RoundRatio(2, 3, 2).ToString(), "0.67");
  EXPECT_EQ(RoundRatio(-1, 8, 2).ToString(), "-0.12");
  EXPECT_EQ(CeilDiv(225, 4), 57);
  EXPECT_EQ(CeilDiv(220, 4), 55);
  EXPECT_EQ(Compare(*Decimal::Parse("0.20"), *Decimal::Parse("0.2")), 0);
  EXPECT_LT(Compare(*Decimal::Parse("0.1999"), *Decimal::Parse("0.2")), 0);
}

}  // namespace
}  // namespace ecohub::standards
