// PermitStore: where the permits are kept, behind one small interface so that every
// backend runs the same contract suite (permit_store_test.cc). The SQLite backend
// keeps them in their own file, permits.db (sqlite_permit_store.h).
//
// Thread-safety: every method may be called from any thread.
// Errors: kInvalidInput for a permit that cannot be stored (empty number), kNotFound
// for an id that does not exist, kIoError when the backend fails.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "core/table_rows.h"
#include "permit/types.h"

namespace ecohub::permit {

struct PutOutcome {
  int64_t id = 0;
  bool created = false;  // false: the permit with this number was replaced
};

class PermitStore {
 public:
  virtual ~PermitStore() = default;
  // Stores `p` under its number: a new permit gets a new id, an existing number keeps
  // its id and has every other field replaced (p.id is ignored). Durable when OK.
  virtual Result<PutOutcome> Put(const Permit& p) = 0;
  virtual Result<Permit> Get(int64_t id) = 0;
  // Every permit, ordered by id.
  virtual Result<std::vector<Permit>> List() = 0;
  // The permits of one enterprise (any state, any validity), ordered by id.
  virtual Result<std::vector<Permit>> ForEnterprise(int64_t enterprise_id) = 0;

  // For `ecohub db migrate`, as AccountStore's: table `permits` as stored (SQLite),
  // written into an empty store with its ids (PostgreSQL).
  virtual Result<std::vector<TableRows>> ExportTables() = 0;
  virtual Status ImportTables(const std::vector<TableRows>& tables) = 0;
};

}  // namespace ecohub::permit
