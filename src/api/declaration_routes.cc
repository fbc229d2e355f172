// Self-declarations (自行申报) over HTTP (docs/declarations.md): an enterprise declares
// one of its outlets stopped (停产), its equipment faulty (故障) or under maintenance
// (检修), or something abnormal (异常) for a window; staff of the district accept or
// reject; an accepted declaration applies to the outlet's alarms in its window, and
// each declaration is shown with what the outlet's data says against it. Every act
// is in the audit log.
#include <algorithm>

#include "api/declaration_views.h"
#include "api/handlers.h"
#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "declare/alarms.h"
#include "declare/declaration_store.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {
json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
}  // namespace

ordered_json DeclarationJson(const declare::Declaration& d) {
  return {{"id", d.id},
          {"site", d.site_code},
          {"kind", d.kind},
          {"kind_label", declare::KindLabel(d.kind)},
          {"from", FormatRfc3339Beijing(d.from)},
          {"to", d.to ? json(FormatRfc3339Beijing(*d.to)) : json(nullptr)},
          {"reason", d.reason},
          {"status", d.status},
          {"submitted_by", d.submitted_by},
          {"submitted_at", FormatRfc3339Beijing(d.submitted_at)},
          {"decided_by", OrNull(d.decided_by)},
          {"decided_at", TimeOrNull(d.decided_at)},
          {"decision_comment", OrNull(d.decision_comment)},
          {"ended_by", OrNull(d.ended_by)},
          {"ended_at", TimeOrNull(d.ended_at)}};
}

namespace {

const std::vector<ParamDoc> kDeclareBody = {
    {.name = "site", .description = "the outlet's code", .required = true},
    {.name = "kind",
     .description = "stopped (停产), fault (故障), maintenance (检修) or abnormal (异常)",
     .required = true},
    {.name = "from", .description = "the window's start (a time)", .required = true},
    {"to", "string", "the window's end; omitted: open (停产 only) until ended"},
    {.name = "reason", .description = "why, in words", .required = true},
};
const std::vector<ParamDoc> kDecideBody = {
    {.name = "comment", .description = "why accepted or rejected", .required = true},
};
const std::vector<ParamDoc> kWithdrawBody = {
    {"comment", "string", "why withdrawn"},
};
const std::vector<ParamDoc> kEndBody = {
    {"to", "string", "the end of the window (default: now)"},
};
const char* const kStatuses[] = {"submitted", "accepted", "rejected", "withdrawn", "ended"};
// The data check reads at most this much of a window (an open stop may run long).
constexpr int64_t kCheckSeconds = 92 * kDay;

std::string Who(const Principal& p) { return "user:" + std::to_string(p.user_id); }

auth::Target TargetOf(const declare::Declaration& d) {
  return {Area::kDeclarations, nullptr, d.district_id, d.enterprise_id};
}

Response Unavailable() {
  return Problem(503, "unavailable", "Declarations are not set up on this server");
}

// The outlet's accepted (and ended) declarations, for the overlap check.
Result<std::vector<declare::Declaration>> AcceptedOf(const ApiContext& ctx, int64_t site_id) {
  declare::DeclarationFilter f;
  f.site_id = site_id;
  f.statuses = {"accepted", "ended"};
  f.limit = 100'000;
  return ctx.declarations->List(f);
}

Response PostDeclaration(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.declarations) return Unavailable();
  json b;
  if (auto bad = ParseBody(req, kDeclareBody, &b)) return *bad;
  auto snap = ctx.sites->Get();
  const store::Site* site = snap->SiteByCode(b["site"].get<std::string>());
  UnixSeconds now = ctx.clock->WallSeconds();
  // An unknown site and another enterprise's outlet answer alike for an enterprise:
  // what it may not declare for, it need not learn exists.
  if (!site) return Problem(400, "bad-field", "site names no outlet", b["site"].dump());
  declare::Declaration d;
  d.site_id = site->id;
  d.site_code = site->code;
  d.enterprise_id = site->enterprise_id;
  d.district_id = site->district_id;
  if (auto denied = Check(who, Action::kWrite, TargetOf(d), now)) return *denied;
  if (!registry::IsOutlet(site->kind) || site->enterprise_id == 0)
    return Problem(400, "bad-field", "only an enterprise's outlet is declared for",
                   b["site"].dump());
  d.kind = b["kind"];
  auto from = ParseTime(b["from"].get<std::string>());
  if (!from) return Problem(400, "bad-field", "from is a time");
  d.from = *from;
  if (b.contains("to")) {
    auto to = ParseTime(b["to"].get<std::string>());
    if (!to) return Problem(400, "bad-field", "to is a time");
    d.to = *to;
  }
  d.reason = b["reason"];
  auto accepted = AcceptedOf(ctx, d.site_id);
  if (!accepted.ok()) return StoreError(accepted.status());
  Status s = declare::Validate(d, now, *accepted);
  if (s.code() == Code::kConflict) return Problem(409, "conflict", s.message());
  if (!s.ok()) return Problem(400, "bad-field", s.message());
  d.submitted_by = Who(who);
  d.submitted_at = now;
  d.status = "submitted";
  auto id = ctx.declarations->Add(d);
  if (!id.ok()) return StoreError(id.status());
  d.id = *id;
  ordered_json j = DeclarationJson(d);
  Audit(ctx, who, "declaration.submit", "declaration:" + std::to_string(d.id), j);
  return JsonResponse(j, 201);
}

Response ListDeclarations(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.declarations) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  declare::DeclarationFilter f;
  // An enterprise lists its own; the bureau its district (the whole city: 0).
  if (who.role == auth::Role::kEnterprise) {
    f.enterprise_id = who.enterprise_id;
    if (f.enterprise_id == 0) f.enterprise_id = -1;  // none
  } else {
    f.district_id = who.district_id;
  }
  if (auto denied = Check(who, Action::kRead,
                          {Area::kDeclarations, nullptr, who.district_id, f.enterprise_id}, now))
    return *denied;
  std::string bad;
  f.from = TimeParam(req, "from", INT64_MIN, &bad);
  f.to = TimeParam(req, "to", INT64_MAX, &bad);
  int limit = Limit(req, &bad, 1000);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  f.limit = static_cast<size_t>(limit);
  std::string status = Param(req, "status", "");
  if (!status.empty()) {
    if (std::find(std::begin(kStatuses), std::end(kStatuses), status) == std::end(kStatuses))
      return Problem(400, "bad-parameter",
                     "status must be submitted, accepted, rejected, "
                     "withdrawn or ended");
    f.statuses = {status};
  }
  std::string code = Param(req, "site", "");
  if (!code.empty()) {
    const store::Site* site = ctx.sites->Get()->SiteByCode(code);
    f.site_id = site ? site->id : -1;  // an unknown site: no rows
  }
  auto got = ctx.declarations->List(f);
  if (!got.ok()) return StoreError(got.status());
  ordered_json items = ordered_json::array();
  for (const auto& d : *got) items.push_back(DeclarationJson(d));
  return JsonResponse<ordered_json>({{"items", std::move(items)}});
}

// The declaration `req` names, if `who` may `action` it; else the problem.
std::optional<Response> Load(const ApiContext& ctx, const Request& req, const Principal& who,
                             Action action, declare::Declaration* out) {
  if (!ctx.declarations) return Unavailable();
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  auto d = ctx.declarations->Get(id);
  if (!d.ok()) return FromStatus(d.status());
  // 403 like every other object out of one's scope (docs/api.md), 401 for the public.
  if (auto denied = Check(who, Action::kRead, TargetOf(*d), ctx.clock->WallSeconds()))
    return *denied;
  if (auto denied = Check(who, action, TargetOf(*d), ctx.clock->WallSeconds())) return *denied;
  *out = std::move(*d);
  return std::nullopt;
}

Response GetDeclaration(const ApiContext& ctx, const Request& req, const Principal& who) {
  declare::Declaration d;
  if (auto no = Load(ctx, req, who, Action::kRead, &d)) return *no;
  UnixSeconds now = ctx.clock->WallSeconds();
  // The check against the data: the outlet's hour values in the window (its start
  // at most kCheckSeconds back from its end).
  UnixSeconds end = d.to ? *d.to : now;
  UnixSeconds begin = std::max(d.from, end - kCheckSeconds);
  std::vector<std::string> mns = ctx.sites->Get()->MnsOf(d.site_id);
  std::sort(mns.begin(), mns.end());
  mns.erase(std::unique(mns.begin(), mns.end()), mns.end());
  std::vector<Reading> hours;
  if (!mns.empty() && begin < end) {
    Status s = ctx.store->ScanWindow(Period::kHour, begin, end, mns, [&](const Reading& r) {
      if (r.field == "Avg") hours.push_back(r);
      return true;
    });
    if (!s.ok()) return StoreError(s);
  }
  ordered_json j = DeclarationJson(d);
  j["checked"] = {{"from", FormatRfc3339Beijing(begin)},
                  {"to", FormatRfc3339Beijing(std::max(begin, end))}};
  j["findings"] = ordered_json::array();
  for (const auto& f : declare::Check(d, hours, now))
    j["findings"].push_back({{"code", f.code},
                             {"factor", OrNull(f.factor)},
                             {"hours", f.hours},
                             {"of", f.of},
                             {"first", FormatRfc3339Beijing(f.first)},
                             {"text", f.text}});
  return JsonResponse(j);
}

Response Decide(const ApiContext& ctx, const Request& req, const Principal& who, bool accept) {
  declare::Declaration d;
  if (auto no = Load(ctx, req, who, Action::kDecide, &d)) return *no;
  json b;
  if (auto bad = ParseBody(req, kDecideBody, &b)) return *bad;
  std::string comment = b["comment"];
  if (comment.find_first_not_of(" \t\r\n") == std::string::npos)
    return Problem(400, "bad-field", "a comment is required");
  if (d.status != "submitted")
    return Problem(409, "conflict", "This declaration is not submitted", d.status);
  UnixSeconds now = ctx.clock->WallSeconds();
  if (accept) {
    auto accepted = AcceptedOf(ctx, d.site_id);
    if (!accepted.ok()) return StoreError(accepted.status());
    // Judged as at its submission; only the overlap can have changed since.
    Status s = declare::Validate(d, d.submitted_at, *accepted);
    if (!s.ok()) return Problem(409, "conflict", s.message());
  }
  auto moved = ctx.declarations->Move(
      d.id, {"submitted", accept ? "accepted" : "rejected", Who(who), comment, now});
  if (!moved.ok()) return FromStatus(moved.status());
  ordered_json j = DeclarationJson(*moved);
  if (accept) {
    // The alarms already raised in its window; the sync keeps it so from now on.
    auto applied = declare::ApplyToAlarms(*ctx.store, *moved, now);
    if (!applied.ok()) return StoreError(applied.status());
    j["alarms"] = {{"annotated", applied->annotated}, {"closed", applied->closed}};
  }
  Audit(ctx, who, accept ? "declaration.accept" : "declaration.reject",
        "declaration:" + std::to_string(d.id), j);
  return JsonResponse(j);
}

Response Accept(const ApiContext& ctx, const Request& req, const Principal& who) {
  return Decide(ctx, req, who, true);
}
Response Reject(const ApiContext& ctx, const Request& req, const Principal& who) {
  return Decide(ctx, req, who, false);
}

Response Withdraw(const ApiContext& ctx, const Request& req, const Principal& who) {
  declare::Declaration d;
  if (auto no = Load(ctx, req, who, Action::kWrite, &d)) return *no;
  json b = json::object();
  if (!req.body.empty())
    if (auto bad = ParseBody(req, kWithdrawBody, &b)) return *bad;
  // The enterprise withdraws its own; staff only what they filed themselves.
  if (who.role != auth::Role::kEnterprise && d.submitted_by != Who(who))
    return Problem(403, "forbidden", "Not allowed",
                   "a declaration is withdrawn by its enterprise or the person who filed it");
  if (d.status != "submitted")
    return Problem(409, "conflict", "Only a submitted declaration is withdrawn", d.status);
  auto moved = ctx.declarations->Move(
      d.id, {"submitted", "withdrawn", Who(who), b.value("comment", ""), ctx.clock->WallSeconds()});
  if (!moved.ok()) return FromStatus(moved.status());
  ordered_json j = DeclarationJson(*moved);
  Audit(ctx, who, "declaration.withdraw", "declaration:" + std::to_string(d.id), j);
  return JsonResponse(j);
}

Response End(const ApiContext& ctx, const Request& req, const Principal& who) {
  declare::Declaration d;
  if (auto no = Load(ctx, req, who, Action::kWrite, &d)) return *no;
  json b = json::object();
  if (!req.body.empty())
    if (auto bad = ParseBody(req, kEndBody, &b)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  UnixSeconds to = now;
  if (b.contains("to")) {
    auto t = ParseTime(b["to"].get<std::string>());
    if (!t) return Problem(400, "bad-field", "to is a time");
    to = *t;
  }
  if (d.status != "accepted" || d.to)
    return Problem(409, "conflict", "Only an accepted open window is ended", d.status);
  if (to <= d.from || to > now)
    return Problem(400, "bad-field", "to must be after from and not in the future");
  auto moved = ctx.declarations->Move(d.id, {"accepted", "ended", Who(who), "", now, to});
  if (!moved.ok()) return FromStatus(moved.status());
  ordered_json j = DeclarationJson(*moved);
  Audit(ctx, who, "declaration.end", "declaration:" + std::to_string(d.id), j);
  return JsonResponse(j);
}

}  // namespace

void AddDeclarationRoutes(Api& api, const ApiContext& ctx) {
  api.Add("POST", "/api/v1/declarations",
          {.summary = "Declare an outlet stopped (停产), faulty (故障), under maintenance (检修) "
                      "or abnormal (异常) for a window: an enterprise for its own outlets, staff "
                      "on an enterprise's behalf. 201 submitted; staff accept or reject it",
           .tag = "Declarations",
           .body = kDeclareBody,
           .id = "createDeclaration"},
          Bind(ctx, PostDeclaration));
  api.Add("GET", "/api/v1/declarations",
          {.summary = "Declarations, newest first: an enterprise its own, the bureau its district",
           .tag = "Declarations",
           .query = {{"site", "string", "an outlet's code"},
                     {"status", "string", "submitted, accepted, rejected, withdrawn or ended"},
                     {"from", "time", "windows that end after this"},
                     {"to", "time", "windows that start before this"},
                     {"limit", "integer", "1..1000, default 1000"}},
           .id = "listDeclarations",
           .list = true},
          Bind(ctx, ListDeclarations));
  api.Add("GET", "/api/v1/declarations/{id}",
          {.summary = "One declaration, with what the outlet's data says against it (findings)",
           .tag = "Declarations",
           .id = "getDeclaration"},
          Bind(ctx, GetDeclaration));
  api.Add("POST", "/api/v1/declarations/{id}/accept",
          {.summary = "Accept a submitted declaration (staff of the district): it applies to the "
                      "outlet's alarms in its window at once",
           .tag = "Declarations",
           .body = kDecideBody,
           .id = "acceptDeclaration"},
          Bind(ctx, Accept));
  api.Add("POST", "/api/v1/declarations/{id}/reject",
          {.summary = "Reject a submitted declaration (staff of the district)",
           .tag = "Declarations",
           .body = kDecideBody,
           .id = "rejectDeclaration"},
          Bind(ctx, Reject));
  api.Add("POST", "/api/v1/declarations/{id}/withdraw",
          {.summary = "Withdraw a declaration before it is decided (its enterprise)",
           .tag = "Declarations",
           .body = kWithdrawBody,
           .id = "withdrawDeclaration"},
          Bind(ctx, Withdraw));
  api.Add("POST", "/api/v1/declarations/{id}/end",
          {.summary = "Close the open window of an accepted declaration (the outlet resumed)",
           .tag = "Declarations",
           .body = kEndBody,
           .id = "endDeclaration"},
          Bind(ctx, End));
}

}  // namespace ecohub::api
