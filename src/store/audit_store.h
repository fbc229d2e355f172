// AuditStore: the tamper-evident audit log (DESIGN.md, "Security"). Part of Store
// (store.h), whose notes on thread-safety and errors apply; its contract suite is
// audit_contract_test.cc. Checking the chain is audit.h's VerifyAuditChain.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "core/status.h"
#include "core/time.h"

namespace ecohub::store {

// One row of the tamper-evident audit log: every change to data, rights, devices
// and datasets, every export and shared read. Rows are hash-chained: `hash` is the
// SHA-256 of the row's fields and `prev_hash` (the previous row's hash; 64 zeros
// for the first), so editing or deleting a row breaks the chain at that point
// (audit.h: VerifyAuditChain).
struct AuditEntry {
  int64_t id = 0;  // assigned by the store, consecutive from 1
  UnixMillis time = 0;
  std::string actor;            // "cli", "user:alice", "key:3"...
  std::string action;           // "device.put", "import", "export"...
  std::string object;           // what it was done to: "device:MN...", "dataset:aqi"...
  std::string detail;           // JSON
  std::string prev_hash, hash;  // lowercase hex
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Appends to the audit log in its own durable transaction, linking the entry to
  // the last row; fills id, prev_hash and hash (the caller's are ignored) and
  // returns the stored entry.
  Result<AuditEntry> AppendAudit(const AuditEntry& entry) {
    AuditEntry e = entry;
    Status s = AppendAudits(std::span<AuditEntry>(&e, 1));
    if (!s.ok()) return s;
    return e;
  }
  // The same for several entries, chained in order, in one durable transaction
  // (all or none); fills each entry's id, time (when 0), prev_hash and hash.
  virtual Status AppendAudits(std::span<AuditEntry> entries) = 0;
  // Every audit row in id order, as stored (no checking); `fn` returns false to stop.
  virtual Status ScanAudit(const std::function<bool(const AuditEntry&)>& fn) = 0;
};

}  // namespace ecohub::store
