#include "casework/task.h"

#include <cmath>
#include <span>

#include "casework/complaint.h"
#include "casework/named.h"

namespace ecohub::casework {
namespace {

using named::ByCode;
using named::CodeOf;
using named::Named;
using named::NameOf;

constexpr Named<TaskSource> kSources[] = {
    {TaskSource::kComplaint, "complaint", "举报"},
    {TaskSource::kAlarm, "alarm", "告警"},
    {TaskSource::kPlan, "plan", "计划"},
    {TaskSource::kSupervision, "supervision", "督办"},
    {TaskSource::kManual, "manual", "自建"},
};

constexpr Named<TaskStatus> kStatuses[] = {
    {TaskStatus::kOpen, "open", "待派"},
    {TaskStatus::kAssigned, "assigned", "已派"},
    {TaskStatus::kSubmitted, "submitted", "待审核"},
    {TaskStatus::kReturned, "returned", "已退回"},
    {TaskStatus::kClosed, "closed", "已办结"},
    {TaskStatus::kCancelled, "cancelled", "已撤销"},
};

constexpr Named<TaskStep> kSteps[] = {
    {TaskStep::kCreate, "create", "创建"},     {TaskStep::kAssign, "assign", "派发"},
    {TaskStep::kSubmit, "submit", "提交"},     {TaskStep::kApprove, "approve", "审核通过"},
    {TaskStep::kReturn, "return", "退回"},     {TaskStep::kCancel, "cancel", "撤销"},
    {TaskStep::kEscalate, "escalate", "升级"}, {TaskStep::kNote, "note", "备注"},
};

bool InDegrees(const std::optional<double>& lon, const std::optional<double>& lat) {
  if (!lon && !lat) return true;
  return lon && lat && std::isfinite(*lon) && std::isfinite(*lat) && std::abs(*lon) <= 180 &&
         std::abs(*lat) <= 90;
}

Status Field(const char* name, const std::string& what) {
  return Status::InvalidInput(std::string(name) + ": " + what);
}

}  // namespace

std::string_view TaskSourceCode(TaskSource s) { return CodeOf(kSources, s); }
std::string_view TaskSourceName(TaskSource s) { return NameOf(kSources, s); }
std::optional<TaskSource> TaskSourceFromCode(std::string_view c) {
  return ByCode<TaskSource>(kSources, c);
}

std::string_view TaskStatusCode(TaskStatus s) { return CodeOf(kStatuses, s); }
std::string_view TaskStatusName(TaskStatus s) { return NameOf(kStatuses, s); }
std::optional<TaskStatus> TaskStatusFromCode(std::string_view c) {
  return ByCode<TaskStatus>(kStatuses, c);
}

std::string_view TaskStepCode(TaskStep s) { return CodeOf(kSteps, s); }
std::string_view TaskStepName(TaskStep s) { return NameOf(kSteps, s); }
std::optional<TaskStep> TaskStepFromCode(std::string_view c) { return ByCode<TaskStep>(kSteps, c); }

bool IsActive(TaskStatus s) {
  return s == TaskStatus::kOpen || s == TaskStatus::kAssigned || s == TaskStatus::kSubmitted ||
         s == TaskStatus::kReturned;
}

std::optional<std::string> RefuseTaskStep(const Task& t, TaskStep step) {
  auto from = [&](std::string_view allowed) {
    return std::string("不能从“") + std::string(TaskStatusName(t.status)) + "”" +
           std::string(TaskStepName(step)) + " (a " + std::string(TaskStatusCode(t.status)) +
           " task cannot be " + std::string(allowed) + ")";
  };
  switch (step) {
    case TaskStep::kCreate:
      return std::string("任务已存在 (the task exists already)");
    case TaskStep::kAssign:
      // Given again to someone else while the inspector still has it: allowed
      // until a record is submitted; the reviewer decides on a submitted one first.
      if (t.status == TaskStatus::kOpen || t.status == TaskStatus::kAssigned ||
          t.status == TaskStatus::kReturned)
        return std::nullopt;
      return from("assigned");
    case TaskStep::kSubmit:
      if (t.assignee == 0) return std::string("任务尚未派给巡查员 (nobody has the task yet)");
      if (t.status == TaskStatus::kAssigned || t.status == TaskStatus::kReturned)
        return std::nullopt;
      return from("submitted");
    case TaskStep::kApprove:
    case TaskStep::kReturn:
      if (t.status == TaskStatus::kSubmitted) return std::nullopt;
      return from(step == TaskStep::kApprove ? "approved; only a submitted one is"
                                             : "returned; only a submitted one is");
    case TaskStep::kCancel:
      if (IsActive(t.status)) return std::nullopt;
      return from("cancelled");
    case TaskStep::kEscalate:
      if (IsActive(t.status) && t.escalation != Escalation::kCity) return std::nullopt;
      return from("escalated");
    case TaskStep::kNote:
      return std::nullopt;
  }
  return std::string("unknown step");
}

TaskStatus StatusAfter(const Task& t, TaskStep step) {
  switch (step) {
    case TaskStep::kAssign:
      return TaskStatus::kAssigned;
    case TaskStep::kSubmit:
      return TaskStatus::kSubmitted;
    case TaskStep::kApprove:
      return TaskStatus::kClosed;
    case TaskStep::kReturn:
      return TaskStatus::kReturned;
    case TaskStep::kCancel:
      return TaskStatus::kCancelled;
    case TaskStep::kCreate:
    case TaskStep::kEscalate:
    case TaskStep::kNote:
      break;
  }
  return t.status;
}

Status CheckNewTask(const Task& t, UnixSeconds now) {
  size_t title = Characters(t.title);
  if (title < 2 || title > 100) return Field("title", "2-100 characters");
  if (Characters(t.description) > 2000) return Field("description", "at most 2000 characters");
  if (t.due_at <= now) return Field("due_at", "a time after now");
  if (t.due_at > now + 366 * kDaySeconds) return Field("due_at", "at most a year ahead");
  if (!InDegrees(t.lon, t.lat)) return Field("lon, lat", "both, in degrees");
  if (Characters(t.address) > 200) return Field("address", "at most 200 characters");
  if (t.checklist.size() > 50) return Field("checklist", "at most 50 lines");
  for (const auto& item : t.checklist) {
    size_t n = Characters(item.text);
    if (n < 1 || n > 200) return Field("checklist", "lines of 1-200 characters");
  }
  return Status::Ok();
}

Status CheckRecord(const Task& t, const FieldRecord& r, const std::vector<CheckItem>& checked) {
  size_t text = Characters(r.text);
  if (text < 2 || text > 2000) return Field("text", "2-2000 characters");
  if (!InDegrees(r.lon, r.lat)) return Field("lon, lat", "both, in degrees");
  if (checked.size() != t.checklist.size())
    return Field("checklist", "the task's " + std::to_string(t.checklist.size()) + " lines");
  for (size_t i = 0; i < checked.size(); ++i) {
    if (checked[i].text != t.checklist[i].text)
      return Field("checklist", "line " + std::to_string(i + 1) + " is not the task's");
    if (Characters(checked[i].finding) > 500)
      return Field("checklist", "findings of at most 500 characters");
  }
  return Status::Ok();
}

Escalation DueEscalation(const Task& t, UnixSeconds now, int64_t to_city) {
  if (!IsActive(t.status) || t.due_at == 0 || now < t.due_at) return t.escalation;
  Escalation due = now - t.due_at >= to_city ? Escalation::kCity : Escalation::kDistrict;
  return std::max(due, t.escalation);
}

}  // namespace ecohub::casework
