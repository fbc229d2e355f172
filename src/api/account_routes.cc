// Accounts: login and logout, one's own password and identity, and the user
// accounts administrators keep. Every change is audited; logins, failed logins,
// logouts and failed password changes too.
//
// Argon2id (a login, a password change, a new account, a reset) runs on the
// accounts' password workers, never on the network threads: the cheap checks
// (rights, body, the address's login throttle) answer at once, then the route
// defers its answer to a worker; when their queue is full it answers 503 with
// Retry-After without hashing anything.
#include "api/account_routes.h"

#include <spdlog/spdlog.h>

#include "api/params.h"
#include "api/routes.h"
#include "auth/password_rules.h"
#include "core/escape.h"
#include "core/time.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

const std::vector<ParamDoc> kLoginBody = {
    {.name = "username", .required = true},
    {.name = "password", .required = true},
    {"otp", "string", "the 6-digit code of the account's second factor, when it has one"},
};

const std::vector<ParamDoc> kPasswordBody = {
    {.name = "old_password", .required = true},
    {.name = "new_password", .required = true},
};

const std::vector<ParamDoc> kUserBody = {
    {.name = "username", .description = "1-64 of A-Z a-z 0-9 . _ - @", .required = true},
    {.name = "password",
     .description = "at least 10 characters, three of lower, upper, digits, others, "
                    "not containing the username",
     .required = true},
    {.name = "role",
     .description = "admin, security_admin, audit_admin, leader, staff, inspector, partner "
                    "or enterprise",
     .required = true},
    {"display_name", "string", ""},
    {"district_id", "integer", "0: the whole city"},
    {"enterprise_id", "integer", "enterprise accounts"},
    {"department", "string", "department (deciders of requests, partners)"},
    {"disabled", "boolean", ""},
    {"oidc_subject", "string",
     "the identity provider's subject (sub) this account logs in as (OpenID Connect); \"\": "
     "none"},
};

// A change of an account: the fields of kUserBody after username and password, none
// required.
const std::vector<ParamDoc> kUserPatch = [] {
  std::vector<ParamDoc> fields(kUserBody.begin() + 2, kUserBody.end());
  for (auto& p : fields) p.required = false;
  return fields;
}();

const std::vector<ParamDoc> kResetBody = {
    {.name = "password", .description = "the new password", .required = true},
};

}  // namespace

ordered_json UserJson(const ApiContext& ctx, const auth::User& u) {
  auto time_or_null = [](UnixSeconds t) {
    return t ? json(FormatRfc3339Beijing(t)) : json(nullptr);
  };
  return {
      {"id", u.id},
      {"username", u.username},
      {"display_name", u.display_name},
      {"role", auth::RoleName(u.role)},
      {"district_id", u.district_id},
      {"enterprise_id", u.enterprise_id ? json(u.enterprise_id) : json(nullptr)},
      {"department", u.department},
      {"disabled", u.disabled},
      {"locked_until", u.locked_until ? json(FormatRfc3339Beijing(u.locked_until)) : json(nullptr)},
      {"created", FormatRfc3339Beijing(u.created)},
      {"second_factor", u.second_factor},
      {"must_change_password", u.must_change_password},
      {"password_changed", time_or_null(u.password_changed)},
      {"password_expires", time_or_null(ctx.accounts->PasswordExpires(u))},
      {"oidc_subject", u.oidc_subject.empty() ? json(nullptr) : json(u.oidc_subject)}};
}

namespace {

// Applies the optional user fields of a body onto `u`; a problem on bad values.
std::optional<Response> ApplyUserFields(const ApiContext& ctx, const json& b, auth::User* u) {
  if (b.contains("role") && !b["role"].is_null()) {
    auto r = auth::ParseRole(b["role"].get<std::string>());
    if (!r || *r == auth::Role::kPublic)
      return Problem(400, "bad-field",
                     "role must be admin, security_admin, audit_admin, leader, staff, "
                     "inspector, partner or enterprise");
    u->role = *r;
  }
  if (b.contains("display_name") && !b["display_name"].is_null())
    u->display_name = b["display_name"];
  if (b.contains("district_id") && !b["district_id"].is_null()) u->district_id = b["district_id"];
  if (b.contains("enterprise_id") && !b["enterprise_id"].is_null())
    u->enterprise_id = b["enterprise_id"];
  if (b.contains("department") && !b["department"].is_null()) u->department = b["department"];
  if (b.contains("disabled") && !b["disabled"].is_null()) u->disabled = b["disabled"];
  if (b.contains("oidc_subject") && !b["oidc_subject"].is_null()) {
    u->oidc_subject = b["oidc_subject"];
    if (u->oidc_subject.size() > 255)
      return Problem(400, "bad-field", "oidc_subject is at most 255 bytes");
  }
  // An administrator who sets the rights or the link takes them over from the claims.
  for (const char* k : {"role", "district_id", "department", "oidc_subject"})
    if (b.contains(k) && !b[k].is_null()) u->oidc_claims = false;
  if (u->district_id < 0 || u->enterprise_id < 0)
    return Problem(400, "bad-field", "district_id and enterprise_id are ids (0: none)");
  // A scope that names nothing would give an account rights over whatever gets that
  // id later.
  auto snap = ctx.sites->Get();
  if (u->district_id != 0 && !snap->DistrictById(u->district_id))
    return Problem(400, "bad-field", "district_id names no district",
                   std::to_string(u->district_id));
  if (u->enterprise_id != 0 && !snap->EnterpriseById(u->enterprise_id))
    return Problem(400, "bad-field", "enterprise_id names no enterprise",
                   std::to_string(u->enterprise_id));
  return std::nullopt;
}

}  // namespace

// --- Argon2id off the network threads -------------------------------------------

Response Busy() {
  Response r = Problem(503, "busy", "Too many password checks in progress", "try again shortly");
  r.headers.emplace_back("Retry-After", std::to_string(auth::PasswordWorkers::kRetryAfterSeconds));
  return r;
}

Response TooManyLogins(int retry_after) {
  Response r = Problem(429, "too-many-logins", "Too many failed logins from this address",
                       "see Retry-After");
  r.headers.emplace_back("Retry-After", std::to_string(std::max(1, retry_after)));
  return r;
}

// Answers with what `work` returns, computed on the password workers; 503 at once
// when their queue is full.
Response OnPasswordWorkers(const ApiContext& ctx, std::function<Response()> work) {
  auth::PasswordWorkers* workers = &ctx.accounts->password_workers();
  return Response::Defer([workers, work = std::move(work)](Response::Done done) {
    auto answer = std::make_shared<Response::Done>(std::move(done));
    bool queued = workers->TryPost([work, answer] {
      Response r;
      try {
        r = work();
      } catch (const std::exception& e) {
        spdlog::error("password worker: {}", e.what());
        r = Problem(500, "internal", "Internal error");
      }
      (*answer)(std::move(r));
    });
    if (!queued) (*answer)(Busy());
  });
}

Response SessionAnswer(const ApiContext& ctx, const auth::LoginResult& r, const json& next) {
  return JsonResponse<ordered_json>({{"token", r.token},
                                     {"token_type", "Bearer"},
                                     {"expires", FormatRfc3339Beijing(r.expires)},
                                     {"user", UserJson(ctx, r.user)},
                                     {"must_change_password", r.must_change_password},
                                     {"must_enroll_second_factor", r.must_enroll_second_factor},
                                     {"next", next}});
}

namespace {

// The new password's rule (password_rules.h) as a 400 problem.
std::optional<Response> WeakPassword(const std::string& password, const std::string& username) {
  Status s = auth::CheckPasswordStrength(password, username);
  if (s.ok()) return std::nullopt;
  return FromStatus(s);
}

// --- one's own session -------------------------------------------------------------

Response Login(const ApiContext& ctx, const Request& req, const Principal&) {
  json b;
  if (auto bad = ParseBody(req, kLoginBody, &b)) return *bad;
  if (int wait = ctx.accounts->LoginRetryAfter(req.peer, ctx.clock->WallSeconds()))
    return TooManyLogins(wait);
  std::string otp = b.contains("otp") && b["otp"].is_string() ? b["otp"].get<std::string>() : "";
  return OnPasswordWorkers(
      ctx, [ctx, username = b["username"].get<std::string>(),
            password = b["password"].get<std::string>(), otp, peer = req.peer] {
        UnixSeconds now = ctx.clock->WallSeconds();
        auto r = ctx.accounts->Login(username, password, peer, now, otp);
        Principal actor;
        actor.name = "user:" + username;
        if (!r.ok()) {
          spdlog::warn("login refused for {} from {}: {}", EscapeForLog(username), peer,
                       r.status().message());
          Audit(ctx, actor, "login.failed", actor.name, {{"peer", peer}});
          if (r.status().code() == Code::kUnavailable)
            return TooManyLogins(ctx.accounts->LoginRetryAfter(peer, now));
          return FromStatus(r.status());
        }
        if (r->otp_required)
          return Problem(401, "otp-required", "The code of your second factor is required",
                         "send the same request again with otp");
        Audit(ctx, actor, "login", actor.name, {{"peer", peer}});
        return SessionAnswer(ctx, *r, nullptr);
      });
}

Response Logout(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (who.key_id) return Problem(400, "bad-input", "API keys are revoked, not logged out");
  Status s = ctx.accounts->Logout(BearerOf(req.authorization));
  if (!s.ok()) return FromStatus(s);
  Audit(ctx, who, "logout", who.name, {{"peer", req.peer}});
  return NoContent();
}

Response ChangePassword(const ApiContext& ctx, const Request& req, const Principal& who) {
  json b;
  if (auto bad = ParseBody(req, kPasswordBody, &b)) return *bad;
  if (who.key_id) return Problem(403, "forbidden", "Not allowed", "API keys are read-only");
  auto u = ctx.accounts->GetUser(who.user_id);
  if (!u.ok()) return FromStatus(u.status());
  const std::string fresh = b["new_password"].get<std::string>();
  if (auto weak = WeakPassword(fresh, u->username)) return *weak;
  if (int wait = ctx.accounts->LoginRetryAfter(req.peer, ctx.clock->WallSeconds()))
    return TooManyLogins(wait);
  return OnPasswordWorkers(ctx, [ctx, who, username = u->username, fresh, peer = req.peer,
                                 old = b["old_password"].get<std::string>()] {
    // Checked by a login, so wrong old passwords count toward the lock-out.
    auto check = ctx.accounts->Login(username, old, peer, ctx.clock->WallSeconds());
    Status s = check.ok() ? ctx.accounts->SetPassword(who.user_id, fresh) : check.status();
    if (!s.ok()) {
      Audit(ctx, who, "user.password.failed", who.name, {{"peer", peer}, {"reason", s.message()}});
      if (s.code() == Code::kUnavailable)
        return TooManyLogins(ctx.accounts->LoginRetryAfter(peer, ctx.clock->WallSeconds()));
      return FromStatus(s);
    }
    Audit(ctx, who, "user.password", who.name, json::object());
    return NoContent();
  });
}

Response GetMe(const ApiContext& ctx, const Request&, const Principal& who) {
  auto u = ctx.accounts->GetUser(who.user_id);
  if (!u.ok()) return FromStatus(u.status());
  ordered_json grants = ordered_json::array();
  for (const auto& g : who.grants)
    grants.push_back({{"dataset", g.dataset}, {"until", FormatRfc3339Beijing(g.until)}});
  ordered_json j = UserJson(ctx, *u);
  j["must_change_password"] = who.must_change_password;  // an expired password too
  j["must_enroll_second_factor"] = who.must_enroll_second_factor;
  j["via"] = who.key_id ? "api_key" : "token";
  j["grants"] = grants;
  return JsonResponse(j);
}

// --- accounts (administrators) -----------------------------------------------------

Response ListUsers(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (auto denied = Check(who, Action::kRead, {Area::kUsers}, ctx.clock->WallSeconds()))
    return *denied;
  std::string bad;
  auto page = PageParams(req, 1000, &bad);
  if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  auto users = ctx.accounts->Users();
  if (!users.ok()) return FromStatus(users.status());
  ordered_json items = ordered_json::array();
  int64_t last = 0;
  bool more = false;
  for (const auto& u : *users) {
    if (u.id <= page->after) continue;
    if (items.size() == page->limit) {
      more = true;
      break;
    }
    items.push_back(UserJson(ctx, u));
    last = u.id;
  }
  return JsonResponse<ordered_json>(
      {{"items", items}, {"next_cursor", more ? json(CursorAfter(last)) : json(nullptr)}});
}

Response CreateUser(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (auto denied = Check(who, Action::kWrite, {Area::kUsers}, ctx.clock->WallSeconds()))
    return *denied;
  json b;
  if (auto bad = ParseBody(req, kUserBody, &b)) return *bad;
  auth::User u;
  u.username = b["username"];
  u.must_change_password = true;  // an administrator chose it: changed at first login
  if (auto bad = ApplyUserFields(ctx, b, &u)) return *bad;
  const std::string password = b["password"].get<std::string>();
  if (auto weak = WeakPassword(password, u.username)) return *weak;
  return OnPasswordWorkers(ctx, [ctx, who, u, password] {
    auto created = ctx.accounts->CreateUser(u, password);
    if (!created.ok()) return FromStatus(created.status());
    Audit(ctx, who, "user.create", "user:" + created->username, UserJson(ctx, *created));
    return JsonResponse(UserJson(ctx, *created), 201);
  });
}

Response GetUser(const ApiContext& ctx, const Request& req, const Principal& who) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  if (auto denied =
          Check(who, Action::kRead, {Area::kUsers, nullptr, 0, 0, id}, ctx.clock->WallSeconds()))
    return *denied;
  auto u = ctx.accounts->GetUser(id);
  if (!u.ok()) return FromStatus(u.status());
  return JsonResponse(UserJson(ctx, *u));
}

Response UpdateUser(const ApiContext& ctx, const Request& req, const Principal& who) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  if (auto denied = Check(who, Action::kWrite, {Area::kUsers}, ctx.clock->WallSeconds()))
    return *denied;
  json b;
  if (auto bad = ParseBody(req, kUserPatch, &b)) return *bad;
  auto u = ctx.accounts->GetUser(id);
  if (!u.ok()) return FromStatus(u.status());
  if (auto bad = ApplyUserFields(ctx, b, &*u)) return *bad;
  Status s = ctx.accounts->UpdateUser(*u);
  if (!s.ok()) return FromStatus(s);
  Audit(ctx, who, "user.update", "user:" + u->username, b);
  return JsonResponse(UserJson(ctx, *u));
}

Response ResetPassword(const ApiContext& ctx, const Request& req, const Principal& who) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  if (auto denied = Check(who, Action::kWrite, {Area::kUsers}, ctx.clock->WallSeconds()))
    return *denied;
  json b;
  if (auto bad = ParseBody(req, kResetBody, &b)) return *bad;
  auto u = ctx.accounts->GetUser(id);
  if (!u.ok()) return FromStatus(u.status());
  const std::string password = b["password"].get<std::string>();
  if (auto weak = WeakPassword(password, u->username)) return *weak;
  return OnPasswordWorkers(ctx, [ctx, who, id, password] {
    Status s = ctx.accounts->SetPassword(id, password, /*must_change=*/true);
    if (!s.ok()) return FromStatus(s);
    Audit(ctx, who, "user.reset_password", "user-id:" + std::to_string(id), json::object());
    return NoContent();
  });
}

}  // namespace

void AddAccountRoutes(Api& api, const ApiContext& ctx) {
  api.Add("POST", "/api/v1/auth/login",
          {.summary = "Log in: returns a bearer token (eht_...) and its expiry",
           .tag = "Accounts",
           .body = kLoginBody,
           .login = false,
           .response = "{token, expires, user}",
           .id = "login"},
          Bind(ctx, Login));
  api.Add("POST", "/api/v1/auth/logout",
          {.summary = "End this token's session", .tag = "Accounts", .id = "logout"},
          Bind(ctx, Logout));
  api.Add("POST", "/api/v1/auth/password",
          {.summary = "Change one's own password (ends every session)",
           .tag = "Accounts",
           .body = kPasswordBody,
           .id = "changePassword"},
          Bind(ctx, ChangePassword));
  api.Add("GET", "/api/v1/me",
          {.summary = "Who the bearer is: account, role, scope, grants",
           .tag = "Accounts",
           .id = "getMe"},
          Bind(ctx, GetMe));
  api.Add("GET", "/api/v1/users",
          {.summary = "User accounts (administrators)",
           .tag = "Accounts",
           .query = {{.name = "cursor", .type = "cursor"},
                     {.name = "limit", .type = "integer", .description = "1..1000"}},
           .id = "listUsers",
           .list = true},
          Bind(ctx, ListUsers));
  api.Add("POST", "/api/v1/users",
          {.summary = "Create an account (administrators)",
           .tag = "Accounts",
           .body = kUserBody,
           .id = "createUser"},
          Bind(ctx, CreateUser));
  api.Add(
      "GET", "/api/v1/users/{id}",
      {.summary = "One account (administrators, or oneself)", .tag = "Accounts", .id = "getUser"},
      Bind(ctx, GetUser));
  api.Add("PATCH", "/api/v1/users/{id}",
          {.summary = "Change an account: role, scope, department, disable (administrators)",
           .tag = "Accounts",
           .body = kUserPatch,
           .id = "updateUser"},
          Bind(ctx, UpdateUser));
  api.Add("POST", "/api/v1/users/{id}/reset-password",
          {.summary = "Set a new password, to be changed at the next login; unlock, end "
                      "sessions (administrators)",
           .tag = "Accounts",
           .body = kResetBody,
           .id = "resetUserPassword"},
          Bind(ctx, ResetPassword));
}

}  // namespace ecohub::api
