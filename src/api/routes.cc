#include "api/routes.h"

namespace ecohub::api {

void AddAllRoutes(Api& api, const ApiContext& ctx) {
  // Operations and registry resources.
  AddCoreRoutes(api, ctx);
  // Derived values.
  AddDerivedRoutes(api, ctx);
  // Registry and readings.
  AddResourceRoutes(api, ctx);
  // Accounts, sharing, alarms, the API's own description.
  AddAccountRoutes(api, ctx);
  AddKeyRoutes(api, ctx);
  AddCatalogRoutes(api, ctx);
  AddSharingRoutes(api, ctx);
  AddAuditRoutes(api, ctx);
  AddOpenDataRoutes(api, ctx);
  AddDocsRoutes(api);
  AddAlarmRoutes(api, ctx);
}

}  // namespace ecohub::api
