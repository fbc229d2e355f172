// The PostgreSQL PermitStore: the permits table of the SQLite one
// (sqlite_permit_store.h) in a PostgreSQL database, under its own migrations (module
// "permits"), written over the store module's libpq helper (store/pg/db.h) with a
// small pool of connections. Several EcoHub nodes may share the database: Put is one
// statement, atomic across them.
#pragma once

#include <memory>
#include <string>

#include "permit/permit_store.h"

namespace ecohub::permit {

// Connects to `url` (postgresql://...; see store/pg/db.h) and creates or migrates the
// table. kUnavailable when the server cannot be reached.
Result<std::unique_ptr<PermitStore>> OpenPostgresPermitStore(const std::string& url);

}  // namespace ecohub::permit
