// Grids and grid tasks (网格化监管, docs/tasks.md): the grids of a district with their
// inspectors; tasks made by staff, from a complaint or an alarm, or ordered by a
// leader (督办); given to an inspector, recorded in the field, reviewed by the
// district. The rules are casework/task.h; escalation runs in housekeeping
// (casework/task_escalation.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "api/complaint_views.h"
#include "api/handlers.h"
#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "api/task_views.h"
#include "casework/complaint.h"
#include "casework/task_store.h"
#include "registry/boundaries.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using casework::Grid;
using casework::Task;
using casework::TaskStatus;
using casework::TaskStep;
using nlohmann::json;
using nlohmann::ordered_json;

namespace task {

// Whether user `id` may be given tasks of `district`: an active inspector or staff
// member of it (or of the whole city).
bool CanTake(const ApiContext& ctx, int64_t id, int64_t district) {
  if (!ctx.accounts) return false;
  auto u = ctx.accounts->GetUser(id);
  return u.ok() && !u->disabled &&
         (u->role == auth::Role::kInspector || u->role == auth::Role::kStaff) &&
         (u->district_id == 0 || u->district_id == district);
}

// The time line's words for a task given to user `id`: 派给 and their name.
std::string AssignedText(const ApiContext& ctx, int64_t id) {
  std::map<std::string, json> seen;
  json name = complaint::ActorName(ctx, "user:" + std::to_string(id), &seen);
  return "派给 " + (name.is_string() ? name.get<std::string>() : "user:" + std::to_string(id));
}

// The district's active grid covering the task's place; 0 when none does.
int64_t LocateGrid(const std::vector<Grid>& grids, const Task& t) {
  if (!t.lon) return 0;
  std::vector<registry::Shape> shapes;
  for (const Grid& g : grids)
    if (g.active && g.district_id == t.district_id) shapes.push_back({g.id, g.geojson});
  return shapes.empty() ? 0 : registry::AreaLocator(shapes).Find(*t.lon, *t.lat);
}

}  // namespace task

using task::AssignedText;
using task::CanTake;
using task::LocateGrid;

namespace {

Response Unavailable() {
  return Problem(503, "unavailable", "Grid tasks are not set up on this server");
}

std::string_view EscalationCode(casework::Escalation e) {
  switch (e) {
    case casework::Escalation::kDistrict:
      return "district";
    case casework::Escalation::kCity:
      return "city";
    case casework::Escalation::kNone:
      break;
  }
  return "none";
}

bool Listed(const std::vector<int64_t>& ids, int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// --- grids ------------------------------------------------------------------------

const std::vector<ParamDoc> kGridBody = {
    {.name = "district_id", .type = "integer", .description = "the district it divides"},
    {.name = "code", .description = "unique, 1-32 letters, digits, - or _"},
    {.name = "name", .description = "1-50 characters"},
    {.name = "geometry",
     .type = "object",
     .description = "a GeoJSON Polygon or MultiPolygon (WGS 84 degrees)"},
    {.name = "inspectors",
     .type = "array",
     .description = "user ids of the inspectors (or staff) of its district who work in it"},
    {.name = "active", .type = "boolean", .description = "false: disabled (PUT only)"},
    {.name = "version", .type = "integer", .description = "the version read (PUT only)"},
};

bool GoodCode(const std::string& code) {
  if (code.empty() || code.size() > 32) return false;
  return std::all_of(code.begin(), code.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

// The grids `who` may read: all of their district (inspectors: those they work in).
auth::Target GridTarget(const Grid& g, const Principal& who) {
  return {Area::kTasks, nullptr, g.district_id, 0,
          Listed(g.inspectors, who.user_id) ? who.user_id : 0};
}

ordered_json GridJson(const ApiContext& ctx, const Grid& g, const registry::Snapshot& snap,
                      bool with_geometry) {
  std::map<std::string, json> seen;
  json names = json::array();
  for (int64_t id : g.inspectors)
    names.push_back(complaint::ActorName(ctx, "user:" + std::to_string(id), &seen));
  ordered_json j = {{"id", g.id},
                    {"code", g.code},
                    {"name", g.name},
                    {"district_id", g.district_id},
                    {"district", complaint::DistrictName(snap, g.district_id)},
                    {"inspectors", g.inspectors},
                    {"inspector_names", std::move(names)},
                    {"active", g.active},
                    {"version", g.version}};
  if (with_geometry) j["geometry"] = json::parse(g.geojson, nullptr, false);
  return j;
}

// Checks a grid as written (`body` over `g`): its district, code, name, geometry and
// inspectors. The problem, or nullopt.
std::optional<Response> ReadGrid(const ApiContext& ctx, const json& body, Grid* g) {
  if (body.contains("district_id") && !body["district_id"].is_null())
    g->district_id = body["district_id"].get<int64_t>();
  Assign(body, "code", &g->code);
  Assign(body, "name", &g->name);
  Assign(body, "active", &g->active);
  auto snap = ctx.sites->Get();
  const registry::District* d = snap->DistrictById(g->district_id);
  if (!d || !d->active)
    return Problem(400, "bad-field", "district_id names no active district",
                   std::to_string(g->district_id));
  if (!GoodCode(g->code))
    return Problem(400, "bad-field", "code: 1-32 letters, digits, - or _", g->code);
  size_t name = casework::Characters(g->name);
  if (name < 1 || name > 50) return Problem(400, "bad-field", "name: 1-50 characters", g->name);
  if (body.contains("geometry") && !body["geometry"].is_null()) {
    registry::District measured;
    double bbox[4];
    Status s = registry::MeasureDistrict(body["geometry"].dump(), &measured, bbox);
    if (!s.ok()) return Problem(400, "bad-field", "geometry is not a usable area", s.message());
    g->geojson = measured.geojson;
  }
  if (g->geojson.empty()) return Problem(400, "missing-field", "Missing field in body", "geometry");
  if (body.contains("inspectors") && !body["inspectors"].is_null()) {
    std::set<int64_t> ids;
    for (const auto& v : body["inspectors"]) {
      if (!v.is_number_integer())
        return Problem(400, "bad-field", "inspectors: user ids", v.dump());
      ids.insert(v.get<int64_t>());
    }
    if (ids.size() > 200) return Problem(400, "bad-field", "inspectors: at most 200");
    g->inspectors.assign(ids.begin(), ids.end());
  }
  for (int64_t id : g->inspectors) {
    auto u = ctx.accounts ? ctx.accounts->GetUser(id) : Result<auth::User>(Status::NotFound(""));
    bool fits = u.ok() && !u->disabled &&
                (u->role == auth::Role::kInspector || u->role == auth::Role::kStaff) &&
                (u->district_id == 0 || u->district_id == g->district_id);
    if (!fits)
      return Problem(400, "bad-field",
                     "inspectors: each an active inspector or staff member of the district",
                     std::to_string(id));
  }
  return std::nullopt;
}

Response ListGrids(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.tasks) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  std::string district = Param(req, "district", "");
  int64_t wanted = 0;
  if (!district.empty() && !ParseId(district, &wanted))
    return Problem(400, "bad-parameter", "district is a district's id", district);
  bool geometry = Param(req, "geometry", "false") == "true";
  auto grids = ctx.tasks->Grids();
  if (!grids.ok()) return StoreError(grids.status());
  auto snap = ctx.sites->Get();
  ordered_json items = ordered_json::array();
  bool any = false;
  for (const Grid& g : *grids) {
    if (wanted && g.district_id != wanted) continue;
    if (Check(who, Action::kRead, GridTarget(g, who), now)) continue;
    any = true;
    items.push_back(GridJson(ctx, g, *snap, geometry));
  }
  // Nobody outside the bureau learns even that there are none.
  if (!any)
    if (auto denied = Check(who, Action::kRead, {Area::kTasks, nullptr, wanted}, now);
        denied && who.role != auth::Role::kInspector)
      return *denied;
  return JsonResponse<ordered_json>({{"items", std::move(items)}});
}

Response AddGrid(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.tasks) return Unavailable();
  json body;
  if (auto bad = ParseBody(req, kGridBody, &body)) return *bad;
  for (const char* f : {"district_id", "code", "name", "geometry"})
    if (!body.contains(f) || body[f].is_null())
      return Problem(400, "missing-field", "Missing field in body", f);
  Grid g;
  if (auto bad = ReadGrid(ctx, body, &g)) return *bad;
  g.active = true;
  if (auto denied = Check(who, Action::kWrite, {Area::kTasks, nullptr, g.district_id},
                          ctx.clock->WallSeconds()))
    return *denied;
  auto added = ctx.tasks->AddGrid(g);
  if (added.status().code() == Code::kConflict)
    return Problem(409, "code-taken", "Another grid has this code", g.code);
  if (!added.ok()) return StoreError(added.status());
  Audit(ctx, who, "grids.add", "grid:" + std::to_string(added->id),
        {{"code", g.code}, {"district_id", g.district_id}, {"inspectors", g.inspectors}});
  Response r = JsonResponse(GridJson(ctx, *added, *ctx.sites->Get(), true));
  r.status = 201;
  return r;
}

Response SaveGrid(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.tasks) return Unavailable();
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  json body;
  if (auto bad = ParseBody(req, kGridBody, &body)) return *bad;
  if (!body.contains("version") || body["version"].is_null())
    return Problem(400, "missing-field", "Missing field in body", "version");
  auto grids = ctx.tasks->Grids();
  if (!grids.ok()) return StoreError(grids.status());
  auto it = std::find_if(grids->begin(), grids->end(), [&](const Grid& g) { return g.id == id; });
  if (it == grids->end()) return Problem(404, "not-found", "No such grid");
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kWrite, {Area::kTasks, nullptr, it->district_id}, now))
    return *denied;
  Grid g = *it;
  if (auto bad = ReadGrid(ctx, body, &g)) return *bad;
  // Moved to another district: the writer must reach that one too.
  if (auto denied = Check(who, Action::kWrite, {Area::kTasks, nullptr, g.district_id}, now))
    return *denied;
  g.version = body["version"].get<int64_t>();
  auto saved = ctx.tasks->SaveGrid(g);
  if (saved.status().code() == Code::kConflict)
    return Problem(409, "changed-meanwhile", "The grid was changed meanwhile, or its code is taken",
                   saved.status().message());
  if (!saved.ok()) return StoreError(saved.status());
  Audit(ctx, who, "grids.save", "grid:" + std::to_string(id),
        {{"code", g.code},
         {"district_id", g.district_id},
         {"inspectors", g.inspectors},
         {"active", g.active}});
  return JsonResponse(GridJson(ctx, *saved, *ctx.sites->Get(), true));
}

// --- tasks ------------------------------------------------------------------------

// Whether `who` (an inspector) works on `t`: its assignee, or an inspector of its grid.
bool Theirs(const Task& t, const Principal& who, const std::vector<Grid>& grids) {
  if (who.user_id == 0) return false;
  if (t.assignee == who.user_id) return true;
  for (const Grid& g : grids)
    if (g.id == t.grid_id) return Listed(g.inspectors, who.user_id);
  return false;
}

auth::Target TaskTarget(const Task& t, const Principal& who, const std::vector<Grid>& grids) {
  return {Area::kTasks, nullptr, t.district_id, 0, Theirs(t, who, grids) ? who.user_id : 0};
}

const Grid* GridOf(const std::vector<Grid>& grids, int64_t id) {
  for (const Grid& g : grids)
    if (g.id == id) return &g;
  return nullptr;
}

ordered_json TaskJson(const ApiContext& ctx, const Task& t, const registry::Snapshot& snap,
                      const std::vector<Grid>& grids, UnixSeconds now,
                      std::map<std::string, json>* names) {
  const Grid* grid = GridOf(grids, t.grid_id);
  ordered_json checklist = ordered_json::array();
  for (const auto& i : t.checklist)
    checklist.push_back({{"text", i.text}, {"done", i.done}, {"finding", i.finding}});
  ordered_json record = nullptr;
  if (t.record.at)
    record = {{"text", t.record.text},
              {"lon", t.record.lon ? json(*t.record.lon) : json(nullptr)},
              {"lat", t.record.lat ? json(*t.record.lat) : json(nullptr)},
              {"time", FormatRfc3339Beijing(t.record.at)}};
  std::string assignee = t.assignee ? "user:" + std::to_string(t.assignee) : std::string();
  return {
      {"id", t.id},
      {"source", casework::TaskSourceCode(t.source)},
      {"source_name", casework::TaskSourceName(t.source)},
      {"source_ref", t.source_ref.empty() ? json(nullptr) : json(t.source_ref)},
      {"title", t.title},
      {"description", t.description},
      {"lon", t.lon ? json(*t.lon) : json(nullptr)},
      {"lat", t.lat ? json(*t.lat) : json(nullptr)},
      {"address", t.address},
      {"district_id", t.district_id},
      {"district", complaint::DistrictName(snap, t.district_id)},
      {"grid_id", t.grid_id ? json(t.grid_id) : json(nullptr)},
      {"grid", grid ? json(grid->name) : json(nullptr)},
      {"assignee", t.assignee ? json(t.assignee) : json(nullptr)},
      {"assignee_name", t.assignee ? complaint::ActorName(ctx, assignee, names) : json(nullptr)},
      {"status", casework::TaskStatusCode(t.status)},
      {"status_name", casework::TaskStatusName(t.status)},
      {"created_at", FormatRfc3339Beijing(t.created_at)},
      {"due_at", TimeOrNull(t.due_at)},
      {"overdue", casework::IsActive(t.status) && t.due_at && t.due_at <= now},
      {"escalation", EscalationCode(t.escalation)},
      {"checklist", std::move(checklist)},
      {"record", std::move(record)},
      {"version", t.version}};
}

// The task of the path's id that `who` may `action` (inspectors: only theirs), with
// the grids read for it; or the problem.
Result<Task> Reach(const ApiContext& ctx, const Request& req, const Principal& who, Action action,
                   std::vector<Grid>* grids, Response* problem) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) {
    *problem = *bad;
    return Status::InvalidInput("");
  }
  auto t = ctx.tasks->Get(id);
  auto g = ctx.tasks->Grids();
  if (!t.ok() || !g.ok()) {
    *problem = t.ok() ? StoreError(g.status()) : FromStatus(t.status());
    return Status::InvalidInput("");
  }
  *grids = std::move(*g);
  if (auto denied = Check(who, action, TaskTarget(*t, who, *grids), ctx.clock->WallSeconds())) {
    *problem = *denied;
    return Status(Code::kPermissionDenied, "");
  }
  return t;
}

Response TaskDetail(const ApiContext& ctx, const Task& t, const std::vector<Grid>& grids) {
  auto events = ctx.tasks->Events(t.id);
  if (!events.ok()) return StoreError(events.status());
  std::map<std::string, json> names;
  ordered_json j = TaskJson(ctx, t, *ctx.sites->Get(), grids, ctx.clock->WallSeconds(), &names);
  ordered_json timeline = ordered_json::array();
  for (const auto& e : *events)
    timeline.push_back({{"time", FormatRfc3339Beijing(e.at)},
                        {"event", casework::TaskStepCode(e.step)},
                        {"event_name", casework::TaskStepName(e.step)},
                        {"actor", e.actor},
                        {"actor_name", complaint::ActorName(ctx, e.actor, &names)},
                        {"text", e.text.empty() ? json(nullptr) : json(e.text)}});
  j["timeline"] = std::move(timeline);
  return JsonResponse(j);
}

Response GetTask(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.tasks) return Unavailable();
  std::vector<Grid> grids;
  Response problem;
  auto t = Reach(ctx, req, who, Action::kRead, &grids, &problem);
  if (!t.ok()) return problem;
  return TaskDetail(ctx, *t, grids);
}

Response ListTasks(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.tasks) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  casework::TaskFilter f;
  std::string status = Param(req, "status", "");
  if (!status.empty()) {
    f.status = casework::TaskStatusFromCode(status);
    if (!f.status) return Problem(400, "bad-parameter", "status names no status", status);
  }
  for (const char* flag : {"active", "overdue", "escalated"}) {
    std::string v = Param(req, flag, "false");
    if (v != "true" && v != "false")
      return Problem(400, "bad-parameter", std::string(flag) + " must be true or false", v);
  }
  f.active_only = Param(req, "active", "false") == "true";
  if (Param(req, "overdue", "false") == "true") f.overdue_at = now;
  if (Param(req, "escalated", "false") == "true") f.at_least = casework::Escalation::kDistrict;
  for (auto [name, field] :
       {std::pair{"district", &f.district_id}, std::pair{"grid", &f.grid_id}}) {
    std::string v = Param(req, name, "");
    int64_t id = 0;
    if (v.empty()) continue;
    if (!ParseId(v, &id) && !(v == "0" && field == &f.grid_id))
      return Problem(400, "bad-parameter", std::string(name) + " is an id", v);
    *field = id;
  }
  std::string assignee = Param(req, "assignee", "");
  if (assignee == "me")
    f.assignee = who.user_id;
  else if (!assignee.empty() && !ParseId(assignee, &f.assignee))
    return Problem(400, "bad-parameter", "assignee is a user id or me", assignee);
  std::string source = Param(req, "source", "");
  if (!source.empty()) {
    f.source = casework::TaskSourceFromCode(source);
    if (!f.source) return Problem(400, "bad-parameter", "source names no source", source);
    f.source_ref = Param(req, "source_ref", "");
    if (f.source_ref.empty())
      return Problem(400, "bad-parameter", "source goes with source_ref", source);
  }
  // Staff and leaders of a district see their district's; inspectors theirs, wherever
  // they are (a random draw pairs inspectors with other districts' enterprises).
  bool inspector = who.role == auth::Role::kInspector;
  if (who.district_id != 0 && who.role != auth::Role::kAdmin && !inspector) {
    if (f.district_id && *f.district_id != who.district_id)
      return Problem(403, "forbidden", "Forbidden", "outside your district");
    f.district_id = who.district_id;
  }
  // Inspectors pass here and see only theirs below.
  if (auto denied = Check(
          who, Action::kRead,
          {Area::kTasks, nullptr, f.district_id.value_or(0), 0, inspector ? who.user_id : 0}, now))
    return *denied;
  struct Window {
    UnixSeconds from, to;
    int64_t before = 0;
    size_t limit = 100;
  } w{};
  if (auto bad = ReadListWindow(req, 500, &w)) return *bad;
  f.before = w.before;
  auto grids = ctx.tasks->Grids();
  if (!grids.ok()) return StoreError(grids.status());
  auto snap = ctx.sites->Get();
  std::map<std::string, json> names;
  ordered_json items = ordered_json::array();
  int64_t last = 0;
  bool more = false;
  // Inspectors: read on past the tasks that are not theirs, a page at a time.
  for (;;) {
    f.limit = w.limit;
    auto rows = ctx.tasks->List(f);
    if (!rows.ok()) return StoreError(rows.status());
    for (const Task& t : *rows) {
      last = t.id;
      if (inspector && !Theirs(t, who, *grids)) continue;
      if (t.created_at < w.from || t.created_at >= w.to) continue;
      items.push_back(TaskJson(ctx, t, *snap, *grids, now, &names));
      if (items.size() == w.limit) break;
    }
    more = rows->size() == f.limit;
    if (items.size() == w.limit || !more) break;
    f.before = last;
  }
  json next = more || items.size() == w.limit ? json(CursorAfter(last)) : json(nullptr);
  return JsonResponse<ordered_json>({{"items", std::move(items)}, {"next_cursor", next}});
}

const std::vector<ParamDoc> kNewTaskBody = {
    {.name = "title", .description = "2-100 characters; from the complaint or alarm when absent"},
    {"description", "string", "at most 2000 characters"},
    {.name = "due_at", .type = "time", .description = "when it must be done", .required = true},
    {"source", "string", "manual (the default), supervision (督办: leaders), complaint or alarm"},
    {"source_ref", "string", "the complaint's or alarm's id, for those sources"},
    {"lon", "number", "where to go (WGS 84 degrees)"},
    {"lat", "number", "where to go"},
    {"address", "string", "where to go, in words"},
    {"district_id", "integer", "its district; by default the one covering the place"},
    {"grid_id", "integer", "its grid; by default the district's grid covering the place"},
    {"assignee", "integer", "the inspector (user id) to give it to now"},
    {"checklist", "array", "what to check on the spot: up to 50 lines of text"},
};

// The complaint or alarm a task is made from: fills what the body left out from it,
// after checking `who` may handle it. The problem, or nullopt.
std::optional<Response> FillFromSource(const ApiContext& ctx, const Principal& who,
                                       const registry::Snapshot& snap, UnixSeconds now, Task* t) {
  int64_t id = 0;
  if (!ParseId(t->source_ref, &id))
    return Problem(400, "bad-field", "source_ref is the id of the complaint or alarm",
                   t->source_ref);
  if (t->source == casework::TaskSource::kComplaint) {
    if (!ctx.complaints) return complaint::Unavailable();
    auto c = ctx.complaints->Get(id);
    if (!c.ok()) return FromStatus(c.status());
    if (auto denied = Check(who, Action::kWrite, {Area::kComplaints, nullptr, c->district_id}, now))
      return *denied;
    if (!casework::IsOpen(c->status))
      return Problem(409, "bad-transition", "The complaint is no longer open",
                     std::string(casework::StatusName(c->status)));
    if (t->title.empty())
      t->title = "核查举报：" + complaint::CategoryName(c->category).get<std::string>();
    if (t->description.empty()) t->description = c->description;
    if (!t->lon && c->lon) t->lon = c->lon, t->lat = c->lat;
    if (t->address.empty()) t->address = c->address;
    if (!t->district_id) t->district_id = c->district_id;
    return std::nullopt;
  }
  if (!ctx.store) return Unavailable();
  auto a = ctx.store->GetAlarm(id);
  if (!a.ok()) return FromStatus(a.status());
  if (auto denied = Check(who, Action::kWrite, {Area::kTasks, nullptr, a->district_id}, now))
    return *denied;
  const registry::Site* site = snap.Site(a->site_id);
  const char* what = a->kind == "offline" ? "设备离线" : a->kind == "anomaly" ? "数据异常" : "超标";
  if (t->title.empty())
    t->title = "核查" + std::string(what) + "：" + (site ? site->name : a->site_code);
  if (t->description.empty())
    t->description = "告警 " + std::to_string(a->id) + "（" + what +
                     (a->factor.empty() ? "" : "，" + a->factor) + "），开始于 " +
                     FormatRfc3339Beijing(a->started);
  if (!t->lon && site) t->lon = site->lon, t->lat = site->lat;
  if (!t->district_id) t->district_id = a->district_id;
  return std::nullopt;
}

Response CreateTask(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.tasks) return Unavailable();
  json b;
  if (auto bad = ParseBody(req, kNewTaskBody, &b)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  Task t;
  t.source = casework::TaskSource::kManual;
  if (b.contains("source") && !b["source"].is_null()) {
    auto s = casework::TaskSourceFromCode(b["source"].get<std::string>());
    if (!s || *s == casework::TaskSource::kPlan)
      return Problem(400, "bad-field", "source: manual, supervision, complaint or alarm",
                     b["source"].get<std::string>());
    t.source = *s;
  }
  Assign(b, "title", &t.title);
  Assign(b, "description", &t.description);
  Assign(b, "address", &t.address);
  Assign(b, "source_ref", &t.source_ref);
  Assign(b, "district_id", &t.district_id);
  Assign(b, "grid_id", &t.grid_id);
  Assign(b, "assignee", &t.assignee);
  if (b.contains("lon") && !b["lon"].is_null()) t.lon = b["lon"].get<double>();
  if (b.contains("lat") && !b["lat"].is_null()) t.lat = b["lat"].get<double>();
  t.due_at = *ParseTime(b["due_at"].get<std::string>());
  if (b.contains("checklist") && !b["checklist"].is_null())
    for (const auto& line : b["checklist"]) {
      if (!line.is_string()) return Problem(400, "bad-field", "checklist: lines of text");
      t.checklist.push_back({line.get<std::string>(), false, ""});
    }
  auto snap = ctx.sites->Get();
  bool from_thing =
      t.source == casework::TaskSource::kComplaint || t.source == casework::TaskSource::kAlarm;
  if (from_thing) {
    if (auto bad = FillFromSource(ctx, who, *snap, now, &t)) return *bad;
  } else if (!t.source_ref.empty()) {
    return Problem(400, "bad-field", "source_ref goes with a complaint or an alarm");
  }
  if (!t.district_id && t.lon && t.lat)
    t.district_id = registry::DistrictLocator(snap->districts).Find(*t.lon, *t.lat);
  if (!t.district_id) t.district_id = who.district_id;
  const registry::District* d = snap->DistrictById(t.district_id);
  if (!d || !d->active)
    return Problem(400, "bad-field", "district_id: a task belongs to an active district",
                   std::to_string(t.district_id));
  Action action = t.source == casework::TaskSource::kSupervision ? Action::kDecide : Action::kWrite;
  if (auto denied = Check(who, action, {Area::kTasks, nullptr, t.district_id}, now)) return *denied;
  Status ok = casework::CheckNewTask(t, now);
  if (!ok.ok()) return Problem(400, "bad-field", "The task is not complete", ok.message());
  auto grids = ctx.tasks->Grids();
  if (!grids.ok()) return StoreError(grids.status());
  if (t.grid_id) {
    const Grid* g = GridOf(*grids, t.grid_id);
    if (!g || !g->active || g->district_id != t.district_id)
      return Problem(400, "bad-field", "grid_id: an active grid of the task's district",
                     std::to_string(t.grid_id));
  } else {
    t.grid_id = LocateGrid(*grids, t);
  }
  if (t.assignee && !CanTake(ctx, t.assignee, t.district_id))
    return Problem(400, "bad-field",
                   "assignee: an active inspector or staff member of the district",
                   std::to_string(t.assignee));
  if (from_thing) {
    auto same = ctx.tasks->List(
        {.active_only = true, .source = t.source, .source_ref = t.source_ref, .limit = 1});
    if (!same.ok()) return StoreError(same.status());
    if (!same->empty())
      return Problem(409, "task-exists", "A task made from it is still open",
                     "task " + std::to_string(same->front().id));
  }
  t.status = t.assignee ? TaskStatus::kAssigned : TaskStatus::kOpen;
  t.created_at = now;
  std::string note = std::string(casework::TaskSourceName(t.source));
  if (from_thing) note += " " + t.source_ref;
  auto added = ctx.tasks->Add(t, {0, now, TaskStep::kCreate, complaint::Actor(who), note});
  if (!added.ok()) return StoreError(added.status());
  if (t.assignee) {  // given at once: its own line on the time line
    casework::TaskChange ch{*added,
                            {{added->id, now, TaskStep::kAssign, complaint::Actor(who),
                              AssignedText(ctx, t.assignee)}}};
    if (Status s = ctx.tasks->Apply({&ch, 1}); !s.ok()) return StoreError(s);
    added = ctx.tasks->Get(added->id);
    if (!added.ok()) return StoreError(added.status());
  }
  Audit(ctx, who, "tasks.create", "task:" + std::to_string(added->id),
        {{"source", casework::TaskSourceCode(t.source)},
         {"source_ref", t.source_ref},
         {"district_id", t.district_id},
         {"grid_id", t.grid_id},
         {"assignee", t.assignee}});
  spdlog::info("task {} ({}) created by user {} in district {}", added->id,
               casework::TaskSourceCode(t.source), who.user_id, t.district_id);
  Response r = TaskDetail(ctx, *added, *grids);
  r.status = 201;
  return r;
}

const std::vector<ParamDoc> kAssignBody = {{.name = "assignee",
                                            .type = "integer",
                                            .description = "the inspector's user id",
                                            .required = true},
                                           {"note", "string", "a remark for the record"}};
const std::vector<ParamDoc> kSubmitBody = {
    {.name = "text", .description = "what was found, 2-2000 characters", .required = true},
    {"lon", "number", "where the phone was (WGS 84 degrees)"},
    {"lat", "number", "where the phone was"},
    {"checklist", "array",
     "the task's checklist lines in order, each {done, finding}: what was found on each"}};
const std::vector<ParamDoc> kNoteBody = {{"note", "string", "a remark for the record"}};
const std::vector<ParamDoc> kReasonBody = {
    {.name = "reason", .description = "why, 2-500 characters", .required = true}};
const std::vector<ParamDoc> kTextBody = {
    {.name = "text", .description = "the remark, 1-500 characters", .required = true}};

// One step on the task of the path: checked against its status and `who`, applied
// with its time line line and audit record.
Response TakeStep(const ApiContext& ctx, const Request& req, const Principal& who, TaskStep step,
                  const std::vector<ParamDoc>& fields) {
  if (!ctx.tasks) return Unavailable();
  json b;
  if (auto bad = ParseBody(req, fields, &b)) return *bad;
  // The inspector's own steps reach their tasks; the rest is the district's work.
  bool own_step = step == TaskStep::kSubmit || step == TaskStep::kNote;
  std::vector<Grid> grids;
  Response problem;
  auto t = Reach(ctx, req, who, Action::kRead, &grids, &problem);
  if (!t.ok()) return problem;
  UnixSeconds now = ctx.clock->WallSeconds();
  auth::Target target = TaskTarget(*t, who, grids);
  if (!own_step) target.owner_user_id = 0;
  if (auto denied = Check(who, Action::kWrite, target, now)) return *denied;
  if (auto why = casework::RefuseTaskStep(*t, step))
    return Problem(409, "bad-transition", "This step is not possible now", *why);
  Task after = *t;
  after.status = casework::StatusAfter(*t, step);
  std::string text;
  json detail = {{"from", casework::TaskStatusCode(t->status)}};
  switch (step) {
    case TaskStep::kAssign: {
      int64_t to = b["assignee"].get<int64_t>();
      if (!CanTake(ctx, to, t->district_id))
        return Problem(400, "bad-field",
                       "assignee: an active inspector or staff member of the district",
                       std::to_string(to));
      after.assignee = to;
      text = AssignedText(ctx, to);
      if (b.contains("note") && b["note"].is_string()) text += " " + b["note"].get<std::string>();
      detail["assignee"] = to;
      break;
    }
    case TaskStep::kSubmit: {
      if (t->assignee != who.user_id)
        return Problem(403, "forbidden", "Forbidden",
                       "only the task's inspector submits its record");
      casework::FieldRecord r;
      r.text = b["text"].get<std::string>();
      if (b.contains("lon") && !b["lon"].is_null()) r.lon = b["lon"].get<double>();
      if (b.contains("lat") && !b["lat"].is_null()) r.lat = b["lat"].get<double>();
      r.at = now;
      std::vector<casework::CheckItem> checked = t->checklist;
      if (b.contains("checklist") && !b["checklist"].is_null()) {
        const json& lines = b["checklist"];
        if (lines.size() != checked.size())
          return Problem(400, "bad-field", "checklist: one entry per line of the task",
                         std::to_string(checked.size()) + " lines");
        for (size_t i = 0; i < lines.size(); ++i) {
          if (!lines[i].is_object())
            return Problem(400, "bad-field", "checklist: entries {done, finding}");
          checked[i].done = lines[i].value("done", false);
          checked[i].finding = lines[i].value("finding", "");
        }
      }
      Status ok = casework::CheckRecord(*t, r, checked);
      if (!ok.ok()) return Problem(400, "bad-field", "The record is not complete", ok.message());
      after.record = r;
      after.checklist = std::move(checked);
      break;
    }
    case TaskStep::kReturn:
    case TaskStep::kCancel: {
      auto reason = complaint::BodyText(b, "reason", 2, 500);
      if (!reason.ok()) return Problem(400, "bad-field", "Say why", reason.status().message());
      text = *reason;
      break;
    }
    case TaskStep::kNote: {
      auto note = complaint::BodyText(b, "text", 1, 500);
      if (!note.ok()) return Problem(400, "bad-field", "The note", note.status().message());
      text = *note;
      break;
    }
    default:
      text = b.value("note", "");
      break;
  }
  casework::TaskChange change{after, {{t->id, now, step, complaint::Actor(who), text}}};
  Status s = ctx.tasks->Apply({&change, 1});
  if (s.code() == Code::kConflict)
    return Problem(409, "changed-meanwhile", "The task was changed meanwhile",
                   "read it again and retry");
  if (!s.ok()) return StoreError(s);
  detail["to"] = casework::TaskStatusCode(after.status);
  Audit(ctx, who, "tasks." + std::string(casework::TaskStepCode(step)),
        "task:" + std::to_string(t->id), detail);
  auto fresh = ctx.tasks->Get(t->id);
  if (!fresh.ok()) return StoreError(fresh.status());
  return TaskDetail(ctx, *fresh, grids);
}

}  // namespace

void AddTaskRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/grids",
          {.summary = "Grids (网格) with their inspectors; the bureau (inspectors: their own)",
           .tag = "Casework",
           .query = {{"district", "integer", "a district's id"},
                     {"geometry", "boolean", "true: with each grid's polygon"}},
           .response =
               "{items[{id, code, name, district_id, district, inspectors[], inspector_names[], "
               "active, version, geometry?}]}",
           .id = "listGrids"},
          Bind(ctx, ListGrids));
  api.Add("POST", "/api/v1/grids",
          {.summary = "Add a grid to a district; administrators and staff of the district",
           .tag = "Casework",
           .body = kGridBody,
           .response = "the grid with its geometry (201)",
           .id = "addGrid"},
          Bind(ctx, AddGrid));
  api.Add("PUT", "/api/v1/grids/{id}",
          {.summary = "Change a grid (name, polygon, inspectors, active) from the version read",
           .tag = "Casework",
           .body = kGridBody,
           .response = "the grid with its geometry",
           .id = "saveGrid"},
          Bind(ctx, SaveGrid));
  api.Add(
      "GET", "/api/v1/tasks",
      {.summary = "Grid tasks, newest first; the bureau by district, inspectors their own "
                  "and their grids'",
       .tag = "Casework",
       .query = {{"status", "string", "open, assigned, submitted, returned, closed or cancelled"},
                 {"active", "boolean", "true: not ended"},
                 {"overdue", "boolean", "true: active ones past their due time"},
                 {"escalated", "boolean", "true: escalated to the district head or the city"},
                 {"district", "integer", "a district's id"},
                 {"grid", "integer", "a grid's id; 0: the district's queue"},
                 {"assignee", "string", "a user id, or me"},
                 {"source", "string", "complaint, alarm, plan, supervision or manual"},
                 {"source_ref", "string", "with source: the complaint's or alarm's id"},
                 {"from", "time", "created at or after"},
                 {"to", "time", "created before"},
                 {"cursor", "string", "next_cursor of the previous page"},
                 {"limit", "integer", "1..500, default 100"}},
       .id = "listTasks",
       .list = true},
      Bind(ctx, ListTasks));
  api.Add("POST", "/api/v1/tasks",
          {.summary = "Create a task (staff), from a complaint or an alarm, or order one (督办: "
                      "leaders)",
           .tag = "Casework",
           .body = kNewTaskBody,
           .response = "the task as GET /tasks/{id} gives it (201)",
           .id = "createTask"},
          Bind(ctx, CreateTask));
  api.Add("GET", "/api/v1/tasks/{id}",
          {.summary = "One task with its checklist, field record and time line",
           .tag = "Casework",
           .response = "{id, source, title, status, district, grid, assignee, due_at, overdue, "
                       "escalation, checklist[], record, timeline[]}",
           .id = "getTask"},
          Bind(ctx, GetTask));
  struct StepRoute {
    const char* path;
    const char* summary;
    TaskStep step;
    const std::vector<ParamDoc>* body;
    const char* id;
  };
  const StepRoute steps[] = {
      {"/api/v1/tasks/{id}/assign", "Give the task to an inspector (派发), or to another",
       TaskStep::kAssign, &kAssignBody, "assignTask"},
      {"/api/v1/tasks/{id}/submit",
       "The inspector's field record: what was found, where, the checklist marked",
       TaskStep::kSubmit, &kSubmitBody, "submitTask"},
      {"/api/v1/tasks/{id}/approve", "Accept the record and close the task (审核通过)",
       TaskStep::kApprove, &kNoteBody, "approveTask"},
      {"/api/v1/tasks/{id}/return", "Send the task back to the inspector (退回), saying why",
       TaskStep::kReturn, &kReasonBody, "returnTask"},
      {"/api/v1/tasks/{id}/cancel", "Cancel a task no longer needed (撤销), saying why",
       TaskStep::kCancel, &kReasonBody, "cancelTask"},
      {"/api/v1/tasks/{id}/note", "Add a remark to the task's time line", TaskStep::kNote,
       &kTextBody, "noteTask"},
  };
  for (const StepRoute& s : steps)
    api.Add("POST", s.path,
            {.summary = s.summary,
             .tag = "Casework",
             .body = *s.body,
             .response = "the task as GET /tasks/{id} gives it",
             .id = s.id},
            [ctx, step = s.step, body = s.body](const Request& req, const Principal& who) {
              return TakeStep(ctx, req, who, step, *body);
            });
}

}  // namespace ecohub::api
