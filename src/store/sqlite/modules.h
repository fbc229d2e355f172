// The SQLite store's parts: the connections its modules share and one factory per
// module interface of store.h (readings.cc, registry.cc, derived.cc, alarms.cc,
// audit.cc). store.cc composes them into the SqliteStore (sqlite_store.h).
//
// Files: ecohub.db holds readings, raw packets, the registry, alarms and the audit
// log (migrations.h: kSqliteMigrations), opened twice: once to write, once to read,
// so reads never wait for a commit (WAL snapshots). derived.db holds derived values
// (kSqliteDerivedSchema). Each module locks a connection's mu() around its use; a
// write connection's mutex serialises every writer of that file.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/sqlite/db.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "store/store_keys.h"

namespace ecohub::store::sqlite {

struct Connections {
  std::unique_ptr<Db> write;    // ecohub.db (read-only in a read-only store)
  std::unique_ptr<Db> read;     // ecohub.db again, read-only
  std::unique_ptr<Db> derived;  // derived.db; null in a read-only store without one
  std::shared_ptr<StoreKeys> keys;
};

// The base of the modules kept in ecohub.db: its two connections.
class OnEcohubDb {
 protected:
  explicit OnEcohubDb(Connections& c) : w_(*c.write), r_(*c.read) {}
  Db& w_;  // every write, under w_.mu()
  Db& r_;  // reads, under r_.mu()
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
