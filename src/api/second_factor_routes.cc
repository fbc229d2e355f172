// The TOTP second factor (RFC 6238) of one's own account, and its reset by the
// security administrator when a phone is lost. Codes are cheap to check (an HMAC), so
// these routes answer on the network thread. Every change is audited.
#include "api/handlers.h"
#include "api/params.h"
#include "api/routes.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;

namespace {

const std::vector<ParamDoc> kCodeBody = {
    {.name = "code",
     .description = "the 6-digit code the authenticator app shows",
     .required = true},
};

// A session of a person (not an API key): keys never change an account.
std::optional<Response> PersonOnly(const Principal& who) {
  if (who.key_id) return Problem(403, "forbidden", "Not allowed", "API keys are read-only");
  return std::nullopt;
}

Response BadCode(const Status& s) {
  if (s.code() == Code::kInvalidInput) return Problem(400, "bad-code", "Wrong code", s.message());
  if (s.code() == Code::kConflict)
    return Problem(409, "second-factor-required", "A second factor is required", s.message());
  return FromStatus(s);
}

Response Enrol(const ApiContext& ctx, const Request&, const Principal& who) {
  if (auto denied = PersonOnly(who)) return *denied;
  auto e = ctx.accounts->EnrolSecondFactor(who.user_id);
  if (!e.ok()) return FromStatus(e.status());
  Audit(ctx, who, "user.totp.enrol", who.name, json::object());
  return JsonResponse<json>({{"secret", e->secret}, {"uri", e->uri}});
}

// Confirm (activate the pending secret) or disable (drop the active one), with a code.
Response WithCode(const ApiContext& ctx, const Request& req, const Principal& who, bool confirm) {
  if (auto denied = PersonOnly(who)) return *denied;
  json b;
  if (auto bad = ParseBody(req, kCodeBody, &b)) return *bad;
  const std::string code = b["code"].get<std::string>();
  UnixSeconds now = ctx.clock->WallSeconds();
  Status s = confirm ? ctx.accounts->ConfirmSecondFactor(who.user_id, code, now)
                     : ctx.accounts->DisableSecondFactor(who.user_id, code, now);
  const char* action = confirm ? "user.totp.confirm" : "user.totp.disable";
  if (!s.ok()) {
    Audit(ctx, who, std::string(action) + ".failed", who.name, {{"reason", s.message()}});
    return BadCode(s);
  }
  Audit(ctx, who, action, who.name, json::object());
  return NoContent();
}

Response Confirm(const ApiContext& ctx, const Request& req, const Principal& who) {
  return WithCode(ctx, req, who, true);
}

Response Disable(const ApiContext& ctx, const Request& req, const Principal& who) {
  return WithCode(ctx, req, who, false);
}

Response Clear(const ApiContext& ctx, const Request& req, const Principal& who) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  // Someone else's account: an account manager's act, never the owner's own way
  // around a lost code.
  if (auto denied = Check(who, Action::kWrite, {Area::kUsers}, ctx.clock->WallSeconds()))
    return *denied;
  auto u = ctx.accounts->GetUser(id);
  if (!u.ok()) return FromStatus(u.status());
  Status s = ctx.accounts->ClearSecondFactor(id);
  if (!s.ok()) return FromStatus(s);
  Audit(ctx, who, "user.totp.clear", "user:" + u->username, json::object());
  return NoContent();
}

}  // namespace

void AddSecondFactorRoutes(Api& api, const ApiContext& ctx) {
  api.Add("POST", "/api/v1/me/totp",
          {.summary = "Enrol a TOTP second factor: a new secret and its otpauth:// URI, "
                      "active once confirmed",
           .tag = "Accounts",
           .response = "{secret, uri}",
           .id = "enrolSecondFactor"},
          Bind(ctx, Enrol));
  api.Add("POST", "/api/v1/me/totp/confirm",
          {.summary = "Activate the enrolled second factor with a code from the app",
           .tag = "Accounts",
           .body = kCodeBody,
           .id = "confirmSecondFactor"},
          Bind(ctx, Confirm));
  api.Add("POST", "/api/v1/me/totp/disable",
          {.summary = "Drop one's second factor, with a current code (not administrators "
                      "when the deployment requires one)",
           .tag = "Accounts",
           .body = kCodeBody,
           .id = "disableSecondFactor"},
          Bind(ctx, Disable));
  api.Add("DELETE", "/api/v1/users/{id}/totp",
          {.summary = "Clear an account's second factor, e.g. a lost phone (security "
                      "administrators)",
           .tag = "Accounts",
           .id = "clearSecondFactor"},
          Bind(ctx, Clear));
}

}  // namespace ecohub::api
