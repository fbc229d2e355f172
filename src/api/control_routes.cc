// Reverse control over HTTP (docs/control.md): staff queue an HJ 212 command for a
// device (set the upload interval, sync its clock, read and set its parameters,
// pull history); the gateway that holds the device's connection sends it and
// records the answers; the command's status and result are read back here. And
// the history recovery report: the gaps the gateway pulled back, per site.
#include "api/handlers.h"
#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "control/command_store.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

const std::vector<ParamDoc> kCommandBody = {
    {.name = "kind",
     .description = "time_sync, get_time, get_rtd_interval, set_rtd_interval, get_min_interval, "
                    "set_min_interval, get_info, set_info or history",
     .required = true},
    {"RtdInterval", "integer", "set_rtd_interval: seconds, 30..3600"},
    {"MinInterval", "integer", "set_min_interval: minutes, one of 1,2,3,4,5,6,10,12,15,20,30"},
    {"PolId", "string", "get_time, get_info, set_info: the instrument's factor code"},
    {"InfoId", "string", "get_info, set_info: the parameter (i12001...)"},
    {"Info", "string", "set_info: the new value"},
    {"period", "string", "history: minute, hour or day"},
    {"BeginTime", "string", "history, get_info: the first record's time"},
    {"EndTime", "string", "history, get_info: the last record's time"},
};

ordered_json CpJson(const std::string& text) {
  ordered_json j = ordered_json::object();
  for (const auto& [k, v] : control::ParseCp(text)) j[k] = v;
  return j;
}

ordered_json CommandJson(const control::Command& c) {
  auto opt = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  return {{"id", c.id},
          {"device", c.mn},
          {"kind", c.kind},
          {"cn", c.cn},
          {"params", CpJson(c.params)},
          {"origin", c.origin},
          {"status", c.status},
          {"created_by", c.created_by},
          {"created_at", FormatRfc3339Beijing(c.created_at)},
          {"updated_at", FormatRfc3339Beijing(c.updated_at)},
          {"qn", opt(c.qn)},
          {"code", opt(c.code)},
          {"result", CpJson(c.result)},
          {"records", c.records},
          {"expected", c.expected},
          {"follow_up_of", c.follow_up_of ? json(c.follow_up_of) : json(nullptr)}};
}

// The district of device `mn` (0: a city-level site), or nullopt when the
// registry has no such device.
std::optional<int64_t> DistrictOf(const ApiContext& ctx, const std::string& mn) {
  auto snap = ctx.sites->Get();
  const registry::Device* d = snap->DeviceByMn(mn);
  if (!d) return std::nullopt;
  const store::Site* site = snap->Site(d->site_id);
  return site ? site->district_id : 0;
}

Response Unavailable() {
  return Problem(503, "unavailable", "Device commands are not set up on this server");
}

// POST /devices/{mn}/commands: queued, then sent by the gateway holding the device.
Response PostCommand(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.commands) return Unavailable();
  std::string mn = req.params.at("mn");
  auto district = DistrictOf(ctx, mn);
  if (!district) return Problem(404, "not-found", "No such device", mn);
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kWrite, {Area::kCommands, nullptr, *district}, now))
    return *denied;
  json b;
  if (auto bad = ParseBody(req, kCommandBody, &b)) return *bad;
  control::Params params;
  for (const auto& [k, v] : b.items()) {
    if (k == "kind") continue;
    if (v.is_number_integer()) {
      params.push_back({k, std::to_string(v.get<int64_t>())});
    } else if (k == "BeginTime" || k == "EndTime") {
      // Any time the API takes (RFC 3339, Beijing local); the device gets its form.
      auto t = ParseTime(v.get<std::string>());
      if (!t) return Problem(400, "bad-field", k + " is not a time", v.dump());
      params.push_back({k, FormatCompactLocal(*t)});
    } else {
      params.push_back({k, v.get<std::string>()});
    }
  }
  auto made = control::NewCommand(mn, b["kind"].get<std::string>(), params, who.name, now);
  if (!made.ok()) return Problem(400, "bad-field", made.status().message());
  auto id = ctx.commands->Add(*made);
  if (!id.ok()) return StoreError(id.status());
  made->id = *id;
  Audit(ctx, who, "device.command", "command:" + std::to_string(*id),
        {{"device", mn}, {"kind", made->kind}, {"cn", made->cn}, {"params", made->params}});
  if (ctx.command_created) ctx.command_created(*made);
  return JsonResponse(CommandJson(*made), 202);
}

Response ListCommands(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.commands) return Unavailable();
  std::string mn = req.params.at("mn");
  auto district = DistrictOf(ctx, mn);
  if (!district) return Problem(404, "not-found", "No such device", mn);
  if (auto denied = Check(who, Action::kRead, {Area::kCommands, nullptr, *district},
                          ctx.clock->WallSeconds()))
    return *denied;
  return NewestFirstPage(
      req, 500,
      [&](int64_t before, size_t limit) { return ctx.commands->ListForDevice(mn, before, limit); },
      CommandJson);
}

Response GetCommand(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.commands) return Unavailable();
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  auto c = ctx.commands->Get(id);
  // Someone who may read no command learns nothing of which ids exist.
  UnixSeconds now = ctx.clock->WallSeconds();
  if (!c.ok()) {
    if (auto denied = Check(who, Action::kRead, {Area::kCommands}, now)) return *denied;
    return FromStatus(c.status());
  }
  if (auto denied = Check(who, Action::kRead,
                          {Area::kCommands, nullptr, DistrictOf(ctx, c->mn).value_or(0)}, now))
    return *denied;
  return JsonResponse(CommandJson(*c));
}

// GET /quality/recovery: the gateway's history pulls in [from, to), per site: the
// gaps it found, the pulls it sent (follow-ups included), records recovered, and
// records still missing when the last pull of each gap ended.
Response Recovery(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.commands) return Unavailable();
  std::string bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  UnixSeconds to = TimeParam(req, "to", now + 1, &bad);
  UnixSeconds from = TimeParam(req, "from", to - 7 * kDay, &bad);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  if (to <= from || to - from > 366 * kDay)
    return Problem(400, "bad-parameter", "from must be before to, at most a year apart");
  std::string only = req.query.count("site") ? req.query.at("site") : "";
  auto snap = ctx.sites->Get();
  if (!only.empty() && !snap->SiteByCode(only))
    return Problem(400, "bad-parameter", "site names no site", only);
  // Who may read commands at all (in their own district); the sites follow below.
  if (auto denied = Check(who, Action::kRead, {Area::kCommands, nullptr, who.district_id}, now))
    return *denied;
  auto pulls = ctx.commands->Created("gateway", from, to);
  if (!pulls.ok()) return StoreError(pulls.status());
  struct Gap {
    int64_t expected = 0, records = 0;
  };
  struct Site {
    const store::Site* site = nullptr;
    int64_t pulls = 0, open = 0;
    std::map<int64_t, Gap> gaps;  // by the first pull's id
  };
  std::map<std::string, Site> by_code;
  for (const auto& c : *pulls) {
    const registry::Device* d = snap->DeviceByMn(c.mn);
    const store::Site* site = d ? snap->Site(d->site_id) : nullptr;
    if (!site || (!only.empty() && site->code != only)) continue;
    if (Check(who, Action::kRead, {Area::kCommands, nullptr, site->district_id}, now)) continue;
    Site& s = by_code[site->code];
    s.site = site;
    ++s.pulls;
    if (!control::Terminal(c.status)) ++s.open;
    Gap& g = s.gaps[c.follow_up_of ? c.follow_up_of : c.id];
    if (!c.follow_up_of) g.expected = c.expected;
    g.records += c.records;
  }
  ordered_json items = ordered_json::array();
  for (const auto& [code, s] : by_code) {
    int64_t asked = 0, recovered = 0, missing = 0;
    for (const auto& [id, g] : s.gaps) {
      asked += g.expected;
      recovered += g.records;
      missing += std::max<int64_t>(0, g.expected - g.records);
    }
    items.push_back({{"site", code},
                     {"name", s.site->name},
                     {"gaps", s.gaps.size()},
                     {"pulls", s.pulls},
                     {"pulls_running", s.open},
                     {"records_asked", asked},
                     {"records_recovered", recovered},
                     {"records_missing", missing}});
  }
  return JsonResponse<ordered_json>({{"from", FormatRfc3339Beijing(from)},
                                     {"to", FormatRfc3339Beijing(to)},
                                     {"items", std::move(items)}});
}

}  // namespace

void AddControlRoutes(Api& api, const ApiContext& ctx) {
  api.Add("POST", "/api/v1/devices/{mn}/commands",
          {.summary = "Send the device an HJ 212 command (time sync, intervals, parameters, "
                      "history): 202 with the command queued; the gateway holding the device "
                      "sends it and tracks its 9011/9012 answers",
           .tag = "Control",
           .body = kCommandBody,
           .id = "createDeviceCommand"},
          Bind(ctx, PostCommand));
  api.Add("GET", "/api/v1/devices/{mn}/commands",
          {.summary = "The device's commands with their status and answers, newest first",
           .tag = "Control",
           .query = {{"cursor", "string", "next_cursor of the previous page"},
                     {"limit", "integer", "1..500, default 100"}},
           .id = "listDeviceCommands",
           .list = true},
          Bind(ctx, ListCommands));
  api.Add("GET", "/api/v1/commands/{id}",
          {.summary = "One device command: status (queued, sent, accepted, done, failed, refused, "
                      "timed_out, expired), the device's code and answer",
           .tag = "Control",
           .id = "getDeviceCommand"},
          Bind(ctx, GetCommand));
  api.Add("GET", "/api/v1/quality/recovery",
          {.summary = "History recovery: per site, the gaps the gateway pulled back from devices "
                      "(2051/2061), records asked, recovered and still missing",
           .tag = "Quality",
           .query = {{"from", "time", "default: 7 days before to"},
                     {"to", "time", "default: now"},
                     {"site", "string", "one site's code"}},
           .id = "getHistoryRecovery",
           .list = true},
          Bind(ctx, Recovery));
}

}  // namespace ecohub::api
