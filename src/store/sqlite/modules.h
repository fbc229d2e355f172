// The SQLite store's parts: the connections its modules share and one factory per
// module interface of store.h (readings.cc, registry.cc, derived.cc, alarms.cc,
// audit.cc). store.cc composes them into the SqliteStore (sqlite_store.h).
//
// Files: ecohub.db holds readings, raw packets, the registry, alarms and the audit
// log (migrations.h: kSqliteMigrations); derived.db holds derived values
// (kSqliteDerivedSchema). Each file is opened once to write and several times to
// read (a ReadPool), so reads never wait for a commit nor for each other (WAL
// snapshots). A module locks the write connection's mu() around each write (that
// mutex serialises every writer of the file) and leases a read connection for each
// read.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/sqlite/checkpointer.h"
#include "store/sqlite/db.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "store/store_keys.h"

namespace ecohub::store::sqlite {

struct Connections {
  std::unique_ptr<Db> write;                   // ecohub.db (read-only in a read-only store)
  std::unique_ptr<Checkpointer> checkpointer;  // of `write`; null when read-only
  std::unique_ptr<ReadPool> read;              // ecohub.db again, read-only
  // derived.db to write, and to read; both null in a read-only store without one.
  std::unique_ptr<Db> derived;
  std::unique_ptr<ReadPool> derived_read;
  std::shared_ptr<StoreKeys> keys;
};

// The base of the modules kept in ecohub.db: its connections.
class OnEcohubDb {
 protected:
  explicit OnEcohubDb(Connections& c) : w_(*c.write), reads_(*c.read) {}
  Db& w_;            // every write, under w_.mu()
  ReadPool& reads_;  // every read, on a leased connection
};

// Opens (and, unless read-only, creates and migrates) the files of `data_dir`.
Result<Connections> OpenConnections(const std::string& data_dir, const SqliteOptions& options);

// Each module keeps references to the connections: they must outlive it.
Result<std::unique_ptr<ReadingStore>> OpenReadings(Connections& c, const SqliteOptions& options);
std::unique_ptr<RegistryStore> NewRegistry(Connections& c);
std::unique_ptr<DerivedStore> NewDerived(Connections& c);
std::unique_ptr<AlarmStore> NewAlarms(Connections& c);
std::unique_ptr<AuditStore> NewAudit(Connections& c);

}  // namespace ecohub::store::sqlite
