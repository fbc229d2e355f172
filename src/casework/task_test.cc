#include "casework/task.h"

#include <gtest/gtest.h>

namespace ecohub::casework {
namespace {

constexpr UnixSeconds kNow = 1'780'000'000;

Task WithStatus(TaskStatus s, int64_t assignee = 7) {
  Task t;
  t.id = 1;
  t.status = s;
  t.assignee = assignee;
  t.due_at = kNow + 3600;
  return t;
}

TEST(TaskCodes, RoundTripAndUnknown) {
  for (auto s : {TaskSource::kComplaint, TaskSource::kAlarm, TaskSource::kPlan,
                 TaskSource::kSupervision, TaskSource::kManual})
    EXPECT_EQ(TaskSourceFromCode(TaskSourceCode(s)), s);
  for (auto s : {TaskStatus::kOpen, TaskStatus::kAssigned, TaskStatus::kSubmitted,
                 TaskStatus::kReturned, TaskStatus::kClosed, TaskStatus::kCancelled}) {
    EXPECT_EQ(TaskStatusFromCode(TaskStatusCode(s)), s);
    EXPECT_FALSE(TaskStatusName(s).empty());
  }
  for (auto s : {TaskStep::kCreate, TaskStep::kAssign, TaskStep::kSubmit, TaskStep::kApprove,
                 TaskStep::kReturn, TaskStep::kCancel, TaskStep::kEscalate, TaskStep::kNote})
    EXPECT_EQ(TaskStepFromCode(TaskStepCode(s)), s);
  EXPECT_EQ(TaskStatusFromCode("Open"), std::nullopt);
  EXPECT_EQ(TaskSourceFromCode(""), std::nullopt);
  EXPECT_EQ(TaskStepFromCode("close"), std::nullopt);
  EXPECT_EQ(TaskSourceName(TaskSource::kSupervision), "督办");
}

TEST(TaskSteps, WhichStepFromWhichStatus) {
  using S = TaskStatus;
  using P = TaskStep;
  // Every (status, step): allowed or not, and the status after.
  struct Row {
    S from;
    P step;
    bool allowed;
    S after;
  };
  const Row rows[] = {
      {S::kOpen, P::kAssign, true, S::kAssigned},
      {S::kAssigned, P::kAssign, true, S::kAssigned},  // to someone else
      {S::kReturned, P::kAssign, true, S::kAssigned},
      {S::kSubmitted, P::kAssign, false, S::kSubmitted},
      {S::kClosed, P::kAssign, false, S::kClosed},
      {S::kAssigned, P::kSubmit, true, S::kSubmitted},
      {S::kReturned, P::kSubmit, true, S::kSubmitted},
      {S::kOpen, P::kSubmit, false, S::kOpen},
      {S::kSubmitted, P::kSubmit, false, S::kSubmitted},
      {S::kSubmitted, P::kApprove, true, S::kClosed},
      {S::kSubmitted, P::kReturn, true, S::kReturned},
      {S::kAssigned, P::kApprove, false, S::kAssigned},
      {S::kReturned, P::kReturn, false, S::kReturned},
      {S::kOpen, P::kCancel, true, S::kCancelled},
      {S::kSubmitted, P::kCancel, true, S::kCancelled},
      {S::kClosed, P::kCancel, false, S::kClosed},
      {S::kCancelled, P::kCancel, false, S::kCancelled},
      {S::kClosed, P::kNote, true, S::kClosed},
      {S::kAssigned, P::kEscalate, true, S::kAssigned},
      {S::kClosed, P::kEscalate, false, S::kClosed},
      {S::kOpen, P::kCreate, false, S::kOpen},
  };
  for (const auto& r : rows) {
    Task t = WithStatus(r.from);
    auto refused = RefuseTaskStep(t, r.step);
    EXPECT_EQ(!refused.has_value(), r.allowed)
        << TaskStatusCode(r.from) << " " << TaskStepCode(r.step) << ": " << refused.value_or("");
    if (r.allowed) {
      EXPECT_EQ(StatusAfter(t, r.step), r.after) << TaskStepCode(r.step);
    }
  }
  // The reason names the status in both languages.
  auto why = RefuseTaskStep(WithStatus(S::kClosed), P::kSubmit);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("已办结"), std::string::npos);
  EXPECT_NE(why->find("a closed task cannot be submitted"), std::string::npos);
  // Nobody has it: nobody can submit it.
  EXPECT_TRUE(RefuseTaskStep(WithStatus(S::kAssigned, 0), P::kSubmit));
  // The city is as high as it goes.
  Task top = WithStatus(S::kAssigned);
  top.escalation = Escalation::kCity;
  EXPECT_TRUE(RefuseTaskStep(top, P::kEscalate));
}

TEST(TaskEscalation, DistrictAtTheDueTimeCityADayLater) {
  Task t = WithStatus(TaskStatus::kAssigned);
  const int64_t day = kToCitySeconds;
  struct Row {
    int64_t after_due;
    Escalation want;
  };
  const Row rows[] = {{-1, Escalation::kNone},
                      {0, Escalation::kDistrict},
                      {day - 1, Escalation::kDistrict},
                      {day, Escalation::kCity},
                      {10 * day, Escalation::kCity}};
  for (const auto& r : rows)
    EXPECT_EQ(DueEscalation(t, t.due_at + r.after_due, day), r.want) << r.after_due;
  // Ended tasks and tasks without a due time stay where they are.
  for (auto s : {TaskStatus::kClosed, TaskStatus::kCancelled})
    EXPECT_EQ(DueEscalation(WithStatus(s), t.due_at + day, day), Escalation::kNone);
  Task undated = WithStatus(TaskStatus::kOpen);
  undated.due_at = 0;
  EXPECT_EQ(DueEscalation(undated, kNow, day), Escalation::kNone);
  // A due time moved later does not take an escalation back.
  Task moved = WithStatus(TaskStatus::kReturned);
  moved.escalation = Escalation::kCity;
  EXPECT_EQ(DueEscalation(moved, moved.due_at - 10, day), Escalation::kCity);
  moved.escalation = Escalation::kDistrict;
  EXPECT_EQ(DueEscalation(moved, moved.due_at + day, day), Escalation::kCity);
  // A submitted task waits on the reviewer: its lateness still climbs.
  EXPECT_EQ(DueEscalation(WithStatus(TaskStatus::kSubmitted), t.due_at + 5, day),
            Escalation::kDistrict);
}

TEST(TaskChecks, NewTaskFieldsAreNamed) {
  auto base = [] {
    Task t;
    t.title = "核查黑烟";
    t.due_at = kNow + 86400;
    t.checklist = {{"烟囱是否冒黑烟", false, ""}};
    return t;
  };
  EXPECT_TRUE(CheckNewTask(base(), kNow).ok());
  struct Row {
    void (*change)(Task*);
    const char* field;
  };
  const Row rows[] = {
      {[](Task* t) { t->title = "x"; }, "title"},
      {[](Task* t) { t->title = std::string(101 * 3, '\xe5'); }, "title"},
      {[](Task* t) { t->description = std::string(2001, 'a'); }, "description"},
      {[](Task* t) { t->due_at = kNow; }, "due_at"},
      {[](Task* t) { t->due_at = kNow + 400 * 86400; }, "due_at"},
      {[](Task* t) { t->lon = 116.4; }, "lon, lat"},
      {[](Task* t) { t->lon = 200, t->lat = 39.9; }, "lon, lat"},
      {[](Task* t) {
         t->checklist.push_back({"", false, ""});
       },
       "checklist"},
      {[](Task* t) {
         t->checklist.assign(51, {"a", false, ""});
       },
       "checklist"},
  };
  for (const auto& r : rows) {
    Task t = base();
    r.change(&t);
    Status s = CheckNewTask(t, kNow);
    EXPECT_EQ(s.code(), Code::kInvalidInput) << r.field;
    EXPECT_EQ(s.message().rfind(r.field, 0), 0u) << s.message();
  }
}

TEST(TaskChecks, TheRecordKeepsTheTasksChecklist) {
  Task t = WithStatus(TaskStatus::kAssigned);
  t.checklist = {{"一", false, ""}, {"二", false, ""}};
  FieldRecord r{"现场无异常", 116.4, 39.9, kNow};
  std::vector<CheckItem> checked = {{"一", true, "正常"}, {"二", false, ""}};
  EXPECT_TRUE(CheckRecord(t, r, checked).ok());
  EXPECT_EQ(CheckRecord(t, r, {checked[0]}).code(), Code::kInvalidInput);
  auto rewritten = checked;
  rewritten[1].text = "三";
  EXPECT_NE(CheckRecord(t, r, rewritten).message().find("line 2"), std::string::npos);
  FieldRecord short_text{"无", std::nullopt, std::nullopt, kNow};
  EXPECT_EQ(CheckRecord(t, short_text, checked).message().rfind("text", 0), 0u);
  FieldRecord half_place{"现场无异常", 116.4, std::nullopt, kNow};
  EXPECT_EQ(CheckRecord(t, half_place, checked).message().rfind("lon, lat", 0), 0u);
}

}  // namespace
}  // namespace ecohub::casework
