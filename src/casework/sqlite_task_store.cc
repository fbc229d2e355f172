// The SQLite TaskStore: its own file tasks.db under the data directory, fsynced on
// every commit, over the store module's SQLite helper. One connection behind its
// mutex.
#include <mutex>

#include "casework/case_tables.h"
#include "casework/task_sql.h"
#include "casework/task_store.h"
#include "store/sqlite/db.h"

namespace ecohub::casework {
namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

// Never edit a released step: add the next one.
constexpr const char* kMigrations[] = {
    // 1: grids, tasks and their time lines.
    R"sql(
CREATE TABLE IF NOT EXISTS grids (
  id INTEGER PRIMARY KEY, district_id INTEGER NOT NULL, code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL, geojson TEXT NOT NULL, inspectors TEXT NOT NULL, active INTEGER NOT NULL,
  version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
  id INTEGER PRIMARY KEY, source TEXT NOT NULL, source_ref TEXT NOT NULL, title TEXT NOT NULL,
  description TEXT NOT NULL, lon REAL, lat REAL, address TEXT NOT NULL,
  district_id INTEGER NOT NULL, grid_id INTEGER NOT NULL, assignee INTEGER NOT NULL,
  status TEXT NOT NULL, created_at INTEGER NOT NULL, due_at INTEGER NOT NULL,
  escalation INTEGER NOT NULL, checklist TEXT NOT NULL, record_text TEXT NOT NULL,
  record_lon REAL, record_lat REAL, record_at INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_district ON tasks (district_id, id);
CREATE INDEX IF NOT EXISTS tasks_assignee ON tasks (assignee, id);
CREATE INDEX IF NOT EXISTS tasks_due ON tasks (status, due_at);
CREATE INDEX IF NOT EXISTS tasks_source ON tasks (source, source_ref);
CREATE TABLE IF NOT EXISTS task_events (
  id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL, at INTEGER NOT NULL, step TEXT NOT NULL,
  actor TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS task_events_of ON task_events (task_id, id);
)sql",
    // 2: random draws (双随机一公开).
    R"sql(
CREATE TABLE IF NOT EXISTS draws (
  id INTEGER PRIMARY KEY, title TEXT NOT NULL, district_id INTEGER NOT NULL,
  input TEXT NOT NULL, result TEXT NOT NULL, actor TEXT NOT NULL, created_at INTEGER NOT NULL,
  published_at INTEGER NOT NULL, due_at INTEGER NOT NULL, version INTEGER NOT NULL);
)sql",
};

Grid ReadGridRow(const Stmt& q) { return sql::ReadGrid(q); }
DrawRecord ReadDrawRow(const Stmt& q) { return sql::ReadDraw(q); }

class SqliteTaskStore final : public SqliteCaseTable<sql::TaskTraits, TaskStore> {
 public:
  using SqliteCaseTable::SqliteCaseTable;

  Result<std::vector<TaskEvent>> StepsAfter(int64_t after_id, size_t limit) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kStepsAfter, "task steps", ReadEventRow, after_id,
                      static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<Grid> AddGrid(const Grid& g) override {
    std::lock_guard lock(db_->mu());
    auto id = sql::WithGridInsertValues(g, [&](const auto&... v) {
      return db_->InsertReturningId(sql::kInsertGrid, "record grid", v...);
    });
    if (!id.ok()) return id.status();
    return db_->QueryOne(sql::kGridById, "no such grid", ReadGridRow, *id);
  }

  Result<Grid> SaveGrid(const Grid& g) override {
    std::lock_guard lock(db_->mu());
    Status s = sql::WithGridUpdateValues(
        g, [&](const auto&... v) { return db_->Run(sql::kUpdateGrid, "save grid", v...); });
    if (s.code() == Code::kConflict || (s.ok() && db_->Changes() != 1))
      return Status(Code::kConflict, sql::GridConflict(g));
    if (!s.ok()) return s;
    return db_->QueryOne(sql::kGridById, "no such grid", ReadGridRow, g.id);
  }

  Result<std::vector<Grid>> Grids() override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kGrids, "list grids", ReadGridRow);
  }

  Result<DrawRecord> AddDraw(const DrawRecord& d) override {
    std::lock_guard lock(db_->mu());
    auto id = sql::WithDrawInsertValues(d, [&](const auto&... v) {
      return db_->InsertReturningId(sql::kInsertDraw, "record draw", v...);
    });
    if (!id.ok()) return id.status();
    return db_->QueryOne(sql::kDrawById, "no such draw", ReadDrawRow, *id);
  }

  Result<DrawRecord> GetDraw(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(sql::kDrawById, "no such draw", ReadDrawRow, id);
  }

  Result<std::vector<DrawRecord>> Draws(bool published_only, int64_t before,
                                        size_t limit) override {
    std::lock_guard lock(db_->mu());
    return sql::WithDrawListValues(published_only, before, limit, [&](const auto&... v) {
      return db_->Query(sql::kDraws, "list draws", ReadDrawRow, v...);
    });
  }

  Status PublishDraw(const DrawRecord& d, std::span<const TaskChange> tasks) override {
    std::lock_guard lock(db_->mu());
    return db_->InTransaction([&]() -> Status {
      Status s = sql::WithDrawPublishValues(
          d, [&](const auto&... v) { return db_->Run(sql::kPublishDraw, "publish draw", v...); });
      if (!s.ok()) return s;
      if (db_->Changes() != 1) return Status(Code::kConflict, sql::DrawConflict(d.id));
      for (const TaskChange& t : tasks) {
        auto id = sql::WithTaskInsertValues(t.after, [&](const auto&... v) {
          return db_->InsertReturningId(sql::kInsertTask, "record task", v...);
        });
        if (!id.ok()) return id.status();
        for (const TaskEvent& e : t.events)
          if (Status s = AddEvent(*id, e); !s.ok()) return s;
      }
      return Status::Ok();
    });
  }

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    return store::sqlite::ReadTables(*db_, sql::kTaskTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("tasks");
  }
};

}  // namespace

Result<std::unique_ptr<TaskStore>> OpenSqliteTaskStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "tasks.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<TaskStore>(std::make_unique<SqliteTaskStore>(std::move(*db)));
}

}  // namespace ecohub::casework
