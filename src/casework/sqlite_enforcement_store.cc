// The SQLite EnforcementStore: its own file enforcement.db under the data directory,
// fsynced on every commit, over the store module's SQLite helper. One connection
// behind its mutex.
#include <mutex>

#include "casework/enforcement_sql.h"
#include "casework/enforcement_store.h"
#include "casework/versioned_store.h"
#include "store/sqlite/db.h"

namespace ecohub::casework {
namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

// Never edit a released step: add the next one.
constexpr const char* kMigrations[] = {
    // 1: enforcement cases and their time lines.
    R"sql(
CREATE TABLE IF NOT EXISTS cases (
  id INTEGER PRIMARY KEY, enterprise_id INTEGER NOT NULL, district_id INTEGER NOT NULL,
  task_id INTEGER NOT NULL, inspected_at INTEGER NOT NULL, officers TEXT NOT NULL,
  items TEXT NOT NULL, findings TEXT NOT NULL, violation INTEGER NOT NULL,
  violation_text TEXT NOT NULL, legal_basis TEXT NOT NULL, decision_no TEXT NOT NULL,
  fine_fen INTEGER NOT NULL, decided_at INTEGER NOT NULL, paid_at INTEGER NOT NULL,
  rectify_text TEXT NOT NULL, rectify_due INTEGER NOT NULL, rectified_at INTEGER NOT NULL,
  status TEXT NOT NULL, created_at INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS cases_enterprise ON cases (enterprise_id, id);
CREATE INDEX IF NOT EXISTS cases_district ON cases (district_id, id);
CREATE TABLE IF NOT EXISTS case_events (
  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, at INTEGER NOT NULL, step TEXT NOT NULL,
  actor TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS case_events_of ON case_events (case_id, id);
)sql",
};

EnforcementCase ReadRow(const Stmt& q) { return sql::ReadCase(q); }
CaseEvent ReadEventRow(const Stmt& q) { return sql::ReadCaseEvent(q); }

class SqliteEnforcementStore final : public EnforcementStore {
 public:
  explicit SqliteEnforcementStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<EnforcementCase> Add(const EnforcementCase& c, const CaseEvent& first) override {
    std::lock_guard lock(db_->mu());
    auto id = AddCase(
        *db_,
        [&] {
          return sql::WithCaseInsertValues(c, [&](const auto&... v) {
            return db_->InsertReturningId(sql::kInsertCase, "record case", v...);
          });
        },
        [&](int64_t made) { return AddEvent(made, first); });
    if (!id.ok()) return id.status();
    return db_->QueryOne(sql::kCaseById, "no such case", ReadRow, *id);
  }

  Result<EnforcementCase> Get(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(sql::kCaseById, "no such case", ReadRow, id);
  }

  Result<std::vector<EnforcementCase>> List(const CaseFilter& f) override {
    std::lock_guard lock(db_->mu());
    return sql::WithCaseListValues(f, [&](const auto&... v) {
      return db_->Query(sql::kListCases, "list cases", ReadRow, v...);
    });
  }

  Result<std::vector<CaseEvent>> Events(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kCaseEvents, "case time line", ReadEventRow, id);
  }

  Status Apply(std::span<const CaseChange> changes) override {
    std::lock_guard lock(db_->mu());
    return ApplyChanges(
        *db_, changes,
        [&](const EnforcementCase& after) {
          return sql::WithCaseUpdateValues(after, [&](const auto&... v) {
            return db_->Run(sql::kUpdateCase, "change case", v...);
          });
        },
        [&](const CaseEvent& e) { return AddEvent(e.case_id, e); }, sql::CaseConflict);
  }

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    return store::sqlite::ReadTables(*db_, sql::kCaseTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("enforcement");
  }

 private:
  Status AddEvent(int64_t id, const CaseEvent& e) {
    return db_->Run(sql::kInsertCaseEvent, "record case step", id, e.at,
                    std::string(CaseStepCode(e.step)), e.actor, e.text);
  }

  std::unique_ptr<Db> db_;
};

}  // namespace

Result<std::unique_ptr<EnforcementStore>> OpenSqliteEnforcementStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "enforcement.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<EnforcementStore>(
      std::make_unique<SqliteEnforcementStore>(std::move(*db)));
}

}  // namespace ecohub::casework
