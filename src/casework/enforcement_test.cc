// Enforcement cases (enforcement.h): the record's checks, and each step allowed or
// refused by the case's state, with the state after it.
#include "casework/enforcement.h"

#include <gtest/gtest.h>

namespace ecohub::casework {
namespace {

constexpr UnixSeconds kNow = 1796083200;
constexpr int64_t kDay = 86400;

EnforcementCase Record(bool violation) {
  EnforcementCase c;
  c.enterprise_id = 7;
  c.district_id = 3;
  c.inspected_at = kNow - 3600;
  c.officers = {11, 12};
  c.items = {{"排污许可证执行情况", true, ""}, {"污染防治设施运行", !violation, "除尘器停运"}};
  c.findings = "现场检查发现除尘设施未运行";
  c.violation = violation;
  if (violation) {
    c.violation_text = "未正常运行大气污染防治设施";
    c.legal_basis = "《中华人民共和国大气污染防治法》第一百零八条";
  }
  c.status = OpeningStatus(c);
  return c;
}

TEST(EnforcementRecord, AGoodRecordPassesAndBadOnesNameTheField) {
  EXPECT_TRUE(CheckRecord(Record(true), kNow).ok());
  EXPECT_TRUE(CheckRecord(Record(false), kNow).ok());
  struct {
    const char* why;
    void (*spoil)(EnforcementCase&);
    const char* field;
  } cases[] = {
      {"one officer", [](EnforcementCase& c) { c.officers = {11}; }, "officers"},
      {"the same officer twice",
       [](EnforcementCase& c) {
         c.officers = {11, 11};
       },
       "officers"},
      {"in the future", [](EnforcementCase& c) { c.inspected_at = kNow + 60; }, "inspected_at"},
      {"two years ago", [](EnforcementCase& c) { c.inspected_at = kNow - 730 * kDay; },
       "inspected_at"},
      {"no checklist", [](EnforcementCase& c) { c.items.clear(); }, "items"},
      {"an empty line", [](EnforcementCase& c) { c.items[0].text.clear(); }, "items"},
      {"no findings", [](EnforcementCase& c) { c.findings = "x"; }, "findings"},
      {"a bad line without a violation", [](EnforcementCase& c) { c.violation = false; },
       "violation"},
      {"a violation without facts", [](EnforcementCase& c) { c.violation_text.clear(); },
       "violation_text"},
      {"a violation without a basis", [](EnforcementCase& c) { c.legal_basis.clear(); },
       "legal_basis"},
  };
  for (const auto& c : cases) {
    EnforcementCase e = Record(true);
    c.spoil(e);
    Status s = CheckRecord(e, kNow);
    EXPECT_EQ(s.code(), Code::kInvalidInput) << c.why;
    EXPECT_EQ(s.message().rfind(c.field, 0), 0u) << c.why << ": " << s.message();
  }
  EXPECT_EQ(OpeningStatus(Record(true)), CaseStatus::kViolation);
  EXPECT_EQ(OpeningStatus(Record(false)), CaseStatus::kCompliant);
}

// Takes `step` on `c` or fails the test with the refusal.
EnforcementCase Take(const EnforcementCase& c, CaseStep step, const CaseStepInput& in,
                     UnixSeconds now = kNow) {
  auto refused = RefuseCaseStep(c, step, in, now);
  EXPECT_FALSE(refused) << CaseStepCode(step) << ": " << refused.value_or("");
  return AfterCaseStep(c, step, in, now);
}

TEST(EnforcementSteps, AViolationGoesThroughPenaltyPaymentRectificationToClose) {
  EnforcementCase c = Record(true);
  EXPECT_TRUE(RefuseCaseStep(c, CaseStep::kClose, {}, kNow)) << "nothing decided yet";
  c = Take(c, CaseStep::kPenalty, {.decision_no = "京环罚〔2026〕12号", .fine_fen = 10'000'000});
  EXPECT_EQ(c.decided_at, kNow);
  EXPECT_TRUE(RefuseCaseStep(c, CaseStep::kPenalty, {.decision_no = "x2", .fine_fen = 1}, kNow))
      << "one penalty";
  EXPECT_TRUE(RefuseCaseStep(c, CaseStep::kClose, {}, kNow)) << "the fine is unpaid";
  c = Take(c, CaseStep::kOrder, {.text = "三十日内恢复除尘设施运行", .at = kNow + 30 * kDay});
  EXPECT_EQ(c.status, CaseStatus::kRectifying);
  EXPECT_FALSE(RectificationOverdue(c, kNow + 30 * kDay));
  EXPECT_TRUE(RectificationOverdue(c, kNow + 30 * kDay + 1));
  EXPECT_TRUE(RefuseCaseStep(c, CaseStep::kOrder, {.text = "再次", .at = kNow + 40 * kDay}, kNow))
      << "not before the deadline";
  // A failed check leaves it rectifying; once overdue, a new deadline may be set.
  c = Take(c, CaseStep::kCheck, {.text = "设施仍未运行", .passed = false}, kNow + 31 * kDay);
  EXPECT_EQ(c.status, CaseStatus::kRectifying);
  c = Take(c, CaseStep::kOrder, {.text = "十日内整改到位", .at = kNow + 41 * kDay},
           kNow + 31 * kDay);
  c = Take(c, CaseStep::kCheck, {.text = "设施已恢复运行", .passed = true}, kNow + 35 * kDay);
  EXPECT_EQ(c.status, CaseStatus::kViolation);
  EXPECT_EQ(c.rectified_at, kNow + 35 * kDay);
  EXPECT_TRUE(RefuseCaseStep(c, CaseStep::kClose, {}, kNow + 35 * kDay)) << "still unpaid";
  EXPECT_TRUE(RefuseCaseStep(c, CaseStep::kPayment, {.at = kNow - kDay}, kNow + 36 * kDay))
      << "paid before the decision";
  c = Take(c, CaseStep::kPayment, {.at = kNow + 36 * kDay}, kNow + 36 * kDay);
  EXPECT_TRUE(RefuseCaseStep(c, CaseStep::kPayment, {.at = kNow + 36 * kDay}, kNow + 37 * kDay));
  c = Take(c, CaseStep::kClose, {}, kNow + 37 * kDay);
  EXPECT_EQ(c.status, CaseStatus::kClosed);
  EXPECT_TRUE(RefuseCaseStep(c, CaseStep::kOrder, {.text = "再次", .at = kNow + 90 * kDay},
                             kNow + 38 * kDay))
      << "closed";
}

TEST(EnforcementSteps, ACompliantInspectionClosesAtOnceAndTakesNoPenalty) {
  EnforcementCase c = Record(false);
  EXPECT_TRUE(
      RefuseCaseStep(c, CaseStep::kPenalty, {.decision_no = "京环罚1", .fine_fen = 1}, kNow));
  EXPECT_TRUE(RefuseCaseStep(c, CaseStep::kOrder, {.text = "整改", .at = kNow + kDay}, kNow));
  EXPECT_TRUE(RefuseCaseStep(c, CaseStep::kCheck, {.text = "复查"}, kNow));
  c = Take(c, CaseStep::kClose, {});
  EXPECT_EQ(c.status, CaseStatus::kClosed);
}

TEST(EnforcementSteps, BadStepInputIsRefused) {
  EnforcementCase c = Record(true);
  struct {
    CaseStep step;
    CaseStepInput in;
  } cases[] = {
      {CaseStep::kPenalty, {.decision_no = "", .fine_fen = 100}},
      {CaseStep::kPenalty, {.decision_no = "京环罚1", .fine_fen = -1}},
      {CaseStep::kPenalty, {.decision_no = "京环罚1", .fine_fen = 100'000'000LL * 100 + 1}},
      {CaseStep::kPayment, {.at = kNow}},  // nothing decided
      {CaseStep::kOrder, {.text = "整改", .at = kNow}},
      {CaseStep::kOrder, {.text = "整改", .at = kNow + 400 * kDay}},
      {CaseStep::kOrder, {.text = "", .at = kNow + kDay}},
      {CaseStep::kCheck, {.text = "复查"}},  // nothing ordered
      {CaseStep::kNote, {.text = ""}},
      {CaseStep::kRecord, {}},
  };
  for (const auto& x : cases)
    EXPECT_TRUE(RefuseCaseStep(c, x.step, x.in, kNow)) << CaseStepCode(x.step);
  // A penalty without a fine (a warning, 警告) needs no payment before closing.
  c = Take(c, CaseStep::kPenalty, {.decision_no = "京环罚〔2026〕13号", .fine_fen = 0});
  EXPECT_TRUE(RefuseCaseStep(c, CaseStep::kPayment, {.at = kNow}, kNow));
  EXPECT_FALSE(RefuseCaseStep(c, CaseStep::kClose, {}, kNow));
}

TEST(EnforcementNames, CodesAndNamesGoBothWays) {
  for (auto s : {CaseStatus::kCompliant, CaseStatus::kViolation, CaseStatus::kRectifying,
                 CaseStatus::kClosed}) {
    EXPECT_EQ(CaseStatusFromCode(CaseStatusCode(s)), s);
    EXPECT_FALSE(CaseStatusName(s).empty());
  }
  for (auto s : {CaseStep::kRecord, CaseStep::kPenalty, CaseStep::kPayment, CaseStep::kOrder,
                 CaseStep::kCheck, CaseStep::kClose, CaseStep::kNote})
    EXPECT_EQ(CaseStepFromCode(CaseStepCode(s)), s);
  EXPECT_FALSE(CaseStepFromCode("bogus"));
}

}  // namespace
}  // namespace ecohub::casework
