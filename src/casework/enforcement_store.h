// EnforcementStore: enforcement cases (enforcement.h) with each case's time line.
// Behind one small interface, every backend running the same contract suite
// (enforcement_store_test.cc); the SQLite backend keeps its own file, enforcement.db.
//
// A change is optimistic, as for tasks: it names the version it was computed from and
// is refused with kConflict when another change came first.
//
// Thread-safety: every method may be called from any thread.
// Errors: kNotFound for an id that does not exist, kConflict for a stale change,
// kIoError when the backend fails.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "casework/enforcement.h"
#include "core/table_rows.h"

namespace ecohub::casework {

struct CaseFilter {
  std::optional<CaseStatus> status;
  bool open_only = false;              // not closed
  std::optional<int64_t> district_id;  // nullopt: every district
  int64_t enterprise_id = 0;           // >0: this enterprise's
  int64_t task_id = 0;                 // >0: recorded for this task
  int64_t before = 0;                  // ids below this (0: from the newest)
  size_t limit = 100;
};

// A change to one case: its state after (with `version` the one it was read at) and
// the lines it adds to its time line.
struct CaseChange {
  EnforcementCase after;
  std::vector<CaseEvent> events;
};

class EnforcementStore {
 public:
  virtual ~EnforcementStore() = default;

  // Records a new case (id ignored, version 1) with its first time line entry.
  virtual Result<EnforcementCase> Add(const EnforcementCase& c, const CaseEvent& first) = 0;
  virtual Result<EnforcementCase> Get(int64_t id) = 0;
  // Newest first (by id).
  virtual Result<std::vector<EnforcementCase>> List(const CaseFilter& f) = 0;
  // The time line of one case, oldest first.
  virtual Result<std::vector<CaseEvent>> Events(int64_t id) = 0;
  // Applies every change, all or none, each only if its case is still at
  // `after.version` (then at version + 1). kConflict naming the case otherwise.
  virtual Status Apply(std::span<const CaseChange> changes) = 0;

  // For `ecohub db migrate`, as the other modules' stores.
  virtual Result<std::vector<TableRows>> ExportTables() = 0;
  virtual Status ImportTables(const std::vector<TableRows>& tables) = 0;
};

// Opens or creates `data_dir`/enforcement.db.
Result<std::unique_ptr<EnforcementStore>> OpenSqliteEnforcementStore(const std::string& data_dir);
// The tables in the PostgreSQL database at `url`.
Result<std::unique_ptr<EnforcementStore>> OpenPostgresEnforcementStore(const std::string& url);

}  // namespace ecohub::casework
