// The SQLite EnforcementStore: its own file enforcement.db under the data directory,
// fsynced on every commit, over the store module's SQLite helper. One connection
// behind its mutex.
#include <mutex>

#include "casework/case_tables.h"
#include "casework/enforcement_sql.h"
#include "casework/enforcement_store.h"
#include "store/sqlite/db.h"

namespace ecohub::casework {
namespace {

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

class SqliteEnforcementStore final : public SqliteCaseTable<sql::CaseTraits, EnforcementStore> {
 public:
  using SqliteCaseTable::SqliteCaseTable;

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    return store::sqlite::ReadTables(*db_, sql::kCaseTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("enforcement");
  }
};

}  // namespace

Result<std::unique_ptr<EnforcementStore>> OpenSqliteEnforcementStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "enforcement.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<EnforcementStore>(
      std::make_unique<SqliteEnforcementStore>(std::move(*db)));
}

}  // namespace ecohub::casework
