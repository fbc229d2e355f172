#include "api/routes.h"

namespace ecohub::api {

void AddAllRoutes(Api& api, const ApiContext& given) {
  ApiContext ctx = given;
  ctx.api = &api;
  // Operations and registry resources.
  AddOpsRoutes(api, ctx);
  // Derived values.
  AddDerivedRoutes(api, ctx);
  // Registry and readings.
  AddRegistryRoutes(api, ctx);
  AddCityRoutes(api, ctx);
  AddDeviceRoutes(api, ctx);
  AddRegistryImportRoutes(api, ctx);
  AddReadingsRoutes(api, ctx);
  AddPermitRoutes(api, ctx);
  AddImportRoutes(api, ctx);
  AddReviewRoutes(api, ctx);
  AddControlRoutes(api, ctx);
  AddDeclarationRoutes(api, ctx);
  AddSampleRoutes(api, ctx);
  AddPublicComplaintRoutes(api, ctx);
  AddComplaintRoutes(api, ctx);
  AddTaskRoutes(api, ctx);
  AddDrawRoutes(api, ctx);
  AddEnterpriseCodeRoutes(api, ctx);
  AddEnterpriseFileRoutes(api, ctx);
  AddCaseRoutes(api, ctx);
  AddNotifyRoutes(api, ctx);
  // Accounts, sharing, alarms, the API's own description.
  AddAccountRoutes(api, ctx);
  AddOidcRoutes(api, ctx);
  AddSecondFactorRoutes(api, ctx);
  AddKeyRoutes(api, ctx);
  AddCatalogRoutes(api, ctx);
  AddSharingRoutes(api, ctx);
  AddAuditRoutes(api, ctx);
  AddOpenDataRoutes(api, ctx);
  AddDocsRoutes(api);
  AddAlarmRoutes(api, ctx);
}

}  // namespace ecohub::api
