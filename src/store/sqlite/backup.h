// Copies of SQLite files taken while they are in use, and the row counts that show a
// copy whole (`ecohub backup` and `ecohub restore`, docs/backup.md).
//
// BackupDatabase uses SQLite's online backup API in a single step: it holds one read
// transaction on the source for the whole copy, so the copy is the database as one
// committed moment, whatever other connections or processes write meanwhile (in WAL
// mode they are not blocked; in rollback-journal mode a writer waits for the copy).
// A copy taken in small steps would start again after every foreign write and might
// never finish while the gateway streams.
//
// Thread-safety: the functions share nothing; each opens its own connections.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/status.h"

namespace ecohub::store::sqlite {

// Rows of each table of one database file, by table name (SQLite's own tables left out).
using TableRows = std::map<std::string, int64_t>;

struct BackupOptions {
  // How long to keep retrying while the source is locked (SQLITE_BUSY or
  // SQLITE_LOCKED: a writer holding an exclusive lock, a checkpoint in progress).
  int busy_retry_ms = 10000;
};

// Copies the database at `source` into a new file `dest` (which must not exist) and
// returns the rows of each table of the copy. The copy is a self-contained
// rollback-journal file (no -wal to go with it). kNotFound when `source` does not
// exist; kUnavailable when it stayed locked for options.busy_retry_ms; kIoError (with
// SQLite's message) otherwise. On failure `dest` is removed.
Result<TableRows> BackupDatabase(const std::string& source, const std::string& dest,
                                 const BackupOptions& options = {});

// The rows of each table of the database at `path`, opened read-only. kIoError when
// it cannot be opened or read (not a database, damaged).
Result<TableRows> CountRows(const std::string& path);

}  // namespace ecohub::store::sqlite
