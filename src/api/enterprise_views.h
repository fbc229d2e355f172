// What the enterprise code routes (envcode_routes.cc) share with the enterprise's
// file (enterprise_file_routes.cc, 一源一档).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "api/handlers.h"
#include "casework/envcode.h"
#include "registry/snapshot.h"

namespace ecohub::api {

// Enterprise `id`'s code at `now` (casework/envcode.h), from its alarms, outlets and
// permits.
Result<casework::EnvCode> EnterpriseCode(const ApiContext& ctx, const registry::Snapshot& snap,
                                         int64_t id, UnixSeconds now);
// The enterprise of the path's {id} in `snap`, if `who` may read its alarms at `now`
// (codes and files are read as alarms are); otherwise null, with the 400, 403 or 404
// in `*problem`.
const registry::Enterprise* ReachEnterprise(const ApiContext& ctx, const Request& req,
                                            const auth::Principal& who,
                                            const registry::Snapshot& snap, UnixSeconds now,
                                            Response* problem);
// Its points as the API gives them: [{rule, name, count, points, text}].
nlohmann::ordered_json CodePointsJson(const casework::EnvCode& c);

}  // namespace ecohub::api
