// A permit as JSON, the one shape both the API and the SQLite backend use:
//   {"id", "number", "enterprise_id", "valid_from", "valid_to", "issuer", "state",
//    "outlets": [{"site_id", "limits": [{"factor", "value", "lower"?, "unit",
//                                        "standard"}]}],
//    "quantities": [{"factor", "tonnes_per_year"}]}
// Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "permit/types.h"

namespace ecohub::permit {

nlohmann::ordered_json ToJson(const Permit& p);

// The permit `j` describes. Checks shapes and types only (what the caller must check
// against the registry and the factor table is left to it); kInvalidInput naming the
// field ("outlets[1].limits[0].value must be a number") otherwise. "id" is ignored,
// "issuer" and "state" are optional ("valid" when absent), "lower" may be null.
Result<Permit> PermitFromJson(const nlohmann::json& j);

}  // namespace ecohub::permit
