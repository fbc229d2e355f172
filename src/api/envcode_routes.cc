// The enterprise environment code (环保码, docs/enterprise-code.md): each enterprise's
// green, yellow or red from its alarms and permits (casework/envcode.h), with every
// point explained and its history. Staff see the codes of their scope, an enterprise its
// own, the public the key units'.
#include <algorithm>
#include <map>
#include <set>

#include "api/complaint_views.h"
#include "api/enterprise_views.h"
#include "api/handlers.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "casework/envcode.h"
#include "permit/permit_store.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using casework::CodeFacts;
using casework::EnvCode;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr int kMaxHistoryDays = 90;
// More alarms than a city raises in four months; the codes read no further.
constexpr size_t kMaxAlarms = 2'000'000;

// The facts of every enterprise in `ids` (all when empty) at `now`, with alarms far
// enough back for `history_days` of history.
Result<std::map<int64_t, CodeFacts>> GatherFacts(const ApiContext& ctx,
                                                 const registry::Snapshot& snap,
                                                 const std::set<int64_t>& ids, UnixSeconds now,
                                                 int history_days) {
  std::map<int64_t, CodeFacts> facts;
  for (const auto& e : snap.enterprises)
    if (ids.empty() || ids.count(e.id)) facts[e.id];
  for (const auto& s : snap.sites)
    if (auto it = facts.find(s.enterprise_id); it != facts.end()) it->second.has_outlets = true;
  if (!ctx.permits)
    for (auto& [id, f] : facts) f.permits_kept = false;
  if (ctx.permits) {
    auto permits = ctx.permits->List();
    if (!permits.ok()) return permits.status();
    if (permits->empty())
      for (auto& [id, f] : facts) f.permits_kept = false;
    for (const auto& p : *permits) {
      auto it = facts.find(p.enterprise_id);
      auto from = permit::BeijingDayStart(p.valid_from), to = permit::BeijingDayStart(p.valid_to);
      if (it == facts.end() || p.state != permit::PermitState::kValid || !from || !to) continue;
      it->second.permits.push_back({*from, *to + kDay});
    }
  }
  if (!ctx.store) return facts;
  // Alarms begun within the windows, and offline ones begun earlier and not over.
  store::AlarmFilter recent;
  recent.from = now - casework::kCodeWindowSeconds - history_days * kDay;
  recent.limit = kMaxAlarms;
  store::AlarmFilter ongoing;
  ongoing.kind = "offline";
  ongoing.ongoing_only = true;
  ongoing.to = recent.from;
  ongoing.limit = kMaxAlarms;
  if (ids.size() == 1) recent.enterprise_id = ongoing.enterprise_id = *ids.begin();
  for (const auto* f : {&recent, &ongoing}) {
    auto alarms = ctx.store->QueryAlarms(*f);
    if (!alarms.ok()) return alarms.status();
    for (const auto& a : *alarms)
      if (auto it = facts.find(a.enterprise_id); it != facts.end())
        it->second.alarms.push_back({a.kind, a.started, a.ended, a.ack_at, a.closed_at});
  }
  return facts;
}

ordered_json CodeJson(const registry::Enterprise& e, const registry::Snapshot& snap,
                      const EnvCode& c) {
  return {{"enterprise_id", e.id},
          {"name", e.name},
          {"credit_code", e.credit_code},
          {"district_id", e.district_id},
          {"district", complaint::DistrictName(snap, e.district_id)},
          {"key_unit", e.key_unit},
          {"color", casework::CodeColorCode(c.color)},
          {"color_name", casework::CodeColorName(c.color)},
          {"score", c.score},
          {"points", CodePointsJson(c)}};
}

// An enterprise's code is read as its alarms are (`tags`: the alarms dataset's).
auth::Target EnterpriseTarget(const std::optional<auth::DatasetTags>& tags,
                              const registry::Enterprise& e) {
  return {Area::kAlarms, tags ? &*tags : nullptr, e.district_id, e.id};
}

// A list of codes, worst first (red, yellow, green; then by score and name).
Response CodeList(const ApiContext& ctx, const Request& req,
                  const std::vector<const registry::Enterprise*>& enterprises) {
  UnixSeconds now = ctx.clock->WallSeconds();
  auto snap = ctx.sites->Get();
  std::set<int64_t> ids;
  for (const auto* e : enterprises) ids.insert(e->id);
  // GatherFacts reads every enterprise for an empty set: none asked is none read.
  std::string color = Param(req, "color", "");
  if (!color.empty() && color != "green" && color != "yellow" && color != "red")
    return Problem(400, "bad-parameter", "color: green, yellow or red", color);
  std::map<int64_t, CodeFacts> facts;
  if (!ids.empty()) {
    auto gathered = GatherFacts(ctx, *snap, ids, now, 0);
    if (!gathered.ok()) return StoreError(gathered.status());
    facts = std::move(*gathered);
  }
  // The counts are of every colour; the items of the one asked for.
  int counts[3] = {0, 0, 0};
  std::vector<std::pair<EnvCode, const registry::Enterprise*>> rows;
  for (const auto* e : enterprises) {
    EnvCode c = casework::ComputeCode(facts[e->id], now);
    ++counts[static_cast<int>(c.color)];
    if (color.empty() || casework::CodeColorCode(c.color) == color) rows.push_back({c, e});
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    if (a.first.color != b.first.color) return a.first.color > b.first.color;
    if (a.first.score != b.first.score) return a.first.score < b.first.score;
    return a.second->name < b.second->name;
  });
  ordered_json items = ordered_json::array();
  for (const auto& [c, e] : rows) items.push_back(CodeJson(*e, *snap, c));
  return JsonResponse(
      ordered_json{{"rules", casework::kCodeRules},
                   {"as_of", FormatRfc3339Beijing(now)},
                   {"counts", {{"green", counts[0]}, {"yellow", counts[1]}, {"red", counts[2]}}},
                   {"items", std::move(items)}});
}

Response ListCodes(const ApiContext& ctx, const Request& req, const Principal& who) {
  UnixSeconds now = ctx.clock->WallSeconds();
  auto snap = ctx.sites->Get();
  int64_t district = 0;
  std::string d = Param(req, "district", "");
  if (!d.empty() && !ParseId(d, &district))
    return Problem(400, "bad-parameter", "district is a district's id", d);
  std::vector<const registry::Enterprise*> seen;
  auto tags = TagsOf(ctx.accounts, "alarms");
  for (const auto& e : snap->enterprises) {
    if (district && e.district_id != district) continue;
    if (auth::Authorize(who, Action::kRead, EnterpriseTarget(tags, e), now)) seen.push_back(&e);
  }
  if (seen.empty() &&
      !auth::Authorize(who, Action::kRead,
                       {Area::kAlarms, nullptr, who.district_id, who.enterprise_id}, now))
    return Problem(403, "forbidden", "Forbidden",
                   "enterprise codes are the bureau's and their own");
  return CodeList(ctx, req, seen);
}

Response PublicCodes(const ApiContext& ctx, const Request& req, const Principal&) {
  auto snap = ctx.sites->Get();
  std::vector<const registry::Enterprise*> keys;
  for (const auto& e : snap->enterprises)
    if (e.key_unit && e.status != "closed") keys.push_back(&e);
  return CodeList(ctx, req, keys);
}

Response GetCode(const ApiContext& ctx, const Request& req, const Principal& who) {
  UnixSeconds now = ctx.clock->WallSeconds();
  auto snap = ctx.sites->Get();
  Response problem;
  const registry::Enterprise* e = ReachEnterprise(ctx, req, who, *snap, now, &problem);
  if (!e) return problem;
  int64_t id = e->id;
  int days = 30;
  std::string h = Param(req, "history", "30");
  int64_t asked = 0;
  if (!ParseId(h, &asked) && h != "0")
    return Problem(400, "bad-parameter", "history: days, 0 to 90", h);
  if (asked > kMaxHistoryDays) return Problem(400, "bad-parameter", "history: days, 0 to 90", h);
  days = static_cast<int>(asked);
  auto facts = GatherFacts(ctx, *snap, {id}, now, days);
  if (!facts.ok()) return StoreError(facts.status());
  const CodeFacts& f = (*facts)[id];
  EnvCode c = casework::ComputeCode(f, now);
  ordered_json j = CodeJson(*e, *snap, c);
  j["rules"] = casework::kCodeRules;
  j["as_of"] = FormatRfc3339Beijing(now);
  j["window"] = {{"from", FormatRfc3339Beijing(c.from)}, {"to", FormatRfc3339Beijing(c.to)}};
  ordered_json history = ordered_json::array();
  for (const auto& day : casework::CodeHistory(f, now, days))
    history.push_back({{"date", FormatRfc3339Beijing(day.day).substr(0, 10)},
                       {"color", casework::CodeColorCode(day.code.color)},
                       {"score", day.code.score}});
  j["history"] = std::move(history);
  return JsonResponse(j);
}

}  // namespace

ordered_json CodePointsJson(const EnvCode& c) {
  ordered_json points = ordered_json::array();
  for (const auto& p : c.points)
    points.push_back({{"rule", p.rule},
                      {"name", p.name},
                      {"count", p.count},
                      {"points", p.points},
                      {"text", p.text}});
  return points;
}

const registry::Enterprise* ReachEnterprise(const ApiContext& ctx, const Request& req,
                                            const Principal& who, const registry::Snapshot& snap,
                                            UnixSeconds now, Response* problem) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) {
    *problem = *bad;
    return nullptr;
  }
  const registry::Enterprise* e = snap.EnterpriseById(id);
  if (!e) {
    *problem = Problem(404, "not-found", "No such enterprise", std::to_string(id));
    return nullptr;
  }
  if (auto denied =
          Check(who, Action::kRead, EnterpriseTarget(TagsOf(ctx.accounts, "alarms"), *e), now)) {
    *problem = *denied;
    return nullptr;
  }
  return e;
}

Result<EnvCode> EnterpriseCode(const ApiContext& ctx, const registry::Snapshot& snap, int64_t id,
                               UnixSeconds now) {
  auto facts = GatherFacts(ctx, snap, {id}, now, 0);
  if (!facts.ok()) return facts.status();
  return casework::ComputeCode((*facts)[id], now);
}

void AddEnterpriseCodeRoutes(Api& api, const ApiContext& ctx) {
  const char* list =
      "{rules, as_of, counts{green, yellow, red}, items[{enterprise_id, name, credit_code, "
      "district, key_unit, color, color_name, score, points[{rule, name, count, points, "
      "text}]}]}, worst first";
  api.Add("GET", "/api/v1/enterprise-codes",
          {.summary = "Enterprise codes (环保码) in the caller's scope, worst first",
           .tag = "Casework",
           .query = {{"district", "integer", "a district's id"},
                     {"color", "string", "green, yellow or red"}},
           .response = list,
           .id = "listEnterpriseCodes"},
          Bind(ctx, ListCodes));
  api.Add("GET", "/api/v1/enterprises/{id}/code",
          {.summary = "One enterprise's code with every rule's share and its daily history",
           .tag = "Casework",
           .query = {{"history", "integer", "days of history, 0 to 90; default 30"}},
           .response = "{enterprise_id, name, color, color_name, score, points[], rules, as_of, "
                       "window{from, to}, history[{date, color, score}]}",
           .id = "getEnterpriseCode"},
          Bind(ctx, GetCode));
  api.Add("GET", "/api/v1/public/enterprise-codes",
          {.summary = "The codes of the key pollutant-discharging units (重点排污单位)",
           .tag = "Public",
           .query = {{"color", "string", "green, yellow or red"}},
           .login = false,
           .response = list,
           .id = "publicEnterpriseCodes"},
          Bind(ctx, PublicCodes));
}

}  // namespace ecohub::api
