// AuditStore: the tamper-evident audit log (DESIGN.md, "Security"). Part of Store
// (store.h), whose notes on thread-safety and errors apply; its contract suite is
// audit_contract_test.cc. How rows are chained and checked, and the anchors written
// outside the store, are audit.h's.
//
// Keys: rows are signed with HMAC-SM3 under the newest key of the KeyRing handed to
// UseAuditKeys. A store never given one looks, at its first append, where every
// process of a data directory looks (crypto::KeyRing::Resolve: ECOHUB_KEYS, else
// `<data>/keys` when it exists), so command-line changes extend a keyed chain too.
// With no key anywhere, rows are chained with plain SHA-256 as before keying; once a
// keyed row exists, an append without a key fails (kPermissionDenied) rather than
// weaken the chain.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "crypto/keyring.h"

namespace ecohub::store {

// One row of the tamper-evident audit log: every change to data, rights, devices
// and datasets, every export and shared read. Rows are chained: `hash` covers the
// row's fields and `prev_hash` (the previous row's hash; 64 zeros for the first),
// so editing or deleting a row breaks the chain at that point. A keyed row's hash is
// an HMAC-SM3 under key `key_id` (nobody without the key can re-sign the chain); a
// row written before keying has an empty key_id and a plain SHA-256 (audit.h).
struct AuditEntry {
  int64_t id = 0;  // assigned by the store, consecutive from 1
  UnixMillis time = 0;
  std::string actor;            // "cli", "user:alice", "key:3"...
  std::string action;           // "device.put", "import", "export"...
  std::string object;           // what it was done to: "device:MN...", "dataset:aqi"...
  std::string detail;           // JSON
  std::string prev_hash, hash;  // lowercase hex
  std::string key_id;           // "" for a SHA-256 row written before keying
};

// The newest end of the chain, for anchors (audit.h: AuditAnchorLog).
struct AuditChainHead {
  AuditEntry last;         // id 0 and hash kAuditGenesis when the log is empty
  int64_t keyed_from = 0;  // id of the first keyed row; 0 when none is
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // The keys new rows are signed with from now on (their newest). Call before the
  // first append; `keys` may be empty (rows stay unkeyed unless the chain already is).
  virtual void UseAuditKeys(std::shared_ptr<const crypto::KeyRing> keys) = 0;

  // Appends to the audit log in its own durable transaction, linking the entry to
  // the last row; fills id, prev_hash, hash and key_id (the caller's are ignored)
  // and returns the stored entry.
  Result<AuditEntry> AppendAudit(const AuditEntry& entry) {
    AuditEntry e = entry;
    Status s = AppendAudits(std::span<AuditEntry>(&e, 1));
    if (!s.ok()) return s;
    return e;
  }
  // The same for several entries, chained in order, in one durable transaction
  // (all or none); fills each entry's id, time (when 0), prev_hash and hash.
  virtual Status AppendAudits(std::span<AuditEntry> entries) = 0;
  // Stores `entries` exactly as they are, hashes included (a copy of another store's
  // log: `ecohub db migrate`), in one durable transaction. Each must continue the
  // chain: id one more than the last row's, prev_hash the last row's hash; otherwise
  // kConflict and nothing is stored. The hashes are not recomputed (the copy keeps
  // the original signatures and anchors): `audit verify` checks them.
  virtual Status CopyAudits(std::span<const AuditEntry> entries) = 0;
  // Every audit row in id order, as stored (no checking); `fn` returns false to stop.
  virtual Status ScanAudit(const std::function<bool(const AuditEntry&)>& fn) = 0;
  // The last row and where the keyed part begins, without reading the whole log.
  virtual Result<AuditChainHead> ReadAuditHead() = 0;
};

}  // namespace ecohub::store
