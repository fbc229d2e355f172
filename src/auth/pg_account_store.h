// The PostgreSQL AccountStore: the tables of the SQLite one (sqlite_account_store.h) in
// a PostgreSQL database, under their own migrations (module "accounts"), written over
// the store module's libpq helper (store/pg/db.h) with a small pool of connections.
// Several EcoHub nodes may share the database: every method is one statement or one
// transaction, so each stays atomic across nodes.
#pragma once

#include <memory>
#include <string>

#include "auth/account_store.h"

namespace ecohub::auth {

// Connects to `url` (postgresql://...; see store/pg/db.h) and creates or migrates the
// tables. kUnavailable when the server cannot be reached.
Result<std::unique_ptr<AccountStore>> OpenPostgresAccountStore(const std::string& url);

}  // namespace ecohub::auth
