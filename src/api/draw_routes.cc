// 双随机一公开 (docs/random-inspections.md): staff draw enterprises from the registry's
// pool and pair them with officers at random (casework/draw.h), check the draw by
// re-running it, and publish it: then every pick becomes a grid task (source plan)
// and the draw, with everything needed to re-run it, is on the public portal.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "api/complaint_views.h"
#include "api/handlers.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "api/task_views.h"
#include "casework/complaint.h"
#include "casework/draw.h"
#include "casework/task_store.h"
#include "crypto/sm.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using casework::DrawInput;
using casework::DrawRecord;
using casework::DrawResult;
using casework::PoolCategory;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

Response Unavailable() {
  return Problem(503, "unavailable", "Random inspections are not set up on this server");
}

// The tasks of a published draw carry this as their source_ref.
std::string DrawRef(int64_t id) { return "draw:" + std::to_string(id); }

auth::Target DrawTarget(const DrawRecord& d) { return {Area::kTasks, nullptr, d.district_id}; }

// A draw's stored input and result, read back (they were written by RunDraw).
struct Parsed {
  DrawInput input;
  DrawResult result;
};
Result<Parsed> Parse(const DrawRecord& d) {
  auto in = casework::DrawInputFromJson(json::parse(d.input, nullptr, false));
  if (!in.ok()) return Status(Code::kCorruption, "draw " + std::to_string(d.id) + " input");
  auto r = casework::DrawResultFromJson(json::parse(d.result, nullptr, false));
  if (!r.ok()) return Status(Code::kCorruption, "draw " + std::to_string(d.id) + " result");
  return Parsed{std::move(*in), std::move(*r)};
}

ordered_json Counts(const std::array<int64_t, casework::kPoolCategories>& n) {
  ordered_json j = ordered_json::object();
  for (int c = 0; c < casework::kPoolCategories; ++c)
    j[std::string(casework::PoolCategoryCode(static_cast<PoolCategory>(c)))] = n[c];
  return j;
}

// One line of a list: what the draw was, when, how many were drawn.
ordered_json SummaryJson(const DrawRecord& d, const Parsed& p, const registry::Snapshot& snap) {
  size_t unpaired = std::count_if(p.result.picks.begin(), p.result.picks.end(),
                                  [](const auto& x) { return x.officers.empty(); });
  return {{"id", d.id},
          {"title", d.title},
          {"district_id", d.district_id},
          {"district", d.district_id ? complaint::DistrictName(snap, d.district_id) : json("全市")},
          {"created_at", FormatRfc3339Beijing(d.created_at)},
          {"published_at", TimeOrNull(d.published_at)},
          {"due_at", TimeOrNull(d.due_at)},
          {"pool", Counts(p.result.pool)},
          {"drawn", Counts(p.result.drawn)},
          {"picks", p.result.picks.size()},
          {"unpaired", unpaired}};
}

// The whole draw: the summary, the picks with names, and (for anyone to re-run it)
// its input and result as stored.
ordered_json DetailJson(const DrawRecord& d, const Parsed& p, const registry::Snapshot& snap) {
  ordered_json j = SummaryJson(d, p, snap);
  std::map<std::string, const casework::DrawEnterprise*> ents;
  for (const auto& e : p.input.enterprises) ents[e.credit_code] = &e;
  std::map<int64_t, std::string> names;
  for (const auto& o : p.input.officers) names[o.id] = o.name;
  ordered_json picks = ordered_json::array();
  for (const auto& pick : p.result.picks) {
    const auto* e = ents[pick.credit_code];
    ordered_json officers = ordered_json::array();
    for (int64_t id : pick.officers) officers.push_back({{"id", id}, {"name", names[id]}});
    const registry::Enterprise* reg = snap.EnterpriseByCode(pick.credit_code);
    picks.push_back({{"credit_code", pick.credit_code},
                     {"name", e ? e->name : ""},
                     {"enterprise_id", reg ? json(reg->id) : json(nullptr)},
                     {"district", complaint::DistrictName(snap, e ? e->district_id : 0)},
                     {"category", casework::PoolCategoryCode(pick.category)},
                     {"category_name", casework::PoolCategoryName(pick.category)},
                     {"officers", std::move(officers)}});
  }
  j["algorithm"] = casework::kDrawAlgorithm;
  j["seed"] = p.input.seed;
  j["rules"] = {{"team", p.input.team},
                {"recuse_own_district", p.input.recuse_own_district},
                {"recuse_last", p.input.recuse_last}};
  j["officers"] = p.input.officers.size();
  j["items"] = std::move(picks);
  j["input"] = ordered_json::parse(d.input);
  j["result"] = ordered_json::parse(d.result);
  return j;
}

Result<DrawRecord> Reach(const ApiContext& ctx, const Request& req, const Principal& who,
                         Action action, Response* problem) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) {
    *problem = *bad;
    return Status::InvalidInput("");
  }
  auto d = ctx.tasks->GetDraw(id);
  if (!d.ok()) {
    *problem = FromStatus(d.status());
    return d.status();
  }
  if (auto denied = Check(who, action, DrawTarget(*d), ctx.clock->WallSeconds())) {
    *problem = *denied;
    return Status(Code::kPermissionDenied, "");
  }
  return d;
}

// --- staff ------------------------------------------------------------------------

const std::vector<ParamDoc> kDrawBody = {
    {.name = "title",
     .description = "2-100 characters: 2026年第四季度双随机抽查",
     .required = true},
    {"district_id", "integer", "the district whose enterprises are drawn; 0 or absent: the city"},
    {"rates", "object",
     "percent per category {key, special, general}; default 20, 100 and 5 (key units, "
     "special focus, the rest)"},
    {"special", "array", "credit codes of enterprises of special focus (特殊监管对象)"},
    {"industry", "string", "only enterprises of this industry"},
    {"officers", "array",
     "user ids of the officers drawn from; default every active staff member and inspector "
     "of the district and of the city"},
    {"team", "integer", "officers per enterprise, 1-5; default 2"},
    {"recuse_own_district", "boolean",
     "true: an officer of a district never inspects an enterprise of that district"},
    {"recuse_last", "boolean",
     "true (the default): not the officers who inspected it the last time it was drawn"},
    {"seed", "string", "1-200 bytes, e.g. a public lottery number; default 32 random bytes"},
};

// The rates of the body: percent per category, defaults for those left out.
std::optional<Response> ReadRates(const json& b, DrawInput* in) {
  in->rate_bp = {2000, 10000, 500};
  if (!b.contains("rates") || b["rates"].is_null()) return std::nullopt;
  for (const auto& [key, value] : b["rates"].items()) {
    auto c = casework::PoolCategoryFromCode(key);
    auto bp = value.is_number() ? casework::RateFromPercent(value.get<double>()) : std::nullopt;
    if (!c || !bp)
      return Problem(400, "bad-field", "rates: {key, special, general}, each 0 to 100 percent",
                     key);
    in->rate_bp[static_cast<int>(*c)] = *bp;
  }
  return std::nullopt;
}

// The officers the last published draws paired with each enterprise (the newest
// draw that picked it), for the recusal rule.
Result<std::map<std::string, std::vector<int64_t>>> LastTeams(const ApiContext& ctx) {
  std::map<std::string, std::vector<int64_t>> last;
  auto draws = ctx.tasks->Draws(true, 0, 1000);
  if (!draws.ok()) return draws.status();
  for (const auto& d : *draws) {
    auto r = casework::DrawResultFromJson(json::parse(d.result, nullptr, false));
    if (!r.ok()) continue;
    for (const auto& p : r->picks)
      if (!p.officers.empty()) last.try_emplace(p.credit_code, p.officers);
  }
  return last;
}

// The pool of the draw's district (or the city's): enterprises in operation with a
// credit code, key units as key, those named special as special.
std::optional<Response> FillPool(const json& b, const registry::Snapshot& snap, int64_t district,
                                 DrawInput* in) {
  std::set<std::string> special;
  if (b.contains("special") && !b["special"].is_null())
    for (const auto& code : b["special"]) {
      if (!code.is_string() || !snap.EnterpriseByCode(code.get<std::string>()))
        return Problem(400, "bad-field", "special: credit codes of registered enterprises",
                       code.dump());
      special.insert(code.get<std::string>());
    }
  std::string industry = b.value("industry", "");
  for (const auto& e : snap.enterprises) {
    if (e.credit_code.empty() || e.status != "operating") continue;
    if (district && e.district_id != district) continue;
    if (!industry.empty() && e.industry != industry) continue;
    PoolCategory c = special.count(e.credit_code) ? PoolCategory::kSpecial
                     : e.key_unit                 ? PoolCategory::kKey
                                                  : PoolCategory::kGeneral;
    in->enterprises.push_back({e.credit_code, e.name, e.district_id, c});
  }
  return std::nullopt;
}

// The officers: those named (each an active staff member or inspector of the bureau),
// or by default every such account of the district and of the city.
std::optional<Response> FillOfficers(const ApiContext& ctx, const json& b, int64_t district,
                                     DrawInput* in) {
  auto users = ctx.accounts->Users();
  if (!users.ok()) return StoreError(users.status());
  std::set<int64_t> named;
  bool by_name = b.contains("officers") && !b["officers"].is_null();
  if (by_name)
    for (const auto& id : b["officers"]) {
      if (!id.is_number_integer()) return Problem(400, "bad-field", "officers: user ids");
      named.insert(id.get<int64_t>());
    }
  for (const auto& u : *users) {
    bool officer =
        !u.disabled && (u.role == auth::Role::kStaff || u.role == auth::Role::kInspector);
    if (by_name) {
      if (!named.count(u.id)) continue;
      if (!officer)
        return Problem(400, "bad-field", "officers: active staff members or inspectors",
                       std::to_string(u.id));
      named.erase(u.id);
    } else if (!officer || (district && u.district_id != 0 && u.district_id != district)) {
      continue;
    }
    in->officers.push_back(
        {u.id, u.display_name.empty() ? u.username : u.display_name, u.district_id});
  }
  if (!named.empty())
    return Problem(400, "bad-field", "officers: no such user", std::to_string(*named.begin()));
  return std::nullopt;
}

Response CreateDraw(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.tasks || !ctx.accounts) return Unavailable();
  json b;
  if (auto bad = ParseBody(req, kDrawBody, &b)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  DrawRecord d;
  d.title = b["title"].get<std::string>();
  if (casework::Characters(d.title) < 2 || casework::Characters(d.title) > 100)
    return Problem(400, "bad-field", "title: 2 to 100 characters");
  Assign(b, "district_id", &d.district_id);
  auto snap = ctx.sites->Get();
  if (d.district_id) {
    const registry::District* dist = snap->DistrictById(d.district_id);
    if (!dist || !dist->active)
      return Problem(400, "bad-field", "district_id: an active district, or 0 for the city",
                     std::to_string(d.district_id));
  } else if (who.district_id != 0) {
    return Problem(403, "forbidden", "A draw across the city is the city's to make");
  }
  if (auto denied = Check(who, Action::kWrite, DrawTarget(d), now)) return *denied;
  DrawInput in;
  if (auto bad = ReadRates(b, &in)) return *bad;
  Assign(b, "team", &in.team);
  Assign(b, "recuse_own_district", &in.recuse_own_district);
  Assign(b, "recuse_last", &in.recuse_last);
  if (b.contains("seed") && !b["seed"].is_null()) {
    in.seed = b["seed"].get<std::string>();
  } else {
    auto random = crypto::RandomBytes(32);
    if (!random.ok()) return StoreError(random.status());
    in.seed = crypto::ToHex(*random);
  }
  if (auto bad = FillPool(b, *snap, d.district_id, &in)) return *bad;
  if (auto bad = FillOfficers(ctx, b, d.district_id, &in)) return *bad;
  if (Status ok = casework::CheckDrawInput(in); !ok.ok())
    return Problem(400, "bad-field", "The draw cannot be made", ok.message());
  if (in.officers.size() < static_cast<size_t>(in.team))
    return Problem(422, "no-officers", "Too few officers to draw teams from",
                   std::to_string(in.officers.size()) + " active staff members or inspectors");
  if (in.recuse_last) {
    auto last = LastTeams(ctx);
    if (!last.ok()) return StoreError(last.status());
    for (const auto& e : in.enterprises)
      if (auto it = last->find(e.credit_code); it != last->end()) in.last.insert(*it);
  }
  auto result = casework::RunDraw(in);
  if (!result.ok())
    return Problem(400, "bad-field", "The draw cannot be made", result.status().message());
  if (result->picks.empty())
    return Problem(422, "nothing-drawn",
                   "No enterprise was drawn: the pool is empty or every rate is 0",
                   std::to_string(in.enterprises.size()) + " enterprises in the pool");
  d.input = casework::DrawInputJson(in).dump();
  d.result = casework::DrawResultJson(*result).dump();
  d.actor = complaint::Actor(who);
  d.created_at = now;
  auto added = ctx.tasks->AddDraw(d);
  if (!added.ok()) return StoreError(added.status());
  Audit(ctx, who, "draws.create", "draw:" + std::to_string(added->id),
        {{"district_id", d.district_id},
         {"pool", in.enterprises.size()},
         {"drawn", result->picks.size()},
         {"seed", in.seed}});
  spdlog::info("draw {} by user {}: {} of {} enterprises, {} officers", added->id, who.user_id,
               result->picks.size(), in.enterprises.size(), in.officers.size());
  return JsonResponse(DetailJson(*added, {std::move(in), std::move(*result)}, *snap), 201);
}

Response ListDraws(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.tasks) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  // Those who reach no draw at all (inspectors, enterprises, partners, keys) are told so.
  if (auto denied = Check(who, Action::kRead, {Area::kTasks, nullptr, who.district_id}, now))
    return *denied;
  auto snap = ctx.sites->Get();
  return NewestFirstPage(
      req, 200,
      [&](int64_t before, size_t limit) -> Result<std::vector<DrawRecord>> {
        // Filtered after reading (a district's staff see the city's and their own),
        // reading on until the page is full or the draws end.
        std::vector<DrawRecord> seen;
        for (;;) {
          auto rows = ctx.tasks->Draws(false, before, limit);
          if (!rows.ok()) return rows.status();
          for (auto& d : *rows) {
            if (seen.size() == limit) break;
            if (auth::Authorize(who, Action::kRead, DrawTarget(d), now)) seen.push_back(d);
          }
          if (seen.size() == limit || rows->size() < limit) return seen;
          before = rows->back().id;
        }
      },
      [&](const DrawRecord& d) {
        auto p = Parse(d);
        return p.ok() ? SummaryJson(d, *p, *snap) : ordered_json{{"id", d.id}, {"title", d.title}};
      });
}

Response GetDraw(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.tasks) return Unavailable();
  Response problem;
  auto d = Reach(ctx, req, who, Action::kRead, &problem);
  if (!d.ok()) return problem;
  auto p = Parse(*d);
  if (!p.ok()) return StoreError(p.status());
  ordered_json j = DetailJson(*d, *p, *ctx.sites->Get());
  auto tasks = ctx.tasks->List(
      {.source = casework::TaskSource::kPlan, .source_ref = DrawRef(d->id), .limit = 10000});
  if (!tasks.ok()) return StoreError(tasks.status());
  ordered_json ids = ordered_json::array();
  for (auto it = tasks->rbegin(); it != tasks->rend(); ++it) ids.push_back(it->id);
  j["tasks"] = std::move(ids);
  // Each pick's own task beside it, once published.
  for (auto& item : j["items"]) {
    item["task"] = nullptr;
    std::string mark = casework::DrawTaskMark(item["credit_code"].get<std::string>());
    for (const auto& t : *tasks)
      if (t.description.find(mark) != std::string::npos)
        item["task"] = {{"id", t.id},
                        {"status", casework::TaskStatusCode(t.status)},
                        {"status_name", casework::TaskStatusName(t.status)}};
  }
  return JsonResponse(j);
}

// Re-runs the stored input and compares: {reproduced, picks}.
Response Reproduce(const DrawRecord& d) {
  auto p = Parse(d);
  if (!p.ok()) return StoreError(p.status());
  auto again = casework::RunDraw(p->input);
  if (!again.ok()) return StoreError(again.status());
  bool same = again->picks == p->result.picks;
  if (!same) spdlog::error("draw {} does not reproduce from its stored input", d.id);
  return JsonResponse(ordered_json{{"id", d.id},
                                   {"algorithm", casework::kDrawAlgorithm},
                                   {"reproduced", same},
                                   {"picks", again->picks.size()}});
}

Response VerifyDraw(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.tasks) return Unavailable();
  Response problem;
  auto d = Reach(ctx, req, who, Action::kRead, &problem);
  if (!d.ok()) return problem;
  return Reproduce(*d);
}

const std::vector<ParamDoc> kPublishBody = {
    {.name = "due_at",
     .type = "time",
     .description = "when the inspections must be done",
     .required = true},
    {"checklist", "array", "what to check at each enterprise: up to 50 lines of text"},
};

// Whether officer `id` can work a task of `district` given to them: one who may take
// the district's tasks, or an inspector of another district (an inspector reaches the
// tasks given to them wherever they are; staff reach their own district's only).
bool MayWork(const ApiContext& ctx, int64_t id, int64_t district) {
  if (task::CanTake(ctx, id, district)) return true;
  if (!ctx.accounts) return false;
  auto u = ctx.accounts->GetUser(id);
  return u.ok() && !u->disabled && u->role == auth::Role::kInspector;
}

// The task of one pick: at the enterprise, for its district's grid, given to the
// first officer of the team who can work it (MayWork), the team named in it.
casework::TaskChange PickTask(const ApiContext& ctx, const DrawRecord& d,
                              const casework::DrawPick& pick, const Parsed& p,
                              const registry::Snapshot& snap,
                              const std::vector<casework::Grid>& grids,
                              const std::vector<casework::CheckItem>& checklist,
                              const std::string& actor, UnixSeconds now) {
  casework::Task t;
  t.source = casework::TaskSource::kPlan;
  t.source_ref = DrawRef(d.id);
  const registry::Enterprise* e = snap.EnterpriseByCode(pick.credit_code);
  std::string name = pick.credit_code;
  for (const auto& x : p.input.enterprises)
    if (x.credit_code == pick.credit_code) name = x.name, t.district_id = x.district_id;
  t.title = "双随机抽查：" + name;
  std::string team;
  for (int64_t id : pick.officers)
    for (const auto& o : p.input.officers)
      if (o.id == id) team += (team.empty() ? "" : "、") + o.name;
  t.description =
      "「" + d.title + "」抽中（" + std::string(casework::PoolCategoryName(pick.category)) + "，" +
      casework::DrawTaskMark(pick.credit_code) + "）。" +
      (team.empty() ? "未能随机匹配检查人员，请人工指派。" : "检查人员：" + team + "。");
  if (e) {
    if (e->lon || e->lat) t.lon = e->lon, t.lat = e->lat;
    t.address = e->address;
  }
  t.grid_id = task::LocateGrid(grids, t);
  t.checklist = checklist;
  t.created_at = now;
  t.due_at = d.due_at;
  for (int64_t id : pick.officers)
    if (!t.assignee && MayWork(ctx, id, t.district_id)) t.assignee = id;
  t.status = t.assignee ? casework::TaskStatus::kAssigned : casework::TaskStatus::kOpen;
  casework::TaskChange ch{t, {{0, now, casework::TaskStep::kCreate, actor, "计划 " + d.title}}};
  if (t.assignee)
    ch.events.push_back(
        {0, now, casework::TaskStep::kAssign, actor, task::AssignedText(ctx, t.assignee)});
  return ch;
}

Response PublishDraw(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.tasks) return Unavailable();
  json b;
  if (auto bad = ParseBody(req, kPublishBody, &b)) return *bad;
  Response problem;
  auto d = Reach(ctx, req, who, Action::kWrite, &problem);
  if (!d.ok()) return problem;
  if (d->published_at)
    return Problem(409, "already-published", "The draw was published already",
                   FormatRfc3339Beijing(d->published_at));
  UnixSeconds now = ctx.clock->WallSeconds();
  auto due = ParseTime(b["due_at"].get<std::string>());
  if (!due || *due <= now || *due > now + 366 * kDay)
    return Problem(400, "bad-field", "due_at: after now and at most a year ahead");
  std::vector<casework::CheckItem> checklist;
  if (b.contains("checklist") && !b["checklist"].is_null())
    for (const auto& line : b["checklist"]) {
      if (!line.is_string()) return Problem(400, "bad-field", "checklist: lines of text");
      checklist.push_back({line.get<std::string>(), false, ""});
    }
  auto p = Parse(*d);
  if (!p.ok()) return StoreError(p.status());
  auto grids = ctx.tasks->Grids();
  if (!grids.ok()) return StoreError(grids.status());
  auto snap = ctx.sites->Get();
  DrawRecord published = *d;
  published.published_at = now;
  published.due_at = *due;
  std::string actor = complaint::Actor(who);
  std::vector<casework::TaskChange> tasks;
  for (const auto& pick : p->result.picks) {
    tasks.push_back(PickTask(ctx, published, pick, *p, *snap, *grids, checklist, actor, now));
    Status ok = casework::CheckNewTask(tasks.back().after, now);
    if (!ok.ok()) return Problem(400, "bad-field", "The tasks cannot be made", ok.message());
  }
  Status s = ctx.tasks->PublishDraw(published, tasks);
  if (s.code() == Code::kConflict)
    return Problem(409, "conflict", "The draw was published meanwhile", s.message());
  if (!s.ok()) return StoreError(s);
  Audit(ctx, who, "draws.publish", "draw:" + std::to_string(d->id),
        {{"tasks", tasks.size()}, {"due_at", FormatRfc3339Beijing(*due)}});
  spdlog::info("draw {} published by user {}: {} tasks", d->id, who.user_id, tasks.size());
  return GetDraw(ctx, req, who);
}

// --- the public -------------------------------------------------------------------

Response PublicDraws(const ApiContext& ctx, const Request& req, const Principal&) {
  if (!ctx.tasks) return Unavailable();
  auto snap = ctx.sites->Get();
  return NewestFirstPage(
      req, 200, [&](int64_t before, size_t limit) { return ctx.tasks->Draws(true, before, limit); },
      [&](const DrawRecord& d) {
        auto p = Parse(d);
        return p.ok() ? SummaryJson(d, *p, *snap) : ordered_json{{"id", d.id}, {"title", d.title}};
      });
}

// A published draw; 404 for one not (yet) published, as for one that does not exist.
Result<DrawRecord> PublishedDraw(const ApiContext& ctx, const Request& req, Response* problem) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) {
    *problem = *bad;
    return Status::InvalidInput("");
  }
  auto d = ctx.tasks->GetDraw(id);
  if (d.ok() && !d->published_at) d = Status(Code::kNotFound, "no such published draw");
  if (!d.ok()) *problem = FromStatus(d.status());
  return d;
}

Response PublicDraw(const ApiContext& ctx, const Request& req, const Principal&) {
  if (!ctx.tasks) return Unavailable();
  Response problem;
  auto d = PublishedDraw(ctx, req, &problem);
  if (!d.ok()) return problem;
  auto p = Parse(*d);
  if (!p.ok()) return StoreError(p.status());
  ordered_json j = DetailJson(*d, *p, *ctx.sites->Get());
  j.erase("district_id");
  return JsonResponse(j);
}

Response PublicVerify(const ApiContext& ctx, const Request& req, const Principal&) {
  if (!ctx.tasks) return Unavailable();
  Response problem;
  auto d = PublishedDraw(ctx, req, &problem);
  if (!d.ok()) return problem;
  return Reproduce(*d);
}

}  // namespace

void AddDrawRoutes(Api& api, const ApiContext& ctx) {
  const char* list_response =
      "{items[{id, title, district, created_at, published_at, due_at, pool{key, special, "
      "general}, drawn{...}, picks, unpaired}], next_cursor}";
  const char* detail_response =
      "the summary with algorithm, seed, rules, items[{credit_code, name, district, category, "
      "officers[{id, name}]}], input and result (what scripts/draw_verify.py re-runs)";
  api.Add("GET", "/api/v1/draws",
          {.summary = "Random draws (双随机), newest first; the bureau by district",
           .tag = "Casework",
           .query = {{"cursor", "string", "next_cursor of the previous page"},
                     {"limit", "integer", "1..200, default 100"}},
           .response = list_response,
           .id = "listDraws",
           .list = true},
          Bind(ctx, ListDraws));
  api.Add("POST", "/api/v1/draws",
          {.summary = "Draw enterprises and officers at random from the registry (staff); "
                      "not public until published",
           .tag = "Casework",
           .body = kDrawBody,
           .response = std::string(detail_response) + " (201); 422 when nothing was drawn",
           .id = "createDraw"},
          Bind(ctx, CreateDraw));
  api.Add("GET", "/api/v1/draws/{id}",
          {.summary = "One draw with its picks, its input and its tasks once published",
           .tag = "Casework",
           .response = std::string(detail_response) +
                       ", tasks[] and each item's task{id, status, status_name} once published",
           .id = "getDraw"},
          Bind(ctx, GetDraw));
  api.Add("POST", "/api/v1/draws/{id}/verify",
          {.summary = "Re-run the draw from its stored input and compare",
           .tag = "Casework",
           .response = "{id, algorithm, reproduced, picks}",
           .id = "verifyDraw"},
          Bind(ctx, VerifyDraw));
  api.Add("POST", "/api/v1/draws/{id}/publish",
          {.summary = "Publish the draw (公开) and make a task of every enterprise drawn",
           .tag = "Casework",
           .body = kPublishBody,
           .response = "the draw as GET /draws/{id} gives it; 409 when published already",
           .id = "publishDraw"},
          Bind(ctx, PublishDraw));
  api.Add("GET", "/api/v1/public/draws",
          {.summary = "Published random draws (双随机一公开), newest first",
           .tag = "Public",
           .query = {{"cursor", "string", "next_cursor of the previous page"},
                     {"limit", "integer", "1..200, default 100"}},
           .login = false,
           .response = list_response,
           .id = "publicDraws",
           .list = true},
          Bind(ctx, PublicDraws));
  api.Add("GET", "/api/v1/public/draws/{id}",
          {.summary = "A published draw with everything needed to re-run it",
           .tag = "Public",
           .login = false,
           .response = detail_response,
           .id = "publicDraw"},
          Bind(ctx, PublicDraw));
  api.Add("GET", "/api/v1/public/draws/{id}/verify",
          {.summary = "Re-run a published draw on the server and compare",
           .tag = "Public",
           .login = false,
           .response = "{id, algorithm, reproduced, picks}",
           .id = "publicVerifyDraw"},
          Bind(ctx, PublicVerify));
}

}  // namespace ecohub::api
