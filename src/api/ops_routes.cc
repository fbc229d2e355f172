// Operations: liveness and Prometheus metrics, for probes and scrapers.
#include "api/api.h"
#include "api/routes.h"

namespace ecohub::api {
namespace {

Response GetHealth(const ApiContext& ctx, const Request&, const auth::Principal&) {
  Response r;
  r.body = ctx.health_detail ? ctx.health_detail() : R"({"status":"ok"})";
  return r;
}

Response GetMetrics(const ApiContext& ctx, const Request&, const auth::Principal&) {
  Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = ctx.metrics->RenderPrometheus();
  return r;
}

}  // namespace

void AddOpsRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/healthz",
          {.summary = "Liveness and a few facts (devices, writer queue)",
           .tag = "Operations",
           .login = false,
           .id = "getHealth"},
          Bind(ctx, GetHealth));
  api.Add("GET", "/metrics",
          {.summary = "Prometheus metrics",
           .tag = "Operations",
           .login = false,
           .id = "getMetrics",
           .media_type = "text/plain"},
          Bind(ctx, GetMetrics));
}

}  // namespace ecohub::api
