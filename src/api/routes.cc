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
  AddPlatformRoutes(api, ctx);
  AddAlarmRoutes(api, ctx);
}

}  // namespace ecohub::api
