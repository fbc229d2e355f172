// The SQLite PermitStore: its own file `permits.db` under the data directory (small,
// rarely written, kept apart from the readings like accounts.db), fsynced on every
// commit, its schema in numbered migrations. Written over the store module's SQLite
// helper (store/sqlite/db.h). One connection behind its mutex.
#pragma once

#include <memory>
#include <string>

#include "permit/permit_store.h"

namespace ecohub::permit {

// Opens or creates `data_dir`/permits.db (and `data_dir`).
Result<std::unique_ptr<PermitStore>> OpenSqlitePermitStore(const std::string& data_dir);

}  // namespace ecohub::permit
