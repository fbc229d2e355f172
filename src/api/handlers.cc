#include "api/handlers.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/time.h"

namespace ecohub::api {

namespace {

bool ParseId(const std::string& s, int64_t* id) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *id);
  return ec == std::errc() && p == s.data() + s.size() && *id > 0;
}

}  // namespace

void AddCoreRoutes(Router& router, const ApiContext& ctx) {
  router.Add("GET", "/healthz", [ctx](const Request&) {
    Response r;
    r.body = ctx.health_detail ? ctx.health_detail() : R"({"status":"ok"})";
    return r;
  });

  router.Add("GET", "/metrics", [ctx](const Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = ctx.metrics->RenderPrometheus();
    return r;
  });

  // Latest value of every factor and value kind of a site's devices, from the
  // in-memory cache (maps ask for this constantly; it never touches the store).
  router.Add("GET", "/api/v1/sites/{id}/latest", [ctx](const Request& req) {
    int64_t id = 0;
    if (!ParseId(req.params.at("id"), &id))
      return Problem(400, "bad-id", "Site id must be a positive integer", req.params.at("id"));
    auto site = ctx.store->GetSite(id);
    if (!site.ok()) return Problem(404, "not-found", "No such site", req.params.at("id"));
    nlohmann::json values = nlohmann::json::array();
    for (const auto& v : ctx.latest->ForSite(id)) {
      nlohmann::json j = {{"mn", v.mn},         {"period", PeriodName(v.period)},
                          {"factor", v.factor}, {"field", v.field},
                          {"value", v.value},   {"time", FormatRfc3339Beijing(v.time)}};
      if (v.flag) j["flag"] = std::string(1, v.flag);
      auto d = Decimal::Parse(v.value);
      if (d) j["number"] = d->ToDouble();
      values.push_back(std::move(j));
    }
    return JsonResponse(
        {{"site",
          {{"id", site->id}, {"code", site->code}, {"name", site->name}, {"kind", site->kind}}},
         {"time_label", "interval start, Beijing time"},
         {"values", std::move(values)}});
  });
}

}  // namespace ecohub::api
