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

// Whether the client connected from this host (an IPv4 or IPv6 loopback address).
bool FromLoopback(const Request& req) {
  return req.peer.rfind("127.", 0) == 0 || req.peer == "::1" ||
         req.peer.rfind("::ffff:127.", 0) == 0;
}

// Metrics tell an outsider how busy the platform is and which devices talk: a
// scraper on this host reads them freely, anyone else needs the operations right
// (administrators).
Response GetMetrics(const ApiContext& ctx, const Request& req, const auth::Principal& who) {
  if (!FromLoopback(req)) {
    if (who.role == auth::Role::kPublic)
      return Problem(401, "unauthenticated", "Log in to read the metrics");
    if (auto denied = Check(who, auth::Action::kRead, {auth::Area::kOps}, ctx.clock->WallSeconds()))
      return *denied;
  }
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
          {.summary = "Prometheus metrics: free from this host (a local scraper), otherwise "
                      "administrators only",
           .tag = "Operations",
           .login = false,
           .id = "getMetrics",
           .media_type = "text/plain"},
          Bind(ctx, GetMetrics));
}

}  // namespace ecohub::api
