// The SQLite AccountStore: its own file `accounts.db` under the data directory
// (separate from the readings: small, rarely written, and never in the way of the
// gateway's group commits), fsynced on every commit. Written over the store
// module's SQLite helper (store/sqlite/db.h). One connection behind its mutex.
#pragma once

#include <memory>
#include <string>

#include "auth/account_store.h"

namespace ecohub::auth {

// Opens or creates `data_dir`/accounts.db (and `data_dir`).
Result<std::unique_ptr<AccountStore>> OpenSqliteAccountStore(const std::string& data_dir);

}  // namespace ecohub::auth
