// Routes over the derived values (derive/kinds.h, derive/bodies.h): AQI history and
// rankings, water classes, exceedance events, data-quality rates, period reports.
// Every answer carries the edition/standard and the coverage the values were
// computed with, and says that times label the START of their period (Beijing time
// in the *_text fields). The route table is at the bottom of the file.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "api/api.h"
#include "api/handlers.h"
#include "api/params.h"
#include "api/routes.h"
#include "core/time.h"
#include "derive/annual.h"
#include "derive/bodies.h"
#include "derive/kinds.h"
#include "derive/noise_jobs.h"
#include "review/review_store.h"

namespace ecohub::api {
namespace {

using auth::Principal;
using nlohmann::ordered_json;

constexpr UnixSeconds kHour = 3600, kDay = 86400;
constexpr size_t kMaxRows = 10000;
// The longest period /air/report computes from/to over: a leap year.
constexpr UnixSeconds kMaxReportDays = 366;

const char kScopeRule[] = "scope must be city, district:<code> or site:<code>";

bool ValidScope(const std::string& s) {
  if (s == derive::kScopeCity) return true;
  for (const char* p : {derive::kScopeSitePrefix, derive::kScopeDistrictPrefix})
    if (s.starts_with(p) && s.size() > std::string_view(p).size() && s.size() < 80 &&
        std::all_of(s.begin(), s.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '-' || c == '_';
        }))
      return true;
  return false;
}

Response StoreProblem(const Status& s) { return Problem(500, "store", "Store error", s.message()); }

// The row as the API shows it: its document plus where and when.
ordered_json Item(const store::DerivedRow& r) {
  ordered_json body = ordered_json::parse(r.body, nullptr, false);
  if (body.is_discarded()) body = ordered_json::object();
  ordered_json o;
  o["scope"] = r.scope;
  o["time"] = r.time;
  o["time_text"] = FormatRfc3339Beijing(r.time);
  for (auto& [k, v] : body.items()) o[k] = v;
  return o;
}

// Newest time with a row of `kind` under `scope` that has a value (a day still
// short of its 20 hours has none) within the last `days` before now.
std::optional<UnixSeconds> Newest(const ApiContext& ctx, const char* kind, const std::string& scope,
                                  int days) {
  UnixSeconds now = ctx.clock->WallSeconds();
  // Nearly always within the last two days: look there first, it is a small read.
  for (int window : {2, days}) {
    auto rows = ctx.store->QueryDerived(kind, scope, now - window * kDay, now + kDay, SIZE_MAX);
    if (!rows.ok()) return std::nullopt;
    for (auto it = rows->rbegin(); it != rows->rend(); ++it)
      if (it->value) return it->time;
    if (window >= days) break;
  }
  return std::nullopt;
}

// Competition ranks by `key` ascending; rows without a key come last, unranked.
void Rank(std::vector<ordered_json>* items, const char* key) {
  std::stable_sort(items->begin(), items->end(), [&](const ordered_json& a, const ordered_json& b) {
    bool ha = a.contains(key) && a[key].is_number(), hb = b.contains(key) && b[key].is_number();
    if (ha != hb) return ha;
    return ha && a[key].get<double>() < b[key].get<double>();
  });
  for (size_t i = 0; i < items->size(); ++i) {
    auto& it = (*items)[i];
    if (!it.contains(key) || !it[key].is_number()) {
      it["rank"] = nullptr;
      continue;
    }
    bool tie = i > 0 && (*items)[i - 1]["rank"].is_number() &&
               (*items)[i - 1][key].get<double>() == it[key].get<double>();
    it["rank"] = tie ? (*items)[i - 1]["rank"].get<int>() : static_cast<int>(i) + 1;
  }
}

// `year` and `month` query parameters (defaults: now's); false when absent or
// out of 1970..9999 and `month_min`..12.
bool YearMonth(const ApiContext& ctx, const Request& req, int default_month, int month_min,
               int* year, int* month) {
  CivilTime c = CivilFromSeconds(ctx.clock->WallSeconds() + kBeijingOffsetSeconds);
  *year = c.year;
  *month = default_month < 0 ? c.month : default_month;
  if (auto y = req.query.find("year"); y != req.query.end()) *year = std::atoi(y->second.c_str());
  if (auto m = req.query.find("month"); m != req.query.end()) *month = std::atoi(m->second.c_str());
  return *year >= 1970 && *year <= 9999 && *month >= month_min && *month <= 12;
}

// --- AQI ------------------------------------------------------------------------------

// Each day item's `reviewed`: whether its day is closed as reviewed (审核完成), its
// figures final; false while they may still change.
void MarkReviewed(const ApiContext& ctx, UnixSeconds from, UnixSeconds to, ordered_json* items) {
  std::set<UnixSeconds> closed;
  if (ctx.reviews)
    if (auto days = ctx.reviews->ClosedDays(FloorBeijing(from, kDay), to + kDay); days.ok())
      for (const auto& d : *days) closed.insert(d.day);
  for (auto& it : *items) it["reviewed"] = closed.count(it["time"].get<UnixSeconds>()) > 0;
}

// AQI history of a station, a district or the city.
Response GetAqiHistory(const ApiContext& ctx, const Request& req, const Principal&) {
  std::string scope = Param(req, "scope", derive::kScopeCity),
              period = Param(req, "period", "hour");
  if (!ValidScope(scope)) return Problem(400, "bad-scope", kScopeRule, scope);
  if (period != "hour" && period != "day")
    return Problem(400, "bad-period", "period must be hour or day", period);
  std::string bad;
  UnixSeconds to = TimeParam(req, "to", ctx.clock->WallSeconds() + kHour, &bad);
  UnixSeconds from = TimeParam(req, "from", to - (period == "hour" ? 2 * kDay : 30 * kDay), &bad);
  int limit = Limit(req, &bad, kMaxRows);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  if (from > to) return Problem(400, "bad-range", "from must not be after to");
  auto rows = ctx.store->QueryDerived(period == "hour" ? derive::kKindAqiHour : derive::kKindAqiDay,
                                      scope, from, to, limit);
  if (!rows.ok()) return StoreProblem(rows.status());
  ordered_json items = ordered_json::array();
  for (const auto& r : *rows) items.push_back(Item(r));
  if (period == "day") MarkReviewed(ctx, from, to, &items);
  return JsonResponse<ordered_json>({{"scope", scope},
                                     {"period", period},
                                     {"time_label", "start of the period; *_text in Beijing time"},
                                     {"o3_8h_in_hourly_2012", false},
                                     {"items", std::move(items)}});
}

// The latest city AQI for the public (no login; issue 4's contract): 204 when none.
Response GetCityAqi(const ApiContext& ctx, const Request&, const Principal&) {
  auto t = Newest(ctx, derive::kKindAqiHour, derive::kScopeCity, 3);
  if (!t) {
    Response r;
    r.status = 204;
    return r;
  }
  auto rows = ctx.store->QueryDerived(derive::kKindAqiHour, derive::kScopeCity, *t, *t + 1, 1);
  if (!rows.ok() || rows->empty()) return Problem(500, "store", "Store error");
  Response r = JsonResponse(Item(rows->front()));
  r.headers.push_back({"Cache-Control", "public, max-age=60"});
  return r;
}

// Ranking by AQI at one hour or day (default: the city's newest).
std::optional<Response> RankAt(const ApiContext& ctx, const Request& req, bool hourly,
                               const std::string& prefix, std::vector<ordered_json>* items,
                               ordered_json* out) {
  const char* kind = hourly ? derive::kKindAqiHour : derive::kKindAqiDay;
  std::string bad;
  auto newest = Newest(ctx, kind, derive::kScopeCity, 60);
  UnixSeconds t = TimeParam(req, "time", newest.value_or(0), &bad);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  t = FloorBeijing(t, hourly ? kHour : kDay);
  auto rows = ctx.store->QueryDerived(kind, prefix, t, t + 1, kMaxRows);
  if (!rows.ok()) return StoreProblem(rows.status());
  for (const auto& r : *rows) items->push_back(Item(r));
  Rank(items, "aqi");
  (*out)["time"] = t;
  (*out)["time_text"] = FormatRfc3339Beijing(t);
  (*out)["by"] = "aqi";
  return std::nullopt;
}

// Ranking by the composite index of a month or a year (HJ 663 statistics).
std::optional<Response> RankPeriod(const ApiContext& ctx, const Request& req, bool yearly,
                                   const std::string& prefix, std::vector<ordered_json>* items,
                                   ordered_json* out) {
  int year, month;
  if (!YearMonth(ctx, req, -1, 1, &year, &month))
    return Problem(400, "bad-parameter", "year must be 1970..9999 and month 1..12");
  auto [from, to] = yearly ? derive::BeijingYear(year) : derive::BeijingMonth(year, month);
  // Every scope of the level that has daily rows in the period.
  auto rows = ctx.store->QueryDerived(derive::kKindAqiDay, prefix, from, to, SIZE_MAX);
  if (!rows.ok()) return StoreProblem(rows.status());
  std::set<std::string> scopes;
  for (const auto& r : *rows) scopes.insert(r.scope);
  for (const auto& scope : scopes) {
    auto rep = derive::PeriodReport(*ctx.store, scope, from, to, yearly);
    if (!rep.ok()) continue;
    ordered_json o;
    o["scope"] = scope;
    o["composite_index"] = (*rep)["composite_index"]["sum"];
    o["primary"] = (*rep)["composite_index"]["primary"];
    o["excellent_good_ratio"] = (*rep)["excellent_good_ratio"];
    o["statistics"] = (*rep)["statistics"];
    items->push_back(std::move(o));
  }
  Rank(items, "composite_index");
  (*out)["from"] = FormatRfc3339Beijing(from);
  (*out)["to"] = FormatRfc3339Beijing(to);
  (*out)["by"] = "composite_index (GB3095-2012 grade II basis)";
  return std::nullopt;
}

// Ranking of districts or stations: by AQI for an hour or a day, by the composite
// index for a month or a year (smaller is better; equal values share a rank).
Response GetAqiRanking(const ApiContext& ctx, const Request& req, const Principal&) {
  std::string level = Param(req, "level", "district"), period = Param(req, "period", "day");
  if (level != "district" && level != "site")
    return Problem(400, "bad-level", "level must be district or site", level);
  if (period != "hour" && period != "day" && period != "month" && period != "year")
    return Problem(400, "bad-period", "period must be hour, day, month or year", period);
  std::string prefix = level + ":*";
  std::vector<ordered_json> items;
  ordered_json out;
  auto problem = period == "hour" || period == "day"
                     ? RankAt(ctx, req, period == "hour", prefix, &items, &out)
                     : RankPeriod(ctx, req, period == "year", prefix, &items, &out);
  if (problem) return *problem;
  out["level"] = level;
  out["period"] = period;
  out["items"] = std::move(items);
  return JsonResponse(out);
}

// --- the period report ----------------------------------------------------------------

// The period of /air/report: Beijing days [from, to), and whether the annual
// validity rule applies (a whole calendar year).
struct ReportPeriod {
  UnixSeconds from = 0, to = 0;
  bool year = false;
};

// `from` and `to` (Beijing dates, `to` exclusive, at most kMaxReportDays apart).
std::optional<Response> FromTo(const Request& req, ReportPeriod* p) {
  if (req.query.count("year") || req.query.count("month"))
    return Problem(400, "bad-parameter", "Give from and to, or year (and month), not both");
  if (!req.query.count("from") || !req.query.count("to"))
    return Problem(400, "bad-parameter", "from and to go together");
  std::string bad;
  p->from = TimeParam(req, "from", 0, &bad);
  p->to = TimeParam(req, "to", 0, &bad);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  if (FloorBeijing(p->from, kDay) != p->from || FloorBeijing(p->to, kDay) != p->to)
    return Problem(400, "bad-parameter", "from and to must be dates (Beijing days)");
  if (p->from > p->to) return Problem(400, "bad-range", "from must not be after to");
  if (p->to - p->from > kMaxReportDays * kDay)
    return Problem(400, "bad-range", "The period must be at most 366 days");
  CivilTime c = CivilFromSeconds(p->from + kBeijingOffsetSeconds);
  p->year = std::pair(p->from, p->to) == derive::BeijingYear(c.year);
  return std::nullopt;
}

// The period asked for: from/to, or a month, or a year (default: this year).
std::optional<Response> ReadReportPeriod(const ApiContext& ctx, const Request& req,
                                         ReportPeriod* p) {
  if (req.query.count("from") || req.query.count("to")) return FromTo(req, p);
  int year, month;
  if (!YearMonth(ctx, req, 0, 0, &year, &month))
    return Problem(400, "bad-parameter", "year must be 1970..9999 and month 1..12");
  std::tie(p->from, p->to) = month ? derive::BeijingMonth(year, month) : derive::BeijingYear(year);
  p->year = month == 0;
  return std::nullopt;
}

// Whether `who` may read the report of `scope`: nullopt when allowed.
std::optional<Response> CheckReportScope(const ApiContext& ctx, const std::string& scope,
                                         const Principal& who) {
  const Api& api = *ctx.api;
  auto snap = ctx.sites->Get();
  auto tags = api.Tags("air-report");
  auth::Target target{auth::Area::kData, nullptr};
  target.dataset = &*tags;
  if (scope.starts_with(derive::kScopeDistrictPrefix)) {
    const store::District* d = snap->DistrictByCode(std::string_view(scope).substr(9));
    if (!d) return Problem(404, "not-found", "No such district", scope);
    target.district_id = d->id;
  } else if (scope.starts_with(derive::kScopeSitePrefix)) {
    const store::Site* site = snap->SiteByCode(std::string_view(scope).substr(5));
    if (!site) return Problem(404, "not-found", "No such site", scope);
    target = SiteTarget(*site, &*tags);
  }
  return Check(who, auth::Action::kRead, target, ctx.clock->WallSeconds());
}

// Excellent-and-good days, days per level, HJ 663 statistics and the composite
// index of a scope over a year, a month or any period of days.
Response GetAirReport(const ApiContext& ctx, const Request& req, const Principal& who) {
  std::string scope = Param(req, "scope", derive::kScopeCity);
  if (!ValidScope(scope)) return Problem(400, "bad-scope", kScopeRule, scope);
  if (auto denied = CheckReportScope(ctx, scope, who)) return *denied;
  ReportPeriod p;
  if (auto bad = ReadReportPeriod(ctx, req, &p)) return *bad;
  auto rep = derive::PeriodReport(*ctx.store, scope, p.from, p.to, p.year);
  if (!rep.ok()) return StoreProblem(rep.status());
  return JsonResponse(*rep);
}

// --- water ------------------------------------------------------------------------------

// GB 3838 class of every water section for a day (default: the newest).
Response ListWaterClasses(const ApiContext& ctx, const Request& req, const Principal&) {
  std::string bad, sections = std::string(derive::kScopeSitePrefix) + "*";
  auto newest = Newest(ctx, derive::kKindWaterDay, sections, 60);
  UnixSeconds day = FloorBeijing(TimeParam(req, "date", newest.value_or(0), &bad), kDay);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  auto rows = ctx.store->QueryDerived(derive::kKindWaterDay, sections, day, day + kDay, kMaxRows);
  if (!rows.ok()) return StoreProblem(rows.status());
  ordered_json items = ordered_json::array();
  std::array<int, 7> by_class{};
  for (const auto& r : *rows) {
    if (r.value) ++by_class[static_cast<int>(*r.value)];
    items.push_back(Item(r));
  }
  ordered_json counts = ordered_json::object();
  const char* names[] = {"", "I", "II", "III", "IV", "V", "劣V"};
  for (int k = 1; k <= 6; ++k) counts[names[k]] = by_class[k];
  int good = by_class[1] + by_class[2] + by_class[3];
  return JsonResponse<ordered_json>(
      {{"date", FormatRfc3339Beijing(day)},
       {"standard", "GB3838-2002, single-factor, automatic-station items"},
       {"sections", rows->size()},
       {"by_class", std::move(counts)},
       {"class_i_to_iii_ratio",
        rows->empty() ? ordered_json(nullptr) : ordered_json(double(good) / rows->size())},
       {"items", std::move(items)}});
}

// The rows of `kind` of `site` per day from `from` to `to` (default: the 30 days
// before now), after the fields of `head`: a site's history of daily evaluations.
Response SiteDays(const ApiContext& ctx, const Request& req, const store::Site& site,
                  const char* kind, ordered_json head) {
  std::string bad;
  UnixSeconds to = TimeParam(req, "to", ctx.clock->WallSeconds(), &bad);
  UnixSeconds from = TimeParam(req, "from", to - 30 * kDay, &bad);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  if (from >= to || to - from > 367 * kDay)
    return Problem(400, "bad-parameter", "from must be before to, at most 367 days apart");
  auto rows = ctx.store->QueryDerived(kind, derive::SiteScope(site.code), FloorBeijing(from, kDay),
                                      to, kMaxRows);
  if (!rows.ok()) return StoreProblem(rows.status());
  ordered_json items = ordered_json::array();
  for (const auto& r : *rows) items.push_back(Item(r));
  head["name"] = site.name;
  head["time_label"] = "start of the day; *_text in Beijing time";
  head["items"] = std::move(items);
  return JsonResponse(head);
}

// One section's daily classes over a period: the trend a water page draws.
Response GetWaterHistory(const ApiContext& ctx, const Request& req, const Principal& who) {
  std::string code = Param(req, "section", "");
  auto snap = ctx.sites->Get();
  const store::Site* site = code.empty() ? nullptr : snap->SiteByCode(code);
  if (!site || (site->kind != registry::SiteKind::kWater &&
                site->kind != registry::SiteKind::kDrinkingWater))
    return Problem(404, "not-found", "No such water section or drinking-water source", code);
  // The same evaluation of the section's manual samples, apart from its automatic data.
  std::string source = Param(req, "source", "auto");
  if (source == "manual") return ManualWaterHistory(ctx, req, who, *site);
  if (source != "auto")
    return Problem(400, "bad-parameter", "source must be auto or manual", source);
  return SiteDays(
      ctx, req, *site, derive::kKindWaterDay,
      {{"section", code}, {"standard", "GB3838-2002, single-factor, automatic-station items"}});
}

// One noise station's GB 3096 days (Ld, Ln, Ldn, night Lmax against its zone), for
// those who may read its readings.
Response GetNoiseDays(const ApiContext& ctx, const Request& req, const Principal& who) {
  std::string code = Param(req, "site", "");
  auto snap = ctx.sites->Get();
  const store::Site* site = code.empty() ? nullptr : snap->SiteByCode(code);
  if (!site || site->kind != registry::SiteKind::kNoise)
    return Problem(404, "not-found", "No such noise station", code);
  if (!SiteVisible(*ctx.api, who, ReadingsDataset(*site), *site, *ctx.clock))
    return Problem(who.role == auth::Role::kPublic ? 401 : 403, "forbidden", "Not allowed",
                   "the station's readings are not yours to read");
  auto attrs =
      nlohmann::json::parse(site->attrs_json.empty() ? "{}" : site->attrs_json, nullptr, false);
  return SiteDays(ctx, req, *site, derive::kKindNoiseDay,
                  {{"site", code},
                   {"zone", attrs.is_object() ? attrs.value("zone", "") : ""},
                   {"standard", "GB 3096-2008, Table 1, by functional zone"}});
}

// --- pollution sources and data quality -------------------------------------------------

// Exceedance events of outlets, newest first.
Response ListExceedances(const ApiContext& ctx, const Request& req, const Principal& who) {
  const Api& api = *ctx.api;
  std::string bad;
  UnixSeconds to = TimeParam(req, "to", ctx.clock->WallSeconds() + kHour, &bad);
  UnixSeconds from = TimeParam(req, "from", to - 7 * kDay, &bad);
  int limit = Limit(req, &bad, kMaxRows);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  if (from > to) return Problem(400, "bad-range", "from must not be after to");
  std::string site = Param(req, "site", "");
  if (!site.empty() && !ValidScope(derive::SiteScope(site)))
    return Problem(400, "bad-site", "site must be a site code", site);
  auto rows = ctx.store->QueryDerived(derive::kKindExceedance, site.empty() ? "" : site + "/*",
                                      from, to, kMaxRows);
  if (!rows.ok()) return StoreProblem(rows.status());
  ordered_json items = ordered_json::array();
  auto snap = ctx.sites->Get();
  for (auto it = rows->rbegin(); it != rows->rend() && static_cast<int>(items.size()) < limit;
       ++it) {
    // Only the outlets this account may see (an enterprise: its own).
    const store::Site* s = snap->SiteByCode(it->scope.substr(0, it->scope.find('/')));
    if (!s || !SiteVisible(api, who, "exceedances", *s)) continue;
    items.push_back(Item(*it));
  }
  return JsonResponse<ordered_json>(
      {{"from", FormatRfc3339Beijing(from)},
       {"to", FormatRfc3339Beijing(to)},
       {"compared_on", "hourly mean; converted (Zs) value where the standard says so"},
       {"items", std::move(items)}});
}

// The sites' quality days summed per district (counts summed, rates recomputed).
std::vector<ordered_json> DistrictRates(const std::vector<store::DerivedRow>& rows) {
  std::map<std::string, derive::RatesBody> sums;
  for (const auto& r : rows) {
    auto b = derive::ParseQualityDayBody(r.body);
    if (!b) continue;
    auto& s = sums[b->district];
    s.expected += b->totals.expected;
    s.received += b->totals.received;
    s.valid += b->totals.valid;
  }
  std::vector<ordered_json> items;
  for (auto& [d, s] : sums) {
    auto ratio = [](int64_t a, int64_t b) {
      return b ? ordered_json(std::min(1.0, double(a) / b)) : ordered_json(nullptr);
    };
    ordered_json o = {{"scope", derive::DistrictScope(d)},
                      {"expected", s.expected},
                      {"received", s.received},
                      {"valid", s.valid},
                      {"transmission", ratio(s.received, s.expected)},
                      {"validity", ratio(s.valid, s.received)},
                      {"completeness", ratio(s.valid, s.expected)}};
    o["transmission_validity"] =
        s.expected && s.received
            ? ordered_json(o["transmission"].get<double>() * o["validity"].get<double>())
            : ordered_json(nullptr);
    items.push_back(std::move(o));
  }
  return items;
}

// Data-quality rates of a day per site, or rolled up per district, worst first.
Response GetQualityRates(const ApiContext& ctx, const Request& req, const Principal& who) {
  const Api& api = *ctx.api;
  std::string bad, level = Param(req, "level", "site");
  if (level != "site" && level != "district")
    return Problem(400, "bad-level", "level must be site or district", level);
  std::string sites = std::string(derive::kScopeSitePrefix) + "*";
  auto newest = Newest(ctx, derive::kKindQualityDay, sites, 60);
  UnixSeconds day = FloorBeijing(TimeParam(req, "date", newest.value_or(0), &bad), kDay);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  auto rows = ctx.store->QueryDerived(derive::kKindQualityDay, sites, day, day + kDay, kMaxRows);
  if (!rows.ok()) return StoreProblem(rows.status());
  auto snap = ctx.sites->Get();
  // A district account sees its district's sites only.
  std::erase_if(*rows, [&](const store::DerivedRow& r) {
    const store::Site* s = snap->SiteByCode(std::string_view(r.scope).substr(5));
    return !s || !SiteVisible(api, who, "data-quality", *s);
  });
  std::vector<ordered_json> items;
  if (level == "site") {
    for (const auto& r : *rows) {
      ordered_json o = Item(r);
      o["transmission_validity"] = o["totals"]["transmission_validity"];
      items.push_back(std::move(o));
    }
  } else {
    items = DistrictRates(*rows);
  }
  // Worst first: what staff should look at.
  auto key = [](const ordered_json& o) {
    return o["transmission_validity"].is_number() ? o["transmission_validity"].get<double>() : -1;
  };
  std::stable_sort(items.begin(), items.end(),
                   [&](const ordered_json& a, const ordered_json& b) { return key(a) < key(b); });
  return JsonResponse<ordered_json>({{"date", FormatRfc3339Beijing(day)},
                                     {"level", level},
                                     {"definitions",
                                      {{"transmission", "received / expected"},
                                       {"validity", "valid / received"},
                                       {"transmission_validity", "transmission × validity"},
                                       {"completeness", "valid / expected"}}},
                                     {"items", items}});
}

}  // namespace

void AddDerivedRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/aqi",
          {.summary = "AQI history of a station, a district or the city (HJ 633)",
           .tag = "Data",
           .query = {{"scope", "string", "city, district:<code> or site:<code> (default city)"},
                     {"period", "string", "hour (default) or day"},
                     {"from", "time", "start (default: 2 days or 30 days before `to`)"},
                     {"to", "time", "end, exclusive (default: now)"},
                     {"limit", "integer", "at most this many rows (1..10000)"}},
           .login = false,
           .dataset = "air-aqi",
           .exportable = true,
           .id = "getAqiHistory"},
          Bind(ctx, GetAqiHistory));
  api.Add("GET", "/api/v1/public/aqi/city",
          {.summary = "The city's latest hourly AQI (204 when there is none yet)",
           .tag = "Public",
           .login = false,
           .dataset = "air-aqi",
           .id = "getCityAqi"},
          Bind(ctx, GetCityAqi));
  api.Add("GET", "/api/v1/aqi/ranking",
          {.summary = "Ranking of districts or stations by AQI (hour, day) or composite index "
                      "(month, year)",
           .tag = "Data",
           .query = {{"level", "string", "district (default) or site"},
                     {"period", "string", "hour, day (default), month or year"},
                     {"time", "time", "the hour or day ranked (default: the newest)"},
                     {"year", "integer", "for month and year"},
                     {"month", "integer", "for month"}},
           .login = false,
           .dataset = "air-aqi",
           .exportable = true,
           .id = "getAqiRanking"},
          Bind(ctx, GetAqiRanking));
  api.Add("GET", "/api/v1/water/classes",
          {.summary = "GB 3838 class of every water section on a day",
           .tag = "Data",
           .query = {{"date", "time", "the day (default: the newest)"}},
           .login = false,
           .dataset = "water-classes",
           .exportable = true,
           .id = "listWaterClasses"},
          Bind(ctx, ListWaterClasses));
  api.Add("GET", "/api/v1/water/history",
          {.summary = "GB 3838 class of one water section per day over a period",
           .tag = "Data",
           .query = {{"section", "string", "the section's site code (required)"},
                     {"from", "time", "start (default: 30 days before `to`)"},
                     {"to", "time", "end, exclusive (default: now)"},
                     {"source", "string",
                      "auto (default: the automatic station's days) or manual (the days it was "
                      "sampled, from its manual and laboratory samples; administrators, leaders "
                      "and staff)"}},
           .login = false,
           .dataset = "water-classes",
           .exportable = true,
           .id = "getWaterHistory"},
          Bind(ctx, GetWaterHistory));
  api.Add("GET", "/api/v1/noise/days",
          {.summary = "GB 3096 evaluation of one noise station per day: Ld, Ln, Ldn and the "
                      "night Lmax against its functional zone's limits",
           .tag = "Data",
           .query = {{"site", "string", "the noise station's site code (required)"},
                     {"from", "time", "start (default: 30 days before `to`)"},
                     {"to", "time", "end, exclusive (default: now)"}},
           .id = "getNoiseDays"},
          Bind(ctx, GetNoiseDays));
  api.Add("GET", "/api/v1/exceedances",
          {.summary = "Exceedance events of outlets, newest first",
           .tag = "Data",
           .query = {{"from", "time", "default: 7 days before `to`"},
                     {"to", "time", "default: now"},
                     {"site", "string", "an outlet's site code"},
                     {"limit", "integer", "1..10000"}},
           .dataset = "exceedances",
           .exportable = true,
           .id = "listExceedances"},
          Bind(ctx, ListExceedances));
  api.Add("GET", "/api/v1/quality/rates",
          {.summary = "Transmission and validity rates of a day per site or district, worst first",
           .tag = "Data",
           .query = {{"level", "string", "site (default) or district"},
                     {"date", "time", "the day (default: the newest)"}},
           .dataset = "data-quality",
           .exportable = true,
           .id = "getQualityRates"},
          Bind(ctx, GetQualityRates));
  api.Add(
      "GET", "/api/v1/air/report",
      {.summary = "HJ 663 evaluation of a year, a month or any period of days",
       .tag = "Data",
       .query = {{"scope", "string", "city, district:<code> or site:<code>"},
                 {"year", "integer", "default: this year"},
                 {"month", "integer", "1..12; absent for the year"},
                 {"from", "time", "first day (Beijing date), with `to`, instead of year and month"},
                 {"to", "time",
                  "the day after the last (exclusive; Beijing date), at most 366 days "
                  "after `from`"}},
       .dataset = "air-report",
       .id = "getAirReport"},
      Bind(ctx, GetAirReport));

  // The public API's names for the public datasets (no login; cached by clients).
  api.Alias("GET", "/api/v1/public/aqi/history", "/api/v1/aqi", "getPublicAqiHistory", "Public",
            "AQI history of a station, a district or the city");
  api.Alias("GET", "/api/v1/public/aqi/ranking", "/api/v1/aqi/ranking", "getPublicAqiRanking",
            "Public", "Ranking of districts or stations by AQI or composite index");
  api.Alias("GET", "/api/v1/public/water/classes", "/api/v1/water/classes", "getPublicWaterClasses",
            "Public", "GB 3838 class of every water section on a day");
  api.Alias("GET", "/api/v1/public/water/history", "/api/v1/water/history", "getPublicWaterHistory",
            "Public", "GB 3838 class of one water section per day over a period");
}

}  // namespace ecohub::api
