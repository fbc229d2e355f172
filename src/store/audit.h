// The audit log's hash chain: how a row's hash is computed and how the whole log is
// checked. A row's hash covers its id, time, actor, action, object, detail and the
// previous row's hash, each length-prefixed so no two rows serialise alike. Editing
// any field of a row, or deleting a row (its successor's prev_hash no longer matches),
// is found; truncating the newest rows is not, unless the head hash was noted
// elsewhere (VerifyAuditChain returns it for that purpose).
#pragma once

#include <string>

#include "store/store.h"

namespace ecohub::store {

inline constexpr const char* kAuditGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Lowercase hex SHA-256 of the entry's fields and prev_hash (entry.hash is ignored).
std::string AuditHash(const AuditEntry& entry);

struct AuditCheck {
  bool ok = true;
  int64_t rows = 0;
  int64_t first_broken_id = 0;  // 0 when ok
  std::string reason;           // why that row is broken
  std::string head;             // hash of the last row (genesis when empty)
};

// Walks the log in id order: ids consecutive from 1, each prev_hash equal to the
// previous row's hash, each hash equal to AuditHash of the row. Stops at the first
// broken row. An error only when the store cannot be read.
Result<AuditCheck> VerifyAuditChain(Store& store);

}  // namespace ecohub::store
