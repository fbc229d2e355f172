// Store: the one interface to EcoHub's data (DESIGN.md, "Storage"), made of one small
// interface per module so that a backend implements, and a test checks, each module
// on its own:
//
//   ReadingStore   readings, raw packets, retention, compaction   reading_store.h
//   RegistryStore  districts, enterprises, sites, devices          registry_store.h
//   DerivedStore   values derived from readings                    derived_store.h
//   AlarmStore     alarms and their lifecycle                      alarm_store.h
//   AuditStore     the hash-chained audit log                      audit_store.h
//
// Implementations: SQLite (sqlite_store.h). Each module's contract suite
// (*_contract_test.cc) runs against each, with restarts in the middle.
// StoreWrapper (store_wrapper.h) builds a Store out of one object per module.
//
// Thread-safety: every method may be called from any thread. Writes (Append, Prune*,
// Compact, Put*, Upsert*, Append*) are serialised inside the implementation; reads
// run beside writes and see only committed data. In practice the Writer thread
// appends and HTTP / maintenance threads read.
//
// Errors: Status codes from core/status.h; kIoError when the disk or the database
// failed (nothing of the failed call was stored), kCorruption when stored data does
// not decode, kNotFound for a missing id. No method throws.
#pragma once

#include <memory>

#include "store/alarm_store.h"
#include "store/audit_store.h"
#include "store/derived_store.h"
#include "store/reading_store.h"
#include "store/registry_store.h"

namespace ecohub::store {

class Store : public ReadingStore,
              public RegistryStore,
              public DerivedStore,
              public AlarmStore,
              public AuditStore {
 public:
  ~Store() override = default;
};

}  // namespace ecohub::store
