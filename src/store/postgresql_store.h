// PostgresStore: the Store on a PostgreSQL server (15 or later), for a province, for
// several EcoHub nodes sharing one database, and for the highly available cluster
// (docs/deployment.md). The SQLite store (sqlite_store.h) stays the default.
//
// Code: pg/, one file per module over one helper (pg/db.h); pg/modules.h says which
// file holds what. Each module migrates its own tables (schema_versions holds one
// version per module), under an advisory lock so that nodes starting together
// migrate once.
//
// Connections: a pool of `pool_size` connections serves reads and the writes of the
// registry, derived values, alarms and audit; readings' group commits have a
// connection of their own, so a commit never waits for a read to finish.
//
// Keys (the audit chain's HMAC key, sealed device passwords) stay outside the
// database as with SQLite (store_keys.h): ECOHUB_KEYS, else `keys_file`.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace ecohub::store {

struct PostgresOptions {
  std::string keys_file;  // usually <data>/keys; "" for ECOHUB_KEYS only
  int pool_size = 8;
  std::string application = "ecohub";  // application_name on the server
};

// `url`: a libpq connection string (postgresql://user:password@host:port/database or
// key=value pairs). kUnavailable when the server cannot be reached.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const PostgresOptions& options);

}  // namespace ecohub::store
