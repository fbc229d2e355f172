// One registry row's write, split into "prepare" (the body applied over the row as
// it is, validated, and the caller's rights checked) and the store's write, so that
// the bulk import (registry_import.cc) runs on every row of a file exactly the
// checks of a single write through the API, and stores nothing until all pass.
// Internal to src/api (registry_routes.cc, device_routes.cc).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "api/api.h"
#include "api/routes.h"

namespace ecohub::api {

// Each takes a body as its POST route takes it (JSON field names and types, ids for
// references), finds the row it names by its natural key (credit code, site code,
// MN) in `snap`, and sets `*out` to the row as it would be stored and `*old` to the
// stored one (null when new). A field the body leaves out keeps the stored value (a
// default when new). Returns the problem the single write would answer (400 bad
// field, 403 not allowed, 409 conflict), or nullopt when the row may be stored.
std::optional<Response> PrepareEnterpriseRow(const ApiContext& ctx, const auth::Principal& who,
                                             const registry::Snapshot& snap,
                                             const nlohmann::json& body, store::Enterprise* out,
                                             const store::Enterprise** old);
std::optional<Response> PrepareSiteRow(const ApiContext& ctx, const auth::Principal& who,
                                       const registry::Snapshot& snap, const nlohmann::json& body,
                                       store::Site* out, const store::Site** old);
std::optional<Response> PrepareDeviceRow(const ApiContext& ctx, const auth::Principal& who,
                                         const registry::Snapshot& snap, const nlohmann::json& body,
                                         store::Device* out, const store::Device** old);

// The devices of site `s` that storing it disables with it: its enabled devices,
// now disabled, when `s` is not active; none otherwise.
std::vector<store::Device> DevicesDisabledWith(const store::Site& s,
                                               const registry::Snapshot& snap);

}  // namespace ecohub::api
