#include "api/handlers.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "api/routes.h"
#include "core/time.h"

namespace ecohub::api {

void AddCoreRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/healthz",
          {"Liveness and a few facts (devices, writer queue)", "Operations", {}, {}, false},
          [ctx](const Request&, const auth::Principal&) {
            Response r;
            r.body = ctx.health_detail ? ctx.health_detail() : R"({"status":"ok"})";
            return r;
          });

  api.Add("GET", "/metrics", {"Prometheus metrics", "Operations", {}, {}, false},
          [ctx](const Request&, const auth::Principal&) {
            Response r;
            r.content_type = "text/plain; version=0.0.4";
            r.body = ctx.metrics->RenderPrometheus();
            return r;
          });
}

}  // namespace ecohub::api
