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
// The city and its districts: public extent and boundaries, district writes
// (city_routes.cc).
void AddCityRoutes(Api& api, const ApiContext& ctx);
// Devices and the raw packets they sent (device_routes.cc).
void AddDeviceRoutes(Api& api, const ApiContext& ctx);
// registry_import.cc: templates and bulk registration from CSV/XLSX files.
void AddRegistryImportRoutes(Api& api, const ApiContext& ctx);
// Latest values and series of readings (readings_routes.cc).
void AddReadingsRoutes(Api& api, const ApiContext& ctx);
// Pollutant discharge permits and the share of their quantities used
// (permit_routes.cc).
void AddPermitRoutes(Api& api, const ApiContext& ctx);
// import_routes.cc: imports of readings (upload, push), their batches, a value's source.
void AddImportRoutes(Api& api, const ApiContext& ctx);
// review_routes.cc: review (审核) of stored values, days closed as reviewed.
void AddReviewRoutes(Api& api, const ApiContext& ctx);
// control_routes.cc: commands to devices (reverse control), history recovery report.
void AddControlRoutes(Api& api, const ApiContext& ctx);
void AddDeclarationRoutes(Api& api, const ApiContext& ctx);
// sample_routes.cc: manual and laboratory samples (手工监测): entry, CSV import, list.
void AddSampleRoutes(Api& api, const ApiContext& ctx);
// complaint_routes.cc: complaints (12369) as staff list, read, handle and count them.
void AddComplaintRoutes(Api& api, const ApiContext& ctx);
// task_routes.cc: grids and grid tasks (网格化监管): create, assign, field record, review.
void AddTaskRoutes(Api& api, const ApiContext& ctx);
// Random inspections (双随机一公开): draws, their publication, the public list.
void AddDrawRoutes(Api& api, const ApiContext& ctx);
// The enterprise environment code (环保码) of each enterprise, explained.
void AddEnterpriseCodeRoutes(Api& api, const ApiContext& ctx);
// 一源一档: one enterprise's file.
void AddEnterpriseFileRoutes(Api& api, const ApiContext& ctx);
// Enforcement cases: inspection records, penalties, rectification.
void AddCaseRoutes(Api& api, const ApiContext& ctx);
void AddNotifyRoutes(Api& api, const ApiContext& ctx);
// complaint_public_routes.cc: the public's side of complaints (file, photos, follow,
// rate, reopen).
void AddPublicComplaintRoutes(Api& api, const ApiContext& ctx);
// GET /water/history?source=manual: a section's GB 3838 class per day from its
// manual samples (sample_routes.cc); the caller checked that `site` is a section.
Response ManualWaterHistory(const ApiContext& ctx, const Request& req, const auth::Principal& who,
                            const store::Site& site);
// The write of POST /api/v1/permits, for a body already read as JSON: its checks, the
// rights of `who` and the audit record; 201 created, 200 replaced, or the problem.
// The demo registers its permits through it (app/demo_city.h).
Response WritePermit(const ApiContext& ctx, const auth::Principal& who, const nlohmann::json& body);

// --- accounts, sharing, alarms, the API's own description -----------------------
// Login, logout, one's password and identity, user accounts (account_routes.cc).
void AddAccountRoutes(Api& api, const ApiContext& ctx);
// One's TOTP second factor, and its reset by an account manager
// (second_factor_routes.cc).
void AddSecondFactorRoutes(Api& api, const ApiContext& ctx);
// Login methods and the login through the unified identity provider (oidc_routes.cc).
void AddOidcRoutes(Api& api, const ApiContext& ctx);
// API keys (key_routes.cc).
void AddKeyRoutes(Api& api, const ApiContext& ctx);
// The resource catalog: classes, datasets (catalog_routes.cc).
void AddCatalogRoutes(Api& api, const ApiContext& ctx);
// Data requests and their decisions, notifications (sharing_routes.cc).
void AddSharingRoutes(Api& api, const ApiContext& ctx);
// The audit log (audit_routes.cc).
void AddAuditRoutes(Api& api, const ApiContext& ctx);
// Open data: the disclosure of key enterprises, the public datasets
// (catalog_routes.cc).
void AddOpenDataRoutes(Api& api, const ApiContext& ctx);
// The OpenAPI document and the API page (docs_routes.cc).
void AddDocsRoutes(Api& api);
// Alarms: list, summary, one, acknowledge, close (alarm_routes.cc).
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
