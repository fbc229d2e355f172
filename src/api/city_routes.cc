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
  return JsonResponse<ordered_json>(
      {{"name", city->name}, {"code", city->code}, {"center", center}, {"bbox", bbox}});
}

Response CityDistricts(const ApiContext& ctx, const Request&, const Principal&) {
  auto snap = ctx.sites->Get();
  ordered_json features = ordered_json::array();
  for (const auto& d : snap->districts) {
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

// Creates the district with its code, or updates it: 201 or 200. Administrators only
// (a district is the city's, never one district's).
Response PutDistrict(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (auto denied =
          Check(who, Action::kWrite, {Area::kReference, nullptr, 0, 0}, ctx.clock->WallSeconds()))
    return *denied;
  // City-wide staff may write the city's sites, but the districts are its structure:
  // the system administrator's alone.
  if (who.role != auth::Role::kAdmin)
    return Problem(403, "forbidden", "Not allowed", "districts are set up by an administrator");
  json b;
  if (auto bad = ParseBody(req, kDistrictBody, &b)) return *bad;
  store::District d;
  d.code = b["code"].get<std::string>();
  d.name = b["name"].get<std::string>();
  if (!registry::IsAreaCode(d.code))
    return Problem(400, "bad-field", "code must be the district's six-digit GB/T 2260 code");
  if (d.name.empty() || d.name.size() > 64)
    return Problem(400, "bad-field", "name must be 1-64 bytes");
  if (b.contains("geometry") && !b["geometry"].is_null()) {
    double box[4];
    if (Status s = registry::MeasureDistrict(b["geometry"].dump(), &d, box); !s.ok())
      return Problem(400, "bad-field", "geometry: " + s.message());
  } else {
    d.lon = b.value("lon", 0.0);
    d.lat = b.value("lat", 0.0);
    if (d.lon < -180 || d.lon > 180 || d.lat < -90 || d.lat > 90)
      return Problem(400, "bad-field", "lon and lat are degrees");
  }
  auto snap = ctx.sites->Get();
  bool existed = snap->DistrictByCode(d.code) != nullptr;
  auto id = ctx.store->PutDistrict(d);
  if (!id.ok()) return StoreError(id.status());
  d.id = *id;
  ctx.sites->Invalidate();
  ordered_json j = {
      {"id", d.id}, {"code", d.code}, {"name", d.name}, {"lon", d.lon}, {"lat", d.lat}};
  Audit(ctx, who, "district.put", "district:" + d.code, j);
  return JsonResponse(j, existed ? 200 : 201);
}

}  // namespace

void AddCityRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/public/city",
          {.summary = "The city: name, GB/T 2260 code, map centre and extent [west, south, east, "
                      "north] (404 no-city before it is set up)",
           .tag = "Public",
           .login = false,
           .response = "{name, code, center, bbox}",
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
}

}  // namespace ecohub::api
