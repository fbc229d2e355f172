// API keys: the credentials other systems read with (ehk_...). A key acts for one
// account, optionally limited to some datasets, and expires; its secret is shown
// once, at creation. Creation and revocation are audited.
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

constexpr UnixSeconds kDefaultLifetime = 90 * 86400;
constexpr UnixSeconds kMaxLifetime = 3 * 366 * 86400;

const std::vector<ParamDoc> kKeyBody = {
    {.name = "name", .description = "what system uses it", .required = true},
    {"owner_id", "integer", "the account it acts for (administrators; default: oneself)"},
    {"datasets", "array", "dataset ids it is limited to (default: the owner's rights)"},
    {"expires", "time", "default: 90 days"},
};

ordered_json KeyJson(const auth::ApiKey& k) {
  return {{"id", k.id},
          {"name", k.name},
          {"owner_id", k.owner_id},
          {"prefix", k.prefix},
          {"datasets", k.datasets},
          {"created", FormatRfc3339Beijing(k.created)},
          {"expires", FormatRfc3339Beijing(k.expires)},
          {"revoked", k.revoked},
          {"request_id", k.request_id ? json(k.request_id) : json(nullptr)}};
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
  if (b.contains("datasets") && b["datasets"].is_array()) {
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
