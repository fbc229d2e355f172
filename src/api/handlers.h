// The HTTP resources of the first milestone: health, metrics and a site's latest
// values. Each handler reads through the interfaces in ApiContext only.
#pragma once

#include <functional>
#include <string>

#include "api/router.h"
#include "core/metrics.h"
#include "store/latest_cache.h"
#include "store/store.h"

namespace ecohub::api {

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
