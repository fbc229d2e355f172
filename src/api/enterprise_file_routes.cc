// 一源一档 (docs/enterprise-file.md): everything EcoHub holds about one enterprise on
// one page — the registry, its permits, its outlets, its alarms and exceedances by
// month, its self-declarations, the random inspections that drew it and their tasks,
// and its environment code. Read as its alarms are: the bureau in its scope, the
// enterprise its own.
#include <map>

#include "api/complaint_views.h"
#include "api/declaration_views.h"
#include "api/enterprise_views.h"
#include "api/handlers.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "casework/draw.h"
#include "casework/enforcement_store.h"
#include "casework/task_store.h"
#include "declare/declaration_store.h"
#include "permit/json.h"
#include "permit/permit_store.h"
#include "permit/types.h"
#include "permit/validity.h"

namespace ecohub::api {

using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr int kMonths = 12;
constexpr size_t kLatest = 20;  // open alarms, declarations: the newest this many

ordered_json RegistryJson(const registry::Enterprise& e, const registry::Snapshot& snap) {
  return {{"id", e.id},
          {"name", e.name},
          {"credit_code", e.credit_code},
          {"industry", e.industry},
          {"district_id", e.district_id},
          {"district", complaint::DistrictName(snap, e.district_id)},
          {"address", e.address},
          {"lon", e.lon},
          {"lat", e.lat},
          {"key_unit", e.key_unit},
          {"key_media", e.key_media},
          {"status", e.status},
          {"permit_no", e.permit_no},
          {"contact_name", e.contact_name},
          {"contact_phone", e.contact_phone}};
}

Result<ordered_json> PermitsJson(const ApiContext& ctx, int64_t id, UnixSeconds now) {
  ordered_json out = ordered_json::array();
  if (!ctx.permits) return out;
  auto permits = ctx.permits->List();
  if (!permits.ok()) return permits.status();
  for (const auto& p : *permits) {
    if (p.enterprise_id != id) continue;
    ordered_json j = permit::ToJson(p);
    j["status"] = permit::StateAt(p, now);
    out.push_back(std::move(j));
  }
  return out;
}

ordered_json OutletsJson(const registry::Snapshot& snap, int64_t id) {
  ordered_json out = ordered_json::array();
  for (const auto& s : snap.sites)
    if (s.enterprise_id == id)
      out.push_back({{"id", s.id},
                     {"code", s.code},
                     {"name", s.name},
                     {"kind", registry::SiteKindName(s.kind)},
                     {"active", s.active},
                     {"devices", snap.MnsOf(s.id)}});
  return out;
}

// Alarms by kind and Beijing month over the last 12 months, and the newest open ones.
Result<ordered_json> AlarmsJson(const ApiContext& ctx, int64_t id, UnixSeconds now) {
  ordered_json j = {{"months", ordered_json::array()}, {"open", ordered_json::array()}};
  if (!ctx.store) return j;
  // The first day of the month 11 months before this one, Beijing time.
  std::string month = FormatRfc3339Beijing(now).substr(0, 7);
  int y = std::stoi(month.substr(0, 4)), m = std::stoi(month.substr(5, 2));
  std::vector<std::string> months;
  for (int i = kMonths - 1; i >= 0; --i) {
    int mm = m - i, yy = y;
    while (mm <= 0) mm += 12, --yy;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d", yy, mm);
    months.push_back(buf);
  }
  auto first = ParseTime(months.front() + "-01");
  store::AlarmFilter f;
  f.enterprise_id = id;
  f.from = first ? *first : now - 366 * kDay;
  f.limit = 1'000'000;
  auto alarms = ctx.store->QueryAlarms(f);
  if (!alarms.ok()) return alarms.status();
  std::map<std::string, std::map<std::string, int64_t>> by_month;
  for (const auto& a : *alarms) {
    ++by_month[FormatRfc3339Beijing(a.started).substr(0, 7)][a.kind];
    if (a.status == "open" && j["open"].size() < kLatest)
      j["open"].push_back({{"id", a.id},
                           {"kind", a.kind},
                           {"site", a.site_code},
                           {"factor", a.factor.empty() ? json(nullptr) : json(a.factor)},
                           {"started", FormatRfc3339Beijing(a.started)},
                           {"ongoing", !a.ended.has_value()}});
  }
  for (const auto& mo : months) {
    const auto& n = by_month[mo];
    auto count = [&](const char* kind) {
      auto it = n.find(kind);
      return it == n.end() ? 0 : it->second;
    };
    j["months"].push_back({{"month", mo},
                           {"exceedance", count("exceedance")},
                           {"offline", count("offline")},
                           {"anomaly", count("anomaly")}});
  }
  return j;
}

Result<ordered_json> DeclarationsJson(const ApiContext& ctx, int64_t id) {
  ordered_json out = ordered_json::array();
  if (!ctx.declarations) return out;
  declare::DeclarationFilter f;
  f.enterprise_id = id;
  f.limit = kLatest;
  auto rows = ctx.declarations->List(f);
  if (!rows.ok()) return rows.status();
  for (const auto& d : *rows) out.push_back(DeclarationJson(d));
  return out;
}

// The published random draws that picked it, each with its team and its task.
Result<ordered_json> InspectionsJson(const ApiContext& ctx, const registry::Enterprise& e) {
  ordered_json out = ordered_json::array();
  if (!ctx.tasks || e.credit_code.empty()) return out;
  auto draws = ctx.tasks->Draws(true, 0, 1000);
  if (!draws.ok()) return draws.status();
  for (const auto& d : *draws) {
    auto in = casework::DrawInputFromJson(json::parse(d.input, nullptr, false));
    auto r = casework::DrawResultFromJson(json::parse(d.result, nullptr, false));
    if (!in.ok() || !r.ok()) continue;
    for (const auto& pick : r->picks) {
      if (pick.credit_code != e.credit_code) continue;
      ordered_json team = ordered_json::array();
      for (int64_t officer : pick.officers)
        for (const auto& o : in->officers)
          if (o.id == officer) team.push_back(o.name);
      ordered_json task = nullptr;
      auto tasks = ctx.tasks->List({.source = casework::TaskSource::kPlan,
                                    .source_ref = "draw:" + std::to_string(d.id),
                                    .limit = 10000});
      if (!tasks.ok()) return tasks.status();
      for (const auto& t : *tasks)
        if (t.description.find(casework::DrawTaskMark(e.credit_code)) != std::string::npos)
          task = {{"id", t.id},
                  {"status", casework::TaskStatusCode(t.status)},
                  {"status_name", casework::TaskStatusName(t.status)},
                  {"due_at", TimeOrNull(t.due_at)},
                  {"record", t.record.text.empty() ? json(nullptr) : json(t.record.text)}};
      out.push_back({{"draw_id", d.id},
                     {"title", d.title},
                     {"published_at", FormatRfc3339Beijing(d.published_at)},
                     {"category", casework::PoolCategoryCode(pick.category)},
                     {"category_name", casework::PoolCategoryName(pick.category)},
                     {"officers", std::move(team)},
                     {"task", std::move(task)}});
    }
  }
  return out;
}

// Its enforcement cases, newest first: what was found, the penalty, the rectification.
Result<ordered_json> CasesJson(const ApiContext& ctx, int64_t id, UnixSeconds now) {
  ordered_json out = ordered_json::array();
  if (!ctx.cases) return out;
  auto cases = ctx.cases->List({.enterprise_id = id, .limit = kLatest});
  if (!cases.ok()) return cases.status();
  for (const auto& c : *cases)
    out.push_back(
        {{"id", c.id},
         {"inspected_at", FormatRfc3339Beijing(c.inspected_at)},
         {"violation", c.violation},
         {"violation_text", c.violation ? json(c.violation_text) : json(nullptr)},
         {"status", casework::CaseStatusCode(c.status)},
         {"status_name", casework::CaseStatusName(c.status)},
         {"fine_yuan", c.decided_at ? json(static_cast<double>(c.fine_fen) / 100) : json(nullptr)},
         {"paid", c.paid_at != 0},
         {"rectify_due", TimeOrNull(c.rectify_due)},
         {"rectification_overdue", casework::RectificationOverdue(c, now)}});
  return out;
}

Response EnterpriseFile(const ApiContext& ctx, const Request& req, const Principal& who) {
  UnixSeconds now = ctx.clock->WallSeconds();
  auto snap = ctx.sites->Get();
  Response problem;
  const registry::Enterprise* e = ReachEnterprise(ctx, req, who, *snap, now, &problem);
  if (!e) return problem;
  int64_t id = e->id;
  auto permits = PermitsJson(ctx, id, now);
  auto alarms = AlarmsJson(ctx, id, now);
  auto declarations = DeclarationsJson(ctx, id);
  auto inspections = InspectionsJson(ctx, *e);
  auto cases = CasesJson(ctx, id, now);
  auto code = EnterpriseCode(ctx, *snap, id, now);
  for (const Status& s : {permits.status(), alarms.status(), declarations.status(),
                          inspections.status(), cases.status(), code.status()})
    if (!s.ok()) return StoreError(s);
  return JsonResponse(ordered_json{{"as_of", FormatRfc3339Beijing(now)},
                                   {"enterprise", RegistryJson(*e, *snap)},
                                   {"code",
                                    {{"color", casework::CodeColorCode(code->color)},
                                     {"color_name", casework::CodeColorName(code->color)},
                                     {"score", code->score},
                                     {"points", CodePointsJson(*code)}}},
                                   {"permits", std::move(*permits)},
                                   {"outlets", OutletsJson(*snap, id)},
                                   {"alarms", std::move(*alarms)},
                                   {"declarations", std::move(*declarations)},
                                   {"inspections", std::move(*inspections)},
                                   {"cases", std::move(*cases)}});
}

}  // namespace

void AddEnterpriseFileRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/enterprises/{id}/file",
          {.summary = "一源一档: everything about one enterprise — registry, permits, outlets, "
                      "alarms by month, declarations, random inspections, its code",
           .tag = "Casework",
           .response = "{as_of, enterprise{...}, code{color, score, points[]}, permits[], "
                       "outlets[{code, name, kind, devices[]}], alarms{months[{month, "
                       "exceedance, offline, anomaly}], open[]}, declarations[], "
                       "inspections[{draw_id, title, published_at, officers[], task}], cases[{id, "
                       "inspected_at, violation, status, fine_yuan, paid, rectify_due, "
                       "rectification_overdue}]}",
           .id = "getEnterpriseFile"},
          Bind(ctx, EnterpriseFile));
}

}  // namespace ecohub::api
