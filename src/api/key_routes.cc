// API keys: the credentials other systems read with (ehk_...). A key acts for one
// account, optionally limited to some datasets, and expires; its secret is shown
// once, at creation. Creation and revocation are audited. A push key (`push`) is the
// other kind: a partner system sends readings of its sites and factors with it
// (POST /api/v1/imports/readings) and reads nothing; administrators issue them.
#include "api/handlers.h"
#include "api/params.h"
#include "api/routes.h"
#include "core/time.h"
#include "ingest/readings_file.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr UnixSeconds kDefaultLifetime = 90 * 86400;
constexpr UnixSeconds kMaxLifetime = 3 * 366 * 86400;

const std::vector<ParamDoc> kKeyBody = {
    {.name = "name", .description = "what system uses it", .required = true},
    {"owner_id", "integer", "the account it acts for (administrators; default: oneself)"},
    {"datasets", "array", "dataset ids it is limited to (default: the owner's rights)"},
    {"push", "object",
     "a push key instead: {sites: [site codes], factors: [factor codes, default any]}; it "
     "imports readings of those and reads nothing (administrators only)"},
    {"expires", "time", "default: 90 days"},
};

ordered_json KeyJson(const auth::ApiKey& k) {
  auto push = auth::PushScopeOf(k.datasets);
  return {{"id", k.id},
          {"name", k.name},
          {"owner_id", k.owner_id},
          {"prefix", k.prefix},
          {"datasets", push ? std::vector<std::string>() : k.datasets},
          {"push", push ? ordered_json{{"sites", push->sites}, {"factors", push->factors}}
                        : ordered_json(nullptr)},
          {"created", FormatRfc3339Beijing(k.created)},
          {"expires", FormatRfc3339Beijing(k.expires)},
          {"revoked", k.revoked},
          {"request_id", k.request_id ? json(k.request_id) : json(nullptr)}};
}

// The `push` field of a new key: known sites, factor codes.
Result<auth::PushScope> PushScopeFromBody(const ApiContext& ctx, const json& p) {
  auth::PushScope scope;
  if (!p.is_object() || !p.contains("sites") || !p["sites"].is_array() || p["sites"].empty())
    return Status::InvalidInput("push.sites must list the site codes the key sends for");
  auto snap = ctx.sites->Get();
  for (const auto& s : p["sites"]) {
    if (!s.is_string() || !snap->SiteByCode(s.get<std::string>()))
      return Status::InvalidInput("push.sites: " + s.dump() + " is no site's code");
    scope.sites.push_back(s);
  }
  if (p.contains("factors") && !p["factors"].is_array())
    return Status::InvalidInput("push.factors must be a list of factor codes");
  for (const auto& f : p.value("factors", json::array())) {
    if (!f.is_string() || !ingest::IsFactorCode(f.get<std::string>()))
      return Status::InvalidInput("push.factors: " + f.dump() + " is not a factor code");
    scope.factors.push_back(f);
  }
  return scope;
}

Response ListKeys(const ApiContext& ctx, const Request&, const Principal& who) {
  bool admin = auth::Authorize(who, Action::kRead, {Area::kKeys}, ctx.clock->WallSeconds()).allow;
  auto keys = ctx.accounts->Keys(admin ? 0 : who.user_id);
  if (!keys.ok()) return FromStatus(keys.status());
  ordered_json items = ordered_json::array();
  for (const auto& k : *keys) items.push_back(KeyJson(k));
  return JsonResponse<ordered_json>({{"items", items}});
}

Response CreateKey(const ApiContext& ctx, const Request& req, const Principal& who) {
  json b;
  if (auto bad = ParseBody(req, kKeyBody, &b)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  auth::ApiKey k;
  k.name = b["name"];
  k.owner_id = b.value("owner_id", who.user_id);
  if (auto denied = Check(who, Action::kWrite, {Area::kKeys, nullptr, 0, 0, k.owner_id}, now))
    return *denied;
  if (!ctx.accounts->GetUser(k.owner_id).ok())
    return Problem(400, "bad-field", "owner_id names no account");
  if (b.contains("push") && !b["push"].is_null()) {
    if (who.role != auth::Role::kAdmin || who.key_id != 0)
      return Problem(403, "forbidden", "Not allowed", "only an administrator issues push keys");
    auto scope = PushScopeFromBody(ctx, b["push"]);
    if (!scope.ok()) return Problem(400, "bad-field", scope.status().message());
    k.datasets = auth::PushDatasets(*scope);
  } else if (b.contains("datasets") && b["datasets"].is_array()) {
    for (const auto& d : b["datasets"]) {
      if (!d.is_string() || !ctx.accounts->GetDataset(d.get<std::string>()).ok())
        return Problem(400, "bad-field", "datasets must name catalog entries");
      k.datasets.push_back(d);
    }
  }
  k.expires = b.contains("expires") && b["expires"].is_string()
                  ? *ParseTime(b["expires"].get<std::string>())
                  : now + kDefaultLifetime;
  if (k.expires > now + kMaxLifetime)
    return Problem(400, "bad-field", "a key lives at most 3 years");
  auto created = ctx.accounts->CreateKey(k, now);
  if (!created.ok()) return FromStatus(created.status());
  Audit(ctx, who, "api_key.create", "key:" + std::to_string(created->first.id),
        KeyJson(created->first));
  ordered_json j = KeyJson(created->first);
  j["secret"] = created->second;
  return JsonResponse(j, 201);
}

Response RevokeKey(const ApiContext& ctx, const Request& req, const Principal& who) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  auto k = ctx.accounts->GetKey(id);
  if (!k.ok()) return FromStatus(k.status());
  if (auto denied = Check(who, Action::kWrite, {Area::kKeys, nullptr, 0, 0, k->owner_id},
                          ctx.clock->WallSeconds()))
    return *denied;
  Status s = ctx.accounts->RevokeKey(id);
  if (!s.ok()) return FromStatus(s);
  Audit(ctx, who, "api_key.revoke", "key:" + std::to_string(id), json::object());
  return NoContent();
}

}  // namespace

void AddKeyRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/api-keys",
          {.summary = "API keys: all (administrators) or one's own",
           .tag = "Accounts",
           .id = "listApiKeys",
           .list = true},
          Bind(ctx, ListKeys));
  api.Add("POST", "/api/v1/api-keys",
          {.summary = "Create an API key; its secret (ehk_...) is shown once",
           .tag = "Accounts",
           .body = kKeyBody,
           .id = "createApiKey"},
          Bind(ctx, CreateKey));
  api.Add("DELETE", "/api/v1/api-keys/{id}",
          {.summary = "Revoke an API key", .tag = "Accounts", .id = "revokeApiKey"},
          Bind(ctx, RevokeKey));
}

}  // namespace ecohub::api
