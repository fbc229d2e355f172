// Alarms (告警): the inbox of exceedances, data anomalies and offline devices, their
// acknowledgement and closing, and a summary for badges and the cockpit. Rows are
// raised by alarm/sync.h; every read and change passes auth::Authorize with the
// catalog dataset "alarms" (Area::kAlarms), and every change is audited. Also the
// device status fields of /api/v1/devices (DeviceStatusJson).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "api/handlers.h"
#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "core/time.h"
#include "ingest/device_status.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr const char* kStatuses[] = {"open", "acknowledged", "closed"};
constexpr const char* kKinds[] = {"exceedance", "anomaly", "offline"};
constexpr size_t kMaxComment = 500;  // characters

template <size_t N>
bool OneOf(const char* const (&names)[N], std::string_view v) {
  return std::find(std::begin(names), std::end(names), v) != std::end(names);
}

ordered_json TextOrNull(const std::string& s) {
  return s.empty() ? ordered_json(nullptr) : ordered_json(s);
}

// Characters of UTF-8 text (ParseBody has checked that it is valid).
size_t Chars(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Whether `who` sees an alarm's measured value, limit and detail. An exceedance alarm
// carries the exceedance's figures: they are shown to those who may read the
// exceedances dataset there (an inspector handles the alarm without them).
bool ShowsMeasures(const ApiContext& ctx, const Principal& who, const store::Alarm& a,
                   UnixSeconds now) {
  if (a.kind != "exceedance") return true;
  auto tags = TagsOf(ctx.accounts, "exceedances");
  return tags && auth::Authorize(who, Action::kRead,
                                 {Area::kData, &*tags, a.district_id, a.enterprise_id}, now)
                     .allow;
}

// The alarm as the API shows it; `measures` false leaves value, limit and detail out
// (null, null, {}).
ordered_json AlarmJson(const store::Alarm& a, const SiteDirectory::Snapshot& snap, UnixSeconds now,
                       bool measures = true) {
  const store::Site* s = snap.Site(a.site_id);
  const store::District* d = snap.DistrictById(a.district_id);
  const store::Enterprise* e = a.enterprise_id ? snap.EnterpriseById(a.enterprise_id) : nullptr;
  ordered_json detail = ordered_json::parse(measures ? a.detail : "{}", nullptr, false);
  if (detail.is_discarded()) detail = ordered_json::object();
  auto num = [measures](const std::optional<double>& v) {
    return v && measures ? ordered_json(*v) : ordered_json(nullptr);
  };
  return {
      {"id", a.id},
      {"kind", a.kind},
      {"status", a.status},
      {"site_id", a.site_id},
      {"site", a.site_code},
      {"site_name", s ? ordered_json(s->name) : ordered_json(nullptr)},
      {"site_kind", s ? ordered_json(registry::SiteKindName(s->kind)) : ordered_json(nullptr)},
      {"district_id", a.district_id},
      {"district", d ? ordered_json(d->code) : ordered_json(nullptr)},
      {"district_name", d ? ordered_json(d->name) : ordered_json(nullptr)},
      {"enterprise_id", a.enterprise_id ? ordered_json(a.enterprise_id) : ordered_json(nullptr)},
      {"enterprise_name", e ? ordered_json(e->name) : ordered_json(nullptr)},
      {"factor", TextOrNull(a.factor)},
      {"started", FormatRfc3339Beijing(a.started)},
      {"ended", a.ended ? ordered_json(FormatRfc3339Beijing(*a.ended)) : ordered_json(nullptr)},
      {"ongoing", !a.ended.has_value()},
      {"duration_seconds", std::max<int64_t>(0, (a.ended ? *a.ended : now) - a.started)},
      {"value", num(a.value)},
      {"limit", num(a.limit)},
      {"unit", TextOrNull(a.unit)},
      {"detail", std::move(detail)},
      {"ack_by", TextOrNull(a.ack_by)},
      {"ack_at", TimeOrNull(a.ack_at)},
      {"ack_comment", TextOrNull(a.ack_comment)},
      {"closed_by", TextOrNull(a.closed_by)},
      {"closed_at", TimeOrNull(a.closed_at)},
      {"close_comment", TextOrNull(a.close_comment)},
      {"created", FormatRfc3339Beijing(a.created)}};
}

auth::Target AlarmTarget(const store::Alarm& a, const auth::DatasetTags* tags) {
  return {Area::kAlarms, tags, a.district_id, a.enterprise_id};
}

// The caller's scope as a store filter: an enterprise sees its own alarms, a district
// account its district's. False when the asked-for scope is outside it (nothing to
// list).
bool Scope(const Principal& who, store::AlarmFilter* f) {
  if (who.role == auth::Role::kEnterprise) {
    if (who.enterprise_id == 0 || (f->enterprise_id && f->enterprise_id != who.enterprise_id))
      return false;
    f->enterprise_id = who.enterprise_id;
  } else if (who.role != auth::Role::kAdmin && who.role != auth::Role::kPartner &&
             who.district_id != 0) {
    if (f->district_id && f->district_id != who.district_id) return false;
    f->district_id = who.district_id;
  }
  return true;
}

// The list's filters from the query; a problem on bad values. `*empty` when a named
// site or district does not exist (an empty answer, not an error).
std::optional<Response> ReadFilter(const Request& req, const SiteDirectory::Snapshot& snap,
                                   store::AlarmFilter* f, bool* empty) {
  std::string status = Param(req, "status", "");
  for (size_t at = 0; !status.empty() && at <= status.size();) {
    size_t comma = std::min(status.find(',', at), status.size());
    std::string one = status.substr(at, comma - at);
    if (!OneOf(kStatuses, one))
      return Problem(400, "bad-parameter",
                     "status must be open, acknowledged or closed (comma-separated)", one);
    f->statuses.push_back(one);
    at = comma + 1;
  }
  f->kind = Param(req, "kind", "");
  if (!f->kind.empty() && !OneOf(kKinds, f->kind))
    return Problem(400, "bad-parameter", "kind must be exceedance, anomaly or offline", f->kind);
  if (std::string d = Param(req, "district", ""); !d.empty()) {
    int64_t id = 0;
    if (!ParseId(d, &id)) {
      const store::District* x = snap.DistrictByCode(d);
      id = x ? x->id : 0;
    }
    if (!id) *empty = true;
    f->district_id = id;
  }
  if (std::string s = Param(req, "site", ""); !s.empty()) {
    int64_t id = 0;
    if (!ParseId(s, &id)) {
      const store::Site* x = snap.SiteByCode(s);
      id = x ? x->id : 0;
    }
    if (!id) *empty = true;
    f->site_id = id;
  }
  if (std::string e = Param(req, "enterprise", ""); !e.empty())
    if (!ParseId(e, &f->enterprise_id))
      return Problem(400, "bad-parameter", "enterprise must be an enterprise id", e);
  std::string bad;
  f->from = TimeParam(req, "from", INT64_MIN, &bad);
  f->to = TimeParam(req, "to", INT64_MAX, &bad);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  if (f->from > f->to) return Problem(400, "bad-range", "from must not be after to");
  return std::nullopt;
}

// Cursor of the list: "s<started>_<id>" of the last item of the previous page.
std::string AlarmCursor(const store::Alarm& a) {
  return "s" + std::to_string(a.started) + "_" + std::to_string(a.id);
}
bool ParseAlarmCursor(std::string_view c, std::pair<UnixSeconds, int64_t>* out) {
  if (c.size() < 4 || c[0] != 's') return false;
  size_t u = c.find('_');
  if (u == std::string_view::npos) return false;
  auto [p1, e1] = std::from_chars(c.data() + 1, c.data() + u, out->first);
  auto [p2, e2] = std::from_chars(c.data() + u + 1, c.data() + c.size(), out->second);
  return e1 == std::errc() && p1 == c.data() + u && e2 == std::errc() &&
         p2 == c.data() + c.size() && out->second > 0;
}

const std::vector<ParamDoc> kListQuery = {
    {"status", "string", "open, acknowledged, closed, comma-separated (default: all)"},
    {"kind", "string", "exceedance, anomaly or offline"},
    {"district", "string", "district code or id"},
    {"site", "string", "site code or id"},
    {"enterprise", "integer", "enterprise id"},
    {"from", "time", "started at or after"},
    {"to", "time", "started before"},
    {"cursor", "string", "next_cursor of the previous page"},
    {"limit", "integer", "1..1000 (default 100)"},
};

const std::vector<ParamDoc> kAcknowledgeBody = {
    {"comment", "string", "optional, at most 500 characters"},
};
const std::vector<ParamDoc> kCloseBody = {
    {.name = "comment", .description = "what was done, 1..500 characters", .required = true},
};

Response ListAlarms(const ApiContext& ctx, const Request& req, const Principal& who) {
  auto snap = ctx.sites->Get();
  store::AlarmFilter f;
  bool empty = false;
  if (auto bad = ReadFilter(req, *snap, &f, &empty)) return *bad;
  std::string bad;
  bool exporting = req.query.count("format") && req.query.at("format") != "json";
  int limit = 100;
  if (req.query.count("limit")) limit = Limit(req, &bad, exporting ? 100000 : 1000);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  if (exporting && !req.query.count("limit")) limit = 100000;
  if (std::string c = Param(req, "cursor", ""); !c.empty()) {
    std::pair<UnixSeconds, int64_t> after;
    if (!ParseAlarmCursor(c, &after))
      return Problem(400, "bad-parameter", "cursor is not one this API returned", c);
    f.after = after;
  }
  f.limit = static_cast<size_t>(limit) + 1;
  ordered_json items = ordered_json::array();
  std::string next;
  if (!empty && Scope(who, &f)) {
    auto rows = ctx.store->QueryAlarms(f);
    if (!rows.ok()) return FromStatus(rows.status());
    auto tags = TagsOf(ctx.accounts, "alarms");
    UnixSeconds now = ctx.clock->WallSeconds();
    Action act = exporting ? Action::kExport : Action::kRead;
    for (size_t i = 0; i < rows->size() && i < static_cast<size_t>(limit); ++i) {
      const store::Alarm& a = (*rows)[i];
      if (i + 1 == static_cast<size_t>(limit) && rows->size() > static_cast<size_t>(limit))
        next = AlarmCursor(a);
      if (!auth::Authorize(who, act, AlarmTarget(a, tags ? &*tags : nullptr), now)) continue;
      items.push_back(AlarmJson(a, *snap, now, ShowsMeasures(ctx, who, a, now)));
    }
  }
  return JsonResponse<ordered_json>(
      {{"items", std::move(items)},
       {"next_cursor", next.empty() ? ordered_json(nullptr) : ordered_json(next)}});
}

// The enabled devices within the filter's district or enterprise that `who` may
// see: how many, and how many of them are online.
struct DeviceCount {
  int64_t total = 0, online = 0;
};
DeviceCount CountDevices(const ApiContext& ctx, const SiteDirectory::Snapshot& snap,
                         const store::AlarmFilter& f, const Principal& who, UnixSeconds now) {
  DeviceCount n;
  for (const auto& d : snap.devices) {
    if (!d.enabled) continue;
    const store::Site* s = snap.Site(d.site_id);
    if (!s || (f.district_id && s->district_id != f.district_id) ||
        (f.enterprise_id && s->enterprise_id != f.enterprise_id))
      continue;
    if (!auth::Authorize(who, Action::kRead, SiteTarget(*s, nullptr), now)) continue;
    ++n.total;
    n.online += DeviceOnline(ctx, d, now) ? 1 : 0;
  }
  return n;
}

Response SummarizeAlarms(const ApiContext& ctx, const Request& req, const Principal& who) {
  auto snap = ctx.sites->Get();
  store::AlarmFilter f;
  bool empty = false;
  if (auto bad = ReadFilter(req, *snap, &f, &empty)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds(), today = FloorBeijing(now, 86400);
  ordered_json by_status = ordered_json::object(), by_kind = ordered_json::object();
  for (const char* s : kStatuses) by_status[s] = 0;
  for (const char* k : kKinds) {
    by_kind[k] = ordered_json::object();
    for (const char* s : kStatuses) by_kind[k][s] = 0;
  }
  int64_t opened_today = 0;
  bool visible = !empty && Scope(who, &f);
  if (visible) {
    auto counts = ctx.store->CountAlarms(f);
    if (!counts.ok()) return FromStatus(counts.status());
    for (const auto& c : *counts) {
      if (by_status.contains(c.status))
        by_status[c.status] = by_status[c.status].get<int64_t>() + c.count;
      if (by_kind.contains(c.kind) && by_kind[c.kind].contains(c.status))
        by_kind[c.kind][c.status] = c.count;
    }
    store::AlarmFilter t = f;
    t.from = std::max(f.from, today);
    auto todays = ctx.store->CountAlarms(t);
    if (!todays.ok()) return FromStatus(todays.status());
    for (const auto& c : *todays) opened_today += c.count;
  }
  auto [total, online] = visible ? CountDevices(ctx, *snap, f, who, now) : DeviceCount{};
  return JsonResponse<ordered_json>(
      {{"by_status", by_status},
       {"by_kind", by_kind},
       {"unresolved", by_status["open"].get<int64_t>() + by_status["acknowledged"].get<int64_t>()},
       {"opened_today", opened_today},
       {"day", FormatRfc3339Beijing(today)},
       {"devices", {{"total", total}, {"online", online}, {"offline", total - online}}},
       {"offline_devices", total - online}});
}

Response GetAlarm(const ApiContext& ctx, const Request& req, const Principal& who) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  auto a = ctx.store->GetAlarm(id);
  if (!a.ok()) return FromStatus(a.status());
  UnixSeconds now = ctx.clock->WallSeconds();
  auto tags = TagsOf(ctx.accounts, "alarms");
  if (auto denied = Check(who, Action::kRead, AlarmTarget(*a, tags ? &*tags : nullptr), now))
    return *denied;
  return JsonResponse(AlarmJson(*a, *ctx.sites->Get(), now, ShowsMeasures(ctx, who, *a, now)));
}

// Acknowledges or closes alarm {id} with the body's comment, as `who` (who must be
// allowed to read it, then to do `action`).
Response Transition(const ApiContext& ctx, const Request& req, const Principal& who, bool close) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  json b = json::object();
  if (close || !req.body.empty())
    if (auto bad = ParseBody(req, close ? kCloseBody : kAcknowledgeBody, &b)) return *bad;
  std::string comment = b.contains("comment") && b["comment"].is_string()
                            ? b["comment"].get<std::string>()
                            : std::string();
  if (Chars(comment) > kMaxComment)
    return Problem(400, "bad-field", "comment is at most 500 characters");
  if (close && comment.find_first_not_of(" \t\r\n") == std::string::npos)
    return Problem(400, "bad-field", "closing an alarm needs a comment");
  auto a = ctx.store->GetAlarm(id);
  if (!a.ok()) return FromStatus(a.status());
  UnixSeconds now = ctx.clock->WallSeconds();
  auto tags = TagsOf(ctx.accounts, "alarms");
  auth::Target t = AlarmTarget(*a, tags ? &*tags : nullptr);
  if (auto denied = Check(who, Action::kRead, t, now)) return *denied;
  if (auto denied = Check(who, close ? Action::kClose : Action::kAcknowledge, t, now))
    return *denied;
  auto changed =
      ctx.store->TransitionAlarm(id, close ? "closed" : "acknowledged", who.name, comment, now);
  if (!changed.ok()) return FromStatus(changed.status());
  Audit(ctx, who, close ? "alarm.close" : "alarm.acknowledge", "alarm:" + std::to_string(id),
        {{"comment", comment},
         {"kind", a->kind},
         {"key", a->key},
         {"from", a->status},
         {"to", changed->status}});
  return JsonResponse(
      AlarmJson(*changed, *ctx.sites->Get(), now, ShowsMeasures(ctx, who, *changed, now)));
}

Response AcknowledgeAlarm(const ApiContext& ctx, const Request& req, const Principal& who) {
  return Transition(ctx, req, who, false);
}

Response CloseAlarm(const ApiContext& ctx, const Request& req, const Principal& who) {
  return Transition(ctx, req, who, true);
}

}  // namespace

void AddAlarmRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/alarms",
          {.summary = "Alarms (exceedances, anomalies, offline devices) the caller may see, "
                      "newest first",
           .tag = "Data",
           .query = kListQuery,
           .dataset = "alarms",
           .exportable = true,
           .response = "{items: [alarm], next_cursor}",
           .id = "listAlarms",
           .list = true},
          Bind(ctx, ListAlarms));
  api.Add("GET", "/api/v1/alarms/summary",
          {.summary =
               "Alarm counts by status and kind, opened today (Beijing day), offline devices now",
           .tag = "Data",
           .query = {{"district", "string", "district code or id"}},
           .dataset = "alarms",
           .response =
               "{by_status, by_kind, unresolved, opened_today, devices: {total, online, offline}}",
           .id = "getAlarmSummary"},
          Bind(ctx, SummarizeAlarms));
  api.Add("GET", "/api/v1/alarms/{id}",
          {.summary = "One alarm",
           .tag = "Data",
           .dataset = "alarms",
           .response = "the alarm",
           .id = "getAlarm"},
          Bind(ctx, GetAlarm));
  api.Add("POST", "/api/v1/alarms/{id}/acknowledge",
          {.summary = "Acknowledge an open alarm (administrators, staff and inspectors of its "
                      "district, the enterprise for its own)",
           .tag = "Data",
           .body = kAcknowledgeBody,
           .dataset = "alarms",
           .response = "the alarm as changed",
           .id = "acknowledgeAlarm"},
          Bind(ctx, AcknowledgeAlarm));
  api.Add("POST", "/api/v1/alarms/{id}/close",
          {.summary = "Close an alarm with a comment (administrators, staff of its district)",
           .tag = "Data",
           .body = kCloseBody,
           .dataset = "alarms",
           .response = "the alarm as changed",
           .id = "closeAlarm"},
          Bind(ctx, CloseAlarm));
}

void DeviceStatusJson(const ApiContext& ctx, const store::Device& d, UnixSeconds now,
                      ordered_json* j) {
  if (!ctx.device_status) {
    (*j)["online"] = nullptr;
    (*j)["connected"] = nullptr;
    (*j)["last_packet"] = nullptr;
    (*j)["packets"] = nullptr;
    (*j)["rejected"] = nullptr;
    return;
  }
  ingest::DeviceLive live = ctx.device_status->Get(d.mn);
  (*j)["online"] = ctx.device_status->Online(live, now);
  (*j)["connected"] = live.connected();
  (*j)["last_packet"] = TimeOrNull(live.last_packet);
  (*j)["packets"] = live.packets;
  (*j)["rejected"] = live.rejected;
}

bool DeviceOnline(const ApiContext& ctx, const store::Device& d, UnixSeconds now) {
  return ctx.device_status && ctx.device_status->Online(ctx.device_status->Get(d.mn), now);
}

}  // namespace ecohub::api
