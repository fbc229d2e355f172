// DeclarationStore: the record of self-declarations (declaration.h) and their
// decisions. Behind one small interface, every backend running the same contract
// suite (declare_test.cc); the SQLite backend keeps its own file, declarations.db.
//
// Thread-safety: every method may be called from any thread.
// Errors: kNotFound for an id that does not exist, kConflict for a transition from
// a status other than the one expected, kIoError when the backend fails.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/table_rows.h"
#include "declare/declaration.h"

namespace ecohub::declare {

// Which declarations List returns; zero or empty fields do not filter.
struct DeclarationFilter {
  int64_t site_id = 0, enterprise_id = 0, district_id = 0;
  std::vector<std::string> statuses;
  // Windows that overlap [from, to).
  UnixSeconds from = INT64_MIN, to = INT64_MAX;
  size_t limit = 500;
};

// A change of status: from `expect` to `status`, by `by` at `at`. For "ended",
// `to` closes the window and by/at are the ended_* fields; otherwise they are the
// decided_* fields with `comment`.
struct Transition {
  std::string expect, status, by, comment;
  UnixSeconds at = 0;
  std::optional<UnixSeconds> to;
};

class DeclarationStore {
 public:
  virtual ~DeclarationStore() = default;
  // Records `d` (its id ignored) and returns its id.
  virtual Result<int64_t> Add(const Declaration& d) = 0;
  virtual Result<Declaration> Get(int64_t id) = 0;
  // Newest first (highest id), at most filter.limit.
  virtual Result<std::vector<Declaration>> List(const DeclarationFilter& filter) = 0;
  // Atomic: of two racing transitions one wins, the other gets kConflict.
  virtual Result<Declaration> Move(int64_t id, const Transition& t) = 0;

  // For `ecohub db migrate`, as the other modules' stores.
  virtual Result<std::vector<TableRows>> ExportTables() = 0;
  virtual Status ImportTables(const std::vector<TableRows>& tables) = 0;
};

// Opens or creates `data_dir`/declarations.db.
Result<std::unique_ptr<DeclarationStore>> OpenSqliteDeclarationStore(const std::string& data_dir);
// The tables in the PostgreSQL database at `url`.
Result<std::unique_ptr<DeclarationStore>> OpenPostgresDeclarationStore(const std::string& url);

}  // namespace ecohub::declare
