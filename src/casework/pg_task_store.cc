// The PostgreSQL TaskStore: the same tables as tasks.db, every write applied once
// across a failover (store/pg/lease.h).
#include "casework/case_tables.h"
#include "casework/task_sql.h"
#include "casework/task_store.h"
#include "store/pg/lease.h"

namespace ecohub::casework {
namespace {

using store::pg::Conn;
using store::pg::Pool;
using store::pg::RowAt;
using store::pg::Rows;

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: grids, tasks and their time lines.
    R"sql(
CREATE TABLE grids (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, district_id BIGINT NOT NULL,
  code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, geojson TEXT NOT NULL, inspectors TEXT NOT NULL,
  active BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE TABLE tasks (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source TEXT NOT NULL,
  source_ref TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL,
  lon DOUBLE PRECISION, lat DOUBLE PRECISION, address TEXT NOT NULL, district_id BIGINT NOT NULL,
  grid_id BIGINT NOT NULL, assignee BIGINT NOT NULL, status TEXT NOT NULL,
  created_at BIGINT NOT NULL, due_at BIGINT NOT NULL, escalation BIGINT NOT NULL,
  checklist TEXT NOT NULL, record_text TEXT NOT NULL, record_lon DOUBLE PRECISION,
  record_lat DOUBLE PRECISION, record_at BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE INDEX tasks_district ON tasks (district_id, id);
CREATE INDEX tasks_assignee ON tasks (assignee, id);
CREATE INDEX tasks_due ON tasks (status, due_at);
CREATE INDEX tasks_source ON tasks (source, source_ref);
CREATE TABLE task_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, task_id BIGINT NOT NULL,
  at BIGINT NOT NULL, step TEXT NOT NULL, actor TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX task_events_of ON task_events (task_id, id);
)sql",
    // 2: random draws (双随机一公开).
    R"sql(
CREATE TABLE draws (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title TEXT NOT NULL,
  district_id BIGINT NOT NULL, input TEXT NOT NULL, result TEXT NOT NULL, actor TEXT NOT NULL,
  created_at BIGINT NOT NULL, published_at BIGINT NOT NULL, due_at BIGINT NOT NULL,
  version BIGINT NOT NULL);
)sql",
};

Grid ReadGridRow(const Rows& q, int i) { return sql::ReadGrid(RowAt{q, i}); }
DrawRecord ReadDrawRow(const Rows& q, int i) { return sql::ReadDraw(RowAt{q, i}); }

class PgTaskStore final : public PgCaseTable<sql::TaskTraits, TaskStore> {
 public:
  using PgCaseTable::PgCaseTable;

  Result<std::vector<TaskEvent>> StepsAfter(int64_t after_id, size_t limit) override {
    return store::pg::Read(*pool_, sql::kStepsAfter, "task steps", ReadEventRow, after_id,
                           static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<Grid> AddGrid(const Grid& g) override {
    auto id =
        store::pg::WriteOnceReturning(*pool_, "record grid", [&](Conn& db) -> Result<std::string> {
          auto made = sql::WithGridInsertValues(g, [&](const auto&... v) {
            return store::pg::ReturnedId(db.Query(sql::kInsertGrid, "record grid", v...));
          });
          if (!made.ok()) return made.status();
          return std::to_string(*made);
        });
    if (!id.ok()) return id.status();
    return GridById(std::stoll(*id));
  }

  Result<Grid> SaveGrid(const Grid& g) override {
    Status s = store::pg::WriteOnce(*pool_, "save grid", [&](Conn& db) -> Status {
      auto r = sql::WithGridUpdateValues(
          g, [&](const auto&... v) { return db.Query(sql::kUpdateGrid, "save grid", v...); });
      if (!r.ok()) return r.status();
      return r->Affected() == 1 ? Status::Ok() : Status(Code::kConflict, "stale");
    });
    if (s.code() == Code::kConflict) return Status(Code::kConflict, sql::GridConflict(g));
    if (!s.ok()) return s;
    return GridById(g.id);
  }

  Result<std::vector<Grid>> Grids() override {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    return store::pg::Read(**db, sql::kGrids, "list grids", ReadGridRow);
  }

  Result<DrawRecord> AddDraw(const DrawRecord& d) override {
    auto id =
        store::pg::WriteOnceReturning(*pool_, "record draw", [&](Conn& db) -> Result<std::string> {
          auto made = sql::WithDrawInsertValues(d, [&](const auto&... v) {
            return store::pg::ReturnedId(db.Query(sql::kInsertDraw, "record draw", v...));
          });
          if (!made.ok()) return made.status();
          return std::to_string(*made);
        });
    if (!id.ok()) return id.status();
    return GetDraw(std::stoll(*id));
  }

  Result<DrawRecord> GetDraw(int64_t id) override {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    return store::pg::ReadOne(**db, sql::kDrawById, "no such draw", ReadDrawRow, id);
  }

  Result<std::vector<DrawRecord>> Draws(bool published_only, int64_t before,
                                        size_t limit) override {
    return sql::WithDrawListValues(published_only, before, limit, [&](const auto&... v) {
      return store::pg::Read(*pool_, sql::kDraws, "list draws", ReadDrawRow, v...);
    });
  }

  Status PublishDraw(const DrawRecord& d, std::span<const TaskChange> tasks) override {
    Status s = store::pg::WriteOnce(*pool_, "publish draw", [&](Conn& db) -> Status {
      auto r = sql::WithDrawPublishValues(
          d, [&](const auto&... v) { return db.Query(sql::kPublishDraw, "publish draw", v...); });
      if (!r.ok()) return r.status();
      if (r->Affected() != 1) return Status(Code::kConflict, "stale");
      for (const TaskChange& t : tasks) {
        auto id = sql::WithTaskInsertValues(t.after, [&](const auto&... v) {
          return store::pg::ReturnedId(db.Query(sql::kInsertTask, "record task", v...));
        });
        if (!id.ok()) return id.status();
        for (const TaskEvent& e : t.events)
          if (Status s = AddEvent(db, *id, e); !s.ok()) return s;
      }
      return Status::Ok();
    });
    if (s.code() == Code::kConflict) return Status(Code::kConflict, sql::DrawConflict(d.id));
    return s;
  }

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("tasks");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }

 private:
  Result<Grid> GridById(int64_t id) {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    return store::pg::ReadOne(**db, sql::kGridById, "no such grid", ReadGridRow, id);
  }
};

}  // namespace

Result<std::unique_ptr<TaskStore>> OpenPostgresTaskStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub tasks", "tasks", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<TaskStore>(std::make_unique<PgTaskStore>(std::move(*pool)));
}

}  // namespace ecohub::casework
