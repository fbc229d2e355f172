// The platform API's route tables, one function per resource file.
//
// Each *_routes.cc file starts with its table: method, path, documentation and the
// named handler that answers it. To find a route's code, find its path in the table
// of the file named below, then read the handler it names.
#pragma once

#include "api/api.h"
#include "api/handlers.h"

namespace ecohub::api {

// --- operations and registry resources -------------------------------------------
// /healthz, /metrics (ops_routes.cc).
void AddOpsRoutes(Api& api, const ApiContext& ctx);
// Districts, factors, the public map's stations, sites, enterprises
// (registry_routes.cc).
void AddRegistryRoutes(Api& api, const ApiContext& ctx);
// Devices and the raw packets they sent (device_routes.cc).
void AddDeviceRoutes(Api& api, const ApiContext& ctx);
// Latest values and series of readings (readings_routes.cc).
void AddReadingsRoutes(Api& api, const ApiContext& ctx);

// --- accounts, sharing, alarms, the API's own description -----------------------
// Login and accounts, API keys, the catalog, data requests, notifications, the
// audit log, the OpenAPI document and the API page (platform_handlers.cc).
void AddPlatformRoutes(Api& api, const ApiContext& ctx);
// Alarms: list, summary, one, acknowledge, close (alarm_handlers.cc).
void AddAlarmRoutes(Api& api, const ApiContext& ctx);

// --- derived values ----------------------------------------------------------------
// AQI history and rankings, water classes, exceedances, quality rates, period
// reports (a year, a month or any from/to), and the public city AQI
// (derived_routes.cc).
void AddDerivedRoutes(Api& api, const ApiContext& ctx);

// Every route of the platform API, in the order the tables are added (an alias
// follows the route it names). The handlers see `ctx` with its `api` set to `api`.
void AddAllRoutes(Api& api, const ApiContext& ctx);

}  // namespace ecohub::api
