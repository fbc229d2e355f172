// SqliteStore: the embedded Store (one file `ecohub.db` under the data directory,
// WAL). It serves a city; PostgreSQL is for a province.
//
// Layout (schema/ migrations): readings arrive into `readings`, a WITHOUT ROWID
// table keyed time-major (t, series) so that group commits append at the right edge
// of the B-tree (performance.md: 696k rows/s vs 36k point-major); Compact() moves
// older rows into `chunks` (series, day) holding a compressed day per series
// (chunk.h, ~5 bytes per value). Reads merge both; a newer row wins.
//
// Thread-safety: one write connection (Append, Compact, Prune, Put*) behind a mutex,
// one read connection behind another, so reads never wait for a commit.
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
};

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& data_dir,
                                               const SqliteOptions& options);

}  // namespace ecohub::store
