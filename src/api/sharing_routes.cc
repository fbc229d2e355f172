// Data sharing (数据共享): requests for access to a dataset, their approval or refusal
// by the owner department (an approval grants access until the request's end, on the
// account or as a new API key), and the notifications that tell people about them.
// Every step is audited.
#include <map>

#include "api/handlers.h"
#include "api/params.h"
#include "api/routes.h"
#include "core/time.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

const std::vector<ParamDoc> kRequestBody = {
    {.name = "dataset", .description = "catalog id", .required = true},
    {.name = "purpose", .description = "what the data is for", .required = true},
    {.name = "until",
     .type = "time",
     .description = "access asked until (at most a year)",
     .required = true},
    {"delivery", "string", "account (default: rights on one's account) or key"},
};

const std::vector<ParamDoc> kDecideBody = {{"reason", "string", "required to refuse"}};
const std::vector<ParamDoc> kRevokeBody = {
    {.name = "reason", .description = "why the access ends early", .required = true}};

ordered_json RequestJson(const auth::DataRequest& r) {
  return {{"id", r.id},
          {"dataset", r.dataset},
          {"requester_id", r.requester_id},
          {"department", r.department},
          {"purpose", r.purpose},
          {"until", FormatRfc3339Beijing(r.until)},
          {"delivery", r.delivery},
          {"status", r.status},
          {"decided_by", r.decided_by ? json(r.decided_by) : json(nullptr)},
          {"reason", r.reason},
          {"created", FormatRfc3339Beijing(r.created)},
          {"decided", r.decided ? json(FormatRfc3339Beijing(r.decided)) : json(nullptr)},
          {"key_id", r.key_id ? json(r.key_id) : json(nullptr)}};
}

// Tells the deciders of a new request: the owner department's staff and leaders.
void NotifyDeciders(const ApiContext& ctx, const auth::Dataset& d, const auth::DataRequest& r,
                    UnixSeconds now) {
  auto users = ctx.accounts->Users();
  if (!users.ok()) return;
  for (const auto& u : *users)
    if (!u.disabled && u.department == d.owner_department &&
        (u.role == auth::Role::kStaff || u.role == auth::Role::kLeader))
      ctx.accounts->Notify(u.id, "新的数据申请 #" + std::to_string(r.id) + "：" + d.name,
                           "data-request:" + std::to_string(r.id), now);
}

Response CreateRequest(const ApiContext& ctx, const Request& req, const Principal& who) {
  json b;
  if (auto bad = ParseBody(req, kRequestBody, &b)) return *bad;
  if (who.key_id) return Problem(403, "forbidden", "Not allowed", "API keys are read-only");
  UnixSeconds now = ctx.clock->WallSeconds();
  auth::DataRequest r;
  r.dataset = b["dataset"];
  r.purpose = b["purpose"];
  r.until = *ParseTime(b["until"].get<std::string>());
  r.delivery = b.value("delivery", std::string("account"));
  r.requester_id = who.user_id;
  r.department = who.department;
  auto d = ctx.accounts->GetDataset(r.dataset);
  if (!d.ok()) return FromStatus(d.status());
  // A dataset the caller may not see in the catalog is not confirmed to exist.
  if (Check(who, Action::kRead, {Area::kCatalog, &d->tags}, now))
    return Problem(404, "not-found", "Not found", r.dataset);
  if (d->tags.sharing == auth::Sharing::kPublic)
    return Problem(409, "conflict", "Public datasets need no request", r.dataset);
  if (auto denied = Check(who, Action::kWrite, {Area::kRequests, &d->tags, 0, 0, who.user_id}, now))
    return *denied;
  auto created = ctx.accounts->CreateRequest(r, now);
  if (!created.ok()) return FromStatus(created.status());
  Audit(ctx, who, "data_request.create", "data-request:" + std::to_string(created->id),
        RequestJson(*created));
  NotifyDeciders(ctx, *d, *created, now);
  return JsonResponse(RequestJson(*created), 201);
}

Response ListRequests(const ApiContext& ctx, const Request& req, const Principal& who) {
  UnixSeconds now = ctx.clock->WallSeconds();
  auto all = ctx.accounts->Requests(now);
  if (!all.ok()) return FromStatus(all.status());
  std::string status = Param(req, "status", "");
  std::map<std::string, auth::DatasetTags> tags;  // one catalog read, not one per row
  for (auto& d : ctx.accounts->Datasets()) tags.emplace(d.id, std::move(d.tags));
  ordered_json items = ordered_json::array();
  for (const auto& r : *all) {
    if (!status.empty() && r.status != status) continue;
    auto d = tags.find(r.dataset);
    if (d == tags.end()) continue;
    if (!auth::Authorize(who, Action::kRead, {Area::kRequests, &d->second, 0, 0, r.requester_id},
                         now))
      continue;
    items.push_back(RequestJson(r));
  }
  return JsonResponse<ordered_json>({{"items", items}});
}

// Request `id` into *out if `who` may do `action` on it (the policy reads its
// dataset's tags); otherwise the problem to answer.
std::optional<Response> FindRequest(const ApiContext& ctx, int64_t id, const Principal& who,
                                    Action action, UnixSeconds now, auth::DataRequest* out) {
  auto r = ctx.accounts->GetRequest(id, now);
  if (!r.ok()) return FromStatus(r.status());
  auto d = ctx.accounts->GetDataset(r->dataset);
  if (!d.ok()) return FromStatus(d.status());
  if (auto denied = Check(who, action, {Area::kRequests, &d->tags, 0, 0, r->requester_id}, now))
    return *denied;
  *out = std::move(*r);
  return std::nullopt;
}

Response GetRequest(const ApiContext& ctx, const Request& req, const Principal& who) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  auth::DataRequest r;
  if (auto refused = FindRequest(ctx, id, who, Action::kRead, ctx.clock->WallSeconds(), &r))
    return *refused;
  return JsonResponse(RequestJson(r));
}

Response Decide(const ApiContext& ctx, const Request& req, const Principal& who, bool approve) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  json b = json::object();
  if (!req.body.empty())
    if (auto bad = ParseBody(req, kDecideBody, &b)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  auth::DataRequest r;
  if (auto refused = FindRequest(ctx, id, who, Action::kDecide, now, &r)) return *refused;
  std::string secret;
  auto decided = ctx.accounts->Decide(r.id, approve, who.user_id, b.value("reason", std::string()),
                                      now, &secret);
  if (!decided.ok()) return FromStatus(decided.status());
  Audit(ctx, who, approve ? "data_request.approve" : "data_request.refuse",
        "data-request:" + std::to_string(r.id), RequestJson(*decided));
  ordered_json j = RequestJson(*decided);
  // The key goes to the requester through its notification... and here, once, to
  // the decider who hands it over (there is no mail system yet).
  if (!secret.empty()) j["key_secret"] = secret;
  return JsonResponse(j);
}

Response ApproveRequest(const ApiContext& ctx, const Request& req, const Principal& who) {
  return Decide(ctx, req, who, true);
}

Response RefuseRequest(const ApiContext& ctx, const Request& req, const Principal& who) {
  return Decide(ctx, req, who, false);
}

// Ends an approved request before its end: whoever may decide it may revoke it (the
// owner department), with a reason.
Response RevokeRequest(const ApiContext& ctx, const Request& req, const Principal& who) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  json b;
  if (auto bad = ParseBody(req, kRevokeBody, &b)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  auth::DataRequest r;
  if (auto refused = FindRequest(ctx, id, who, Action::kDecide, now, &r)) return *refused;
  auto revoked = ctx.accounts->Revoke(r.id, b["reason"].get<std::string>(), now);
  if (!revoked.ok()) return FromStatus(revoked.status());
  Audit(ctx, who, "data_request.revoke", "data-request:" + std::to_string(r.id),
        RequestJson(*revoked));
  return JsonResponse(RequestJson(*revoked));
}

Response ListNotifications(const ApiContext& ctx, const Request& req, const Principal& who) {
  std::string bad;
  auto page = PageParams(req, 500, &bad);
  if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  auto n = ctx.accounts->Notifications(who.user_id, req.query.count("limit") ? page->limit : 50);
  if (!n.ok()) return FromStatus(n.status());
  ordered_json items = ordered_json::array();
  for (const auto& x : *n)
    items.push_back({{"id", x.id},
                     {"time", FormatRfc3339Beijing(x.time)},
                     {"text", x.text},
                     {"object", x.object}});
  return JsonResponse<ordered_json>({{"items", items}});
}

}  // namespace

void AddSharingRoutes(Api& api, const ApiContext& ctx) {
  api.Add("POST", "/api/v1/data-requests",
          {.summary = "Ask for access to a dataset (数据申请)",
           .tag = "Catalog",
           .body = kRequestBody,
           .id = "createDataRequest"},
          Bind(ctx, CreateRequest));
  api.Add("GET", "/api/v1/data-requests",
          {.summary = "Data requests: one's own, and those one decides",
           .tag = "Catalog",
           .query = {{"status", "string", "pending, approved, refused or expired"}},
           .id = "listDataRequests",
           .list = true},
          Bind(ctx, ListRequests));
  api.Add("GET", "/api/v1/data-requests/{id}",
          {.summary = "One data request", .tag = "Catalog", .id = "getDataRequest"},
          Bind(ctx, GetRequest));
  api.Add("POST", "/api/v1/data-requests/{id}/approve",
          {.summary = "Approve a data request: grants access until its end (the owner department)",
           .tag = "Catalog",
           .body = kDecideBody,
           .id = "approveDataRequest"},
          Bind(ctx, ApproveRequest));
  api.Add("POST", "/api/v1/data-requests/{id}/refuse",
          {.summary = "Refuse a data request with a reason (the owner department)",
           .tag = "Catalog",
           .body = kDecideBody,
           .id = "refuseDataRequest"},
          Bind(ctx, RefuseRequest));
  api.Add("POST", "/api/v1/data-requests/{id}/revoke",
          {.summary = "Revoke an approved request before its end (its grant and key end now)",
           .tag = "Catalog",
           .body = kRevokeBody,
           .id = "revokeDataRequest"},
          Bind(ctx, RevokeRequest));
  api.Add("GET", "/api/v1/notifications",
          {.summary = "One's notifications, newest first",
           .tag = "Accounts",
           .query = {{"limit", "integer", "1..500 (default 50)"}},
           .id = "listNotifications",
           .list = true},
          Bind(ctx, ListNotifications));
}

}  // namespace ecohub::api
