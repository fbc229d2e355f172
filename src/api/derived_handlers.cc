// Routes over the derived values (AQI history and rankings, water classes,
// exceedance events, data-quality rates, period reports). Every answer carries the
// edition/standard and the coverage the values were computed with, and says that
// times label the START of their period (Beijing time in the *_text fields).
#include <algorithm>
#include <charconv>
#include <set>
#include <nlohmann/json.hpp>

#include "api/handlers.h"
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

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (s.size() < pos + n) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// "2026-03-01", "2026-03-01T08", "2026-03-01T08:00", "2026-03-01 08:00:00" as Beijing
// time, or a plain number of UTC seconds.
std::optional<UnixSeconds> ParseTime(std::string_view s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      s.size() > 8) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) return v;
    return std::nullopt;
  }
  int y, m, d, hh = 0, mm = 0, ss = 0;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &m) ||
      s[7] != '-' || !Digits(s, 8, 2, &d))
    return std::nullopt;
  size_t n = s.size();
  if (n > 10) {
    if ((s[10] != 'T' && s[10] != ' ') || !Digits(s, 11, 2, &hh)) return std::nullopt;
    if (n > 13 && (s[13] != ':' || !Digits(s, 14, 2, &mm))) return std::nullopt;
    if (n > 16 && (s[16] != ':' || !Digits(s, 17, 2, &ss))) return std::nullopt;
    if (n != 13 && n != 16 && n != 19) return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59 || y < 1970 || y > 9999)
    return std::nullopt;
  // Reject 2026-02-30 and the like: the date must read back the same.
  CivilTime back = CivilFromSeconds(DaysFromCivil(y, m, d) * kDay);
  if (back.month != m || back.day != d) return std::nullopt;
  return DaysFromCivil(y, m, d) * kDay + hh * kHour + mm * 60 + ss - kBeijingOffsetSeconds;
}

// A query parameter as a time; `fallback` when absent; sets *bad on a bad value.
UnixSeconds TimeParam(const Request& req, const char* name, UnixSeconds fallback, std::string* bad) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return fallback;
  auto t = ParseTime(it->second);
  if (!t) {
    *bad = std::string(name) + " must be a date (2026-03-01), a Beijing time (2026-03-01T08:00) "
                               "or UTC seconds, not \"" + it->second + "\"";
    return fallback;
  }
  return *t;
}

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

int Limit(const Request& req, std::string* bad) {
  auto it = req.query.find("limit");
  if (it == req.query.end()) return 1000;
  int v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || v < 1 ||
      v > static_cast<int>(kMaxRows)) {
    *bad = "limit must be an integer 1.." + std::to_string(kMaxRows);
    return 0;
  }
  return v;
}

std::string Param(const Request& req, const char* name, const char* fallback) {
  auto it = req.query.find(name);
  return it == req.query.end() || it->second.empty() ? fallback : it->second;
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

void AddDerivedRoutes(Router& router, const ApiContext& ctx) {
  store::Store* st = ctx.store;

  // AQI history of a station, a district or the city.
  router.Add("GET", "/api/v1/aqi", [st](const Request& req) {
    std::string scope = Param(req, "scope", "city"), period = Param(req, "period", "hour");
    if (!ValidScope(scope))
      return Problem(400, "bad-scope", "scope must be city, district:<code> or site:<code>", scope);
    if (period != "hour" && period != "day")
      return Problem(400, "bad-period", "period must be hour or day", period);
    std::string bad;
    UnixSeconds now = WallSeconds();
    UnixSeconds to = TimeParam(req, "to", now + kHour, &bad);
    UnixSeconds from = TimeParam(req, "from", to - (period == "hour" ? 2 * kDay : 30 * kDay), &bad);
    int limit = Limit(req, &bad);
    if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
    if (from > to) return Problem(400, "bad-range", "from must not be after to");
    auto rows = st->QueryDerived(period == "hour" ? "aqi_hour" : "aqi_day", scope, from, to, limit);
    if (!rows.ok()) return Problem(500, "store", "Store error", rows.status().message());
    ordered_json items = ordered_json::array();
    for (const auto& r : *rows) items.push_back(Item(r));
    return JsonResponse<ordered_json>({{"scope", scope},
                 {"period", period},
                 {"time_label", "start of the period; *_text in Beijing time"},
                 {"o3_8h_in_hourly_2012", false},
                 {"items", std::move(items)}});
  });

  // The latest city AQI for the public (no login; issue 4's contract): 204 when none.
  router.Add("GET", "/api/v1/public/aqi/city", [st](const Request&) {
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
  router.Add("GET", "/api/v1/aqi/ranking", [st](const Request& req) {
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
      if (auto y = req.query.find("year"); y != req.query.end()) year = std::atoi(y->second.c_str());
      if (auto m = req.query.find("month"); m != req.query.end())
        month = std::atoi(m->second.c_str());
      if (year < 1970 || year > 9999 || month < 1 || month > 12)
        return Problem(400, "bad-parameter", "year must be 1970..9999 and month 1..12");
      auto [from, to] = period == "year" ? derive::BeijingYear(year) : derive::BeijingMonth(year, month);
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
  router.Add("GET", "/api/v1/water/classes", [st](const Request& req) {
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
    return JsonResponse<ordered_json>({{"date", FormatRfc3339Beijing(day)},
                 {"standard", "GB3838-2002, single-factor, automatic-station items"},
                 {"sections", rows->size()},
                 {"by_class", std::move(counts)},
                 {"class_i_to_iii_ratio",
                  rows->empty() ? ordered_json(nullptr) : ordered_json(double(good) / rows->size())},
                 {"items", std::move(items)}});
  });

  // Exceedance events of outlets, newest first.
  router.Add("GET", "/api/v1/exceedances", [st](const Request& req) {
    std::string bad;
    UnixSeconds now = WallSeconds();
    UnixSeconds to = TimeParam(req, "to", now + kHour, &bad);
    UnixSeconds from = TimeParam(req, "from", to - 7 * kDay, &bad);
    int limit = Limit(req, &bad);
    if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
    if (from > to) return Problem(400, "bad-range", "from must not be after to");
    std::string site = Param(req, "site", "");
    if (!site.empty() && !ValidScope("site:" + site))
      return Problem(400, "bad-site", "site must be a site code", site);
    auto rows = st->QueryDerived("exceedance", site.empty() ? "" : site + "/*", from, to, kMaxRows);
    if (!rows.ok()) return Problem(500, "store", "Store error", rows.status().message());
    ordered_json items = ordered_json::array();
    for (auto it = rows->rbegin(); it != rows->rend() && static_cast<int>(items.size()) < limit; ++it)
      items.push_back(Item(*it));
    return JsonResponse<ordered_json>({{"from", FormatRfc3339Beijing(from)},
                 {"to", FormatRfc3339Beijing(to)},
                 {"compared_on", "hourly mean; converted (Zs) value where the standard says so"},
                 {"items", std::move(items)}});
  });

  // Data-quality rates of a day per site, or rolled up per district (counts summed).
  router.Add("GET", "/api/v1/quality/rates", [st](const Request& req) {
    std::string bad, level = Param(req, "level", "site");
    if (level != "site" && level != "district")
      return Problem(400, "bad-level", "level must be site or district", level);
    auto newest = Newest(*st, "quality_day", "site:*", 60);
    UnixSeconds day = FloorBeijing(TimeParam(req, "date", newest.value_or(0), &bad), kDay);
    if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
    auto rows = st->QueryDerived("quality_day", "site:*", day, day + kDay, kMaxRows);
    if (!rows.ok()) return Problem(500, "store", "Store error", rows.status().message());
    std::vector<ordered_json> items;
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
            s[0] && s[1] ? ordered_json(o["transmission"].get<double>() * o["validity"].get<double>())
                         : ordered_json(nullptr);
        items.push_back(std::move(o));
      }
    }
    // Worst first: what staff should look at.
    std::stable_sort(items.begin(), items.end(), [](const ordered_json& a, const ordered_json& b) {
      double x = a["transmission_validity"].is_number() ? a["transmission_validity"].get<double>() : -1;
      double y = b["transmission_validity"].is_number() ? b["transmission_validity"].get<double>() : -1;
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
  router.Add("GET", "/api/v1/air/report", [st](const Request& req) {
    std::string scope = Param(req, "scope", "city");
    if (!ValidScope(scope))
      return Problem(400, "bad-scope", "scope must be city, district:<code> or site:<code>", scope);
    CivilTime c = CivilFromSeconds(WallSeconds() + kBeijingOffsetSeconds);
    int year = c.year, month = 0;
    if (auto y = req.query.find("year"); y != req.query.end()) year = std::atoi(y->second.c_str());
    if (auto m = req.query.find("month"); m != req.query.end()) month = std::atoi(m->second.c_str());
    if (year < 1970 || year > 9999 || month < 0 || month > 12)
      return Problem(400, "bad-parameter", "year must be 1970..9999 and month 1..12");
    auto [from, to] = month ? derive::BeijingMonth(year, month) : derive::BeijingYear(year);
    auto rep = derive::PeriodReport(*st, scope, from, to, month == 0);
    if (!rep.ok()) return Problem(500, "store", "Store error", rep.status().message());
    return JsonResponse(*rep);
  });
}

}  // namespace ecohub::api
