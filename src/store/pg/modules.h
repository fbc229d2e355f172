// The PostgreSQL store's parts: the connections its modules share and one factory per
// module interface of store.h (readings.cc, registry.cc, derived.cc, alarms.cc,
// audit.cc). store.cc composes them into the PostgresStore (postgresql_store.h).
//
// Each factory applies its module's migrations (Conn::Migrate with the module's
// name) before it returns, so a module's tables are its own business.
#pragma once

#include <memory>
#include <mutex>

#include "store/pg/db.h"
#include "store/postgresql_store.h"
#include "store/store.h"
#include "store/store_keys.h"

namespace ecohub::store::pg {

struct Connections {
  std::unique_ptr<Pool> pool;  // reads, and every write but readings'
  // Readings' group commits (ReadingStore::Append, Prune*, Compact), under writer_mu.
  std::unique_ptr<Conn> writer;
  std::mutex writer_mu;
  std::shared_ptr<StoreKeys> keys;
};

// Each module keeps references to the connections: they must outlive it.
Result<std::unique_ptr<ReadingStore>> OpenReadings(Connections& c);
Result<std::unique_ptr<RegistryStore>> OpenRegistry(Connections& c);
Result<std::unique_ptr<DerivedStore>> OpenDerived(Connections& c);
Result<std::unique_ptr<AlarmStore>> OpenAlarms(Connections& c);
Result<std::unique_ptr<AuditStore>> OpenAudit(Connections& c);

}  // namespace ecohub::store::pg
