// The PostgreSQL EnforcementStore: the same tables as enforcement.db, every write
// applied once across a failover (store/pg/lease.h).
#include "casework/case_tables.h"
#include "casework/enforcement_sql.h"
#include "casework/enforcement_store.h"
#include "store/pg/lease.h"

namespace ecohub::casework {
namespace {

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

class PgEnforcementStore final : public PgCaseTable<sql::CaseTraits, EnforcementStore> {
 public:
  using PgCaseTable::PgCaseTable;

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("enforcement");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }
};

}  // namespace

Result<std::unique_ptr<EnforcementStore>> OpenPostgresEnforcementStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub enforcement", "enforcement", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<EnforcementStore>(std::make_unique<PgEnforcementStore>(std::move(*pool)));
}

}  // namespace ecohub::casework
