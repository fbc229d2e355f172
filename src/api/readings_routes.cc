// Readings: the latest values of every site (what maps poll), of one site, and a
// site's series over a time range, raw or averaged on Beijing-local boundaries.
// Each answers only sites whose readings dataset the caller may read.
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>
#include <unordered_map>

#include "api/api.h"
#include "api/export.h"
#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"

namespace ecohub::api {
namespace {

using auth::Action;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* kTimeLabel = "interval start, Beijing time";

// --- latest values -------------------------------------------------------------------

// Rendered bodies of /api/v1/latest by the caller's view, kept for a second.
// Thread-safe.
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

// The latest values of the sites of `kind` (empty: all) that `who` may see, by site.
ordered_json LatestBySite(const ApiContext& ctx, const Principal& who, const std::string& kind) {
  auto kind_matches = SiteKindFilter(kind);
  auto snap = ctx.sites->Get();
  std::map<std::string, int64_t> site_of;
  for (const auto& d : snap->devices) site_of[d.mn] = d.site_id;
  std::map<int64_t, bool> visible;
  std::map<int64_t, ordered_json> by_site;
  for (const auto& v : ctx.latest->All()) {
    auto it = site_of.find(v.mn);
    if (it == site_of.end() || registry::IsManualMn(v.mn)) continue;
    const store::Site* s = snap->Site(it->second);
    if (!s || !kind_matches(s->kind)) continue;
    auto [vis, fresh] = visible.try_emplace(s->id, false);
    if (fresh) vis->second = SiteVisible(*ctx.api, who, ReadingsDataset(*s), *s, *ctx.clock);
    if (!vis->second) continue;
    auto& j = by_site[s->id];
    if (j.is_null())
      j = {{"site_id", s->id},
           {"code", s->code},
           {"name", s->name},
           {"kind", registry::SiteKindName(s->kind)},
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
  return items;
}

// Latest values of every site the caller may see. Maps poll this constantly and
// many callers share one view: the body of each (scope, kind) is rendered at most
// once a second.
Response GetLatestValues(const ApiContext& ctx, LatestBodies& bodies, const Request& req,
                         const Principal& who) {
  std::string kind = Param(req, "kind", "");
  std::string key = ScopeKey(who) + "|" + kind;
  int64_t now_ms = ctx.clock->WallMillis();
  if (auto body = bodies.Find(key, now_ms)) {
    Response r;
    r.body = std::move(*body);
    return r;
  }
  Response r = JsonResponse<ordered_json>(
      {{"time_label", kTimeLabel}, {"items", LatestBySite(ctx, who, kind)}});
  bodies.Put(key, now_ms, r.body);
  return r;
}

Response GetSiteLatestValues(const ApiContext& ctx, const Request& req, const Principal& who) {
  int64_t id = 0;
  if (!ParseId(req.params.at("id"), &id))
    return Problem(400, "bad-id", "Site id must be a positive integer", req.params.at("id"));
  auto snap = ctx.sites->Get();
  const store::Site* site = snap->Site(id);
  if (!site) return Problem(404, "not-found", "No such site", req.params.at("id"));
  auto tags = ctx.api->Tags(ReadingsDataset(*site));
  if (auto denied = Check(who, Action::kRead, SiteTarget(*site, &*tags), ctx.clock->WallSeconds()))
    return *denied;
  ordered_json values = ordered_json::array();
  for (const auto& v : ctx.latest->ForSite(id)) {
    if (registry::IsManualMn(v.mn)) continue;  // manual samples: source=manual of /readings
    ordered_json j = {{"mn", v.mn},         {"period", PeriodName(v.period)},
                      {"factor", v.factor}, {"field", v.field},
                      {"value", v.value},   {"time", FormatRfc3339Beijing(v.time)}};
    if (v.flag) j["flag"] = std::string(1, v.flag);
    if (auto d = Decimal::Parse(v.value)) j["number"] = d->ToDouble();
    values.push_back(std::move(j));
  }
  return JsonResponse<ordered_json>({{"site",
                                      {{"id", site->id},
                                       {"code", site->code},
                                       {"name", site->name},
                                       {"kind", registry::SiteKindName(site->kind)}}},
                                     {"time_label", kTimeLabel},
                                     {"values", std::move(values)}});
}

// --- series --------------------------------------------------------------------------

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
// One factor's points, in time order.
using Series = std::pair<std::string, std::vector<Point>>;

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

// A checked request of /api/v1/readings.
struct SeriesQuery {
  const store::Site* site = nullptr;
  std::string dataset;
  bool exporting = false;
  Period period = Period::kHour;
  std::string field, agg;
  std::string factor_list;  // as given
  std::vector<std::string> factors;
  UnixSeconds from = 0, to = 0;
  // "auto": the site's devices (the automatic series); "manual": its manual and
  // laboratory samples (registry::ManualMn), never mixed with it.
  std::string source = "auto";
};

// "a,b,c" as at most 20 factor codes of 1-16 bytes; nullopt when bad.
std::optional<std::vector<std::string>> FactorList(const std::string& fs) {
  std::vector<std::string> factors;
  for (size_t i = 0; i <= fs.size();) {
    size_t j = fs.find(',', i);
    if (j == std::string::npos) j = fs.size();
    std::string f = fs.substr(i, j - i);
    if (f.empty() || f.size() > 16) return std::nullopt;
    factors.push_back(f);
    i = j + 1;
  }
  return factors;
}

// Reads and checks the request into *q: the site (404), the caller's right to read
// or export its readings, then the parameters (400). nullopt when all is well.
std::optional<Response> ParseSeriesQuery(const ApiContext& ctx, const Request& req,
                                         const Principal& who, const SiteDirectory::Snapshot& snap,
                                         SeriesQuery* q) {
  std::string site_text = Param(req, "site", "");
  int64_t sid = 0;
  q->site = ParseId(site_text, &sid) ? snap.Site(sid) : snap.SiteByCode(site_text);
  if (!q->site) return Problem(404, "not-found", "No such site", site_text);
  q->dataset = ReadingsDataset(*q->site);
  auto tags = ctx.api->Tags(q->dataset);
  q->exporting = Exporting(req);
  if (auto denied = Check(who, q->exporting ? Action::kExport : Action::kRead,
                          SiteTarget(*q->site, &*tags), ctx.clock->WallSeconds()))
    return *denied;
  auto period = PeriodOf(Param(req, "period", "hour"));
  if (!period) return Problem(400, "bad-parameter", "period must be realtime, minute, hour or day");
  q->period = *period;
  q->field = Param(req, "field", q->period == Period::kRealtime ? "Rtd" : "Avg");
  q->agg = Param(req, "agg", "none");
  if (q->agg != "none" && q->agg != "hour" && q->agg != "day" && q->agg != "month")
    return Problem(400, "bad-parameter", "agg must be none, hour, day or month", q->agg);
  q->source = Param(req, "source", "auto");
  if (q->source != "auto" && q->source != "manual")
    return Problem(400, "bad-parameter", "source must be auto or manual", q->source);
  if (q->source == "manual")
    if (auto denied =
            Check(who, Action::kRead, {auth::Area::kSamples, nullptr, q->site->district_id},
                  ctx.clock->WallSeconds()))
      return *denied;
  q->factor_list = Param(req, "factor", "");
  auto factors = FactorList(q->factor_list);
  if (!factors) return Problem(400, "bad-parameter", "Bad factor list", q->factor_list);
  if (factors->size() > 20) return Problem(400, "bad-parameter", "At most 20 factors");
  q->factors = std::move(*factors);
  std::string bad;
  q->to = TimeParam(req, "to", ctx.clock->WallSeconds() + 1, &bad);
  q->from = TimeParam(req, "from", q->to - kDay, &bad);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  // Bounded per request: a year of hourly data, 31 days of minutes, 2 of real time.
  UnixSeconds max_span = q->period == Period::kRealtime ? 2 * kDay
                         : q->period == Period::kMinute ? 31 * kDay
                                                        : 367 * kDay;
  if (q->from >= q->to || q->to - q->from > max_span)
    return Problem(400, "bad-range", "from must be before to, within the period's span",
                   "realtime: 2 days, minute: 31 days, hour and day: 367 days");
  return std::nullopt;
}

// The series of each asked factor: the rows of every device of the site, merged in
// time order, raw or aggregated.
Result<std::vector<Series>> ReadSeries(const ApiContext& ctx, const SiteDirectory::Snapshot& snap,
                                       const SeriesQuery& q) {
  auto mns = snap.MnsOf(q.site->id);
  std::erase_if(mns, [&](const std::string& mn) {
    return registry::IsManualMn(mn) != (q.source == "manual");
  });
  std::vector<Series> series;
  for (const auto& f : q.factors) {
    std::vector<Reading> rows;
    for (const auto& mn : mns) {
      auto r = ctx.store->Range(mn, q.period, f, q.field, q.from, q.to);
      if (!r.ok()) return r.status();
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
    if (q.agg == "none") {
      pts.reserve(rows.size());
      for (auto& r : rows) pts.push_back({r.time, std::move(r.value), r.flag, 1});
    } else {
      pts = Aggregate(rows, q.agg);
    }
    series.emplace_back(f, std::move(pts));
  }
  return series;
}

// The series as a download, one row per point, put on the audit log when sent.
Response ExportSeries(const ApiContext& ctx, const Principal& who, const Request& req,
                      const SeriesQuery& q, std::vector<Series> series) {
  auto held = std::make_shared<std::vector<Series>>(std::move(series));
  std::string code = q.site->code, dataset = q.dataset;
  std::string format = Param(req, "format", "csv");
  return ExportResponse(
      *ParseExportFormat(format), "readings-" + code,
      {{"site"},
       {"factor"},
       {"time", "", ExportColumn::kTime},
       {"value", "", ExportColumn::kNumber},
       {"flag"}},
      [held, si = size_t{0}, pi = size_t{0},
       code](std::vector<std::optional<std::string>>* row) mutable {
        while (si < held->size() && pi >= (*held)[si].second.size()) ++si, pi = 0;
        if (si >= held->size()) return false;
        const Point& pt = (*held)[si].second[pi++];
        *row = {code, (*held)[si].first, FormatRfc3339Beijing(pt.t),
                pt.value.empty() ? std::nullopt : std::optional(pt.value),
                pt.flag ? std::optional(std::string(1, pt.flag)) : std::nullopt};
        return true;
      },
      [ctx, who, dataset, code, format](int64_t rows) {
        Audit(ctx, who, "export", "dataset:" + dataset,
              {{"site", code}, {"format", format}, {"rows", rows}});
      });
}

std::string JsonText(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

// The JSON answer, written by hand: this is the hot path of charts (a year of hours).
std::string SeriesBody(const SeriesQuery& q, const std::vector<Series>& series) {
  std::string out;
  out.reserve(64 + series.size() * 48 * 9000);
  out += "{\"site\":{\"id\":" + std::to_string(q.site->id) + ",\"code\":";
  out += JsonText(q.site->code);
  out += "},\"period\":\"" + std::string(PeriodName(q.period)) + "\",\"field\":";
  out += JsonText(q.field);
  out += ",\"agg\":\"" + q.agg + "\",\"source\":\"" + q.source;
  out += std::string("\",\"time_label\":\"") + kTimeLabel + "\",\"series\":[";
  for (size_t i = 0; i < series.size(); ++i) {
    if (i) out += ',';
    out += "{\"factor\":" + JsonText(series[i].first);
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
        out += JsonText(pt.value);
      if (pt.flag) {
        out += ",\"flag\":";
        if (std::isalnum(static_cast<unsigned char>(pt.flag))) {
          out += '"';
          out += pt.flag;
          out += '"';
        } else {
          out += JsonText(std::string(1, pt.flag));
        }
      }
      if (q.agg != "none") out += ",\"n\":" + std::to_string(pt.count);
      out += '}';
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

// One site's series of one or more factors, raw or averaged into Beijing-local
// hours, days or months; reads through the sharing API are put on the audit log.
Response GetReadings(const ApiContext& ctx, const Request& req, const Principal& who) {
  auto snap = ctx.sites->Get();
  SeriesQuery q;
  if (auto bad = ParseSeriesQuery(ctx, req, who, *snap, &q)) return *bad;
  auto series = ReadSeries(ctx, *snap, q);
  if (!series.ok()) return StoreError(series.status());
  if (who.key_id != 0 || who.role == auth::Role::kPartner)
    AuditRead(
        ctx, who, "dataset:" + q.dataset,
        {{"site", q.site->code},
         {"factors", q.factor_list},
         {"from", q.from},
         {"to", q.to},
         {"rows", std::accumulate(series->begin(), series->end(), size_t{0},
                                  [](size_t n, const Series& s) { return n + s.second.size(); })}});
  if (q.exporting) return ExportSeries(ctx, who, req, q, std::move(*series));
  Response r;
  r.body = SeriesBody(q, *series);
  return r;
}

}  // namespace

void AddReadingsRoutes(Api& api, const ApiContext& ctx) {
  // Not Bind: the route keeps its rendered bodies between requests.
  api.Add(
      "GET", "/api/v1/latest",
      {.summary = "Latest value of every factor of every site the caller may see",
       .tag = "Data",
       .query = {{"kind", "string", "one of " + registry::SiteKindList()}},
       .id = "getLatestValues",
       .usage = true},
      [ctx, bodies = std::make_shared<LatestBodies>()](const Request& req, const Principal& who) {
        return GetLatestValues(ctx, *bodies, req, who);
      });
  api.Add("GET", "/api/v1/sites/{id}/latest",
          {.summary = "Latest values of one site",
           .tag = "Data",
           .id = "getSiteLatestValues",
           .usage = true},
          Bind(ctx, GetSiteLatestValues));
  api.Add(
      "GET", "/api/v1/readings",
      {.summary = "A site's series: values of factors over a time range, raw or averaged on "
                  "Beijing-local boundaries",
       .tag = "Data",
       .query = {{"site", "string", "site id or code", true},
                 {"factor", "string", "HJ 212 factor codes, comma-separated (at most 20)", true},
                 {"period", "string", "realtime, minute, hour (default) or day"},
                 {"field", "string", "Avg (default; Rtd for realtime), Min, Max, Cou, ZsAvg..."},
                 {"from", "time", "default: 1 day before `to`"},
                 {"to", "time", "end, exclusive (default: now)"},
                 {"agg", "string", "none (default), hour, day or month: mean of valid values"},
                 {"source", "string",
                  "auto (default: the site's devices) or manual (its manual and laboratory "
                  "samples, day values; administrators, leaders and staff)"}},
       .exportable = true,
       .id = "getReadings"},
      Bind(ctx, GetReadings));
}

}  // namespace ecohub::api
