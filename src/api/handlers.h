// The HTTP resources of the first milestone: health, metrics and a site's latest
// values. Each handler reads through the interfaces in ApiContext only.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "api/router.h"
#include "core/metrics.h"
#include "store/latest_cache.h"
#include "store/store.h"

namespace ecohub::api {

// A JSON document (nlohmann json or ordered_json) as a response; invalid UTF-8 in
// it is replaced, never thrown.
template <class Json = nlohmann::json>
Response JsonResponse(const Json& j, int status = 200) {
  Response r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

struct ApiContext {
  store::Store* store = nullptr;
  store::LatestCache* latest = nullptr;
  Metrics* metrics = nullptr;
  // Extra health facts (writer queue, connections), merged into /healthz.
  std::function<std::string()> health_detail;
};

void AddCoreRoutes(Router& router, const ApiContext& ctx);
// Derived values: AQI history and rankings, water classes, exceedances, quality
// rates, period reports, and the public city AQI (derived_handlers.cc).
void AddDerivedRoutes(Router& router, const ApiContext& ctx);

}  // namespace ecohub::api
