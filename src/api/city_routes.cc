// The city the deployment serves and its districts: what the pages draw (public),
// and the districts an administrator sets up (registry/boundaries.h checks them, as
// `ecohub city init` does).
#include <cmath>

#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "registry/boundaries.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

const std::vector<ParamDoc> kDistrictBody = {
    {.name = "code", .description = "six-digit GB/T 2260 code", .required = true},
    {.name = "name", .description = "1-64 bytes", .required = true},
    {"geometry", "object", "GeoJSON Polygon or MultiPolygon, longitude/latitude degrees"},
    {"lon", "number", "label point, when there is no geometry"},
    {"lat", "number", "label point, when there is no geometry"},
    {"active", "boolean", "false: disabled (nothing new registered in it)"},
};

// Degrees to a micro-degree (about 0.1 m): what a map needs, without binary noise.
double Micro(double deg) { return std::round(deg * 1e6) / 1e6; }

// [west, south, east, north] of the sites' points; null when none has a place.
json SitesExtent(const registry::Snapshot& snap) {
  registry::Extent extent;
  for (const auto& site : snap.sites)
    if (site.lon != 0 || site.lat != 0) extent.Add(site.lon, site.lat);
  if (extent.empty) return nullptr;
  return json::array(
      {Micro(extent.west), Micro(extent.south), Micro(extent.east), Micro(extent.north)});
}

// The targets an administrator set; null for each one not set.
ordered_json TargetsJson(const registry::City& c) {
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  return {{"pm25_annual", opt(c.pm25_target)},
          {"good_days_percent", opt(c.good_days_target)},
          {"water_percent", opt(c.water_target)}};
}

Response GetCity(const ApiContext& ctx, const Request&, const Principal&) {
  auto city = ctx.store->GetCity();
  if (!city.ok() && city.status().code() == Code::kNotFound)
    return Problem(404, "no-city", "The city has not been set up",
                   "ecohub city init --data DIR --name NAME --code CODE [--districts FILE]");
  if (!city.ok()) return StoreError(city.status());
  json bbox = city->west != city->east ? json::array({Micro(city->west), Micro(city->south),
                                                      Micro(city->east), Micro(city->north)})
                                       : SitesExtent(*ctx.sites->Get());
  json center = nullptr;
  if (!bbox.is_null())
    center = json::array({Micro((bbox[0].get<double>() + bbox[2].get<double>()) / 2),
                          Micro((bbox[1].get<double>() + bbox[3].get<double>()) / 2)});
  return JsonResponse<ordered_json>({{"name", city->name},
                                     {"code", city->code},
                                     {"center", center},
                                     {"bbox", bbox},
                                     {"targets", TargetsJson(*city)}});
}

Response CityDistricts(const ApiContext& ctx, const Request&, const Principal&) {
  auto snap = ctx.sites->Get();
  ordered_json features = ordered_json::array();
  for (const auto& d : snap->districts) {
    if (!d.active) continue;
    ordered_json geometry =
        d.geojson.empty() ? ordered_json(nullptr) : ordered_json::parse(d.geojson, nullptr, false);
    if (geometry.is_discarded()) geometry = nullptr;
    features.push_back({{"type", "Feature"},
                        {"properties", {{"id", d.id}, {"code", d.code}, {"name", d.name}}},
                        {"geometry", std::move(geometry)}});
  }
  Response r = JsonResponse<ordered_json>(
      {{"type", "FeatureCollection"}, {"features", std::move(features)}});
  r.content_type = "application/geo+json";
  return r;
}

// The 403 unless `who` is the system administrator: the districts and the targets
// are the city's structure (city-wide staff may write the city's sites, not these).
std::optional<Response> AdminOnly(const ApiContext& ctx, const Principal& who, const char* what) {
  if (auto denied =
          Check(who, Action::kWrite, {Area::kReference, nullptr, 0, 0}, ctx.clock->WallSeconds()))
    return *denied;
  if (who.role != auth::Role::kAdmin)
    return Problem(403, "forbidden", "Not allowed",
                   std::string(what) +
                       " are set by an "
                       "administrator");
  return std::nullopt;
}

ordered_json DistrictJson(const store::District& d) {
  return {{"id", d.id},   {"code", d.code}, {"name", d.name},
          {"lon", d.lon}, {"lat", d.lat},   {"active", d.active}};
}

// `*d` with the fields of checked body `b` set; the 400 problem when one is wrong.
std::optional<Response> ApplyDistrictBody(const json& b, store::District* d) {
  Assign(b, "name", &d->name);
  Assign(b, "active", &d->active);
  if (d->name.empty() || d->name.size() > 64)
    return Problem(400, "bad-field", "name must be 1-64 bytes");
  if (b.contains("geometry") && !b["geometry"].is_null()) {
    double box[4];
    if (Status s = registry::MeasureDistrict(b["geometry"].dump(), d, box); !s.ok())
      return Problem(400, "bad-field", "geometry: " + s.message());
  } else if (b.contains("lon") || b.contains("lat")) {
    Assign(b, "lon", &d->lon);
    Assign(b, "lat", &d->lat);
    if (d->lon < -180 || d->lon > 180 || d->lat < -90 || d->lat > 90)
      return Problem(400, "bad-field", "lon and lat are degrees");
  }
  return std::nullopt;
}

// Stores `d` over `old` (null when new): 201 or 200. A district is disabled only once
// nothing active is left in it, so that no site or enterprise is orphaned.
Response StoreDistrict(const ApiContext& ctx, const Principal& who, store::District d,
                       const store::District* old, const registry::Snapshot& snap) {
  if (old && old->active && !d.active) {
    int sites = 0, enterprises = 0;
    for (const auto& s : snap.sites) sites += s.district_id == old->id && s.active;
    for (const auto& e : snap.enterprises)
      enterprises += e.district_id == old->id && e.status != "closed";
    if (sites || enterprises)
      return Problem(409, "district-in-use",
                     "Disable the district's sites and close its enterprises first",
                     std::to_string(sites) + " active sites, " + std::to_string(enterprises) +
                         " enterprises not closed");
  }
  auto id = ctx.store->PutDistrict(d);
  if (!id.ok()) return StoreError(id.status());
  d.id = *id;
  ctx.sites->Invalidate();
  ordered_json j = DistrictJson(d);
  Audit(ctx, who, old ? "district.update" : "district.create", "district:" + d.code, j);
  return JsonResponse(j, old ? 200 : 201);
}

// Creates the district with its code, or updates it: 201 or 200. Administrators only.
Response PutDistrict(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (auto denied = AdminOnly(ctx, who, "districts")) return *denied;
  json b;
  if (auto bad = ParseBody(req, kDistrictBody, &b)) return *bad;
  std::string code = b["code"].get<std::string>();
  if (!registry::IsAreaCode(code))
    return Problem(400, "bad-field", "code must be the district's six-digit GB/T 2260 code");
  auto snap = ctx.sites->Get();
  const store::District* old = snap->DistrictByCode(code);
  store::District d = old ? *old : store::District{};
  d.code = code;
  if (auto bad = ApplyDistrictBody(b, &d)) return *bad;
  return StoreDistrict(ctx, who, std::move(d), old, *snap);
}

// Changes the fields the body names; the code is the district's key.
Response PatchDistrict(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (auto denied = AdminOnly(ctx, who, "districts")) return *denied;
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  static const auto* fields = new std::vector<ParamDoc>(AllOptional(kDistrictBody));
  json b;
  if (auto bad = ParseBody(req, *fields, &b)) return *bad;
  auto snap = ctx.sites->Get();
  const store::District* old = snap->DistrictById(id);
  if (!old) return Problem(404, "not-found", "No such district");
  if (b.contains("code") && b["code"] != old->code)
    return Problem(400, "bad-field", "code is the district's key and cannot change");
  store::District d = *old;
  if (auto bad = ApplyDistrictBody(b, &d)) return *bad;
  return StoreDistrict(ctx, who, std::move(d), old, *snap);
}

const std::vector<ParamDoc> kTargetsBody = {
    {"pm25_annual", "number", "annual mean PM2.5 target, µg/m³ (null: none)"},
    {"good_days_percent", "number", "share of days with AQI 优良, percent (null: none)"},
    {"water_percent", "number",
     "share of surface-water sections meeting their target class, percent (null: none)"},
};

// Sets the targets the body names (a null clears one). Administrators only.
Response PutTargets(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (auto denied = AdminOnly(ctx, who, "the city's targets")) return *denied;
  json b;
  if (auto bad = ParseBody(req, kTargetsBody, &b)) return *bad;
  auto city = ctx.store->GetCity();
  if (!city.ok() && city.status().code() == Code::kNotFound)
    return Problem(409, "no-city", "Set the city up first (ecohub city init)");
  if (!city.ok()) return StoreError(city.status());
  struct Field {
    const char* name;
    std::optional<double>* value;
    double max;
  };
  for (const Field& f : {Field{"pm25_annual", &city->pm25_target, 500},
                         Field{"good_days_percent", &city->good_days_target, 100},
                         Field{"water_percent", &city->water_target, 100}}) {
    if (!b.contains(f.name)) continue;
    if (b[f.name].is_null()) {
      f.value->reset();
      continue;
    }
    double v = b[f.name].get<double>();
    if (!(v > 0 && v <= f.max))
      return Problem(400, "bad-field",
                     std::string(f.name) + " must be above 0 and at most " + Num(f.max));
    *f.value = v;
  }
  if (Status s = ctx.store->PutCity(*city); !s.ok()) return StoreError(s);
  ordered_json j = TargetsJson(*city);
  Audit(ctx, who, "city.targets", "city:" + city->code, j);
  return JsonResponse(j);
}

}  // namespace

void AddCityRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/public/city",
          {.summary = "The city: name, GB/T 2260 code, map centre and extent [west, south, east, "
                      "north] (404 no-city before it is set up)",
           .tag = "Public",
           .login = false,
           .response = "{name, code, center, bbox, targets}",
           .id = "getCity"},
          Bind(ctx, GetCity));
  api.Add("GET", "/api/v1/public/city/districts",
          {.summary = "The districts as a GeoJSON FeatureCollection (boundaries for maps)",
           .tag = "Public",
           .login = false,
           .response = "FeatureCollection; properties id, code, name",
           .id = "getCityDistricts"},
          Bind(ctx, CityDistricts));
  api.Add("POST", "/api/v1/districts",
          {.summary = "Create or update a district (by code; 201 new, 200 updated; "
                      "administrators)",
           .tag = "Registry",
           .body = kDistrictBody,
           .response = "the district",
           .id = "putDistrict"},
          Bind(ctx, PutDistrict));
  api.Add("PATCH", "/api/v1/districts/{id}",
          {.summary = "Change a district: name, outline, active (disabled once nothing active is "
                      "left in it); administrators",
           .tag = "Registry",
           .body = AllOptional(kDistrictBody),
           .response = "the district",
           .id = "patchDistrict"},
          Bind(ctx, PatchDistrict));
  api.Add("PUT", "/api/v1/city/targets",
          {.summary = "Set the city's targets (PM2.5, 优良 days, water sections); administrators",
           .tag = "Registry",
           .body = kTargetsBody,
           .response = "{pm25_annual, good_days_percent, water_percent}",
           .id = "putCityTargets"},
          Bind(ctx, PutTargets));
}

}  // namespace ecohub::api
