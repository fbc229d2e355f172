// The registry: districts, monitoring factors, the public map's stations, sites and
// enterprises. Lists are filtered to what the caller may see, a single row answers
// 404 when its id does not exist and 403 (401 for the public) when it is not the
// caller's to see, and a write needs the policy's write right on the row before
// and after the change.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "api/api.h"
#include "api/export.h"
#include "api/params.h"
#include "api/registry_rows.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "core/factors.h"
#include "registry/site_attrs.h"
#include "standards/credit_code.h"

namespace ecohub::api {
namespace {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;
using Snapshot = SiteDirectory::Snapshot;

// --- rows as the API shows them ----------------------------------------------------

ordered_json SiteJson(const store::Site& s) {
  ordered_json j = {{"id", s.id},
                    {"code", s.code},
                    {"name", s.name},
                    {"kind", registry::SiteKindName(s.kind)},
                    {"district_id", s.district_id},
                    {"enterprise_id", s.enterprise_id ? json(s.enterprise_id) : json(nullptr)},
                    {"lon", s.lon},
                    {"lat", s.lat},
                    {"simulated", s.simulated},
                    {"active", s.active}};
  auto attrs = ordered_json::parse(s.attrs_json.empty() ? "{}" : s.attrs_json, nullptr, false);
  j["attrs"] = attrs.is_discarded() ? ordered_json::object() : attrs;
  return j;
}

// "water,air" -> ["water", "air"].
ordered_json MediaList(const std::string& stored) {
  ordered_json out = ordered_json::array();
  for (size_t at = 0; at < stored.size();) {
    size_t comma = std::min(stored.find(',', at), stored.size());
    out.push_back(stored.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
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
          {"key_media", MediaList(e.key_media)},
          {"permit_no", e.permit_no},
          {"address", e.address},
          {"contact_name", e.contact_name},
          {"contact_phone", e.contact_phone},
          {"status", e.status}};
}

ordered_json RangeJson(const std::optional<FactorRange>& r) {
  if (!r) return nullptr;
  return {{"min", r->min}, {"max", r->max}};
}

// The registry rows themselves (reference data, not a dataset's rows) as policy
// targets.
auth::Target ReferenceTarget(const store::Site& s) { return SiteTarget(s, nullptr); }
auth::Target ReferenceTarget(const store::Enterprise& e) {
  return {Area::kReference, nullptr, e.district_id, e.id};
}

// The policy's answer to `who` changing site `s`: the write right on the site (its
// district) and, for a site of an enterprise, on that enterprise (the enterprise's
// district), so that district staff neither change another district's site nor
// hang an outlet on another district's enterprise. nullopt when both allow.
std::optional<Response> CheckSiteWrite(const Principal& who, const store::Site& s,
                                       const Snapshot& snap, UnixSeconds now) {
  if (auto denied = Check(who, Action::kWrite, ReferenceTarget(s), now)) return denied;
  if (const store::Enterprise* e = snap.EnterpriseById(s.enterprise_id))
    return Check(who, Action::kWrite, ReferenceTarget(*e), now);
  return std::nullopt;
}

// --- the sequences every list and every get-by-id follow --------------------------

// How a registry list shows its rows: a page of JSON items, or every row as a
// CSV/XLSX download (file `stem`, one cell per column).
template <class Row>
struct ListView {
  const char* stem;
  std::vector<ExportColumn> columns;
  std::vector<std::optional<std::string>> (*cells)(const Row&);
  ordered_json (*to_json)(const Row&);
};

// The page of `items` (ordered by id) after the cursor, with the next cursor.
template <class Row>
Response PageOf(const std::vector<const Row*>& items, const Page& page,
                ordered_json (*to_json)(const Row&)) {
  ordered_json out = ordered_json::array();
  int64_t last = 0;
  bool more = false;
  for (const Row* it : items) {
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

// Every one of `items` as a download in `format`, put on the audit log when sent.
template <class Row>
Response ExportRows(const ApiContext& ctx, const Principal& who, const std::string& format,
                    const ListView<Row>& view, std::vector<const Row*> items) {
  auto held = std::make_shared<std::vector<const Row*>>(std::move(items));
  std::string stem = view.stem;
  return ExportResponse(
      *ParseExportFormat(format), stem, view.columns,
      [held, i = size_t{0},
       cells = view.cells](std::vector<std::optional<std::string>>* out) mutable {
        if (i >= held->size()) return false;
        *out = cells(*(*held)[i++]);
        return true;
      },
      [ctx, who, stem, format](int64_t rows) {
        Audit(ctx, who, "export", "list:" + stem, {{"format", format}, {"rows", rows}});
      });
}

// Answers a registry list: the page parameters, the `district` filter (a code; 400
// when no district has it), the rows that `match` and that `who` may read (or
// export), ordered by id; then one page of JSON, or every row as an export.
template <class Row, class Match>
Response ListRows(const ApiContext& ctx, const Request& req, const Principal& who,
                  const Snapshot& snap, const std::vector<Row>& rows, Match match,
                  const ListView<Row>& view) {
  std::string bad;
  auto page = PageParams(req, 1000, &bad);
  if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  std::string district = Param(req, "district", "");
  const store::District* d = district.empty() ? nullptr : snap.DistrictByCode(district);
  if (!district.empty() && !d) return Problem(400, "bad-parameter", "No such district", district);
  bool exporting = Exporting(req);
  UnixSeconds now = ctx.clock->WallSeconds();
  std::vector<const Row*> items;
  for (const Row& row : rows) {
    if (d && row.district_id != d->id) continue;
    if (!match(row)) continue;
    if (!auth::Authorize(who, exporting ? Action::kExport : Action::kRead, ReferenceTarget(row),
                         now))
      continue;
    items.push_back(&row);
  }
  std::sort(items.begin(), items.end(), [](const Row* a, const Row* b) { return a->id < b->id; });
  if (exporting) return ExportRows(ctx, who, Param(req, "format", ""), view, std::move(items));
  return PageOf(items, *page, view.to_json);
}

// Answers GET .../{id} of a registry row: 400 for a bad id, 404 when `find` has no
// such row, the policy's refusal, else the row's JSON by `show`.
template <class Row>
Response GetRow(const ApiContext& ctx, const Request& req, const Principal& who,
                const Snapshot& snap, std::string_view noun,
                const Row* (Snapshot::*find)(int64_t) const,
                ordered_json (*show)(const Snapshot&, const Row&)) {
  std::string lower(noun);
  lower[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[0])));
  int64_t id = 0;
  if (!ParseId(req.params.at("id"), &id))
    return Problem(400, "bad-id", std::string(noun) + " id must be a positive integer");
  const Row* row = (snap.*find)(id);
  if (!row) return Problem(404, "not-found", "No such " + lower);
  if (auto denied = Check(who, Action::kRead, ReferenceTarget(*row), ctx.clock->WallSeconds()))
    return *denied;
  return JsonResponse(show(snap, *row));
}

// --- handlers ----------------------------------------------------------------------

Response ListDistricts(const ApiContext& ctx, const Request& req, const Principal&) {
  auto snap = ctx.sites->Get();
  bool geo = Param(req, "geometry", "false") == "true" || Param(req, "geometry", "") == "1";
  ordered_json items = ordered_json::array();
  for (const auto& d : snap->districts) {
    ordered_json j = {{"id", d.id},   {"code", d.code}, {"name", d.name},
                      {"lon", d.lon}, {"lat", d.lat},   {"active", d.active}};
    if (geo) j["geometry"] = ordered_json::parse(d.geojson, nullptr, false);
    items.push_back(std::move(j));
  }
  return JsonResponse<ordered_json>({{"items", std::move(items)}});
}

Response ListFactors(const ApiContext&, const Request&, const Principal&) {
  ordered_json items = ordered_json::array();
  for (const Factor& f : Factors())
    items.push_back({{"code", f.code},
                     {"name", f.name},
                     {"unit", f.unit},
                     {"medium", MediumName(f.medium)},
                     {"name_zh", f.name_zh},
                     {"station_range", RangeJson(f.station)},
                     {"outlet_range", RangeJson(f.outlet)}});
  return JsonResponse<ordered_json>({{"items", std::move(items)}});
}

// The kinds /public/stations shows, for its messages and docs.
const std::string& PublicStationKinds() {
  static const std::string* list = [] {
    auto* s = new std::string;
    for (registry::SiteKind k : registry::AllSiteKinds())
      if (registry::IsPublicStation(k))
        *s += (s->empty() ? "" : ", ") + std::string(registry::SiteKindName(k));
    return s;
  }();
  return *list;
}

// What the public maps draw: districts and the stations of environmental quality
// (registry::IsPublicStation: never outlets, which /public/enterprises discloses for
// key units only, nor construction-site dust monitors).
Response ListPublicStations(const ApiContext& ctx, const Request& req, const Principal&) {
  std::string kind_name = Param(req, "kind", "");
  std::optional<registry::SiteKind> kind = registry::ParseSiteKind(kind_name);
  if (!kind_name.empty() && !(kind && registry::IsPublicStation(*kind)))
    return Problem(400, "bad-parameter", "kind must be one of " + PublicStationKinds(), kind_name);
  auto snap = ctx.sites->Get();
  ordered_json districts = ordered_json::array();
  for (const auto& d : snap->districts)
    if (d.active)
      districts.push_back({{"code", d.code}, {"name", d.name}, {"lon", d.lon}, {"lat", d.lat}});
  ordered_json items = ordered_json::array();
  for (const auto& s : snap->sites) {
    if (!registry::IsPublicStation(s.kind) || !s.active) continue;
    if (kind && s.kind != *kind) continue;
    const store::District* d = snap->DistrictById(s.district_id);
    auto attrs = json::parse(s.attrs_json.empty() ? "{}" : s.attrs_json, nullptr, false);
    ordered_json o = {{"code", s.code},
                      {"name", s.name},
                      {"kind", registry::SiteKindName(s.kind)},
                      {"district", d ? d->code : ""},
                      {"lon", s.lon},
                      {"lat", s.lat},
                      {"simulated", s.simulated}};
    // Only the attributes that describe the place to the public.
    if (attrs.is_object())
      for (const char* k : {"level", "water_type", "target_class", "river", "zone"})
        if (attrs.contains(k)) o[k] = attrs[k];
    items.push_back(std::move(o));
  }
  Response r = JsonResponse<ordered_json>(
      {{"coordinates", "longitude/latitude degrees as registered (see docs/web.md)"},
       {"districts", std::move(districts)},
       {"items", std::move(items)}});
  r.headers.push_back({"Cache-Control", "public, max-age=60"});
  return r;
}

// What the site list shows: SiteJson, and these columns in an export.
ListView<store::Site> SiteListView() {
  return {.stem = "sites",
          .columns = {{"id", "", ExportColumn::kNumber},
                      {"code"},
                      {"name"},
                      {"kind"},
                      {"district_id", "", ExportColumn::kNumber},
                      {"enterprise_id", "", ExportColumn::kNumber},
                      {"lon", "°", ExportColumn::kNumber},
                      {"lat", "°", ExportColumn::kNumber}},
          .cells =
              [](const store::Site& s) {
                return std::vector<std::optional<std::string>>{
                    std::to_string(s.id),
                    s.code,
                    s.name,
                    registry::SiteKindName(s.kind),
                    std::to_string(s.district_id),
                    s.enterprise_id ? std::optional(std::to_string(s.enterprise_id)) : std::nullopt,
                    Num(s.lon),
                    Num(s.lat)};
              },
          .to_json = SiteJson};
}

// Sites: stations, sections and outlets the caller may see.
Response ListSites(const ApiContext& ctx, const Request& req, const Principal& who) {
  auto snap = ctx.sites->Get();
  std::string q = Param(req, "q", ""), ent = Param(req, "enterprise", "");
  auto kind = SiteKindFilter(Param(req, "kind", ""));
  std::string active = Param(req, "active", "");
  if (!active.empty() && active != "true" && active != "false")
    return Problem(400, "bad-parameter", "active must be true or false", active);
  auto match = [&](const store::Site& s) {
    return kind(s.kind) && (active.empty() || s.active == (active == "true")) &&
           (ent.empty() || std::to_string(s.enterprise_id) == ent) &&
           (q.empty() || s.code.find(q) != std::string::npos ||
            s.name.find(q) != std::string::npos);
  };
  return ListRows(ctx, req, who, *snap, snap->sites, match, SiteListView());
}

// A site with the MNs of the devices that measure it.
ordered_json SiteWithDevices(const Snapshot& snap, const store::Site& s) {
  ordered_json j = SiteJson(s);
  ordered_json mns = ordered_json::array();
  for (const auto& mn : snap.MnsOf(s.id)) mns.push_back(mn);
  j["devices"] = mns;
  return j;
}

Response GetSite(const ApiContext& ctx, const Request& req, const Principal& who) {
  return GetRow(ctx, req, who, *ctx.sites->Get(), "Site", &Snapshot::Site, SiteWithDevices);
}

const std::vector<ParamDoc>& SiteFields() {
  static const auto* fields = new std::vector<ParamDoc>{
      {"code", "string", "unique site code", true},
      {"name", "string", "", true},
      {"kind", "string", registry::SiteKindList(), true},
      {"district_id", "integer", "", true},
      {"enterprise_id", "integer", "outlets: the enterprise"},
      {"lon", "number", "longitude (CGCS2000 / WGS 84)"},
      {"lat", "number", "latitude"},
      {"attrs", "object",
       "per kind (docs/api.md): air level; water water_type, "
       "target_class; noise zone (required); limits of outlets"},
      {"active", "boolean", "false: disabled (撤销), its devices too"},
      {"simulated", "boolean", "true: its data is simulated (demos, training); shown as such"}};
  return *fields;
}

// The site a checked body describes, of kind `kind` (the body's, parsed).
store::Site SiteOfBody(const json& b, registry::SiteKind kind) {
  store::Site s;
  s.code = b["code"];
  s.name = b["name"];
  s.kind = kind;
  s.district_id = b["district_id"];
  s.enterprise_id = b.value("enterprise_id", int64_t{0});
  s.lon = b.value("lon", 0.0);
  s.lat = b.value("lat", 0.0);
  s.simulated = b.value("simulated", false);
  if (b.contains("attrs") && !b["attrs"].is_null()) s.attrs_json = b["attrs"].dump();
  return s;
}

// The 400 problem of a site that cannot be stored (its kind is already known to be
// valid); nullopt when it can. Every id it names must exist.
std::optional<Response> BadSite(const store::Site& s, const Snapshot& snap) {
  if (s.code.empty() || s.code.size() > 64 || s.name.empty() || s.name.size() > 200 ||
      !std::all_of(s.code.begin(), s.code.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      }))
    return Problem(400, "bad-field", "code must be 1-64 of A-Z a-z 0-9 - _, and name 1-200 bytes");
  if (std::abs(s.lon) > 180 || std::abs(s.lat) > 90)
    return Problem(400, "bad-field", "lon must be within ±180 and lat within ±90");
  if (!snap.DistrictById(s.district_id)) return Problem(400, "bad-field", "No such district_id");
  if (registry::IsOutlet(s.kind) && !snap.EnterpriseById(s.enterprise_id))
    return Problem(400, "bad-field", "An outlet needs an existing enterprise_id");
  if (s.enterprise_id != 0 && !snap.EnterpriseById(s.enterprise_id))
    return Problem(400, "bad-field", "No such enterprise_id");
  if (Status attrs = registry::CheckSiteAttrs(s.kind, s.attrs_json); !attrs.ok()) {
    // The code has been checked above; the message names keys, never values.
    spdlog::info("site {} ({}) refused: {}", s.code, registry::SiteKindName(s.kind),
                 attrs.message());
    return Problem(400, "bad-field", attrs.message());
  }
  return std::nullopt;
}

// The 400 problem of an outlet placed in another district than its enterprise's
// (its data would be shown and shared under the wrong district); nullopt otherwise.
// `s` has passed BadSite.
std::optional<Response> MisplacedOutlet(const store::Site& s, const Snapshot& snap) {
  if (!registry::IsOutlet(s.kind)) return std::nullopt;
  if (snap.EnterpriseById(s.enterprise_id)->district_id == s.district_id) return std::nullopt;
  return Problem(400, "bad-field", "An outlet's district_id must be its enterprise's district");
}

// Whether `who` may store site `s` (its body checked by BadSite) over `old` (null
// when new): the write right on the site as it was and as it will be
// (CheckSiteWrite), an outlet in its enterprise's district, and nothing made active
// in a disabled district. nullopt when it may.
std::optional<Response> CheckSite(const ApiContext& ctx, const Principal& who, const store::Site& s,
                                  const store::Site* old, const Snapshot& snap) {
  UnixSeconds now = ctx.clock->WallSeconds();
  if (old)
    if (auto denied = CheckSiteWrite(who, *old, snap, now)) return *denied;
  if (auto denied = CheckSiteWrite(who, s, snap, now)) return *denied;
  if (auto bad = MisplacedOutlet(s, snap)) return *bad;
  const store::District* d = snap.DistrictById(s.district_id);
  if (s.active && !d->active && (!old || !old->active || old->district_id != s.district_id))
    return Problem(409, "district-disabled", "The district is disabled", d->code);
  return std::nullopt;
}

// Stores a checked site: disabling it disables its devices (DevicesDisabledWith), so
// that the gateway refuses them and no offline alarm is raised for them. 201 new or
// 200 changed.
Response WriteSite(const ApiContext& ctx, const Principal& who, store::Site s,
                   const store::Site* old, const Snapshot& snap) {
  auto id = ctx.store->PutSite(s);
  if (!id.ok()) return StoreError(id.status());
  s.id = *id;
  ordered_json detail = SiteJson(s);
  ordered_json off = ordered_json::array();
  for (const store::Device& dev : DevicesDisabledWith(s, snap)) {
    if (Status st = ctx.store->PutDevice(dev); !st.ok()) return StoreError(st);
    if (ctx.device_changed) ctx.device_changed(dev);
    off.push_back(dev.mn);
  }
  if (!off.empty()) detail["devices_disabled"] = std::move(off);
  ctx.sites->Invalidate();
  Audit(ctx, who, old ? "site.update" : "site.create", "site:" + s.code, detail);
  return JsonResponse(SiteJson(s), old ? 200 : 201);
}

// Creates the site, or updates the one with its code (its `active` kept unless the
// body gives it). A body naming what does not exist is a 400 before the rights are
// looked at; an outlet outside its enterprise's district a 400 after (so that staff
// learn nothing of another district's enterprise but "not allowed").
Response UpsertSite(const ApiContext& ctx, const Request& req, const Principal& who) {
  json b;
  if (auto bad = ParseBody(req, SiteFields(), &b)) return *bad;
  auto kind = registry::ParseSiteKind(b["kind"].get<std::string>());
  if (!kind) return Problem(400, "bad-field", "kind must be one of " + registry::SiteKindList());
  store::Site s = SiteOfBody(b, *kind);
  auto snap = ctx.sites->Get();
  const store::Site* old = snap->SiteByCode(s.code);
  s.active = old ? old->active : true;
  Assign(b, "active", &s.active);
  if (auto bad = BadSite(s, *snap)) return *bad;
  if (auto denied = CheckSite(ctx, who, s, old, *snap)) return *denied;
  return WriteSite(ctx, who, std::move(s), old, *snap);
}

// `*s` with the fields of checked body `b` set (attrs as a whole); the 400 problem
// when the kind is unknown. The caller checks the result with BadSite.
std::optional<Response> ApplySiteBody(const json& b, store::Site* s) {
  if (b.contains("kind") && !b["kind"].is_null()) {
    auto kind = registry::ParseSiteKind(b["kind"].get<std::string>());
    if (!kind) return Problem(400, "bad-field", "Unknown kind", b["kind"].get<std::string>());
    s->kind = *kind;
  }
  Assign(b, "name", &s->name);
  Assign(b, "district_id", &s->district_id);
  Assign(b, "enterprise_id", &s->enterprise_id);
  Assign(b, "lon", &s->lon);
  Assign(b, "lat", &s->lat);
  Assign(b, "active", &s->active);
  Assign(b, "simulated", &s->simulated);
  if (b.contains("attrs")) s->attrs_json = b["attrs"].is_null() ? "" : b["attrs"].dump();
  return std::nullopt;
}

// Changes the fields the body names; the code is the site's key and does not change.
Response PatchSite(const ApiContext& ctx, const Request& req, const Principal& who) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  static const auto* fields = new std::vector<ParamDoc>(AllOptional(SiteFields()));
  json b;
  if (auto bad = ParseBody(req, *fields, &b)) return *bad;
  auto snap = ctx.sites->Get();
  const store::Site* old = snap->Site(id);
  if (!old) return Problem(404, "not-found", "No such site");
  if (b.contains("code") && b["code"] != old->code)
    return Problem(400, "bad-field", "code is the site's key and cannot change");
  store::Site s = *old;
  if (auto bad = ApplySiteBody(b, &s)) return *bad;
  if (auto bad = BadSite(s, *snap)) return *bad;
  if (auto denied = CheckSite(ctx, who, s, old, *snap)) return *denied;
  return WriteSite(ctx, who, std::move(s), old, *snap);
}

const std::vector<ParamDoc> kEnterpriseBody = {
    {.name = "name", .description = "1-128 bytes", .required = true},
    {.name = "credit_code",
     .description = "统一社会信用代码, 18 characters (GB 32100-2015, check character checked)",
     .required = true},
    {.name = "district_id", .type = "integer", .required = true},
    {"industry", "string", "国民经济行业分类 (GB/T 4754) code or name"},
    {"lon", "number", "longitude"},
    {"lat", "number", "latitude"},
    {"key_unit", "boolean",
     "重点排污单位: its emissions are disclosed (true whenever key_media names a list)"},
    {"key_media", "array", "the key-unit lists it is on: water, air, noise, soil, risk"},
    {"permit_no", "string", "排污许可证编号"},
    {"address", "string", "up to 200 bytes"},
    {"contact_name", "string", "up to 64 bytes"},
    {"contact_phone", "string", "digits, spaces and + - ( ), up to 32"},
    {"status", "string", "operating (default), stopped (停产) or closed (关闭)"},
};

// `*e` with the fields `b` gives set; the 400 problem when one is not valid.
std::optional<Response> ApplyEnterpriseBody(const json& b, store::Enterprise* e) {
  Assign(b, "name", &e->name);
  Assign(b, "credit_code", &e->credit_code);
  Assign(b, "district_id", &e->district_id);
  Assign(b, "industry", &e->industry);
  Assign(b, "lon", &e->lon);
  Assign(b, "lat", &e->lat);
  Assign(b, "permit_no", &e->permit_no);
  Assign(b, "address", &e->address);
  Assign(b, "contact_name", &e->contact_name);
  Assign(b, "contact_phone", &e->contact_phone);
  Assign(b, "status", &e->status);
  if (b.contains("key_media") && !b["key_media"].is_null()) {
    std::string list, bad;
    for (const auto& m : b["key_media"]) {
      if (!m.is_string()) return Problem(400, "bad-field", "key_media must be an array of names");
      list += m.get<std::string>() + ",";
    }
    auto media = registry::NormalizeKeyMedia(list, &bad);
    if (!media) return Problem(400, "bad-field", "key_media: unknown list", bad);
    e->key_media = *media;
  }
  Assign(b, "key_unit", &e->key_unit);
  if (!e->key_media.empty()) {
    if (b.contains("key_unit") && !b["key_unit"].is_null() && !e->key_unit)
      return Problem(400, "bad-field", "key_unit cannot be false while key_media names a list");
    e->key_unit = true;
  }
  if (e->name.empty() || e->name.size() > 128)
    return Problem(400, "bad-field", "name must be 1-128 bytes");
  if (Status s = standards::CheckCreditCode(e->credit_code); !s.ok())
    return Problem(400, "bad-field", "credit_code: " + s.message());
  if (e->lon < -180 || e->lon > 180 || e->lat < -90 || e->lat > 90)
    return Problem(400, "bad-field", "lon and lat are degrees");
  if (e->industry.size() > 64) return Problem(400, "bad-field", "industry is at most 64 bytes");
  if (e->address.size() > 200 || e->contact_name.size() > 64)
    return Problem(400, "bad-field", "address is at most 200 bytes and contact_name 64");
  if (e->contact_phone.size() > 32 ||
      !std::all_of(e->contact_phone.begin(), e->contact_phone.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || std::strchr(" +-()", c);
      }))
    return Problem(400, "bad-field", "contact_phone: digits, spaces and + - ( ), up to 32");
  if (!registry::IsEnterpriseStatus(e->status))
    return Problem(400, "bad-field", "status must be operating, stopped or closed", e->status);
  return std::nullopt;
}

// Whether `who` may store enterprise `e` (checked by ApplyEnterpriseBody) over `old`
// (null when new): the write right on the enterprise as it was and as it will be, so
// district staff neither take another district's enterprise nor move theirs away; a
// new one only in an active district; closed only once none of its outlets is
// active. nullopt when it may.
std::optional<Response> CheckEnterprise(const ApiContext& ctx, const Principal& who,
                                        const store::Enterprise& e, const store::Enterprise* old,
                                        const Snapshot& snap) {
  const store::District* d = snap.DistrictById(e.district_id);
  if (!d)
    return Problem(400, "bad-field", "district_id names no district",
                   std::to_string(e.district_id));
  UnixSeconds now = ctx.clock->WallSeconds();
  if (old)
    if (auto denied = Check(who, Action::kWrite, ReferenceTarget(*old), now)) return *denied;
  if (auto denied = Check(who, Action::kWrite, ReferenceTarget(e), now)) return *denied;
  if (!d->active && (!old || old->district_id != e.district_id))
    return Problem(409, "district-disabled", "The district is disabled", d->code);
  if (old && e.status == "closed") {
    std::string active;
    for (const auto& s : snap.sites)
      if (s.enterprise_id == old->id && s.active) active += (active.empty() ? "" : ", ") + s.code;
    if (!active.empty())
      return Problem(409, "active-outlets", "Disable the enterprise's outlets before closing it",
                     active);
  }
  return std::nullopt;
}

// Stores a checked enterprise: 201 new or 200 changed.
Response WriteEnterprise(const ApiContext& ctx, const Principal& who, store::Enterprise e,
                         const store::Enterprise* old) {
  auto id = ctx.store->PutEnterprise(e);
  if (!id.ok()) return StoreError(id.status());
  e.id = *id;
  ctx.sites->Invalidate();
  Audit(ctx, who, old ? "enterprise.update" : "enterprise.create", "enterprise:" + e.credit_code,
        EnterpriseJson(e));
  return JsonResponse(EnterpriseJson(e), old ? 200 : 201);
}

// Creates the enterprise with its credit code, or updates it (the fields the body
// leaves out keep their values): 201 or 200.
Response UpsertEnterprise(const ApiContext& ctx, const Request& req, const Principal& who) {
  json b;
  if (auto bad = ParseBody(req, kEnterpriseBody, &b)) return *bad;
  auto snap = ctx.sites->Get();
  const store::Enterprise* old = snap->EnterpriseByCode(b["credit_code"].get<std::string>());
  store::Enterprise e = old ? *old : store::Enterprise{};
  if (auto bad = ApplyEnterpriseBody(b, &e)) return *bad;
  if (auto denied = CheckEnterprise(ctx, who, e, old, *snap)) return *denied;
  return WriteEnterprise(ctx, who, std::move(e), old);
}

// Changes the fields the body names; the credit code is the enterprise's key and
// does not change (a wrong one: register the right one and close this).
Response PatchEnterprise(const ApiContext& ctx, const Request& req, const Principal& who) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  static const auto* fields = new std::vector<ParamDoc>(AllOptional(kEnterpriseBody));
  json b;
  if (auto bad = ParseBody(req, *fields, &b)) return *bad;
  auto snap = ctx.sites->Get();
  const store::Enterprise* old = snap->EnterpriseById(id);
  if (!old) return Problem(404, "not-found", "No such enterprise");
  if (b.contains("credit_code") && b["credit_code"] != old->credit_code)
    return Problem(400, "bad-field", "credit_code is the enterprise's key and cannot change");
  store::Enterprise e = *old;
  if (auto bad = ApplyEnterpriseBody(b, &e)) return *bad;
  if (auto denied = CheckEnterprise(ctx, who, e, old, *snap)) return *denied;
  return WriteEnterprise(ctx, who, std::move(e), old);
}

// What the enterprise list shows: EnterpriseJson, and these columns in an export.
ListView<store::Enterprise> EnterpriseListView() {
  return {.stem = "enterprises",
          .columns = {{"id", "", ExportColumn::kNumber},
                      {"name"},
                      {"credit_code"},
                      {"industry"},
                      {"district_id", "", ExportColumn::kNumber},
                      {"key_unit"},
                      {"key_media"},
                      {"permit_no"},
                      {"address"},
                      {"status"}},
          .cells =
              [](const store::Enterprise& e) {
                return std::vector<std::optional<std::string>>{std::to_string(e.id),
                                                               e.name,
                                                               e.credit_code,
                                                               e.industry,
                                                               std::to_string(e.district_id),
                                                               e.key_unit ? "yes" : "no",
                                                               e.key_media,
                                                               e.permit_no,
                                                               e.address,
                                                               e.status};
              },
          .to_json = EnterpriseJson};
}

Response ListEnterprises(const ApiContext& ctx, const Request& req, const Principal& who) {
  auto snap = ctx.sites->Get();
  std::string q = Param(req, "q", ""), key = Param(req, "key_unit", "");
  std::string status = Param(req, "status", "");
  if (!status.empty() && !registry::IsEnterpriseStatus(status))
    return Problem(400, "bad-parameter", "status must be operating, stopped or closed", status);
  bool key_only = key == "true" || key == "1";
  auto match = [&](const store::Enterprise& e) {
    return (!key_only || e.key_unit) && (status.empty() || e.status == status) &&
           (q.empty() || e.name.find(q) != std::string::npos ||
            e.credit_code.find(q) != std::string::npos);
  };
  return ListRows(ctx, req, who, *snap, snap->enterprises, match, EnterpriseListView());
}

// An enterprise with its outlets.
ordered_json EnterpriseWithOutlets(const Snapshot& snap, const store::Enterprise& e) {
  ordered_json j = EnterpriseJson(e);
  ordered_json outlets = ordered_json::array();
  for (const auto& s : snap.sites)
    if (s.enterprise_id == e.id) outlets.push_back(SiteJson(s));
  j["outlets"] = outlets;
  return j;
}

Response GetEnterprise(const ApiContext& ctx, const Request& req, const Principal& who) {
  return GetRow(ctx, req, who, *ctx.sites->Get(), "Enterprise", &Snapshot::EnterpriseById,
                EnterpriseWithOutlets);
}

}  // namespace

std::vector<store::Device> DevicesDisabledWith(const store::Site& s, const Snapshot& snap) {
  std::vector<store::Device> out;
  if (s.active) return out;
  for (const std::string& mn : snap.MnsOf(s.id)) {
    store::Device dev = *snap.DeviceByMn(mn);
    if (!dev.enabled) continue;
    dev.enabled = false;
    out.push_back(std::move(dev));
  }
  return out;
}

std::optional<Response> PrepareEnterpriseRow(const ApiContext& ctx, const Principal& who,
                                             const Snapshot& snap, const json& b,
                                             store::Enterprise* out,
                                             const store::Enterprise** old) {
  *old = snap.EnterpriseByCode(b.value("credit_code", ""));
  *out = *old ? **old : store::Enterprise{};
  if (auto bad = ApplyEnterpriseBody(b, out)) return bad;
  return CheckEnterprise(ctx, who, *out, *old, snap);
}

std::optional<Response> PrepareSiteRow(const ApiContext& ctx, const Principal& who,
                                       const Snapshot& snap, const json& b, store::Site* out,
                                       const store::Site** old) {
  std::string code = b.value("code", "");
  *old = snap.SiteByCode(code);
  if (!*old && !b.contains("kind")) return Problem(400, "bad-field", "A new site needs its kind");
  *out = *old ? **old : store::Site{};
  out->code = code;
  if (auto bad = ApplySiteBody(b, out)) return bad;
  if (auto bad = BadSite(*out, snap)) return bad;
  return CheckSite(ctx, who, *out, *old, snap);
}

void AddRegistryRoutes(Api& api, const ApiContext& ctx) {
  const ParamDoc kCursor{"cursor", "cursor", "next_cursor of the previous page"};
  const ParamDoc kLimit{"limit", "integer", "items per page, 1..1000 (default 100)"};

  api.Add("GET", "/api/v1/districts",
          {.summary = "Districts of the city",
           .tag = "Registry",
           .query = {{"geometry", "boolean", "include GeoJSON"}},
           .id = "listDistricts"},
          Bind(ctx, ListDistricts));
  api.Add("GET", "/api/v1/factors",
          {.summary = "Monitoring factors (HJ 212 codes) with names and units",
           .tag = "Registry",
           .login = false,
           .id = "listFactors"},
          Bind(ctx, ListFactors));
  api.Add(
      "GET", "/api/v1/public/stations",
      {.summary = "Districts and the environmental-quality stations with their places (lon/lat)",
       .tag = "Public",
       .query = {{"kind", "string", PublicStationKinds() + " (default: all)"}},
       .login = false,
       .response = "districts[] and items[] with code, name, kind, district, lon, lat, "
                   "simulated",
       .id = "listPublicStations"},
      Bind(ctx, ListPublicStations));
  api.Add("GET", "/api/v1/sites",
          {.summary = "Monitoring sites (stations, sections, wells, outlets) the caller may see",
           .tag = "Registry",
           .query = {{"kind", "string", registry::SiteKindList()},
                     {"district", "string", "district code"},
                     {"enterprise", "integer", "enterprise id"},
                     {"q", "string", "text in the code or the name"},
                     {"active", "boolean", "true: only active sites; false: only disabled"},
                     kCursor,
                     kLimit},
           .exportable = true,
           .id = "listSites"},
          Bind(ctx, ListSites));
  api.Add("GET", "/api/v1/sites/{id}", {.summary = "One site", .tag = "Registry", .id = "getSite"},
          Bind(ctx, GetSite));
  api.Add("POST", "/api/v1/sites",
          {.summary = "Create or update a site (by code)",
           .tag = "Registry",
           .body = SiteFields(),
           .response = "the site",
           .id = "upsertSite"},
          Bind(ctx, UpsertSite));
  api.Add("PATCH", "/api/v1/sites/{id}",
          {.summary = "Change a site: the fields given (not its code); active false disables it "
                      "and its devices",
           .tag = "Registry",
           .body = AllOptional(SiteFields()),
           .response = "the site",
           .id = "patchSite"},
          Bind(ctx, PatchSite));
  api.Add("GET", "/api/v1/enterprises",
          {.summary = "Enterprises (pollutant-discharging units) the caller may see",
           .tag = "Registry",
           .query = {{"district", "string", "district code"},
                     {"key_unit", "boolean", "only key units (重点排污单位)"},
                     {"status", "string", "operating, stopped or closed"},
                     {"q", "string", "text in the name or credit code"},
                     kCursor,
                     kLimit},
           .exportable = true,
           .id = "listEnterprises"},
          Bind(ctx, ListEnterprises));
  api.Add("POST", "/api/v1/enterprises",
          {.summary = "Create or update an enterprise (by credit code; 201 new, 200 updated)",
           .tag = "Registry",
           .body = kEnterpriseBody,
           .response = "the enterprise",
           .id = "upsertEnterprise"},
          Bind(ctx, UpsertEnterprise));
  api.Add("PATCH", "/api/v1/enterprises/{id}",
          {.summary = "Change an enterprise: the fields given (not its credit code); status "
                      "closed once its outlets are disabled",
           .tag = "Registry",
           .body = AllOptional(kEnterpriseBody),
           .response = "the enterprise",
           .id = "patchEnterprise"},
          Bind(ctx, PatchEnterprise));
  api.Add("GET", "/api/v1/enterprises/{id}",
          {.summary = "One enterprise, with its outlets", .tag = "Registry", .id = "getEnterprise"},
          Bind(ctx, GetEnterprise));
}

}  // namespace ecohub::api
