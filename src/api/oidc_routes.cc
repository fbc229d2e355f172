// Unified identity (统一身份认证): the login through the province's or city's
// OpenID Connect provider, beside the local accounts (oidc.h, oidc_client.h).
//
// The console asks /auth/methods whether to offer it, starts a login with
// /auth/oidc/start (the provider's URL and the state it keeps in the browser), and
// after the provider sent the browser back to its /login/oidc page with a code,
// finishes it with /auth/oidc/login, which answers like the password login. The round
// trips to the provider run on the accounts' workers, never on the network threads.
// Every login and refusal is audited, with "via": "oidc".
#include <spdlog/spdlog.h>

#include "api/account_routes.h"
#include "api/params.h"
#include "api/routes.h"
#include "auth/oidc_client.h"
#include "core/escape.h"

namespace ecohub::api {

using auth::Principal;
using nlohmann::json;

namespace {

const std::vector<ParamDoc> kStartBody = {
    {"next", "string", "the console's path to go to after the login"},
};

const std::vector<ParamDoc> kFinishBody = {
    {.name = "code", .description = "the code the provider gave back", .required = true},
    {.name = "state", .description = "the state /auth/oidc/start answered", .required = true},
};

Response Off() {
  return Problem(404, "oidc-off", "Unified identity is not configured",
                 "this deployment has no [oidc] issuer");
}

Response Unavailable(const Status& s) {
  return Problem(502, "oidc-unavailable", "The identity provider cannot be reached", s.message());
}

// A path of this site only, so that a crafted `next` cannot send the user away.
std::string SafeNext(const json& b) {
  std::string next = b.contains("next") && b["next"].is_string() ? b["next"] : "";
  bool local = next.size() < 512 && next.rfind('/', 0) == 0 && next.rfind("//", 0) != 0 &&
               next.find('\\') == std::string::npos;
  return local ? next : "";
}

Response Methods(const ApiContext& ctx, const Request&, const Principal&) {
  json oidc = nullptr;
  if (ctx.oidc) oidc = {{"name", ctx.oidc->config().display_name}};
  return JsonResponse<json>({{"password", true}, {"oidc", oidc}});
}

Response Start(const ApiContext& ctx, const Request& req, const Principal&) {
  if (!ctx.oidc) return Off();
  json b;
  if (auto bad = ParseBody(req, kStartBody, &b)) return *bad;
  return OnPasswordWorkers(ctx, [ctx, next = SafeNext(b)] {
    auto s = ctx.oidc->Start(next, ctx.clock->WallSeconds());
    if (!s.ok()) return Unavailable(s.status());
    return JsonResponse<json>({{"authorization_url", s->authorization_url}, {"state", s->state}});
  });
}

// The account the claims describe, when they map to a role and name a known district
// (or none: the whole city). *why says why not.
std::optional<auth::User> FromClaims(const ApiContext& ctx, const auth::oidc::Identity& id,
                                     std::string* why) {
  if (!id.role) {
    *why = id.role_claim.empty() ? "the claims give no role"
                                 : "the role claim \"" + id.role_claim + "\" maps to no role";
    return std::nullopt;
  }
  auth::User u;
  u.username = id.username;
  u.display_name = id.display_name;
  u.role = *id.role;
  // A partner's department names whose grants it holds: the claim, else the role value.
  u.department = !id.department.empty()           ? id.department
                 : u.role == auth::Role::kPartner ? id.role_claim
                                                  : "";
  if (!id.district_claim.empty()) {
    auto snap = ctx.sites->Get();
    const auto* d = snap->DistrictByCode(id.district_claim);
    for (const auto& x : snap->districts)
      if (!d && x.name == id.district_claim) d = &x;
    if (!d) {
      *why = "the district claim \"" + id.district_claim + "\" names no district";
      return std::nullopt;
    }
    u.district_id = d->id;
  }
  return u;
}

// A refused login, audited and logged, as its problem.
Response Refused(const ApiContext& ctx, const std::string& peer, const std::string& subject,
                 const Status& s) {
  Principal actor;
  actor.name = subject.empty() ? "oidc" : "oidc:" + subject;
  spdlog::warn("oidc login refused for {} from {}: {}", EscapeForLog(actor.name), peer,
               s.message());
  Audit(ctx, actor, "login.failed", actor.name,
        {{"peer", peer}, {"via", "oidc"}, {"reason", s.message()}});
  switch (s.code()) {
    case Code::kInvalidInput:
      return Problem(400, "oidc-state", "This login has expired or was already used", s.message());
    case Code::kUnavailable:
      return Unavailable(s);
    case Code::kNotFound:
    case Code::kPermissionDenied:
      // The subject is what an administrator needs to link the account.
      return Problem(403, "oidc-not-linked", "No EcoHub account is linked to this identity",
                     subject);
    case Code::kUnauthenticated:
      return Problem(401, subject.empty() ? "oidc-refused" : "unauthorized",
                     "The login was refused", s.message());
    default:
      return FromStatus(s);
  }
}

Response Finish(const ApiContext& ctx, const Request& req, const Principal&) {
  if (!ctx.oidc) return Off();
  json b;
  if (auto bad = ParseBody(req, kFinishBody, &b)) return *bad;
  if (int wait = ctx.accounts->LoginRetryAfter(req.peer, ctx.clock->WallSeconds()))
    return TooManyLogins(wait);
  return OnPasswordWorkers(ctx, [ctx, code = b["code"].get<std::string>(),
                                 state = b["state"].get<std::string>(), peer = req.peer] {
    UnixSeconds now = ctx.clock->WallSeconds();
    auto done = ctx.oidc->Finish(code, state, now);
    if (!done.ok()) return Refused(ctx, peer, "", done.status());
    const auth::oidc::Identity& id = done->identity;
    std::string why;
    auth::ExternalLogin who{id.subject, FromClaims(ctx, id, &why), ctx.oidc->config().auto_create};
    bool created = false;
    auto r = ctx.accounts->LoginExternal(who, now, &created);
    if (!r.ok()) {
      Status s = r.status();
      if (!why.empty() && (s.code() == Code::kNotFound || s.code() == Code::kPermissionDenied))
        s = Status(s.code(), s.message() + "; " + why);
      return Refused(ctx, peer, id.subject, s);
    }
    Principal actor;
    actor.name = "user:" + r->user.username;
    if (created)
      Audit(ctx, actor, "user.create", actor.name,
            {{"via", "oidc"},
             {"subject", id.subject},
             {"role", auth::RoleName(r->user.role)},
             {"district_id", r->user.district_id}});
    Audit(ctx, actor, "login", actor.name,
          {{"peer", peer}, {"via", "oidc"}, {"subject", id.subject}});
    return SessionAnswer(ctx, *r, done->next.empty() ? json(nullptr) : json(done->next));
  });
}

}  // namespace

void AddOidcRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/auth/methods",
          {.summary = "How one may log in: password, and the unified identity provider when "
                      "configured ({name}, else null)",
           .tag = "Accounts",
           .login = false,
           .response = "{password, oidc}",
           .id = "loginMethods"},
          Bind(ctx, Methods));
  api.Add("POST", "/api/v1/auth/oidc/start",
          {.summary = "Start a login through the unified identity provider (OpenID Connect, "
                      "code flow with PKCE): the provider's URL to send the browser to",
           .tag = "Accounts",
           .body = kStartBody,
           .login = false,
           .response = "{authorization_url, state}",
           .id = "startOidcLogin"},
          Bind(ctx, Start));
  api.Add("POST", "/api/v1/auth/oidc/login",
          {.summary = "Finish it with the code and state the provider sent back: a session "
                      "like /auth/login's (403 oidc-not-linked names the subject to link)",
           .tag = "Accounts",
           .body = kFinishBody,
           .login = false,
           .response = "{token, expires, user, next}",
           .id = "finishOidcLogin"},
          Bind(ctx, Finish));
}

}  // namespace ecohub::api
