// Routes over the derived values (AQI history and rankings, water classes,
// exceedance events, data-quality rates, period reports). Every answer carries the
// edition/standard and the coverage the values were computed with, and says that
// times label the START of their period (Beijing time in the *_text fields).
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "api/handlers.h"
#include "api/params.h"
#include "api/routes.h"
#include "core/time.h"
#include "derive/annual.h"
#include "standards/air.h"
#include "standards/exact.h"

namespace ecohub::api {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr UnixSeconds kHour = 3600, kDay = 86400;
constexpr size_t kMaxRows = 10000;

bool ValidScope(const std::string& s) {
  if (s == "city") return true;
  for (const char* p : {"site:", "district:"})
    if (s.starts_with(p) && s.size() > std::string_view(p).size() && s.size() < 80 &&
        std::all_of(s.begin(), s.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '-' || c == '_';
        }))
      return true;
  return false;
}

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
std::optional<UnixSeconds> Newest(store::Store& st, const char* kind, const std::string& scope,
                                  int days) {
  UnixSeconds now = WallSeconds();
  // Nearly always within the last two days: look there first, it is a small read.
  for (int window : {2, days}) {
    auto rows = st.QueryDerived(kind, scope, now - window * kDay, now + kDay, SIZE_MAX);
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

}  // namespace

void AddDerivedRoutes(Api& api, const ApiContext& ctx) {
  store::Store* st = ctx.store;
  auto sites = ctx.sites;

  // AQI history of a station, a district or the city.
  api.Add("GET", "/api/v1/aqi",
          RouteDoc{"AQI history of a station, a district or the city (HJ 633)",
                   "Data",
                   {{"scope", "string", "city, district:<code> or site:<code> (default city)"},
                    {"period", "string", "hour (default) or day"},
                    {"from", "time", "start (default: 2 days or 30 days before `to`)"},
                    {"to", "time", "end, exclusive (default: now)"},
                    {"limit", "integer", "at most this many rows (1..10000)"}},
                   {},
                   false,
                   "air-aqi",
                   true},
          [st, &api, sites](const Request& req, const auth::Principal&) {
            std::string scope = Param(req, "scope", "city"), period = Param(req, "period", "hour");
            if (!ValidScope(scope))
              return Problem(400, "bad-scope", "scope must be city, district:<code> or site:<code>",
                             scope);
            if (period != "hour" && period != "day")
              return Problem(400, "bad-period", "period must be hour or day", period);
            std::string bad;
            UnixSeconds now = WallSeconds();
            UnixSeconds to = TimeParam(req, "to", now + kHour, &bad);
            UnixSeconds from =
                TimeParam(req, "from", to - (period == "hour" ? 2 * kDay : 30 * kDay), &bad);
            int limit = Limit(req, &bad, kMaxRows);
            if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
            if (from > to) return Problem(400, "bad-range", "from must not be after to");
            auto rows =
                st->QueryDerived(period == "hour" ? "aqi_hour" : "aqi_day", scope, from, to, limit);
            if (!rows.ok()) return Problem(500, "store", "Store error", rows.status().message());
            ordered_json items = ordered_json::array();
            for (const auto& r : *rows) items.push_back(Item(r));
            return JsonResponse<ordered_json>(
                {{"scope", scope},
                 {"period", period},
                 {"time_label", "start of the period; *_text in Beijing time"},
                 {"o3_8h_in_hourly_2012", false},
                 {"items", std::move(items)}});
          });

  // The latest city AQI for the public (no login; issue 4's contract): 204 when none.
  api.Add("GET", "/api/v1/public/aqi/city",
          RouteDoc{"The city's latest hourly AQI (204 when there is none yet)",
                   "Public",
                   {},
                   {},
                   false,
                   "air-aqi"},
          [st, &api, sites](const Request&, const auth::Principal&) {
            auto t = Newest(*st, "aqi_hour", "city", 3);
            if (!t) {
              Response r;
              r.status = 204;
              return r;
            }
            auto rows = st->QueryDerived("aqi_hour", "city", *t, *t + 1, 1);
            if (!rows.ok() || rows->empty()) return Problem(500, "store", "Store error");
            Response r = JsonResponse(Item(rows->front()));
            r.headers.push_back({"Cache-Control", "public, max-age=60"});
            return r;
          });

  // Ranking of districts or stations: by AQI for an hour or a day, by the composite
  // index for a month or a year (smaller is better; equal values share a rank).
  api.Add(
      "GET", "/api/v1/aqi/ranking",
      RouteDoc{
          "Ranking of districts or stations by AQI (hour, day) or composite index (month, year)",
          "Data",
          {{"level", "string", "district (default) or site"},
           {"period", "string", "hour, day (default), month or year"},
           {"time", "time", "the hour or day ranked (default: the newest)"},
           {"year", "integer", "for month and year"},
           {"month", "integer", "for month"}},
          {},
          false,
          "air-aqi",
          true},
      [st, &api, sites](const Request& req, const auth::Principal&) {
        std::string level = Param(req, "level", "district"), period = Param(req, "period", "day");
        if (level != "district" && level != "site")
          return Problem(400, "bad-level", "level must be district or site", level);
        if (period != "hour" && period != "day" && period != "month" && period != "year")
          return Problem(400, "bad-period", "period must be hour, day, month or year", period);
        std::string prefix = level + ":*";
        std::string bad;
        std::vector<ordered_json> items;
        ordered_json out;
        if (period == "hour" || period == "day") {
          const char* kind = period == "hour" ? "aqi_hour" : "aqi_day";
          UnixSeconds step = period == "hour" ? kHour : kDay;
          auto newest = Newest(*st, kind, "city", 60);
          UnixSeconds t = TimeParam(req, "time", newest.value_or(0), &bad);
          if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
          t = FloorBeijing(t, step);
          auto rows = st->QueryDerived(kind, prefix, t, t + 1, kMaxRows);
          if (!rows.ok()) return Problem(500, "store", "Store error", rows.status().message());
          for (const auto& r : *rows) items.push_back(Item(r));
          Rank(&items, "aqi");
          out["time"] = t;
          out["time_text"] = FormatRfc3339Beijing(t);
          out["by"] = "aqi";
        } else {
          UnixSeconds now = WallSeconds();
          CivilTime c = CivilFromSeconds(now + kBeijingOffsetSeconds);
          int year = c.year, month = c.month;
          if (auto y = req.query.find("year"); y != req.query.end())
            year = std::atoi(y->second.c_str());
          if (auto m = req.query.find("month"); m != req.query.end())
            month = std::atoi(m->second.c_str());
          if (year < 1970 || year > 9999 || month < 1 || month > 12)
            return Problem(400, "bad-parameter", "year must be 1970..9999 and month 1..12");
          auto [from, to] =
              period == "year" ? derive::BeijingYear(year) : derive::BeijingMonth(year, month);
          // Every scope of the level that has daily rows in the period.
          auto rows = st->QueryDerived("aqi_day", prefix, from, to, SIZE_MAX);
          if (!rows.ok()) return Problem(500, "store", "Store error", rows.status().message());
          std::set<std::string> scopes;
          for (const auto& r : *rows) scopes.insert(r.scope);
          for (const auto& scope : scopes) {
            auto rep = derive::PeriodReport(*st, scope, from, to, period == "year");
            if (!rep.ok()) continue;
            ordered_json o;
            o["scope"] = scope;
            o["composite_index"] = (*rep)["composite_index"]["sum"];
            o["primary"] = (*rep)["composite_index"]["primary"];
            o["excellent_good_ratio"] = (*rep)["excellent_good_ratio"];
            o["statistics"] = (*rep)["statistics"];
            items.push_back(std::move(o));
          }
          Rank(&items, "composite_index");
          out["from"] = FormatRfc3339Beijing(from);
          out["to"] = FormatRfc3339Beijing(to);
          out["by"] = "composite_index (GB3095-2012 grade II basis)";
        }
        out["level"] = level;
        out["period"] = period;
        out["items"] = std::move(items);
        return JsonResponse(out);
      });

  // GB 3838 class of every water section for a day (default: the newest).
  api.Add(
      "GET", "/api/v1/water/classes",
      RouteDoc{"GB 3838 class of every water section on a day",
               "Data",
               {{"date", "time", "the day (default: the newest)"}},
               {},
               false,
               "water-classes",
               true},
      [st, &api, sites](const Request& req, const auth::Principal&) {
        std::string bad;
        auto newest = Newest(*st, "water_day", "site:*", 60);
        UnixSeconds day = FloorBeijing(TimeParam(req, "date", newest.value_or(0), &bad), kDay);
        if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
        auto rows = st->QueryDerived("water_day", "site:*", day, day + kDay, kMaxRows);
        if (!rows.ok()) return Problem(500, "store", "Store error", rows.status().message());
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
      });

  // One section's daily classes over a period: the trend a water page draws.
  api.Add(
      "GET", "/api/v1/water/history",
      RouteDoc{"GB 3838 class of one water section per day over a period",
               "Data",
               {{"section", "string", "the section's site code (required)"},
                {"from", "time", "start (default: 30 days before `to`)"},
                {"to", "time", "end, exclusive (default: now)"}},
               {},
               false,
               "water-classes",
               true},
      [st, sites](const Request& req, const auth::Principal&) {
        std::string code = Param(req, "section", "");
        auto snap = sites->Get();
        const store::Site* site = code.empty() ? nullptr : snap->SiteByCode(code);
        if (!site || site->kind != "water")
          return Problem(404, "not-found", "No such water section", code);
        std::string bad;
        UnixSeconds to = TimeParam(req, "to", WallSeconds(), &bad);
        UnixSeconds from = TimeParam(req, "from", to - 30 * kDay, &bad);
        if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
        if (from >= to || to - from > 367 * kDay)
          return Problem(400, "bad-parameter", "from must be before to, at most 367 days apart");
        auto rows =
            st->QueryDerived("water_day", "site:" + code, FloorBeijing(from, kDay), to, kMaxRows);
        if (!rows.ok()) return Problem(500, "store", "Store error", rows.status().message());
        ordered_json items = ordered_json::array();
        for (const auto& r : *rows) items.push_back(Item(r));
        return JsonResponse<ordered_json>(
            {{"section", code},
             {"name", site->name},
             {"standard", "GB3838-2002, single-factor, automatic-station items"},
             {"time_label", "start of the day; *_text in Beijing time"},
             {"items", std::move(items)}});
      });

  // Exceedance events of outlets, newest first.
  api.Add("GET", "/api/v1/exceedances",
          RouteDoc{"Exceedance events of outlets, newest first",
                   "Data",
                   {{"from", "time", "default: 7 days before `to`"},
                    {"to", "time", "default: now"},
                    {"site", "string", "an outlet's site code"},
                    {"limit", "integer", "1..10000"}},
                   {},
                   true,
                   "exceedances",
                   true},
          [st, &api, sites](const Request& req, const auth::Principal& who) {
            std::string bad;
            UnixSeconds now = WallSeconds();
            UnixSeconds to = TimeParam(req, "to", now + kHour, &bad);
            UnixSeconds from = TimeParam(req, "from", to - 7 * kDay, &bad);
            int limit = Limit(req, &bad, kMaxRows);
            if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
            if (from > to) return Problem(400, "bad-range", "from must not be after to");
            std::string site = Param(req, "site", "");
            if (!site.empty() && !ValidScope("site:" + site))
              return Problem(400, "bad-site", "site must be a site code", site);
            auto rows =
                st->QueryDerived("exceedance", site.empty() ? "" : site + "/*", from, to, kMaxRows);
            if (!rows.ok()) return Problem(500, "store", "Store error", rows.status().message());
            ordered_json items = ordered_json::array();
            auto snap = sites->Get();
            for (auto it = rows->rbegin();
                 it != rows->rend() && static_cast<int>(items.size()) < limit; ++it) {
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
          });

  // Data-quality rates of a day per site, or rolled up per district (counts summed).
  api.Add(
      "GET", "/api/v1/quality/rates",
      RouteDoc{"Transmission and validity rates of a day per site or district, worst first",
               "Data",
               {{"level", "string", "site (default) or district"},
                {"date", "time", "the day (default: the newest)"}},
               {},
               true,
               "data-quality",
               true},
      [st, &api, sites](const Request& req, const auth::Principal& who) {
        std::string bad, level = Param(req, "level", "site");
        if (level != "site" && level != "district")
          return Problem(400, "bad-level", "level must be site or district", level);
        auto newest = Newest(*st, "quality_day", "site:*", 60);
        UnixSeconds day = FloorBeijing(TimeParam(req, "date", newest.value_or(0), &bad), kDay);
        if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
        auto rows = st->QueryDerived("quality_day", "site:*", day, day + kDay, kMaxRows);
        if (!rows.ok()) return Problem(500, "store", "Store error", rows.status().message());
        std::vector<ordered_json> items;
        auto snap = sites->Get();
        // A district account sees its district's sites only.
        std::erase_if(*rows, [&](const store::DerivedRow& r) {
          const store::Site* s = snap->SiteByCode(std::string_view(r.scope).substr(5));
          return !s || !SiteVisible(api, who, "data-quality", *s);
        });
        if (level == "site") {
          for (const auto& r : *rows) {
            ordered_json o = Item(r);
            o["transmission_validity"] = o["totals"]["transmission_validity"];
            items.push_back(std::move(o));
          }
        } else {
          std::map<std::string, std::array<int64_t, 3>> sums;  // expected, received, valid
          for (const auto& r : *rows) {
            json b = json::parse(r.body, nullptr, false);
            if (b.is_discarded()) continue;
            auto& s = sums[b.value("district", "")];
            s[0] += b["totals"].value("expected", 0);
            s[1] += b["totals"].value("received", 0);
            s[2] += b["totals"].value("valid", 0);
          }
          for (auto& [d, s] : sums) {
            auto ratio = [](int64_t a, int64_t b) {
              return b ? ordered_json(std::min(1.0, double(a) / b)) : ordered_json(nullptr);
            };
            ordered_json o = {{"scope", "district:" + d},
                              {"expected", s[0]},
                              {"received", s[1]},
                              {"valid", s[2]},
                              {"transmission", ratio(s[1], s[0])},
                              {"validity", ratio(s[2], s[1])},
                              {"completeness", ratio(s[2], s[0])}};
            o["transmission_validity"] =
                s[0] && s[1]
                    ? ordered_json(o["transmission"].get<double>() * o["validity"].get<double>())
                    : ordered_json(nullptr);
            items.push_back(std::move(o));
          }
        }
        // Worst first: what staff should look at.
        std::stable_sort(items.begin(), items.end(),
                         [](const ordered_json& a, const ordered_json& b) {
                           double x = a["transmission_validity"].is_number()
                                          ? a["transmission_validity"].get<double>()
                                          : -1;
                           double y = b["transmission_validity"].is_number()
                                          ? b["transmission_validity"].get<double>()
                                          : -1;
                           return x < y;
                         });
        return JsonResponse<ordered_json>({{"date", FormatRfc3339Beijing(day)},
                                           {"level", level},
                                           {"definitions",
                                            {{"transmission", "received / expected"},
                                             {"validity", "valid / received"},
                                             {"transmission_validity", "transmission × validity"},
                                             {"completeness", "valid / expected"}}},
                                           {"items", items}});
      });

  // Month or year report of a scope: excellent-and-good days, days per level, HJ 663
  // statistics, composite index.
  api.Add("GET", "/api/v1/air/report",
          RouteDoc{"HJ 663 evaluation of a month or a year",
                   "Data",
                   {{"scope", "string", "city, district:<code> or site:<code>"},
                    {"year", "integer", "default: this year"},
                    {"month", "integer", "1..12; absent for the year"}},
                   {},
                   true,
                   "air-report"},
          [st, &api, sites](const Request& req, const auth::Principal& who) {
            std::string scope = Param(req, "scope", "city");
            if (!ValidScope(scope))
              return Problem(400, "bad-scope", "scope must be city, district:<code> or site:<code>",
                             scope);
            auto snap = sites->Get();
            auth::Target target{auth::Area::kData, nullptr};
            auto tags = api.Tags("air-report");
            target.dataset = &*tags;
            if (scope.starts_with("district:")) {
              const store::District* d = snap->DistrictByCode(std::string_view(scope).substr(9));
              if (!d) return Problem(404, "not-found", "No such district", scope);
              target.district_id = d->id;
            } else if (scope.starts_with("site:")) {
              const store::Site* site = snap->SiteByCode(std::string_view(scope).substr(5));
              if (!site) return Problem(404, "not-found", "No such site", scope);
              target = SiteTarget(*site, &*tags);
            }
            if (auto denied = Check(who, auth::Action::kRead, target)) return *denied;
            CivilTime c = CivilFromSeconds(WallSeconds() + kBeijingOffsetSeconds);
            int year = c.year, month = 0;
            if (auto y = req.query.find("year"); y != req.query.end())
              year = std::atoi(y->second.c_str());
            if (auto m = req.query.find("month"); m != req.query.end())
              month = std::atoi(m->second.c_str());
            if (year < 1970 || year > 9999 || month < 0 || month > 12)
              return Problem(400, "bad-parameter", "year must be 1970..9999 and month 1..12");
            auto [from, to] = month ? derive::BeijingMonth(year, month) : derive::BeijingYear(year);
            auto rep = derive::PeriodReport(*st, scope, from, to, month == 0);
            if (!rep.ok()) return Problem(500, "store", "Store error", rep.status().message());
            return JsonResponse(*rep);
          });

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
