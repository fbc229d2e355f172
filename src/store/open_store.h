// OpenStoreAt: the Store of a deployment, wherever it lives. Every command that
// opens the store (serve, db, derive, backup...) goes through here, so that
// `--store URL` means the same everywhere.
//
//   url empty          the SQLite store in data_dir (sqlite_store.h), the default
//   postgresql://...   the PostgreSQL store (postgresql_store.h); data_dir still holds
//   postgres://...     the local files (the key file <data>/keys unless ECOHUB_KEYS)
//   host=... dbname=.. (libpq's key=value form)
//
// A password is best kept out of the URL and the config: libpq reads PGPASSWORD,
// ~/.pgpass or PGPASSFILE itself.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/store.h"

namespace ecohub::store {

struct StoreLocation {
  std::string url;                     // "" for SQLite
  std::string data_dir;                // SQLite's files, or the local files beside a server
  bool read_only = false;              // SQLite only: never creates or migrates
  bool synchronous_full = true;        // SQLite only (PostgreSQL: the server's settings)
  int read_connections = 0;            // SQLite only: its read pool (0: its default)
  std::string application = "ecohub";  // PostgreSQL's application_name
};

// True for the forms above that name a PostgreSQL server.
bool IsPostgresUrl(std::string_view url);

// kInvalidInput for a URL that names no store EcoHub knows.
Result<std::unique_ptr<Store>> OpenStoreAt(const StoreLocation& where);

// The URL with its password, if any, replaced by "***": for logs and messages.
std::string RedactUrl(std::string_view url);

}  // namespace ecohub::store
