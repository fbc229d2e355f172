// Grid tasks (网格化监管, docs/tasks.md): the work an inspector does in the field. A
// task comes from a complaint, an alarm, an inspection plan or a leader's 督办; it is
// given to an inspector of its grid, who goes, records what was found and submits;
// the district reviews it and closes it or sends it back. A task past its due time
// escalates, first to the district's head and then to the city. This file holds what
// a task is and the rules of its steps and escalation. Pure: no I/O; the store keeps
// tasks, the routes act on them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace ecohub::casework {

// Where a task came from; `source_ref` names the thing (a complaint's or alarm's id,
// a plan's code), empty for supervision and manual tasks.
enum class TaskSource {
  kComplaint,    // 举报: a complaint dispatched to the grid
  kAlarm,        // 告警: an exceedance or an offline device
  kPlan,         // 计划: an inspection plan or a random draw (双随机)
  kSupervision,  // 督办: ordered by a leader, with its own due time
  kManual,       // 自建: staff wrote it
};
std::string_view TaskSourceCode(TaskSource s);
std::string_view TaskSourceName(TaskSource s);  // 中文
std::optional<TaskSource> TaskSourceFromCode(std::string_view code);

enum class TaskStatus {
  kOpen,       // 待派: in its grid's (or district's) queue, nobody named yet
  kAssigned,   // 已派: an inspector has it
  kSubmitted,  // 待审核: the inspector recorded the visit and submitted it
  kReturned,   // 已退回: the reviewer sent it back to the inspector, with the reason
  kClosed,     // 已办结: the reviewer accepted the record
  kCancelled,  // 已撤销: no longer needed (the reason is on the time line)
};
std::string_view TaskStatusCode(TaskStatus s);
std::string_view TaskStatusName(TaskStatus s);  // 中文
std::optional<TaskStatus> TaskStatusFromCode(std::string_view code);
// Not yet ended: open, assigned, submitted or returned.
bool IsActive(TaskStatus s);

enum class TaskStep {
  kCreate,    // staff or a rule made it
  kAssign,    // staff: to an inspector (again, to another)
  kSubmit,    // the inspector: the field record
  kApprove,   // the reviewer: the record stands, the task is closed
  kReturn,    // the reviewer: not enough, back to the inspector
  kCancel,    // staff: no longer needed
  kEscalate,  // the system: past due, up one level
  kNote,      // anyone who may see it: a remark on the record
};
std::string_view TaskStepCode(TaskStep s);
std::string_view TaskStepName(TaskStep s);  // 中文
std::optional<TaskStep> TaskStepFromCode(std::string_view code);

// Who a past-due task has reached.
enum class Escalation {
  kNone = 0,
  kDistrict = 1,  // the district's head
  kCity = 2,      // the city
};

// One line of a task's checklist (检查要点) and what the inspector found on it.
struct CheckItem {
  std::string text;
  bool done = false;
  std::string finding;  // may be empty
  bool operator==(const CheckItem&) const = default;
};

// What the inspector recorded on the spot: text, where and when the phone was.
struct FieldRecord {
  std::string text;
  std::optional<double> lon, lat;
  UnixSeconds at = 0;  // 0: nothing recorded yet
  bool operator==(const FieldRecord&) const = default;
};

struct Task {
  int64_t id = 0;
  TaskSource source = TaskSource::kManual;
  std::string source_ref;
  std::string title, description;
  std::optional<double> lon, lat;  // where to go, when known
  std::string address;
  int64_t district_id = 0;
  int64_t grid_id = 0;   // 0: the district's queue, no grid
  int64_t assignee = 0;  // a user id; 0: nobody yet
  TaskStatus status = TaskStatus::kOpen;
  UnixSeconds created_at = 0, due_at = 0;
  Escalation escalation = Escalation::kNone;
  std::vector<CheckItem> checklist;
  FieldRecord record;
  int64_t version = 0;  // changes with every step (optimistic concurrency)
};

struct TaskEvent {
  int64_t task_id = 0;
  UnixSeconds at = 0;
  TaskStep step = TaskStep::kNote;
  std::string actor;  // "user:<id>" or "system"
  std::string text;
  int64_t id = 0;  // set by the store: the line's place in all time lines
};

// --- the steps --------------------------------------------------------------------

// Whether `step` may be taken on `t` now; the reason when not, in Chinese and English
// for a 409. Escalation is the system's (see DueEscalation), notes are always allowed.
std::optional<std::string> RefuseTaskStep(const Task& t, TaskStep step);

// The status after `step` (RefuseTaskStep said yes).
TaskStatus StatusAfter(const Task& t, TaskStep step);

// kInvalidInput naming the field: a title of 2..100 characters, a description of at
// most 2000, a due time after `now` and at most a year ahead, at most 50 checklist
// lines of 1..200 characters each, a location in degrees when given.
Status CheckNewTask(const Task& t, UnixSeconds now);

// kInvalidInput naming the field: a record's text of 2..2000 characters, a location
// in degrees when given, findings of at most 500 characters, and a checklist with the
// task's own lines (the inspector marks them, does not rewrite them).
Status CheckRecord(const Task& t, const FieldRecord& r, const std::vector<CheckItem>& checked);

// --- escalation -------------------------------------------------------------------

// The level an active task should have reached at `now`: the district's head once
// it is past due, the city once it is `to_city` seconds past due; none for a task
// that ended or has no due time. Never lower than the level it has (escalation is
// not taken back when a due time moves).
Escalation DueEscalation(const Task& t, UnixSeconds now, int64_t to_city);

// 24 hours: how long past due a task waits at the district before the city is told.
inline constexpr int64_t kToCitySeconds = 24 * 3600;

}  // namespace ecohub::casework
