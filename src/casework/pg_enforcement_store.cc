// The PostgreSQL EnforcementStore: the same tables as enforcement.db, every write
// applied once across a failover (store/pg/lease.h).
#include "casework/enforcement_sql.h"
#include "casework/enforcement_store.h"
#include "casework/versioned_store.h"
#include "store/pg/lease.h"

namespace ecohub::casework {
namespace {

using store::pg::Conn;
using store::pg::Pool;
using store::pg::RowAt;
using store::pg::Rows;

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: enforcement cases and their time lines.
    R"sql(
CREATE TABLE cases (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, enterprise_id BIGINT NOT NULL,
  district_id BIGINT NOT NULL, task_id BIGINT NOT NULL, inspected_at BIGINT NOT NULL,
  officers TEXT NOT NULL, items TEXT NOT NULL, findings TEXT NOT NULL, violation BIGINT NOT NULL,
  violation_text TEXT NOT NULL, legal_basis TEXT NOT NULL, decision_no TEXT NOT NULL,
  fine_fen BIGINT NOT NULL, decided_at BIGINT NOT NULL, paid_at BIGINT NOT NULL,
  rectify_text TEXT NOT NULL, rectify_due BIGINT NOT NULL, rectified_at BIGINT NOT NULL,
  status TEXT NOT NULL, created_at BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE INDEX cases_enterprise ON cases (enterprise_id, id);
CREATE INDEX cases_district ON cases (district_id, id);
CREATE TABLE case_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, case_id BIGINT NOT NULL,
  at BIGINT NOT NULL, step TEXT NOT NULL, actor TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX case_events_of ON case_events (case_id, id);
)sql",
};

EnforcementCase ReadRow(const Rows& q, int i) { return sql::ReadCase(RowAt{q, i}); }
CaseEvent ReadEventRow(const Rows& q, int i) { return sql::ReadCaseEvent(RowAt{q, i}); }

Status AddEvent(Conn& db, int64_t id, const CaseEvent& e) {
  return db.Run(sql::kInsertCaseEvent, "record case step", id, e.at,
                std::string(CaseStepCode(e.step)), e.actor, e.text);
}

class PgEnforcementStore final : public EnforcementStore {
 public:
  explicit PgEnforcementStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}

  Result<EnforcementCase> Add(const EnforcementCase& c, const CaseEvent& first) override {
    auto id = AddCase(
        *pool_, "record case",
        [&](Conn& db) {
          return sql::WithCaseInsertValues(c, [&](const auto&... v) {
            return store::pg::ReturnedId(db.Query(sql::kInsertCase, "record case", v...));
          });
        },
        [&](Conn& db, int64_t made) { return AddEvent(db, made, first); });
    if (!id.ok()) return id.status();
    return Get(*id);
  }

  Result<EnforcementCase> Get(int64_t id) override {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    return store::pg::ReadOne(**db, sql::kCaseById, "no such case", ReadRow, id);
  }

  Result<std::vector<EnforcementCase>> List(const CaseFilter& f) override {
    return sql::WithCaseListValues(f, [&](const auto&... v) {
      return store::pg::Read(*pool_, sql::kListCases, "list cases", ReadRow, v...);
    });
  }

  Result<std::vector<CaseEvent>> Events(int64_t id) override {
    return store::pg::Read(*pool_, sql::kCaseEvents, "case time line", ReadEventRow, id);
  }

  Status Apply(std::span<const CaseChange> changes) override {
    return ApplyChanges(
        *pool_, "change cases", changes,
        [&](Conn& db, const EnforcementCase& after) {
          return sql::WithCaseUpdateValues(after, [&](const auto&... v) {
            return db.Query(sql::kUpdateCase, "change case", v...);
          });
        },
        [&](Conn& db, const CaseEvent& e) { return AddEvent(db, e.case_id, e); },
        sql::CaseConflict);
  }

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("enforcement");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }

 private:
  std::unique_ptr<Pool> pool_;
};

}  // namespace

Result<std::unique_ptr<EnforcementStore>> OpenPostgresEnforcementStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub enforcement", "enforcement", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<EnforcementStore>(std::make_unique<PgEnforcementStore>(std::move(*pool)));
}

}  // namespace ecohub::casework
