// Pollutant discharge permits (排污许可证): the records, and the share of their annual
// quantities used. A permit is seen and changed with the rights on its enterprise
// (the registry's rule: district staff, leaders and the enterprise's own account
// read it, admin and district staff write it); its usage is computed from the
// enterprise's emissions, so reading it also needs the right to read those.
#include <cmath>
#include <set>

#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "core/factors.h"
#include "permit/json.h"
#include "permit/permit_store.h"
#include "permit/usage.h"
#include "permit/validity.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;
using permit::Permit;
using Snapshot = SiteDirectory::Snapshot;

namespace {

const std::vector<ParamDoc> kPermitBody = {
    {.name = "number", .description = "许可证编号, 1-64 bytes: the key", .required = true},
    {.name = "enterprise_id", .type = "integer", .required = true},
    {.name = "valid_from", .description = "YYYY-MM-DD, Beijing, included", .required = true},
    {.name = "valid_to", .description = "YYYY-MM-DD, Beijing, included", .required = true},
    {"issuer", "string", "the issuing authority"},
    {"state", "string", "valid (default) or revoked"},
    {.name = "outlets",
     .type = "array",
     .description = "[{site_id, limits: [{factor, value, lower?, unit, standard}]}]: outlets of "
                    "the enterprise",
     .required = true},
    {"quantities", "array", "[{factor, tonnes_per_year}]: 许可排放量"},
};

Response NoPermits() {
  return Problem(503, "unavailable", "Permits are not available on this node");
}

// A permit is its enterprise's: the registry's target of that enterprise. A permit
// whose enterprise is not registered belongs to no district (-1), so that only
// city-wide accounts see it.
auth::Target PermitTarget(const Snapshot& snap, int64_t enterprise_id) {
  const store::Enterprise* e = snap.EnterpriseById(enterprise_id);
  return {Area::kReference, nullptr, e ? e->district_id : -1, enterprise_id};
}

ordered_json PermitJson(const Snapshot& snap, const Permit& p, UnixSeconds now) {
  ordered_json j = permit::ToJson(p);
  const store::Enterprise* e = snap.EnterpriseById(p.enterprise_id);
  j["enterprise_name"] = e ? e->name : "";
  j["status"] = permit::StateAt(p, now);
  return j;
}

// --- reading ------------------------------------------------------------------------

Response ListPermits(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.permits) return NoPermits();
  std::string bad;
  auto page = PageParams(req, 1000, &bad);
  if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  auto snap = ctx.sites->Get();
  std::string district = Param(req, "district", ""), q = Param(req, "q", "");
  const store::District* d = district.empty() ? nullptr : snap->DistrictByCode(district);
  if (!district.empty() && !d) return Problem(400, "bad-parameter", "No such district", district);
  int64_t enterprise = 0;
  if (std::string e = Param(req, "enterprise", ""); !e.empty() && !ParseId(e, &enterprise))
    return Problem(400, "bad-parameter", "enterprise must be an enterprise id", e);
  auto all = enterprise ? ctx.permits->ForEnterprise(enterprise) : ctx.permits->List();
  if (!all.ok()) return StoreError(all.status());
  UnixSeconds now = ctx.clock->WallSeconds();
  ordered_json items = ordered_json::array();
  json next = nullptr;
  for (const Permit& p : *all) {  // ordered by id
    if (p.id <= page->after) continue;
    auth::Target t = PermitTarget(*snap, p.enterprise_id);
    if (d && t.district_id != d->id) continue;
    if (!q.empty() && p.number.find(q) == std::string::npos) continue;
    if (!auth::Authorize(who, Action::kRead, t, now)) continue;
    if (items.size() == page->limit) {
      next = CursorAfter(items.back()["id"].get<int64_t>());
      break;
    }
    items.push_back(PermitJson(*snap, p, now));
  }
  return JsonResponse<ordered_json>({{"items", std::move(items)}, {"next_cursor", next}});
}

// The permit of the path's id that `who` may read into *out; otherwise the problem.
std::optional<Response> ReadablePermit(const ApiContext& ctx, const Request& req,
                                       const Principal& who, const Snapshot& snap, Permit* out) {
  if (!ctx.permits) return NoPermits();
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return bad;
  auto p = ctx.permits->Get(id);
  if (!p.ok() && p.status().code() == Code::kNotFound)
    return Problem(404, "not-found", "No such permit");
  if (!p.ok()) return StoreError(p.status());
  if (auto denied =
          Check(who, Action::kRead, PermitTarget(snap, p->enterprise_id), ctx.clock->WallSeconds()))
    return denied;
  *out = std::move(*p);
  return std::nullopt;
}

Response GetPermit(const ApiContext& ctx, const Request& req, const Principal& who) {
  auto snap = ctx.sites->Get();
  Permit p;
  if (auto problem = ReadablePermit(ctx, req, who, *snap, &p)) return *problem;
  return JsonResponse(PermitJson(*snap, p, ctx.clock->WallSeconds()));
}

// Tonnes to the gram, shares to a millionth: what the numbers can mean.
// Divided, not multiplied, by the power of ten: the result is then the double nearest
// the decimal (0.133059, not 0.13305899999999998 in the JSON).
double Round(double v, double per_unit) { return std::round(v * per_unit) / per_unit; }

ordered_json FactorUsageJson(const permit::FactorUsage& f) {
  return {{"factor", f.factor},
          {"permitted_t", f.permitted_tonnes},
          {"emitted_t", Round(f.emitted.tonnes, 1e6)},
          {"share", f.share ? json(Round(*f.share, 1e6)) : json(nullptr)},
          {"hours_with_data", f.emitted.hours_with_data},
          {"hours_stopped", f.emitted.hours_stopped},
          {"hours_missing", f.emitted.hours_missing}};
}

// The hourly readings of an outlet: every device of the site, merged (SumEmitted
// keys them by hour).
permit::HourReader SiteHours(const ApiContext& ctx, std::shared_ptr<const Snapshot> snap) {
  return
      [store = ctx.store, snap](int64_t site, const std::string& factor, const std::string& field,
                                UnixSeconds from, UnixSeconds to) -> Result<std::vector<Reading>> {
        std::vector<Reading> rows;
        for (const auto& mn : snap->MnsOf(site)) {
          auto r = store->Range(mn, Period::kHour, factor, field, from, to);
          if (!r.ok()) return r.status();
          rows.insert(rows.end(), r->begin(), r->end());
        }
        return rows;
      };
}

Response GetPermitUsage(const ApiContext& ctx, const Request& req, const Principal& who) {
  auto snap = ctx.sites->Get();
  Permit p;
  if (auto problem = ReadablePermit(ctx, req, who, *snap, &p)) return *problem;
  UnixSeconds now = ctx.clock->WallSeconds();
  int year = CivilFromSeconds(now + kBeijingOffsetSeconds).year;
  if (std::string y = Param(req, "year", ""); !y.empty()) {
    int64_t asked = 0;
    if (!ParseId(y, &asked) || asked < 2000 || asked > 2100)
      return Problem(400, "bad-parameter", "year must be 2000-2100", y);
    year = static_cast<int>(asked);
  }
  // The usage is made of the enterprise's emissions: the rights on their rows too
  // (the guard checked the dataset as a whole, and puts shared reads on the record).
  auto tags = ctx.api->Tags("enterprise-emissions");
  auth::Target emissions = PermitTarget(*snap, p.enterprise_id);
  emissions.area = Area::kData;
  emissions.dataset = tags ? &*tags : nullptr;
  if (auto denied = Check(who, Action::kRead, emissions, now)) return *denied;
  std::map<int64_t, Medium> media;
  for (const auto& o : p.outlets)
    if (const store::Site* s = snap->Site(o.site_id); s && registry::IsOutlet(s->kind))
      media[s->id] = s->kind == registry::SiteKind::kOutletWater ? Medium::kWater : Medium::kAir;
  auto usage = permit::ComputeUsage(p, year, now, media, SiteHours(ctx, snap));
  if (!usage.ok()) return StoreError(usage.status());
  ordered_json outlets = ordered_json::array();
  for (const auto& o : usage->outlets) {
    ordered_json factors = ordered_json::array();
    for (const auto& f : o.factors) factors.push_back(FactorUsageJson(f));
    const store::Site* s = snap->Site(o.site_id);
    outlets.push_back({{"site_id", o.site_id},
                       {"site_code", s ? s->code : ""},
                       {"medium", MediumName(o.medium)},
                       {"factors", std::move(factors)}});
  }
  ordered_json total = ordered_json::array();
  for (const auto& f : usage->total) total.push_back(FactorUsageJson(f));
  return JsonResponse<ordered_json>({{"permit_id", p.id},
                                     {"number", p.number},
                                     {"year", year},
                                     {"from", FormatRfc3339Beijing(usage->from)},
                                     {"to", FormatRfc3339Beijing(usage->to)},
                                     {"hours", (usage->to - usage->from) / 3600},
                                     {"outlets", std::move(outlets)},
                                     {"total", std::move(total)}});
}

// --- writing ------------------------------------------------------------------------

Response BadField(const std::string& field, const std::string& what) {
  return Problem(400, "bad-field", "Bad field in body", field + " " + what);
}

// The 400 problem of a limit that cannot be judged at an outlet of `medium`.
std::optional<Response> BadLimit(const permit::Limit& l, Medium medium, const std::string& at) {
  const Factor* f = FindFactor(l.factor);
  if (!f) return BadField(at + ".factor", "is not a known HJ 212 code: " + l.factor);
  if (f->medium != medium)
    return BadField(at + ".factor", std::string("is a factor of ") + MediumName(f->medium) +
                                        ", not of this outlet");
  if (!std::isfinite(l.value) || l.value <= 0) return BadField(at + ".value", "must be > 0");
  if (l.lower && !(*l.lower >= 0 && *l.lower < l.value))
    return BadField(at + ".lower", "must be ≥ 0 and below value");
  if (l.unit.size() > 32 || l.standard.size() > 200)
    return BadField(at, "unit must be at most 32 bytes and standard at most 200");
  return std::nullopt;
}

// The 400 problem of a permit whose outlets, limits or quantities cannot stand:
// every outlet a registered outlet of the permit's enterprise, once; every factor a
// known HJ 212 code of the outlet's medium, once per outlet; limits and quantities
// above zero.
std::optional<Response> BadContents(const Permit& p, const Snapshot& snap) {
  if (p.outlets.empty()) return BadField("outlets", "must name at least one outlet");
  std::set<int64_t> sites;
  for (size_t i = 0; i < p.outlets.size(); ++i) {
    const permit::Outlet& o = p.outlets[i];
    std::string at = "outlets[" + std::to_string(i) + "]";
    const store::Site* s = snap.Site(o.site_id);
    if (!s || !registry::IsOutlet(s->kind) || s->enterprise_id != p.enterprise_id)
      return BadField(at + ".site_id",
                      "is not an outlet of enterprise " + std::to_string(p.enterprise_id));
    if (!sites.insert(o.site_id).second) return BadField(at + ".site_id", "is named twice");
    Medium medium = s->kind == registry::SiteKind::kOutletWater ? Medium::kWater : Medium::kAir;
    std::set<std::string> factors;
    for (size_t k = 0; k < o.limits.size(); ++k) {
      std::string lat = at + ".limits[" + std::to_string(k) + "]";
      if (auto bad = BadLimit(o.limits[k], medium, lat)) return bad;
      if (!factors.insert(o.limits[k].factor).second)
        return BadField(lat + ".factor", "is limited twice at this outlet");
    }
  }
  std::set<std::string> quantities;
  for (size_t i = 0; i < p.quantities.size(); ++i) {
    const permit::Quantity& q = p.quantities[i];
    std::string at = "quantities[" + std::to_string(i) + "]";
    if (!FindFactor(q.factor))
      return BadField(at + ".factor", "is not a known HJ 212 code: " + q.factor);
    if (!quantities.insert(q.factor).second) return BadField(at + ".factor", "is named twice");
    if (!std::isfinite(q.tonnes_per_year) || q.tonnes_per_year <= 0)
      return BadField(at + ".tonnes_per_year", "must be > 0");
  }
  return std::nullopt;
}

// The 400 problem of the permit's own fields (number, dates, issuer).
std::optional<Response> BadHeader(const Permit& p) {
  if (p.number.empty() || p.number.size() > 64 ||
      std::any_of(p.number.begin(), p.number.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
    return BadField("number", "must be 1-64 bytes without control characters");
  auto from = permit::BeijingDayStart(p.valid_from), to = permit::BeijingDayStart(p.valid_to);
  if (!from) return BadField("valid_from", "must be a date YYYY-MM-DD");
  if (!to) return BadField("valid_to", "must be a date YYYY-MM-DD");
  if (*to < *from) return BadField("valid_to", "must not be before valid_from");
  if (p.issuer.size() > 200) return BadField("issuer", "must be at most 200 bytes");
  return std::nullopt;
}

// Creates the permit with its number, or replaces it: 201 or 200. The caller needs
// the write right on the enterprise of the permit as it was and as it will be. A
// body naming no registered enterprise is a 400 before the rights are looked at;
// its outlets are checked after (staff learn nothing of another district's outlets
// but "not allowed").
Response PutPermit(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.permits) return NoPermits();
  json b;
  if (auto bad = ParseBody(req, kPermitBody, &b)) return *bad;
  return WritePermit(ctx, who, b);
}

}  // namespace

Response WritePermit(const ApiContext& ctx, const Principal& who, const json& b) {
  if (!ctx.permits) return NoPermits();
  auto parsed = permit::PermitFromJson(b);
  if (!parsed.ok())
    return Problem(400, "bad-field", "Bad field in body", parsed.status().message());
  Permit p = std::move(parsed).value();
  if (auto bad = BadHeader(p)) return *bad;
  auto snap = ctx.sites->Get();
  if (!snap->EnterpriseById(p.enterprise_id))
    return BadField("enterprise_id", "names no enterprise: " + std::to_string(p.enterprise_id));
  UnixSeconds now = ctx.clock->WallSeconds();
  auto all = ctx.permits->List();
  if (!all.ok()) return StoreError(all.status());
  for (const Permit& old : *all)
    if (old.number == p.number)
      if (auto denied = Check(who, Action::kWrite, PermitTarget(*snap, old.enterprise_id), now))
        return *denied;
  if (auto denied = Check(who, Action::kWrite, PermitTarget(*snap, p.enterprise_id), now))
    return *denied;
  if (auto bad = BadContents(p, *snap)) return *bad;
  auto put = ctx.permits->Put(p);
  if (!put.ok()) return FromStatus(put.status());
  p.id = put->id;
  ordered_json j = PermitJson(*snap, p, now);
  Audit(ctx, who, "permit.put", "permit:" + p.number, j);
  return JsonResponse(j, put->created ? 201 : 200);
}

void AddPermitRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/permits",
          {.summary = "Pollutant discharge permits (排污许可证) the caller may see",
           .tag = "Registry",
           .query = {{"enterprise", "integer", "enterprise id"},
                     {"district", "string", "district code of the enterprise"},
                     {"q", "string", "text in the permit number"},
                     {"cursor", "cursor", "next_cursor of the previous page"},
                     {"limit", "integer", "items per page, 1..1000 (default 100)"}},
           .response = "items[] of permits with their status now, next_cursor",
           .id = "listPermits",
           .list = true},
          Bind(ctx, ListPermits));
  api.Add("GET", "/api/v1/permits/{id}",
          {.summary = "One permit: validity, outlets with their limits, annual quantities",
           .tag = "Registry",
           .response = "the permit",
           .id = "getPermit"},
          Bind(ctx, GetPermit));
  api.Add("POST", "/api/v1/permits",
          {.summary = "Create or update a permit (by number; 201 new, 200 updated)",
           .tag = "Registry",
           .body = kPermitBody,
           .response = "the permit",
           .id = "putPermit"},
          Bind(ctx, PutPermit));
  api.Add("GET", "/api/v1/permits/{id}/usage",
          {.summary = "A permit's annual quantities used in a year: tonnes emitted (flow × "
                      "concentration, hourly data) per outlet and in total, share, hours "
                      "with data, stopped and missing",
           .tag = "Data",
           .query = {{"year", "integer", "Beijing calendar year (default: this year)"}},
           .dataset = "enterprise-emissions",
           .response = "{permit_id, number, year, from, to, hours, outlets[], total[]}",
           .id = "getPermitUsage"},
          Bind(ctx, GetPermitUsage));
}

}  // namespace ecohub::api
