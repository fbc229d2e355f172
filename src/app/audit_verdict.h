// The verdict on the audit record, as `ecohub audit verify` prints it and
// GET /api/v1/audit/verify answers it: the keyed chain walked and checked against
// the signed anchors kept outside the store (store/audit.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "crypto/keyring.h"
#include "store/store.h"

namespace ecohub::app {

// {"ok": true, "rows", "keyed_from", "anchors", "head"} when intact;
// {"ok": false, "first_broken_row", "reason", ...} when a row or an anchor was altered,
// removed or forged (first_broken_row 0: the anchors themselves). An error only when
// the record cannot be read at all.
Result<nlohmann::json> AuditVerdict(store::Store& store, const crypto::KeyRing& keys,
                                    const std::string& anchors_path);

}  // namespace ecohub::app
