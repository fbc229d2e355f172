// The resource catalog (资源目录): its classes, the datasets each caller may see with
// their freshness and quality, the registration of datasets held elsewhere; and the
// open data anyone may read: the catalog's public datasets and the disclosure of key
// enterprises' emissions (信息公开).
#include <algorithm>
#include <map>

#include "api/handlers.h"
#include "api/params.h"
#include "api/routes.h"
#include "core/time.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// What the catalog shows beside each entry, read once per request: the newest
// reading of each readings dataset, and the city's rates of the last two days.
struct CatalogFacts {
  std::map<std::string, UnixSeconds> newest_reading;  // by dataset id
  ordered_json quality;
};

CatalogFacts ReadCatalogFacts(const ApiContext& ctx, UnixSeconds now) {
  CatalogFacts f;
  auto snap = ctx.sites->Get();
  std::map<std::string, std::string> dataset_of_mn;
  for (const auto& dev : snap->devices)
    if (const store::Site* s = snap->Site(dev.site_id)) dataset_of_mn[dev.mn] = ReadingsDataset(*s);
  for (const auto& v : ctx.latest->All())
    if (auto it = dataset_of_mn.find(v.mn); it != dataset_of_mn.end())
      f.newest_reading[it->second] = std::max(f.newest_reading[it->second], v.time);
  auto rows = ctx.store->QueryDerived("quality_day", "site:*", now - 2 * 86400, now, 100000);
  int64_t expected = 0, received = 0, valid = 0;
  if (rows.ok())
    for (const auto& r : *rows) {
      auto b = json::parse(r.body, nullptr, false);
      if (b.is_discarded() || !b.contains("totals")) continue;
      expected += b["totals"].value("expected", int64_t{0});
      received += b["totals"].value("received", int64_t{0});
      valid += b["totals"].value("valid", int64_t{0});
    }
  f.quality = expected ? ordered_json{{"transmission_rate", double(received) / expected},
                                      {"valid_rate", received ? double(valid) / received : 0.0},
                                      {"days", "last 2"}}
                       : ordered_json(nullptr);
  return f;
}

// A catalog entry as the caller sees it: readable or not, how fresh, how complete.
ordered_json DatasetView(const ApiContext& ctx, const auth::Dataset& d, const Principal& who,
                         const CatalogFacts& f, UnixSeconds now) {
  ordered_json j = DatasetToJson(d);
  j["readable"] = auth::CanReadDataset(who, d.tags, now);
  // Freshness: the newest data behind the entry, where EcoHub holds it.
  std::optional<UnixSeconds> newest;
  const char* kind = d.id == "air-aqi"         ? "aqi_hour"
                     : d.id == "water-classes" ? "water_day"
                     : d.id == "data-quality"  ? "quality_day"
                     : d.id == "exceedances"   ? "exceedance"
                                               : nullptr;
  if (kind) {
    auto rows = ctx.store->QueryDerived(kind, "", now - 3 * 86400, now + 86400, 100000);
    if (rows.ok() && !rows->empty()) newest = rows->back().time;
  } else if (auto it = f.newest_reading.find(d.id); it != f.newest_reading.end()) {
    newest = it->second;
  }
  j["freshness"] = newest ? json(FormatRfc3339Beijing(*newest)) : json(nullptr);
  if (d.endpoint == "/api/v1/readings" || d.id == "air-aqi" || d.id == "data-quality")
    j["quality"] = f.quality;
  return j;
}

Response ListCategories(const ApiContext&, const Request&, const Principal&) {
  ordered_json items = ordered_json::array();
  for (const auto& c : auth::Categories()) {
    ordered_json subs = ordered_json::array();
    for (const auto& [id, name] : c.subclasses) subs.push_back({{"id", id}, {"name", name}});
    items.push_back(
        {{"id", c.id}, {"name", c.name_zh}, {"name_en", c.name_en}, {"subclasses", subs}});
  }
  return JsonResponse<ordered_json>({{"items", items}});
}

Response SearchDatasets(const ApiContext& ctx, const Request& req, const Principal& who) {
  UnixSeconds now = ctx.clock->WallSeconds();
  CatalogFacts facts = ReadCatalogFacts(ctx, now);
  std::string q = Param(req, "q", ""), cat = Param(req, "category", ""),
              sub = Param(req, "subcategory", ""), sec = Param(req, "secrecy", ""),
              sha = Param(req, "sharing", "");
  ordered_json items = ordered_json::array();
  for (const auto& d : ctx.accounts->Datasets()) {
    if (!cat.empty() && d.category != cat) continue;
    if (!sub.empty() && d.subcategory != sub) continue;
    if (!sec.empty() && auth::SecrecyName(d.tags.secrecy) != sec) continue;
    if (!sha.empty() && auth::SharingName(d.tags.sharing) != sha) continue;
    if (!auth::DatasetMatches(d, q)) continue;
    if (!auth::Authorize(who, Action::kRead, {Area::kCatalog, &d.tags}, now)) continue;
    items.push_back(DatasetView(ctx, d, who, facts, now));
  }
  return JsonResponse<ordered_json>({{"items", items}});
}

Response GetDataset(const ApiContext& ctx, const Request& req, const Principal& who) {
  UnixSeconds now = ctx.clock->WallSeconds();
  auto d = ctx.accounts->GetDataset(req.params.at("id"));
  if (!d.ok()) return FromStatus(d.status());
  if (auto denied = Check(who, Action::kRead, {Area::kCatalog, &d->tags}, now)) {
    // Not listed for the caller: do not confirm that it exists.
    if (who.role != auth::Role::kPublic) return Problem(404, "not-found", "Not found");
    return *denied;
  }
  return JsonResponse(DatasetView(ctx, *d, who, ReadCatalogFacts(ctx, now), now));
}

Response RegisterDataset(const ApiContext& ctx, const Request& req, const Principal& who) {
  // The body's fields are checked by DatasetFromJson, which knows the catalog's
  // vocabularies, rather than by ParseBody.
  json b;
  try {
    b = json::parse(req.body);
  } catch (const std::exception& e) {
    return Problem(400, "bad-body", "Body is not valid JSON", e.what());
  }
  auto d = auth::DatasetFromJson(b);
  if (!d.ok()) return FromStatus(d.status());
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kWrite, {Area::kCatalog, &d->tags}, now)) return *denied;
  Status s = ctx.accounts->PutDataset(*d, now);
  if (!s.ok()) return FromStatus(s);
  Audit(ctx, who, "dataset.put", "dataset:" + d->id, DatasetToJson(*d));
  return JsonResponse(DatasetToJson(*d), 201);
}

// The latest hourly emissions of one outlet, each with its limit where the site's
// attributes name one.
ordered_json OutletValues(const ApiContext& ctx, const store::Site& s) {
  auto attrs = json::parse(s.attrs_json.empty() ? "{}" : s.attrs_json, nullptr, false);
  ordered_json values = ordered_json::array();
  for (const auto& v : ctx.latest->ForSite(s.id)) {
    if (v.period != Period::kHour || (v.field != "Avg" && v.field != "ZsAvg")) continue;
    ordered_json x = {{"factor", v.factor},
                      {"field", v.field},
                      {"value", v.value},
                      {"time", FormatRfc3339Beijing(v.time)}};
    if (attrs.is_object() && attrs.contains("limits") && attrs["limits"].is_object() &&
        attrs["limits"].contains(v.factor))
      x["limit"] = attrs["limits"][v.factor];
    values.push_back(std::move(x));
  }
  return values;
}

Response DiscloseEnterprises(const ApiContext& ctx, const Request&, const Principal&) {
  auto snap = ctx.sites->Get();
  ordered_json items = ordered_json::array();
  for (const auto& e : snap->enterprises) {
    if (!e.key_unit) continue;
    ordered_json outlets = ordered_json::array();
    for (const auto& s : snap->sites)
      if (s.enterprise_id == e.id)
        outlets.push_back({{"code", s.code},
                           {"name", s.name},
                           {"kind", registry::SiteKindName(s.kind)},
                           {"values", OutletValues(ctx, s)}});
    items.push_back({{"id", e.id},
                     {"name", e.name},
                     {"credit_code", e.credit_code},
                     {"industry", e.industry},
                     {"permit_no", e.permit_no},
                     {"outlets", outlets}});
  }
  return JsonResponse<ordered_json>({{"time_label", "hour start, Beijing time"}, {"items", items}});
}

Response ListPublicDatasets(const ApiContext& ctx, const Request&, const Principal&) {
  ordered_json items = ordered_json::array();
  for (const auto& d : ctx.accounts->Datasets())
    if (d.tags.secrecy == auth::Secrecy::kPublic && d.tags.sharing == auth::Sharing::kPublic)
      items.push_back(DatasetToJson(d));
  return JsonResponse<ordered_json>({{"items", items}});
}

}  // namespace

void AddCatalogRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/catalog/categories",
          {.summary = "The six classes of the catalog and their subclasses",
           .tag = "Catalog",
           .login = false,
           .id = "listCatalogCategories",
           .list = true},
          Bind(ctx, ListCategories));
  api.Add("GET", "/api/v1/datasets",
          {.summary = "Search the resource catalog (资源目录)",
           .tag = "Catalog",
           .query = {{"q", "string", "text in name, description, keywords"},
                     {"category", "string", "one of the six classes"},
                     {"subcategory", "string", ""},
                     {"secrecy", "string", "public, internal, restricted or secret"},
                     {"sharing", "string", "public, government, departments or none"}},
           .login = false,
           .id = "searchDatasets",
           .list = true},
          Bind(ctx, SearchDatasets));
  api.Add("GET", "/api/v1/datasets/{id}",
          {.summary = "One catalog entry", .tag = "Catalog", .login = false, .id = "getDataset"},
          Bind(ctx, GetDataset));
  api.Add("POST", "/api/v1/datasets",
          {.summary = "Register a dataset held in another system (administrators)",
           .tag = "Catalog",
           .body = {{.name = "id", .description = "slug", .required = true},
                    {.name = "name", .required = true},
                    {"description", "string", ""},
                    {.name = "category", .required = true},
                    {.name = "subcategory", .required = true},
                    {.name = "source_system", .required = true},
                    {.name = "owner_department", .required = true},
                    {"update_frequency", "string", ""},
                    {"fields", "array", "[{name, type, unit, description}]"},
                    {"formats", "array", "json, csv, xlsx, api, file"},
                    {"coverage", "object", "{from, to} as YYYY-MM-DD"},
                    {"keywords", "array", ""},
                    {"secrecy", "string", ""},
                    {"sharing", "string", ""},
                    {"sharing_departments", "array", ""},
                    {"enterprise_own_rows", "boolean", ""}},
           .id = "registerDataset"},
          Bind(ctx, RegisterDataset));
}

void AddOpenDataRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/public/enterprises",
          {.summary = "Key pollutant-discharging units and the latest emissions of their outlets "
                      "(信息公开)",
           .tag = "Public",
           .login = false,
           .dataset = "emission-disclosure",
           .id = "listPublicEnterprises",
           .list = true},
          Bind(ctx, DiscloseEnterprises));
  api.Add("GET", "/api/v1/public/datasets",
          {.summary = "The catalog's public datasets (open data)",
           .tag = "Public",
           .login = false,
           .id = "listPublicDatasets",
           .list = true},
          Bind(ctx, ListPublicDatasets));
}

}  // namespace ecohub::api
