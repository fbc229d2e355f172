#include "core/time.h"

#include <gtest/gtest.h>

#include "core/parse_time.h"

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

// ParseDateTime: the forms of people, files and partner systems, one parser for all.
TEST(Time, ParseDateTimeForms) {
  constexpr UnixSeconds kMar1 = 1772294400;  // 2026-03-01 00:00 Beijing
  constexpr int64_t kBj = kBeijingOffsetSeconds;
  struct Case {
    const char* text;
    std::optional<int64_t> default_offset;
    std::optional<UnixSeconds> want;
  } cases[] = {
      {"2026-03-01 08:00", kBj, kMar1 + 8 * 3600},
      {"2026-03-01 08:00:00", kBj, kMar1 + 8 * 3600},
      {"2026-03-01T08:00", kBj, kMar1 + 8 * 3600},
      {"2026-03-01t08", kBj, kMar1 + 8 * 3600},
      {"2026/3/1 8:00", kBj, kMar1 + 8 * 3600},
      {"20260301 08:00", kBj, kMar1 + 8 * 3600},
      {"2026-03-01", kBj, kMar1},
      {"2026-03-01", 0, kMar1 + 8 * 3600},
      {"2026-03-01T08:00:00+08:00", kBj, kMar1 + 8 * 3600},
      {"2026-03-01T08:00:00+08:00", std::nullopt, kMar1 + 8 * 3600},
      {"2026-03-01T00:00:00Z", kBj, kMar1 + 8 * 3600},
      {"2026-03-01T00:00:00.5z", std::nullopt, kMar1 + 8 * 3600},
      {"2026-03-01T00:00:00.123456789Z", kBj, kMar1 + 8 * 3600},
      {"2026-03-01T08:00:00-05:00", kBj, kMar1 + 21 * 3600},
      {"2026-03-01T08:00:00 08:00", kBj, kMar1 + 8 * 3600},
      {"2026-03-01T08:00:00", std::nullopt, std::nullopt},  // an offset is required
      {"2026-03-01", std::nullopt, std::nullopt},
      {"2026-03-01+08:00", kBj, std::nullopt},
      {"2026-02-29 08:00", kBj, std::nullopt},
      {"2024-02-29 08:00", kBj, 1709164800},
      {"2026-03-01 24:00", kBj, std::nullopt},
      {"2026-03-01 08:60", kBj, std::nullopt},
      {"2026-03-01 08:00:60", kBj, std::nullopt},
      {"2026-03-01T08:00:00+8", kBj, std::nullopt},
      {"2026-03-01T08:00:00+0800", kBj, std::nullopt},
      {"2026-03-01T08:00:00+24:00", kBj, std::nullopt},
      {"2026-03-01T08:00:00.0000000000Z", kBj, std::nullopt},
      {"2026-03-01T08:00:00.Z", kBj, std::nullopt},
      {"2026-03-01T08:00:00Z ", kBj, std::nullopt},
      {"2026-03/01", kBj, std::nullopt},
      {"01/03/2026 08:00", kBj, std::nullopt},
      {"1969-12-31 23:00", kBj, std::nullopt},
      {"20260301080000", kBj, std::nullopt},
      {"", kBj, std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(ParseDateTime(c.text, c.default_offset), c.want) << c.text;
}

TEST(Time, Qn) { EXPECT_EQ(FormatQn(1470013137223LL), "20160801085857223"); }

}  // namespace ecohub
