// The registry and the readings: districts, sites, enterprises, devices, factors,
// latest values and series. Every item passes the access policy: lists are
// filtered to what the caller may see, single items answer 403 (or 404 when the
// id does not exist), writes need the policy's write right on the object.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>
#include <unordered_map>

#include "api/export.h"
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

// --- the registry snapshot -------------------------------------------------------

const store::Site* SiteDirectory::Snapshot::Site(int64_t id) const {
  auto it = std::lower_bound(sites.begin(), sites.end(), id,
                             [](const store::Site& s, int64_t v) { return s.id < v; });
  return it != sites.end() && it->id == id ? &*it : nullptr;
}
const store::Site* SiteDirectory::Snapshot::SiteByCode(std::string_view code) const {
  for (const auto& s : sites)
    if (s.code == code) return &s;
  return nullptr;
}
const store::District* SiteDirectory::Snapshot::DistrictByCode(std::string_view code) const {
  for (const auto& d : districts)
    if (d.code == code) return &d;
  return nullptr;
}
const store::District* SiteDirectory::Snapshot::DistrictById(int64_t id) const {
  for (const auto& d : districts)
    if (d.id == id) return &d;
  return nullptr;
}
const store::Enterprise* SiteDirectory::Snapshot::EnterpriseById(int64_t id) const {
  for (const auto& e : enterprises)
    if (e.id == id) return &e;
  return nullptr;
}
std::vector<std::string> SiteDirectory::Snapshot::MnsOf(int64_t site_id) const {
  std::vector<std::string> out;
  for (const auto& d : devices)
    if (d.site_id == site_id) out.push_back(d.mn);
  return out;
}

std::shared_ptr<const SiteDirectory::Snapshot> SiteDirectory::Get() {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  std::lock_guard lock(mu_);
  if (snap_ && now - loaded_ms_ < 5000) return snap_;
  auto s = std::make_shared<Snapshot>();
  auto d = store_->Districts();
  auto e = store_->Enterprises();
  auto si = store_->Sites();
  auto dv = store_->Devices();
  if (!d.ok() || !e.ok() || !si.ok() || !dv.ok()) {
    spdlog::error("registry reload failed; serving the previous snapshot");
    if (snap_) return snap_;
  } else {
    s->districts = std::move(*d);
    s->enterprises = std::move(*e);
    s->sites = std::move(*si);
    s->devices = std::move(*dv);
    std::sort(s->sites.begin(), s->sites.end(),
              [](const store::Site& a, const store::Site& b) { return a.id < b.id; });
  }
  snap_ = std::move(s);
  loaded_ms_ = now;
  return snap_;
}

void SiteDirectory::Invalidate() {
  std::lock_guard lock(mu_);
  loaded_ms_ = 0;
  snap_.reset();
}

const char* ReadingsDataset(const store::Site& s) {
  if (s.kind == "air") return "air-station-readings";
  if (s.kind == "water") return "water-section-readings";
  return "enterprise-emissions";
}

auth::Target SiteTarget(const store::Site& s, const auth::DatasetTags* tags) {
  return {tags ? Area::kData : Area::kReference, tags, s.district_id, s.enterprise_id};
}

bool SiteVisible(const Api& api, const Principal& who, const std::string& dataset,
                 const store::Site& site) {
  auto tags = api.Tags(dataset);
  return tags && auth::Authorize(who, Action::kRead, SiteTarget(site, &*tags), WallSeconds());
}

void Audit(const ApiContext& ctx, const Principal& who, std::string_view action,
           std::string_view object, const nlohmann::json& detail) {
  store::AuditEntry e;
  e.time = WallMillis();
  e.actor = who.name;
  e.action = std::string(action);
  e.object = std::string(object);
  e.detail = detail.dump(-1, ' ', false, json::error_handler_t::replace);
  auto r = ctx.store->AppendAudit(e);
  if (!r.ok()) spdlog::error("audit log: {} ({} {})", r.status().ToString(), action, object);
}

Response FromStatus(const Status& s) {
  switch (s.code()) {
    case Code::kInvalidInput:
      return Problem(400, "bad-input", "Bad input", s.message());
    case Code::kNotFound:
      return Problem(404, "not-found", "Not found", s.message());
    case Code::kConflict:
      return Problem(409, "conflict", "Conflict", s.message());
    case Code::kUnauthenticated:
      return Problem(401, "unauthenticated", "Unauthenticated", s.message());
    case Code::kPermissionDenied:
      return Problem(403, "forbidden", "Not allowed", s.message());
    default:
      spdlog::error("api: {}", s.ToString());
      return Problem(500, "internal", "Internal error", s.message());
  }
}

void AuditRead(const ApiContext& ctx, const Principal& who, std::string_view object,
               const nlohmann::json& detail) {
  if (!ctx.audit_queue) return Audit(ctx, who, "data.read", object, detail);
  store::AuditEntry e;
  e.actor = who.name;
  e.action = "data.read";
  e.object = std::string(object);
  e.detail = detail.dump(-1, ' ', false, json::error_handler_t::replace);
  ctx.audit_queue->Add(std::move(e));
}

namespace {

constexpr UnixSeconds kDay = 86400;

// HJ 212 codes of the factors EcoHub knows by name, with their units.
struct FactorInfo {
  const char* code;
  const char* name;
  const char* unit;
  const char* medium;
};
constexpr FactorInfo kFactors[] = {
    {"a21026", "SO2", "µg/m³ (stations), mg/m³ (outlets)", "air"},
    {"a21004", "NO2", "µg/m³", "air"},
    {"a21005", "CO", "mg/m³", "air"},
    {"a05024", "O3", "µg/m³", "air"},
    {"a34002", "PM10", "µg/m³", "air"},
    {"a34004", "PM2.5", "µg/m³", "air"},
    {"a21002", "NOx", "mg/m³", "air"},
    {"a34013", "烟尘 (particulate matter)", "mg/m³", "air"},
    {"a19001", "O2 含量", "%", "air"},
    {"a01012", "烟气温度", "°C", "air"},
    {"a00000", "废气流量", "m³/s", "air"},
    {"a20057", "汞及其化合物", "mg/m³", "air"},
    {"a24088", "非甲烷总烃", "mg/m³", "air"},
    {"w01001", "pH", "", "water"},
    {"w01009", "溶解氧 DO", "mg/L", "water"},
    {"w01019", "高锰酸盐指数 CODMn", "mg/L", "water"},
    {"w01018", "化学需氧量 COD", "mg/L", "water"},
    {"w21003", "氨氮 NH3-N", "mg/L", "water"},
    {"w21011", "总磷 TP", "mg/L", "water"},
    {"w21001", "总氮 TN", "mg/L", "water"},
    {"w00000", "污水流量", "L/s", "water"},
};

ordered_json SiteJson(const store::Site& s) {
  ordered_json j = {{"id", s.id},
                    {"code", s.code},
                    {"name", s.name},
                    {"kind", s.kind},
                    {"district_id", s.district_id},
                    {"enterprise_id", s.enterprise_id ? json(s.enterprise_id) : json(nullptr)},
                    {"lon", s.lon},
                    {"lat", s.lat},
                    {"simulated", s.simulated}};
  auto attrs = ordered_json::parse(s.attrs_json.empty() ? "{}" : s.attrs_json, nullptr, false);
  j["attrs"] = attrs.is_discarded() ? ordered_json::object() : attrs;
  return j;
}

ordered_json EnterpriseJson(const store::Enterprise& e) {
  return {{"id", e.id},
          {"name", e.name},
          {"credit_code", e.credit_code},
          {"industry", e.industry},
          {"district_id", e.district_id},
          {"lon", e.lon},
          {"lat", e.lat},
          {"key_unit", e.key_unit},
          {"permit_no", e.permit_no}};
}

// A device as the API shows it: never its password.
ordered_json DeviceJson(const store::Device& d) {
  return {{"mn", d.mn},
          {"site_id", d.site_id},
          {"protocol_version", d.protocol_version},
          {"charset", d.charset},
          {"enabled", d.enabled},
          {"crc_variant", d.crc_variant},
          {"password_set", !d.password.empty()}};
}

Response StoreError(const Status& s) {
  spdlog::error("api store error: {}", s.ToString());
  return Problem(500, "store", "Store error", s.message());
}

// The `district` query parameter as an id: -1 when absent (no filter), 0 when no
// district has that code.
int64_t DistrictFilter(const SiteDirectory::Snapshot& snap, const std::string& code) {
  if (code.empty()) return -1;
  const store::District* d = snap.DistrictByCode(code);
  return d ? d->id : 0;
}

// A list page of `items` (already filtered and ordered by id).
template <class T, class ToJson>
Response PageOf(const std::vector<const T*>& items, const Page& page, ToJson to_json) {
  ordered_json out = ordered_json::array();
  int64_t last = 0;
  bool more = false;
  for (const T* it : items) {
    if (it->id <= page.after) continue;
    if (out.size() == page.limit) {
      more = true;
      break;
    }
    out.push_back(to_json(*it));
    last = it->id;
  }
  return JsonResponse<ordered_json>(
      {{"items", std::move(out)}, {"next_cursor", more ? json(CursorAfter(last)) : json(nullptr)}});
}

// An export of a list: same filter as the JSON, every visible item.
template <class T>
Response ExportOf(const ApiContext& ctx, const Principal& who, const std::string& format,
                  const std::string& stem, std::vector<ExportColumn> columns,
                  std::vector<const T*> items,
                  std::function<std::vector<std::optional<std::string>>(const T&)> row) {
  auto fmt = ParseExportFormat(format);
  size_t i = 0;
  auto held = std::make_shared<std::vector<const T*>>(std::move(items));
  ApiContext c = ctx;
  Principal p = who;
  return ExportResponse(
      *fmt, stem, std::move(columns),
      [held, i, row](std::vector<std::optional<std::string>>* out) mutable {
        if (i >= held->size()) return false;
        *out = row(*(*held)[i++]);
        return true;
      },
      [c, p, stem, format](int64_t rows) {
        Audit(c, p, "export", "list:" + stem, {{"format", format}, {"rows", rows}});
      });
}

bool Exporting(const Request& req) {
  auto it = req.query.find("format");
  return it != req.query.end() && it->second != "json";
}

std::string Num(double v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

// --- readings ------------------------------------------------------------------

std::optional<Period> PeriodOf(std::string_view s) {
  if (s == "realtime") return Period::kRealtime;
  if (s == "minute") return Period::kMinute;
  if (s == "hour") return Period::kHour;
  if (s == "day") return Period::kDay;
  return std::nullopt;
}

// Start of the Beijing-local bucket of `t` for an aggregation step.
UnixSeconds BucketOf(UnixSeconds t, std::string_view agg) {
  if (agg == "hour") return FloorBeijing(t, 3600);
  if (agg == "day") return FloorBeijing(t, kDay);
  CivilTime c = CivilFromSeconds(t + kBeijingOffsetSeconds);  // month
  return DaysFromCivil(c.year, c.month, 1) * kDay - kBeijingOffsetSeconds;
}

struct Point {
  UnixSeconds t;
  std::string value;
  char flag;
  int count;
};

// Mean per bucket of the values whose flag is valid data (N, or none); flagged values
// are left out of a mean, and a bucket with none keeps no value.
std::vector<Point> Aggregate(const std::vector<Reading>& rows, std::string_view agg) {
  std::vector<Point> out;
  double sum = 0;
  int n = 0;
  UnixSeconds cur = 0;
  bool open = false;
  auto flush = [&] {
    if (!open) return;
    out.push_back({cur, n ? Num(std::round(sum / n * 1000) / 1000) : std::string(), 0, n});
  };
  for (const auto& r : rows) {
    UnixSeconds b = BucketOf(r.time, agg);
    if (!open || b != cur) {
      flush();
      cur = b;
      open = true;
      sum = 0;
      n = 0;
    }
    auto d = Decimal::Parse(r.value);
    if (d && (r.flag == 0 || r.flag == 'N')) {
      sum += d->ToDouble();
      ++n;
    }
  }
  flush();
  return out;
}

// Rendered bodies of /api/v1/latest by the caller's view, kept for a second.
class LatestBodies {
 public:
  std::optional<std::string> Find(const std::string& key, int64_t now_ms) {
    std::lock_guard lock(mu_);
    auto it = bodies_.find(key);
    if (it == bodies_.end() || now_ms - it->second.first >= 1000) return std::nullopt;
    return it->second.second;
  }
  void Put(const std::string& key, int64_t now_ms, const std::string& body) {
    std::lock_guard lock(mu_);
    if (bodies_.size() > 1000) bodies_.clear();  // views are few; never grow without end
    bodies_[key] = {now_ms, body};
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::pair<int64_t, std::string>> bodies_;
};

// What decides a caller's view of the data: two callers with the same key see the
// same sites.
std::string ScopeKey(const Principal& p) {
  std::string k = std::string(auth::RoleName(p.role)) + "/" + std::to_string(p.district_id) + "/" +
                  std::to_string(p.enterprise_id) + "/" + p.department;
  for (const auto& g : p.grants) k += "/g:" + g.dataset;
  for (const auto& d : p.key_datasets) k += "/k:" + d;
  return k;
}

}  // namespace

void AddResourceRoutes(Api& api, const ApiContext& ctx) {
  auto sites = ctx.sites;
  const ParamDoc kCursor{"cursor", "cursor", "next_cursor of the previous page"};
  const ParamDoc kLimit{"limit", "integer", "items per page, 1..1000 (default 100)"};

  api.Add("GET", "/api/v1/districts",
          {"Districts of the city", "Registry", {{"geometry", "boolean", "include GeoJSON"}}},
          [sites](const Request& req, const Principal&) {
            auto snap = sites->Get();
            bool geo =
                Param(req, "geometry", "false") == "true" || Param(req, "geometry", "") == "1";
            ordered_json items = ordered_json::array();
            for (const auto& d : snap->districts) {
              ordered_json j = {
                  {"id", d.id}, {"code", d.code}, {"name", d.name}, {"lon", d.lon}, {"lat", d.lat}};
              if (geo) j["geometry"] = ordered_json::parse(d.geojson, nullptr, false);
              items.push_back(std::move(j));
            }
            return JsonResponse<ordered_json>({{"items", std::move(items)}});
          });

  api.Add("GET", "/api/v1/factors",
          {"Monitoring factors (HJ 212 codes) with names and units", "Registry", {}, {}, false},
          [](const Request&, const Principal&) {
            ordered_json items = ordered_json::array();
            for (const auto& f : kFactors)
              items.push_back(
                  {{"code", f.code}, {"name", f.name}, {"unit", f.unit}, {"medium", f.medium}});
            return JsonResponse<ordered_json>({{"items", std::move(items)}});
          });

  // What the public maps draw: districts and the air stations and water sections
  // (never outlets: those are disclosed by /public/enterprises for key units only).
  api.Add(
      "GET", "/api/v1/public/stations",
      {"Districts, air stations and water sections with their places (lon/lat)",
       "Public",
       {{"kind", "string", "air or water (default: both)"}},
       {},
       false,
       "",
       false,
       "districts[] and items[] with code, name, kind, district, lon, lat, simulated"},
      [sites](const Request& req, const Principal&) {
        std::string kind = Param(req, "kind", "");
        if (!kind.empty() && kind != "air" && kind != "water")
          return Problem(400, "bad-parameter", "kind must be air or water", kind);
        auto snap = sites->Get();
        ordered_json districts = ordered_json::array();
        for (const auto& d : snap->districts)
          districts.push_back({{"code", d.code}, {"name", d.name}, {"lon", d.lon}, {"lat", d.lat}});
        ordered_json items = ordered_json::array();
        for (const auto& s : snap->sites) {
          if (s.kind != "air" && s.kind != "water") continue;
          if (!kind.empty() && s.kind != kind) continue;
          const store::District* d = snap->DistrictById(s.district_id);
          std::string district = d ? d->code : "";
          auto attrs = json::parse(s.attrs_json.empty() ? "{}" : s.attrs_json, nullptr, false);
          ordered_json o = {{"code", s.code},          {"name", s.name}, {"kind", s.kind},
                            {"district", district},    {"lon", s.lon},   {"lat", s.lat},
                            {"simulated", s.simulated}};
          // Only the attributes that describe the place to the public.
          if (attrs.is_object())
            for (const char* k : {"level", "water_type", "target_class", "river"})
              if (attrs.contains(k)) o[k] = attrs[k];
          items.push_back(std::move(o));
        }
        Response r = JsonResponse<ordered_json>(
            {{"coordinates", "longitude/latitude degrees as registered (see docs/web.md)"},
             {"districts", std::move(districts)},
             {"items", std::move(items)}});
        r.headers.push_back({"Cache-Control", "public, max-age=60"});
        return r;
      });

  // Sites: stations, sections and outlets the caller may see.
  api.Add(
      "GET", "/api/v1/sites",
      {"Monitoring sites (air stations, water sections, outlets) the caller may see",
       "Registry",
       {{"kind", "string", "air, water, outlet_gas or outlet_water"},
        {"district", "string", "district code"},
        {"enterprise", "integer", "enterprise id"},
        {"q", "string", "text in the code or the name"},
        kCursor,
        kLimit},
       {},
       true,
       "",
       true},
      [ctx, sites](const Request& req, const Principal& who) {
        std::string bad;
        auto page = PageParams(req, 1000, &bad);
        if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
        auto snap = sites->Get();
        std::string kind = Param(req, "kind", ""), district = Param(req, "district", ""),
                    q = Param(req, "q", ""), ent = Param(req, "enterprise", "");
        int64_t district_id = DistrictFilter(*snap, district);
        if (district_id == 0) return Problem(400, "bad-parameter", "No such district", district);
        std::vector<const store::Site*> items;
        for (const auto& s : snap->sites) {
          if (!kind.empty() && s.kind != kind) continue;
          if (district_id >= 0 && s.district_id != district_id) continue;
          if (!ent.empty() && std::to_string(s.enterprise_id) != ent) continue;
          if (!q.empty() && s.code.find(q) == std::string::npos &&
              s.name.find(q) == std::string::npos)
            continue;
          if (!auth::Authorize(who, Exporting(req) ? Action::kExport : Action::kRead,
                               SiteTarget(s, nullptr), WallSeconds()))
            continue;
          items.push_back(&s);
        }
        if (Exporting(req))
          return ExportOf<store::Site>(
              ctx, who, Param(req, "format", ""), "sites",
              {{"id", "", ExportColumn::kNumber},
               {"code"},
               {"name"},
               {"kind"},
               {"district_id", "", ExportColumn::kNumber},
               {"enterprise_id", "", ExportColumn::kNumber},
               {"lon", "°", ExportColumn::kNumber},
               {"lat", "°", ExportColumn::kNumber}},
              std::move(items), [](const store::Site& s) {
                return std::vector<std::optional<std::string>>{
                    std::to_string(s.id),
                    s.code,
                    s.name,
                    s.kind,
                    std::to_string(s.district_id),
                    s.enterprise_id ? std::optional(std::to_string(s.enterprise_id)) : std::nullopt,
                    Num(s.lon),
                    Num(s.lat)};
              });
        return PageOf(items, *page, SiteJson);
      });

  api.Add("GET", "/api/v1/sites/{id}", {"One site", "Registry"},
          [sites](const Request& req, const Principal& who) {
            int64_t id = 0;
            if (!ParseId(req.params.at("id"), &id))
              return Problem(400, "bad-id", "Site id must be a positive integer");
            auto snap = sites->Get();
            const store::Site* s = snap->Site(id);
            if (!s) return Problem(404, "not-found", "No such site");
            if (auto denied = Check(who, Action::kRead, SiteTarget(*s, nullptr))) return *denied;
            ordered_json j = SiteJson(*s);
            ordered_json mns = ordered_json::array();
            for (const auto& mn : snap->MnsOf(id)) mns.push_back(mn);
            j["devices"] = mns;
            return JsonResponse(j);
          });

  const std::vector<ParamDoc> kSiteBody = {
      {"code", "string", "unique site code", true},
      {"name", "string", "", true},
      {"kind", "string", "air, water, outlet_gas or outlet_water", true},
      {"district_id", "integer", "", true},
      {"enterprise_id", "integer", "outlets: the enterprise"},
      {"lon", "number", "longitude (CGCS2000 / WGS 84)"},
      {"lat", "number", "latitude"},
      {"attrs", "object", "limits, target water class, permit details"}};
  api.Add(
      "POST", "/api/v1/sites",
      {"Create or update a site (by code)", "Registry", {}, kSiteBody, true, "", false, "the site"},
      [ctx, sites, kSiteBody](const Request& req, const Principal& who) {
        json b;
        if (auto bad = ParseBody(req, kSiteBody, &b)) return *bad;
        store::Site s;
        s.code = b["code"];
        s.name = b["name"];
        s.kind = b["kind"];
        s.district_id = b["district_id"];
        s.enterprise_id = b.value("enterprise_id", int64_t{0});
        s.lon = b.value("lon", 0.0);
        s.lat = b.value("lat", 0.0);
        if (b.contains("attrs") && !b["attrs"].is_null()) s.attrs_json = b["attrs"].dump();
        if (s.kind != "air" && s.kind != "water" && s.kind != "outlet_gas" &&
            s.kind != "outlet_water")
          return Problem(400, "bad-field", "kind must be air, water, outlet_gas or outlet_water");
        if (s.code.empty() || s.code.size() > 64 || s.name.empty() || s.name.size() > 200 ||
            !std::all_of(s.code.begin(), s.code.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
            }))
          return Problem(400, "bad-field",
                         "code must be 1-64 of A-Z a-z 0-9 - _, and name 1-200 bytes");
        if (std::abs(s.lon) > 180 || std::abs(s.lat) > 90)
          return Problem(400, "bad-field", "lon must be within ±180 and lat within ±90");
        auto snap = sites->Get();
        if (!snap->DistrictById(s.district_id))
          return Problem(400, "bad-field", "No such district_id");
        if (s.kind.starts_with("outlet") && !snap->EnterpriseById(s.enterprise_id))
          return Problem(400, "bad-field", "An outlet needs an existing enterprise_id");
        if (const store::Site* old = snap->SiteByCode(s.code))
          if (auto denied = Check(who, Action::kWrite, SiteTarget(*old, nullptr))) return *denied;
        if (auto denied = Check(who, Action::kWrite, SiteTarget(s, nullptr))) return *denied;
        auto id = ctx.store->PutSite(s);
        if (!id.ok()) return StoreError(id.status());
        s.id = *id;
        sites->Invalidate();
        Audit(ctx, who, "site.put", "site:" + s.code, SiteJson(s));
        return JsonResponse(SiteJson(s), 201);
      });

  api.Add("GET", "/api/v1/enterprises",
          {"Enterprises (pollutant-discharging units) the caller may see",
           "Registry",
           {{"district", "string", "district code"},
            {"key_unit", "boolean", "only key units (重点排污单位)"},
            {"q", "string", "text in the name or credit code"},
            kCursor,
            kLimit},
           {},
           true,
           "",
           true},
          [ctx, sites](const Request& req, const Principal& who) {
            std::string bad;
            auto page = PageParams(req, 1000, &bad);
            if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
            auto snap = sites->Get();
            std::string district = Param(req, "district", ""), q = Param(req, "q", "");
            std::string key = Param(req, "key_unit", "");
            int64_t district_id = DistrictFilter(*snap, district);
            if (district_id == 0)
              return Problem(400, "bad-parameter", "No such district", district);
            std::vector<const store::Enterprise*> items;
            for (const auto& e : snap->enterprises) {
              if (district_id >= 0 && e.district_id != district_id) continue;
              if ((key == "true" || key == "1") && !e.key_unit) continue;
              if (!q.empty() && e.name.find(q) == std::string::npos &&
                  e.credit_code.find(q) == std::string::npos)
                continue;
              if (!auth::Authorize(who, Exporting(req) ? Action::kExport : Action::kRead,
                                   {Area::kReference, nullptr, e.district_id, e.id}, WallSeconds()))
                continue;
              items.push_back(&e);
            }
            std::sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->id < b->id; });
            if (Exporting(req))
              return ExportOf<store::Enterprise>(ctx, who, Param(req, "format", ""), "enterprises",
                                                 {{"id", "", ExportColumn::kNumber},
                                                  {"name"},
                                                  {"credit_code"},
                                                  {"industry"},
                                                  {"district_id", "", ExportColumn::kNumber},
                                                  {"key_unit"},
                                                  {"permit_no"}},
                                                 std::move(items), [](const store::Enterprise& e) {
                                                   return std::vector<std::optional<std::string>>{
                                                       std::to_string(e.id),
                                                       e.name,
                                                       e.credit_code,
                                                       e.industry,
                                                       std::to_string(e.district_id),
                                                       e.key_unit ? "yes" : "no",
                                                       e.permit_no};
                                                 });
            return PageOf(items, *page, EnterpriseJson);
          });

  api.Add("GET", "/api/v1/enterprises/{id}", {"One enterprise, with its outlets", "Registry"},
          [sites](const Request& req, const Principal& who) {
            int64_t id = 0;
            if (!ParseId(req.params.at("id"), &id))
              return Problem(400, "bad-id", "Enterprise id must be a positive integer");
            auto snap = sites->Get();
            const store::Enterprise* e = snap->EnterpriseById(id);
            if (!e) return Problem(404, "not-found", "No such enterprise");
            if (auto denied =
                    Check(who, Action::kRead, {Area::kReference, nullptr, e->district_id, e->id}))
              return *denied;
            ordered_json j = EnterpriseJson(*e);
            ordered_json outlets = ordered_json::array();
            for (const auto& s : snap->sites)
              if (s.enterprise_id == id) outlets.push_back(SiteJson(s));
            j["outlets"] = outlets;
            return JsonResponse(j);
          });

  // Devices: registry rows of the loggers, never with their passwords.
  api.Add("GET", "/api/v1/devices",
          {"Data loggers (by MN) of the sites the caller may see, with their live status "
           "(online, connected, last_packet, packets and rejected since start-up); passwords "
           "are never shown",
           "Registry",
           {{"site", "integer", "site id"},
            {"status", "string", "online or offline (last packet older than 30 minutes)"}}},
          [ctx, sites](const Request& req, const Principal& who) {
            auto snap = sites->Get();
            std::string site = Param(req, "site", ""), status = Param(req, "status", "");
            if (!status.empty() && status != "online" && status != "offline")
              return Problem(400, "bad-parameter", "status must be online or offline", status);
            UnixSeconds now = WallSeconds();
            ordered_json items = ordered_json::array();
            for (const auto& d : snap->devices) {
              if (!site.empty() && std::to_string(d.site_id) != site) continue;
              const store::Site* s = snap->Site(d.site_id);
              auth::Target t = s ? SiteTarget(*s, nullptr) : auth::Target{Area::kReference};
              if (!auth::Authorize(who, Action::kRead, t, now)) continue;
              if (!status.empty() && DeviceOnline(ctx, d, now) != (status == "online")) continue;
              ordered_json j = DeviceJson(d);
              DeviceStatusJson(ctx, d, now, &j);
              items.push_back(std::move(j));
            }
            return JsonResponse<ordered_json>({{"items", std::move(items)}});
          });

  const std::vector<ParamDoc> kDeviceBody = {
      {"mn", "string", "the logger's MN (HJ 212)"},
      {"site_id", "integer", "the site it measures"},
      {"password", "string", "the HJ 212 access password (PW)"},
      {"protocol_version", "integer", "0: HJ/T 212-2005, 1: HJ 212-2017, 2: HJ 212-2025"},
      {"charset", "string", "utf-8 or gbk"},
      {"crc_variant", "string", "hj212 (default)"},
      {"enabled", "boolean", "false: the gateway refuses it"}};
  auto put_device = [ctx, sites, kDeviceBody](const Request& req, const Principal& who,
                                              std::optional<std::string> mn_path) {
    json b;
    if (auto bad = ParseBody(req, kDeviceBody, &b)) return *bad;
    auto snap = sites->Get();
    store::Device d;
    bool exists = false;
    std::string mn = mn_path ? *mn_path : b.value("mn", std::string());
    if (mn.empty() || mn.size() > 32 || !std::all_of(mn.begin(), mn.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c));
        }))
      return Problem(400, "bad-field", "mn must be 1-32 letters and digits");
    for (const auto& x : snap->devices)
      if (x.mn == mn) d = x, exists = true;
    int64_t old_site = d.site_id;
    if (mn_path && !exists) return Problem(404, "not-found", "No such device", mn);
    if (!mn_path && exists) return Problem(409, "conflict", "Device exists; use PATCH", mn);
    d.mn = mn;
    if (b.contains("site_id") && !b["site_id"].is_null()) d.site_id = b["site_id"];
    if (b.contains("password") && !b["password"].is_null()) d.password = b["password"];
    if (b.contains("protocol_version") && !b["protocol_version"].is_null())
      d.protocol_version = b["protocol_version"];
    if (b.contains("charset") && !b["charset"].is_null()) d.charset = b["charset"];
    if (b.contains("crc_variant") && !b["crc_variant"].is_null()) d.crc_variant = b["crc_variant"];
    if (b.contains("enabled") && !b["enabled"].is_null()) d.enabled = b["enabled"];
    if (d.protocol_version < 0 || d.protocol_version > 2)
      return Problem(400, "bad-field", "protocol_version must be 0, 1 or 2");
    if (d.charset != "utf-8" && d.charset != "gbk")
      return Problem(400, "bad-field", "charset must be utf-8 or gbk");
    if (d.password.empty() || d.password.size() > 64)
      return Problem(400, "bad-field", "password must be 1-64 bytes");
    const store::Site* s = snap->Site(d.site_id);
    if (!s) return Problem(400, "bad-field", "site_id names no site");
    if (exists)  // changing or moving a device needs the right on its current site too
      if (const store::Site* old = snap->Site(old_site))
        if (auto denied = Check(who, Action::kWrite, SiteTarget(*old, nullptr))) return *denied;
    if (auto denied = Check(who, Action::kWrite, SiteTarget(*s, nullptr))) return *denied;
    Status st = ctx.store->PutDevice(d);
    if (!st.ok()) return StoreError(st);
    sites->Invalidate();
    if (ctx.device_changed) ctx.device_changed(d);
    ordered_json detail = DeviceJson(d);
    if (b.contains("password")) detail["password_changed"] = true;
    Audit(ctx, who, exists ? "device.update" : "device.create", "device:" + d.mn, detail);
    return JsonResponse(DeviceJson(d), exists ? 200 : 201);
  };
  api.Add("POST", "/api/v1/devices",
          {"Register a data logger", "Registry", {}, kDeviceBody, true, "", false, "the device"},
          [put_device](const Request& req, const Principal& who) {
            return put_device(req, who, std::nullopt);
          });
  api.Add("PATCH", "/api/v1/devices/{mn}",
          {"Change a data logger: site, password, protocol, enable or disable",
           "Registry",
           {},
           kDeviceBody},
          [put_device](const Request& req, const Principal& who) {
            return put_device(req, who, req.params.at("mn"));
          });

  api.Add("GET", "/api/v1/devices/{mn}/packets",
          {"Raw packets a logger sent, with the gateway's verdict, newest first",
           "Registry",
           {{"from", "time", "default: 1 hour before `to`"},
            {"to", "time", "default: now"},
            {"limit", "integer", "1..1000 (default 100)"}}},
          [ctx, sites](const Request& req, const Principal& who) {
            auto snap = sites->Get();
            const std::string& mn = req.params.at("mn");
            const store::Device* dev = nullptr;
            for (const auto& d : snap->devices)
              if (d.mn == mn) dev = &d;
            if (!dev) return Problem(404, "not-found", "No such device", mn);
            const store::Site* s = snap->Site(dev->site_id);
            auth::Target t = s ? SiteTarget(*s, nullptr) : auth::Target{Area::kReference};
            if (auto denied = Check(who, Action::kRead, t)) return *denied;
            std::string bad;
            UnixSeconds to = TimeParam(req, "to", WallSeconds() + 60, &bad);
            UnixSeconds from = TimeParam(req, "from", to - 3600, &bad);
            auto page = PageParams(req, 1000, &bad);
            if (!bad.empty() || !page)
              return Problem(400, "bad-parameter", "Bad query parameter", bad);
            if (from > to || to - from > 7 * kDay)
              return Problem(400, "bad-range", "from..to must be ordered and at most 7 days");
            auto rows = ctx.store->RawPackets(mn, from * 1000, to * 1000, page->limit);
            if (!rows.ok()) return StoreError(rows.status());
            ordered_json items = ordered_json::array();
            for (const auto& r : *rows)
              items.push_back({{"received", FormatRfc3339Beijing(r.received / 1000)},
                               {"peer", r.peer},
                               {"verdict", r.verdict},
                               {"bytes", r.bytes}});
            return JsonResponse<ordered_json>({{"mn", mn}, {"items", std::move(items)}});
          });

  // Latest values of every site the caller may see (what maps ask for, constantly).
  api.Add("GET", "/api/v1/latest",
          {"Latest value of every factor of every site the caller may see",
           "Data",
           {{"kind", "string", "air, water, outlet_gas or outlet_water"}}},
          [ctx, &api, sites, cache = std::make_shared<LatestBodies>()](const Request& req,
                                                                       const Principal& who) {
            std::string kind = Param(req, "kind", "");
            // Maps poll this constantly and many callers share one view: the body of
            // each (scope, kind) is rendered at most once a second.
            std::string key = ScopeKey(who) + "|" + kind;
            int64_t now_ms = WallMillis();
            if (auto body = cache->Find(key, now_ms)) {
              Response r;
              r.body = std::move(*body);
              return r;
            }
            auto snap = sites->Get();
            std::map<int64_t, ordered_json> by_site;
            auto values = ctx.latest->All();
            std::map<std::string, int64_t> site_of;
            for (const auto& d : snap->devices) site_of[d.mn] = d.site_id;
            std::map<int64_t, bool> visible;
            for (const auto& v : values) {
              auto it = site_of.find(v.mn);
              if (it == site_of.end()) continue;
              const store::Site* s = snap->Site(it->second);
              if (!s || (!kind.empty() && s->kind != kind)) continue;
              auto [vis, fresh] = visible.try_emplace(s->id, false);
              if (fresh) vis->second = SiteVisible(api, who, ReadingsDataset(*s), *s);
              if (!vis->second) continue;
              auto& j = by_site[s->id];
              if (j.is_null())
                j = {{"site_id", s->id},
                     {"code", s->code},
                     {"name", s->name},
                     {"kind", s->kind},
                     {"lon", s->lon},
                     {"lat", s->lat},
                     {"values", ordered_json::array()}};
              ordered_json x = {{"period", PeriodName(v.period)},
                                {"factor", v.factor},
                                {"field", v.field},
                                {"value", v.value},
                                {"time", FormatRfc3339Beijing(v.time)}};
              if (v.flag) x["flag"] = std::string(1, v.flag);
              j["values"].push_back(std::move(x));
            }
            ordered_json items = ordered_json::array();
            for (auto& [id, j] : by_site) items.push_back(std::move(j));
            Response r = JsonResponse<ordered_json>(
                {{"time_label", "interval start, Beijing time"}, {"items", std::move(items)}});
            cache->Put(key, now_ms, r.body);
            return r;
          });

  api.Add(
      "GET", "/api/v1/sites/{id}/latest", {"Latest values of one site", "Data"},
      [ctx, &api, sites](const Request& req, const Principal& who) {
        int64_t id = 0;
        if (!ParseId(req.params.at("id"), &id))
          return Problem(400, "bad-id", "Site id must be a positive integer", req.params.at("id"));
        auto snap = sites->Get();
        const store::Site* site = snap->Site(id);
        if (!site) return Problem(404, "not-found", "No such site", req.params.at("id"));
        auto tags = api.Tags(ReadingsDataset(*site));
        if (auto denied = Check(who, Action::kRead, SiteTarget(*site, &*tags))) return *denied;
        ordered_json values = ordered_json::array();
        for (const auto& v : ctx.latest->ForSite(id)) {
          ordered_json j = {{"mn", v.mn},         {"period", PeriodName(v.period)},
                            {"factor", v.factor}, {"field", v.field},
                            {"value", v.value},   {"time", FormatRfc3339Beijing(v.time)}};
          if (v.flag) j["flag"] = std::string(1, v.flag);
          if (auto d = Decimal::Parse(v.value)) j["number"] = d->ToDouble();
          values.push_back(std::move(j));
        }
        return JsonResponse<ordered_json>(
            {{"site",
              {{"id", site->id}, {"code", site->code}, {"name", site->name}, {"kind", site->kind}}},
             {"time_label", "interval start, Beijing time"},
             {"values", std::move(values)}});
      });

  // One site's series of one or more factors, raw or averaged into Beijing-local
  // hours, days or months.
  api.Add(
      "GET", "/api/v1/readings",
      {"A site's series: values of factors over a time range, raw or averaged on Beijing-local "
       "boundaries",
       "Data",
       {{"site", "string", "site id or code", true},
        {"factor", "string", "HJ 212 factor codes, comma-separated (at most 20)", true},
        {"period", "string", "realtime, minute, hour (default) or day"},
        {"field", "string", "Avg (default; Rtd for realtime), Min, Max, Cou, ZsAvg..."},
        {"from", "time", "default: 1 day before `to`"},
        {"to", "time", "end, exclusive (default: now)"},
        {"agg", "string", "none (default), hour, day or month: mean of valid values"}},
       {},
       true,
       "",
       true},
      [ctx, &api, sites](const Request& req, const Principal& who) {
        auto snap = sites->Get();
        std::string site_text = Param(req, "site", "");
        int64_t sid = 0;
        const store::Site* site =
            ParseId(site_text, &sid) ? snap->Site(sid) : snap->SiteByCode(site_text);
        if (!site) return Problem(404, "not-found", "No such site", site_text);
        std::string dataset = ReadingsDataset(*site);
        auto tags = api.Tags(dataset);
        bool exporting = Exporting(req);
        if (auto denied =
                Check(who, exporting ? Action::kExport : Action::kRead, SiteTarget(*site, &*tags)))
          return *denied;
        auto period = PeriodOf(Param(req, "period", "hour"));
        if (!period)
          return Problem(400, "bad-parameter", "period must be realtime, minute, hour or day");
        std::string field = Param(req, "field", *period == Period::kRealtime ? "Rtd" : "Avg");
        std::string agg = Param(req, "agg", "none");
        if (agg != "none" && agg != "hour" && agg != "day" && agg != "month")
          return Problem(400, "bad-parameter", "agg must be none, hour, day or month", agg);
        std::vector<std::string> factors;
        std::string fs = Param(req, "factor", "");
        for (size_t i = 0; i <= fs.size();) {
          size_t j = fs.find(',', i);
          if (j == std::string::npos) j = fs.size();
          std::string f = fs.substr(i, j - i);
          if (f.empty() || f.size() > 16)
            return Problem(400, "bad-parameter", "Bad factor list", fs);
          factors.push_back(f);
          i = j + 1;
        }
        if (factors.size() > 20) return Problem(400, "bad-parameter", "At most 20 factors");
        std::string bad;
        UnixSeconds to = TimeParam(req, "to", WallSeconds() + 1, &bad);
        UnixSeconds from = TimeParam(req, "from", to - kDay, &bad);
        if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
        // Bounded per request: a year of hourly data, 31 days of minutes, 2 of real time.
        UnixSeconds max_span = *period == Period::kRealtime ? 2 * kDay
                               : *period == Period::kMinute ? 31 * kDay
                                                            : 367 * kDay;
        if (from >= to || to - from > max_span)
          return Problem(400, "bad-range", "from must be before to, within the period's span",
                         "realtime: 2 days, minute: 31 days, hour and day: 367 days");
        auto mns = snap->MnsOf(site->id);
        std::vector<std::pair<std::string, std::vector<Point>>> series;
        for (const auto& f : factors) {
          std::vector<Reading> rows;
          for (const auto& mn : mns) {
            auto r = ctx.store->Range(mn, *period, f, field, from, to);
            if (!r.ok()) return StoreError(r.status());
            if (rows.empty())
              rows = std::move(*r);
            else
              rows.insert(rows.end(), std::make_move_iterator(r->begin()),
                          std::make_move_iterator(r->end()));
          }
          if (mns.size() > 1)
            std::stable_sort(rows.begin(), rows.end(),
                             [](const Reading& a, const Reading& b) { return a.time < b.time; });
          std::vector<Point> pts;
          if (agg == "none") {
            pts.reserve(rows.size());
            for (auto& r : rows) pts.push_back({r.time, std::move(r.value), r.flag, 1});
          } else {
            pts = Aggregate(rows, agg);
          }
          series.emplace_back(f, std::move(pts));
        }
        if (who.key_id != 0 || who.role == auth::Role::kPartner)
          AuditRead(ctx, who, "dataset:" + dataset,
                    {{"site", site->code},
                     {"factors", fs},
                     {"from", from},
                     {"to", to},
                     {"rows", std::accumulate(
                                  series.begin(), series.end(), size_t{0},
                                  [](size_t n, const auto& s) { return n + s.second.size(); })}});
        if (exporting) {
          auto held = std::make_shared<decltype(series)>(std::move(series));
          size_t si = 0, pi = 0;
          std::string code = site->code;
          ApiContext c = ctx;
          Principal p = who;
          std::string format = Param(req, "format", "csv");
          return ExportResponse(
              *ParseExportFormat(format), "readings-" + code,
              {{"site"},
               {"factor"},
               {"time", "", ExportColumn::kTime},
               {"value", "", ExportColumn::kNumber},
               {"flag"}},
              [held, si, pi, code](std::vector<std::optional<std::string>>* row) mutable {
                while (si < held->size() && pi >= (*held)[si].second.size()) ++si, pi = 0;
                if (si >= held->size()) return false;
                const Point& pt = (*held)[si].second[pi++];
                *row = {code, (*held)[si].first, FormatRfc3339Beijing(pt.t),
                        pt.value.empty() ? std::nullopt : std::optional(pt.value),
                        pt.flag ? std::optional(std::string(1, pt.flag)) : std::nullopt};
                return true;
              },
              [c, p, dataset, code, format](int64_t rows) {
                Audit(c, p, "export", "dataset:" + dataset,
                      {{"site", code}, {"format", format}, {"rows", rows}});
              });
        }
        // Written by hand: this is the hot path of charts (a year of hours).
        std::string out;
        out.reserve(64 + series.size() * 48 * 9000);
        out += "{\"site\":{\"id\":" + std::to_string(site->id) + ",\"code\":";
        out += json(site->code).dump(-1, ' ', false, json::error_handler_t::replace);
        out += "},\"period\":\"" + std::string(PeriodName(*period)) + "\",\"field\":";
        out += json(field).dump(-1, ' ', false, json::error_handler_t::replace);
        out +=
            ",\"agg\":\"" + agg + "\",\"time_label\":\"interval start, Beijing time\",\"series\":[";
        for (size_t i = 0; i < series.size(); ++i) {
          if (i) out += ',';
          out += "{\"factor\":" +
                 json(series[i].first).dump(-1, ' ', false, json::error_handler_t::replace);
          out += ",\"points\":[";
          bool first = true;
          for (const auto& pt : series[i].second) {
            if (!first) out += ',';
            first = false;
            out += "{\"t\":\"";
            out += FormatRfc3339Beijing(pt.t);
            out += "\",\"v\":";
            // A plain decimal goes out as a JSON number; anything else as text.
            if (pt.value.empty())
              out += "null";
            else if (auto d = Decimal::Parse(pt.value))
              out += d->ToString();
            else
              out += json(pt.value).dump(-1, ' ', false, json::error_handler_t::replace);
            if (pt.flag) {
              out += ",\"flag\":";
              if (std::isalnum(static_cast<unsigned char>(pt.flag))) {
                out += '"';
                out += pt.flag;
                out += '"';
              } else {
                out += json(std::string(1, pt.flag))
                           .dump(-1, ' ', false, json::error_handler_t::replace);
              }
            }
            if (agg != "none") out += ",\"n\":" + std::to_string(pt.count);
            out += '}';
          }
          out += "]}";
        }
        out += "]}";
        Response r;
        r.body = std::move(out);
        return r;
      });
}

}  // namespace ecohub::api
