// SqliteStore: the embedded Store (one file `ecohub.db` under the data directory,
// WAL). It serves a city; PostgreSQL is for a province.
//
// Code: sqlite/, one file per module over one helper (sqlite/db.h); modules.h
// says which file holds what.
//
// Layout (sqlite/migrations.h): readings arrive into `readings`, a WITHOUT ROWID
// table keyed time-major (t, series) so that group commits append at the right edge
// of the B-tree (performance.md: 696k rows/s vs 36k point-major); Compact() moves
// older rows into `chunks` (series, day) holding a compressed day per series
// (chunk.h, ~5 bytes per value). Reads merge both; a newer row wins.
//
// Values are packed as one integer (Decimal mantissa, scale, "-0") or kept verbatim
// as text when they are not plain decimals ("1e3", "007"): text round-trips exactly.
// Measured (bench/store_bench, 2-core dev box, synchronous=FULL): 280-370k readings/s
// through the Writer, ~22 bytes per value in the hot table, ~6 after Compact().
//
// Thread-safety: one write connection (Append, Compact, Prune, Put*) behind a mutex,
// and a pool of read connections (SqliteOptions::read_connections), so reads never
// wait for a commit (WAL snapshots) and up to that many run at once; a read
// beyond them waits for a connection to come back. A ScanReadings, ScanWindow or
// ScanAudit callback holds its connection while it runs: a read from inside it
// takes another one, or waits for one, and deadlocks when every connection is
// held by such a callback; hence the callbacks must not read the store.
// Compact() holds the write mutex for one day's merge at a time: appends wait for
// that long (seconds for ~3M hot rows of one day), so run it off the network
// threads and often enough that little is left to merge.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace ecohub::store {

struct SqliteOptions {
  // FULL fsyncs the WAL on every commit: acknowledged data survives power loss.
  // NORMAL survives kill -9 but not power loss.
  bool synchronous_full = true;
  bool read_only = false;  // `db dump`: never creates or migrates
  int busy_timeout_ms = 5000;
  // Read connections per file (ecohub.db, derived.db); 0: two per core, 2 to 8.
  int read_connections = 0;
  // ecohub.db's WAL is copied into the file by a thread of its own after this many
  // committed pages, and the writer catches up (so that the log starts over) when
  // it holds this many (sqlite/checkpointer.h).
  int checkpoint_pages = 1000;
  int checkpoint_restart_pages = 8000;
};

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& data_dir,
                                               const SqliteOptions& options);

}  // namespace ecohub::store
