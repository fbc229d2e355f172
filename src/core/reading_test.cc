#include "core/reading.h"

#include <gtest/gtest.h>

namespace ecohub {

TEST(Decimal, RoundTripsExactText) {
  for (const char* s : {"0", "231.0", "0.000", "-1.5", "-0.0", "36.91", "999999999999999999",
                        "0.001", "-12", "75600.000"}) {
    auto d = Decimal::Parse(s);
    ASSERT_TRUE(d.has_value()) << s;
    EXPECT_EQ(d->ToString(), s);
  }
}

TEST(Decimal, NonPlainDecimalsStayText) {
  for (const char* s : {"", "-", "1e3", "+1", "007", "12.", ".5", "1.2.3", "abc",
                        "1234567890123456789", "0.1234567890123456"})
    EXPECT_FALSE(Decimal::Parse(s).has_value()) << s;
}

TEST(Period, CnMapping) {
  EXPECT_EQ(PeriodFromCn("2061"), Period::kHour);
  EXPECT_STREQ(PeriodCn(Period::kMinute), "2051");
  EXPECT_FALSE(PeriodFromCn("9014").has_value());
}

}  // namespace ecohub
