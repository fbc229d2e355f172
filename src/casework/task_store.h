// TaskStore: grids (网格) and the tasks of their inspectors (task.h), with each task's
// time line. Behind one small interface, every backend running the same contract
// suite (task_store_test.cc); the SQLite backend keeps its own file, tasks.db.
//
// A change is optimistic, as for complaints: it names the version it was computed
// from and is refused with kConflict when another change came first.
//
// Thread-safety: every method may be called from any thread.
// Errors: kNotFound for an id that does not exist, kConflict for a grid code taken
// or a stale change, kIoError when the backend fails.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "casework/task.h"
#include "core/table_rows.h"

namespace ecohub::casework {

// A grid: an area of a district (a GeoJSON Polygon or MultiPolygon, WGS 84) and the
// inspectors (user ids) who work in it.
struct Grid {
  int64_t id = 0;
  int64_t district_id = 0;
  std::string code, name;  // the code is unique in the deployment
  std::string geojson;
  std::vector<int64_t> inspectors;
  bool active = true;   // false: disabled after a re-division; its tasks keep it
  int64_t version = 0;  // changes with every save (optimistic concurrency)
  bool operator==(const Grid&) const = default;
};

// A random draw (双随机一公开, draw.h) as recorded: its input and result as the JSON
// text of DrawInputJson and DrawResultJson, who ran it, and when it was published (0:
// not yet). Publishing makes its tasks, due at `due_at`.
struct DrawRecord {
  int64_t id = 0;
  std::string title;
  int64_t district_id = 0;  // 0: the city's
  std::string input, result;
  std::string actor;  // "user:<id>"
  UnixSeconds created_at = 0, published_at = 0, due_at = 0;
  int64_t version = 0;  // changes when it is published
  bool operator==(const DrawRecord&) const = default;
};

struct TaskFilter {
  std::optional<TaskStatus> status;
  bool active_only = false;            // open, assigned, submitted or returned
  std::optional<int64_t> district_id;  // nullopt: every district
  std::optional<int64_t> grid_id;      // nullopt: every grid; 0: the district's queue
  int64_t assignee = 0;                // >0: this inspector's
  UnixSeconds overdue_at = 0;          // >0: active ones due at or before this
  Escalation at_least = Escalation::kNone;
  // Not empty: the tasks made from this thing (source and its ref).
  std::optional<TaskSource> source;
  std::string source_ref;
  int64_t before = 0;  // ids below this (0: from the newest)
  size_t limit = 100;
};

// A change to one task: its state after (with `version` the one it was read at) and
// the lines it adds to its time line.
struct TaskChange {
  Task after;
  std::vector<TaskEvent> events;
};

class TaskStore {
 public:
  virtual ~TaskStore() = default;

  // Records a new task (id ignored, version 1) with its first time line entry.
  virtual Result<Task> Add(const Task& t, const TaskEvent& first) = 0;
  virtual Result<Task> Get(int64_t id) = 0;
  // Newest first (by id).
  virtual Result<std::vector<Task>> List(const TaskFilter& f) = 0;
  // The time line of one task, oldest first.
  virtual Result<std::vector<TaskEvent>> Events(int64_t id) = 0;
  // The lines of every task's time line after the line `after_id`, in the order they
  // were written, at most `limit` (what notifications publish).
  virtual Result<std::vector<TaskEvent>> StepsAfter(int64_t after_id, size_t limit) = 0;
  // Applies every change, all or none, each only if its task is still at
  // `after.version` (then at version + 1). kConflict naming the task otherwise.
  virtual Status Apply(std::span<const TaskChange> changes) = 0;

  // A new grid (id ignored, version 1); kConflict when its code is taken.
  virtual Result<Grid> AddGrid(const Grid& g) = 0;
  // Saves `g` if it is still at `g.version`; kConflict otherwise or when the new code
  // is another grid's.
  virtual Result<Grid> SaveGrid(const Grid& g) = 0;
  // Every grid, by district and code.
  virtual Result<std::vector<Grid>> Grids() = 0;

  // A new draw (id ignored, version 1, not published).
  virtual Result<DrawRecord> AddDraw(const DrawRecord& d) = 0;
  virtual Result<DrawRecord> GetDraw(int64_t id) = 0;
  // Newest first: ids below `before` (0: from the newest), the published ones only
  // when asked.
  virtual Result<std::vector<DrawRecord>> Draws(bool published_only, int64_t before,
                                                size_t limit) = 0;
  // Marks `d` published at `d.published_at` with its `due_at`, if it is still at
  // `d.version` and unpublished, and records `tasks` (each `after` a new task, its
  // `events` the first lines of its time line), all or none. kConflict otherwise.
  virtual Status PublishDraw(const DrawRecord& d, std::span<const TaskChange> tasks) = 0;

  // For `ecohub db migrate`, as the other modules' stores.
  virtual Result<std::vector<TableRows>> ExportTables() = 0;
  virtual Status ImportTables(const std::vector<TableRows>& tables) = 0;
};

// Opens or creates `data_dir`/tasks.db.
Result<std::unique_ptr<TaskStore>> OpenSqliteTaskStore(const std::string& data_dir);
// The tables in the PostgreSQL database at `url`.
Result<std::unique_ptr<TaskStore>> OpenPostgresTaskStore(const std::string& url);

}  // namespace ecohub::casework
