// The enterprise code (envcode.h): each rule's points and cap, the colours' bounds, the
// window, and the history computed from the same facts.
#include "casework/envcode.h"

#include <gtest/gtest.h>

namespace ecohub::casework {
namespace {

constexpr UnixSeconds kNow = 1796083200 + 12 * 3600;  // 2026-12-01 20:00 Beijing
constexpr int64_t kHour = 3600, kDay = 86400;

CodeFacts Permitted() {
  CodeFacts f;
  f.has_outlets = true;
  f.permits = {{kNow - 400 * kDay, kNow + 400 * kDay}};
  return f;
}

CodeAlarm Exceedance(UnixSeconds at, UnixSeconds ack = 0) {
  return {"exceedance", at, at + kHour, ack, 0};
}

int PointsOf(const EnvCode& c, const std::string& rule) {
  for (const auto& p : c.points)
    if (p.rule == rule) return p.points;
  ADD_FAILURE() << "no rule " << rule;
  return -1;
}

TEST(EnvCode, ACleanEnterpriseIsGreenWithEveryRuleExplained) {
  EnvCode c = ComputeCode(Permitted(), kNow);
  EXPECT_EQ(c.color, CodeColor::kGreen);
  EXPECT_EQ(c.score, 100);
  ASSERT_EQ(c.points.size(), 4u);
  for (const auto& p : c.points) {
    EXPECT_EQ(p.points, 0) << p.rule;
    EXPECT_FALSE(p.text.empty()) << p.rule;
  }
  EXPECT_EQ(c.to - c.from, 30 * kDay);
  EXPECT_EQ(CodeColorName(c.color), "绿码");
}

TEST(EnvCode, ExceedanceDaysCountOncePerBeijingDayUpToTheCap) {
  struct {
    std::vector<UnixSeconds> starts;
    int64_t days;
    int points;
    CodeColor color;
  } cases[] = {
      {{kNow - kHour}, 1, 10, CodeColor::kGreen},
      {{kNow - kHour, kNow - 2 * kHour, kNow - 3 * kHour}, 1, 10, CodeColor::kGreen},  // one day
      {{kNow - kHour, kNow - kDay}, 2, 20, CodeColor::kYellow},
      // 2026-12-01 00:30 and 2026-11-30 23:30 Beijing: two days, though 1 hour apart.
      {{1796056200, 1796052600}, 2, 20, CodeColor::kYellow},
      // 4 days: 60, the lowest yellow.
      {{kNow - 1 * kDay, kNow - 2 * kDay, kNow - 3 * kDay, kNow - 4 * kDay},
       4,
       40,
       CodeColor::kYellow},
      // 5 days: red whatever the score.
      {{kNow - 1 * kDay, kNow - 2 * kDay, kNow - 3 * kDay, kNow - 4 * kDay, kNow - 5 * kDay},
       5,
       50,
       CodeColor::kRed},
      // Outside the window, or after `at`: not counted.
      {{kNow - 31 * kDay, kNow + kHour}, 0, 0, CodeColor::kGreen},
  };
  for (const auto& c : cases) {
    CodeFacts f = Permitted();
    for (UnixSeconds t : c.starts) f.alarms.push_back(Exceedance(t, t + 60));
    EnvCode code = ComputeCode(f, kNow);
    EXPECT_EQ(code.points[0].count, c.days) << c.starts.front();
    EXPECT_EQ(PointsOf(code, "exceedance"), c.points) << c.starts.front();
    EXPECT_EQ(code.color, c.color) << c.starts.front() << " score " << code.score;
  }
  CodeFacts many = Permitted();
  for (int d = 0; d < 12; ++d) many.alarms.push_back(Exceedance(kNow - d * kDay - kHour, kNow));
  EXPECT_EQ(PointsOf(ComputeCode(many, kNow), "exceedance"), 60);  // the cap
}

TEST(EnvCode, OfflineHoursAreClippedToTheWindowAndCountInFours) {
  CodeFacts f = Permitted();
  f.alarms.push_back({"offline", kNow - 10 * kHour, kNow - 1 * kHour, kNow - 9 * kHour, 0});
  EnvCode c = ComputeCode(f, kNow);
  EXPECT_EQ(c.points[1].count, 9);
  EXPECT_EQ(PointsOf(c, "offline"), 2);
  // Still offline: counted up to `at`; begun before the window: from its start.
  f.alarms = {{"offline", kNow - 40 * kDay, std::nullopt, kNow - 40 * kDay, 0}};
  c = ComputeCode(f, kNow);
  EXPECT_EQ(c.points[1].count, 30 * 24);
  EXPECT_EQ(PointsOf(c, "offline"), 30);  // the cap
  EXPECT_EQ(c.score, 70);
  EXPECT_EQ(c.color, CodeColor::kYellow);
}

TEST(EnvCode, AlarmsUnansweredForADayCost5Each) {
  CodeFacts f = Permitted();
  f.alarms = {{"anomaly", kNow - 30 * kHour, std::nullopt, 0, 0},                  // unanswered
              {"anomaly", kNow - 30 * kHour, std::nullopt, kNow - 29 * kHour, 0},  // acknowledged
              {"anomaly", kNow - 30 * kHour, std::nullopt, 0, kNow - 2 * kHour},   // closed late
              {"anomaly", kNow - 10 * kHour, std::nullopt, 0, 0}};                 // not a day yet
  EnvCode c = ComputeCode(f, kNow);
  EXPECT_EQ(c.points[2].count, 1);
  EXPECT_EQ(PointsOf(c, "unanswered"), 5);
  // An hour before the late close, that one was unanswered too.
  EXPECT_EQ(ComputeCode(f, kNow - 3 * kHour).points[2].count, 2);
}

TEST(EnvCode, OutletsWithoutAValidPermitCost40) {
  CodeFacts f;
  f.has_outlets = true;
  EnvCode c = ComputeCode(f, kNow);
  EXPECT_EQ(PointsOf(c, "permit"), 40);
  EXPECT_EQ(c.color, CodeColor::kYellow);
  f.permits = {{kNow - 400 * kDay, kNow - kDay}};  // expired yesterday
  EXPECT_EQ(PointsOf(ComputeCode(f, kNow), "permit"), 40);
  EXPECT_EQ(PointsOf(ComputeCode(f, kNow - 2 * kDay), "permit"), 0);
  f.has_outlets = false;  // nothing to permit
  EXPECT_EQ(PointsOf(ComputeCode(f, kNow), "permit"), 0);
  f.has_outlets = true;
  f.permits_kept = false;  // the bureau keeps no permits here: not judged
  EXPECT_EQ(PointsOf(ComputeCode(f, kNow), "permit"), 0);
  f.permits_kept = true;
  // With exceedances on 2 days as well: 100 − 40 − 20 = 40, red.
  f.has_outlets = true;
  f.permits.clear();
  f.alarms = {Exceedance(kNow - kHour, kNow), Exceedance(kNow - kDay, kNow)};
  c = ComputeCode(f, kNow);
  EXPECT_EQ(c.score, 40);
  EXPECT_EQ(c.color, CodeColor::kRed);
}

TEST(EnvCode, TheHistoryIsTheCodeAtTheEndOfEachDay) {
  CodeFacts f = Permitted();
  for (int d = 1; d <= 5; ++d) f.alarms.push_back(Exceedance(kNow - d * kDay, kNow - d * kDay));
  auto h = CodeHistory(f, kNow, 40);
  ASSERT_EQ(h.size(), 40u);
  EXPECT_EQ(h.back().day, FloorBeijing(kNow, kDay));
  EXPECT_EQ(h.back().code.color, ComputeCode(f, kNow).color);
  EXPECT_EQ(h.back().code.color, CodeColor::kRed);
  EXPECT_EQ(h.front().code.color, CodeColor::kGreen);  // before any exceedance
  for (size_t i = 1; i < h.size(); ++i) EXPECT_EQ(h[i].day - h[i - 1].day, kDay);
  // Six days ago there had been none; five days ago, one.
  EXPECT_EQ(h[h.size() - 7].code.points[0].count, 0);
  EXPECT_EQ(h[h.size() - 6].code.points[0].count, 1);
}

}  // namespace
}  // namespace ecohub::casework
