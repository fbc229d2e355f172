// The SQL both task stores run: one text for SQLite and PostgreSQL, written as
// complaint_sql.h is ($1, $2... in order of first use; CAST(... AS BIGINT)).
#pragma once

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "casework/task.h"
#include "casework/task_store.h"
#include "store/json_columns.h"

namespace ecohub::casework::sql {

#define TASK_COLUMNS                                                                       \
  "id, source, source_ref, title, description, lon, lat, address, district_id, grid_id, "  \
  "assignee, status, created_at, due_at, escalation, checklist, record_text, record_lon, " \
  "record_lat, record_at, version"
#define TASK_ACTIVE "('open', 'assigned', 'submitted', 'returned')"

inline constexpr const char* kInsertTask =
    "INSERT INTO tasks (source, source_ref, title, description, lon, lat, address, district_id, "
    "grid_id, assignee, status, created_at, due_at, escalation, checklist, record_text, "
    "record_lon, record_lat, record_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
    "$11, $12, $13, $14, $15, $16, $17, $18, $19, 1) RETURNING id";
inline constexpr const char* kInsertTaskEvent =
    "INSERT INTO task_events (task_id, at, step, actor, text) VALUES ($1, $2, $3, $4, $5)";
inline constexpr const char* kUpdateTask =
    "UPDATE tasks SET title = $1, description = $2, lon = $3, lat = $4, address = $5, "
    "district_id = $6, grid_id = $7, assignee = $8, status = $9, due_at = $10, escalation = $11, "
    "checklist = $12, record_text = $13, record_lon = $14, record_lat = $15, record_at = $16, "
    "version = version + 1 WHERE id = $17 AND version = $18";
inline constexpr const char* kTaskById = "SELECT " TASK_COLUMNS " FROM tasks WHERE id = $1";
inline constexpr const char* kListTasks =
    "SELECT " TASK_COLUMNS
    " FROM tasks WHERE id < $1 AND ($2 = '' OR status = $2) AND (CAST($3 AS BIGINT) = 0 OR "
    "status IN " TASK_ACTIVE
    ") AND (CAST($4 AS BIGINT) < 0 OR district_id = $4) AND "
    "(CAST($5 AS BIGINT) < 0 OR grid_id = $5) AND (CAST($6 AS BIGINT) = 0 OR assignee = $6) AND "
    "(CAST($7 AS BIGINT) = 0 OR (status IN " TASK_ACTIVE
    " AND due_at <= $7)) AND "
    "escalation >= $8 AND ($9 = '' OR (source = $9 AND source_ref = $10)) "
    "ORDER BY id DESC LIMIT $11";
inline constexpr const char* kTaskEvents =
    "SELECT task_id, at, step, actor, text, id FROM task_events WHERE task_id = $1 ORDER BY id";
inline constexpr const char* kStepsAfter =
    "SELECT task_id, at, step, actor, text, id FROM task_events WHERE id > $1 ORDER BY id "
    "LIMIT $2";

#define GRID_COLUMNS "id, district_id, code, name, geojson, inspectors, active, version"
inline constexpr const char* kInsertGrid =
    "INSERT INTO grids (district_id, code, name, geojson, inspectors, active, version) "
    "VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id";
inline constexpr const char* kUpdateGrid =
    "UPDATE grids SET district_id = $1, code = $2, name = $3, geojson = $4, inspectors = $5, "
    "active = $6, version = version + 1 WHERE id = $7 AND version = $8";
inline constexpr const char* kGridById = "SELECT " GRID_COLUMNS " FROM grids WHERE id = $1";
inline constexpr const char* kGrids =
    "SELECT " GRID_COLUMNS " FROM grids ORDER BY district_id, code";
#undef GRID_COLUMNS
#undef TASK_ACTIVE
#undef TASK_COLUMNS

#define DRAW_COLUMNS \
  "id, title, district_id, input, result, actor, created_at, published_at, due_at, version"
inline constexpr const char* kInsertDraw =
    "INSERT INTO draws (title, district_id, input, result, actor, created_at, published_at, "
    "due_at, version) VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 1) RETURNING id";
inline constexpr const char* kDrawById = "SELECT " DRAW_COLUMNS " FROM draws WHERE id = $1";
inline constexpr const char* kDraws =
    "SELECT " DRAW_COLUMNS
    " FROM draws WHERE id < $1 AND (CAST($2 AS BIGINT) = 0 OR published_at > 0) "
    "ORDER BY id DESC LIMIT $3";
inline constexpr const char* kPublishDraw =
    "UPDATE draws SET published_at = $1, due_at = $2, version = version + 1 "
    "WHERE id = $3 AND version = $4 AND published_at = 0";
#undef DRAW_COLUMNS

inline constexpr const char* kTaskTables[] = {"grids", "tasks", "task_events", "draws"};

// The checklist as stored: a JSON array of {"text", "done", "finding"}.
inline std::string ChecklistJson(const std::vector<CheckItem>& items) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& i : items)
    a.push_back({{"text", i.text}, {"done", i.done}, {"finding", i.finding}});
  return a.dump();
}

// A stored checklist; empty for text that is not one (never written by the stores).
inline std::vector<CheckItem> ChecklistFromJson(const std::string& text) {
  std::vector<CheckItem> out;
  nlohmann::json a = nlohmann::json::parse(text, nullptr, false);
  if (!a.is_array()) return out;
  for (const auto& i : a) {
    if (!i.is_object()) continue;
    out.push_back({i.value("text", ""), i.value("done", false), i.value("finding", "")});
  }
  return out;
}

inline std::string IdsJson(const std::vector<int64_t>& ids) { return nlohmann::json(ids).dump(); }

// A task from a row of TASK_COLUMNS, read through an accessor with Int(c), Text(c),
// OptReal(c).
template <typename Row>
Task ReadTask(const Row& r) {
  Task t;
  t.id = r.Int(0);
  t.source = TaskSourceFromCode(r.Text(1)).value_or(TaskSource::kManual);
  t.source_ref = r.Text(2);
  t.title = r.Text(3);
  t.description = r.Text(4);
  t.lon = r.OptReal(5);
  t.lat = r.OptReal(6);
  t.address = r.Text(7);
  t.district_id = r.Int(8);
  t.grid_id = r.Int(9);
  t.assignee = r.Int(10);
  t.status = TaskStatusFromCode(r.Text(11)).value_or(TaskStatus::kOpen);
  t.created_at = r.Int(12);
  t.due_at = r.Int(13);
  t.escalation = static_cast<Escalation>(std::clamp<int64_t>(r.Int(14), 0, 2));
  t.checklist = ChecklistFromJson(r.Text(15));
  t.record = {r.Text(16), r.OptReal(17), r.OptReal(18), r.Int(19)};
  t.version = r.Int(20);
  return t;
}

template <typename Row>
TaskEvent ReadTaskEvent(const Row& r) {
  return {r.Int(0),  r.Int(1),  TaskStepFromCode(r.Text(2)).value_or(TaskStep::kNote),
          r.Text(3), r.Text(4), r.Int(5)};
}

template <typename Row>
Grid ReadGrid(const Row& r) {
  return {r.Int(0),      r.Int(1),  r.Text(2),
          r.Text(3),     r.Text(4), store::ListFromJson<int64_t>(r.Text(5)),
          r.Int(6) != 0, r.Int(7)};
}

template <typename Row>
DrawRecord ReadDraw(const Row& r) {
  return {r.Int(0),  r.Text(1), r.Int(2), r.Text(3), r.Text(4),
          r.Text(5), r.Int(6),  r.Int(7), r.Int(8),  r.Int(9)};
}

// The values of kInsertDraw, of kDraws and of kPublishDraw, in order.
template <typename F>
auto WithDrawInsertValues(const DrawRecord& d, F&& f) {
  return f(d.title, d.district_id, d.input, d.result, d.actor, d.created_at);
}
template <typename F>
auto WithDrawListValues(bool published_only, int64_t before, size_t limit, F&& f) {
  return f(before > 0 ? before : INT64_MAX, static_cast<int64_t>(published_only),
           static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
}
template <typename F>
auto WithDrawPublishValues(const DrawRecord& d, F&& f) {
  return f(d.published_at, d.due_at, d.id, d.version);
}

// The values of kInsertTask, in order, passed to `f`.
template <typename F>
auto WithTaskInsertValues(const Task& t, F&& f) {
  return f(std::string(TaskSourceCode(t.source)), t.source_ref, t.title, t.description, t.lon,
           t.lat, t.address, t.district_id, t.grid_id, t.assignee,
           std::string(TaskStatusCode(t.status)), t.created_at, t.due_at,
           static_cast<int64_t>(t.escalation), ChecklistJson(t.checklist), t.record.text,
           t.record.lon, t.record.lat, t.record.at);
}

// The values of kUpdateTask, in order.
template <typename F>
auto WithTaskUpdateValues(const Task& t, F&& f) {
  return f(t.title, t.description, t.lon, t.lat, t.address, t.district_id, t.grid_id, t.assignee,
           std::string(TaskStatusCode(t.status)), t.due_at, static_cast<int64_t>(t.escalation),
           ChecklistJson(t.checklist), t.record.text, t.record.lon, t.record.lat, t.record.at, t.id,
           t.version);
}

// The values of kListTasks, in order.
template <typename F>
auto WithTaskListValues(const TaskFilter& f, F&& fn) {
  return fn(f.before > 0 ? f.before : INT64_MAX,
            f.status ? std::string(TaskStatusCode(*f.status)) : std::string(),
            static_cast<int64_t>(f.active_only), f.district_id.value_or(-1), f.grid_id.value_or(-1),
            f.assignee, f.overdue_at, static_cast<int64_t>(f.at_least),
            f.source ? std::string(TaskSourceCode(*f.source)) : std::string(), f.source_ref,
            static_cast<int64_t>(std::min<size_t>(f.limit, INT64_MAX)));
}

// The values of kInsertGrid, and of kUpdateGrid, in order.
template <typename F>
auto WithGridInsertValues(const Grid& g, F&& f) {
  return f(g.district_id, g.code, g.name, g.geojson, IdsJson(g.inspectors),
           static_cast<int64_t>(g.active));
}
template <typename F>
auto WithGridUpdateValues(const Grid& g, F&& f) {
  return f(g.district_id, g.code, g.name, g.geojson, IdsJson(g.inspectors),
           static_cast<int64_t>(g.active), g.id, g.version);
}

inline std::string TaskConflict(int64_t id) {
  return "task " + std::to_string(id) + " was changed meanwhile; read it again";
}
inline std::string DrawConflict(int64_t id) {
  return "draw " + std::to_string(id) + " was published or changed meanwhile; read it again";
}
inline std::string GridConflict(const Grid& g) {
  return "grid " + g.code + " was changed meanwhile, or its code is another grid's";
}

// The traits of case_tables.h for tasks.
struct TaskTraits {
  using Case = Task;
  using Event = TaskEvent;
  using Change = TaskChange;
  using Filter = TaskFilter;
  static constexpr const char* kWhat = "task";
  static constexpr const char* kInsert = kInsertTask;
  static constexpr const char* kById = kTaskById;
  static constexpr const char* kList = kListTasks;
  static constexpr const char* kEvents = kTaskEvents;
  static constexpr const char* kInsertEvent = kInsertTaskEvent;
  static constexpr const char* kUpdate = kUpdateTask;
  template <typename Row>
  static Case ReadCase(const Row& r) {
    return ReadTask(r);
  }
  template <typename Row>
  static Event ReadEvent(const Row& r) {
    return ReadTaskEvent(r);
  }
  template <typename F>
  static auto InsertValues(const Case& t, F&& f) {
    return WithTaskInsertValues(t, f);
  }
  template <typename F>
  static auto UpdateValues(const Case& t, F&& f) {
    return WithTaskUpdateValues(t, f);
  }
  template <typename F>
  static auto ListValues(const Filter& x, F&& f) {
    return WithTaskListValues(x, f);
  }
  template <typename F>
  static auto EventValues(int64_t id, const Event& e, F&& f) {
    return f(id, e.at, std::string(TaskStepCode(e.step)), e.actor, e.text);
  }
  static int64_t CaseOf(const Event& e) { return e.task_id; }
  static std::string Conflict(int64_t id) { return TaskConflict(id); }
};

}  // namespace ecohub::casework::sql
