// Which permit is in force when, and which limit it sets.
#include "permit/validity.h"

#include <gtest/gtest.h>

#include <vector>

namespace ecohub::permit {
namespace {

constexpr UnixSeconds kJan1 = 1767196800;  // 2026-01-01 00:00 Beijing
constexpr UnixSeconds kDay = 86400;

Permit Make(int64_t id, const char* from, const char* to, double so2_limit) {
  Permit p;
  p.id = id;
  p.number = "P" + std::to_string(id);
  p.enterprise_id = 3;
  p.valid_from = from;
  p.valid_to = to;
  p.outlets = {{7, {{"a21026", so2_limit, std::nullopt, "mg/m3", "GB 13223-2011 表1"}}}};
  return p;
}

TEST(BeijingDayStart, OnlyRealDatesInTheirOneShape) {
  EXPECT_EQ(BeijingDayStart("2026-01-01"), kJan1);
  EXPECT_EQ(BeijingDayStart("2024-02-29"), 1709136000);
  for (const char* bad :
       {"2026-02-30", "2026-13-01", "2026-1-01", "20260101", "", "2026-01-0x", "2026-01-01T00"})
    EXPECT_FALSE(BeijingDayStart(bad)) << bad;
}

TEST(InForce, BothDaysIncludedInBeijingTime) {
  Permit p = Make(1, "2026-01-01", "2026-12-31", 35);
  EXPECT_FALSE(InForce(p, kJan1 - 1));
  EXPECT_TRUE(InForce(p, kJan1));
  UnixSeconds end = kJan1 + 365 * kDay;  // 2027-01-01 00:00 Beijing
  EXPECT_TRUE(InForce(p, end - 1));
  EXPECT_FALSE(InForce(p, end));
  EXPECT_STREQ(StateAt(p, kJan1 - 1), "pending");
  EXPECT_STREQ(StateAt(p, kJan1), "valid");
  EXPECT_STREQ(StateAt(p, end), "expired");
}

TEST(InForce, ARevokedPermitNeverIsAndBadDatesNeither) {
  Permit p = Make(1, "2026-01-01", "2026-12-31", 35);
  p.state = PermitState::kRevoked;
  EXPECT_FALSE(InForce(p, kJan1 + kDay));
  EXPECT_STREQ(StateAt(p, kJan1 + kDay), "revoked");
  Permit backwards = Make(2, "2026-12-31", "2026-01-01", 35);
  EXPECT_FALSE(InForce(backwards, kJan1 + kDay));
}

TEST(InForceFor, TheRenewalThatBeganLastWinsWhereTheyOverlap) {
  std::vector<Permit> permits = {Make(1, "2026-01-01", "2026-06-30", 50),
                                 Make(2, "2026-06-01", "2031-05-31", 35)};
  EXPECT_EQ(InForceFor(permits, 7, kJan1 + 10 * kDay)->id, 1);
  EXPECT_EQ(InForceFor(permits, 7, kJan1 + 160 * kDay)->id, 2);   // June: both; 2 began last
  EXPECT_EQ(InForceFor(permits, 8, kJan1 + 10 * kDay), nullptr);  // not an outlet of theirs
  EXPECT_EQ(InForceFor(permits, 7, kJan1 - 1), nullptr);
}

TEST(LimitAt, ThePermitInForceSetsTheLimitOfEachHour) {
  std::vector<Permit> permits = {Make(1, "2026-01-01", "2026-06-30", 50),
                                 Make(2, "2026-07-01", "2031-06-30", 35)};
  EXPECT_EQ(LimitAt(permits, 7, "a21026", kJan1 + 10 * kDay)->limit->value, 50);
  auto july = LimitAt(permits, 7, "a21026", kJan1 + 200 * kDay);
  ASSERT_TRUE(july);
  EXPECT_EQ(july->limit->value, 35);
  EXPECT_EQ(july->permit->number, "P2");
  EXPECT_FALSE(LimitAt(permits, 7, "a21002", kJan1 + 10 * kDay));  // no NOx limit there
  EXPECT_FALSE(LimitAt(permits, 7, "a21026", kJan1 - 1));
}

}  // namespace
}  // namespace ecohub::permit
