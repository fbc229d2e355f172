#include "auth/accounts.h"

#include <algorithm>

#include "auth/pg_account_store.h"
#include "auth/secrets.h"
#include "auth/sqlite_account_store.h"
#include "auth/totp.h"
#include "crypto/sealer.h"

namespace ecohub::auth {

namespace {

bool ValidUsername(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '@';
  });
}

// An approval lapses at its end: shown as expired, and the grant stops working.
DataRequest AsOf(DataRequest r, UnixSeconds now) {
  if (r.status == "approved" && r.until <= now) r.status = "expired";
  return r;
}

// How often, at most, a session's use is written to the store.
constexpr int kTouchSeconds = 60;

// 三员分立's kinds of administrator: each must keep one enabled account.
constexpr Role kKeptRoles[] = {Role::kAdmin, Role::kSecurityAdmin, Role::kAuditAdmin};

const char* KeptRoleName(Role r) {
  switch (r) {
    case Role::kSecurityAdmin:
      return "security administrator";
    case Role::kAuditAdmin:
      return "audit administrator";
    default:
      return "administrator";
  }
}

}  // namespace

std::string ActorName(const Principal& p) { return p.name; }

// What unknown usernames and locked accounts are checked against: a real Argon2id
// string of the same parameters, so that they cost what a real check costs.
static const std::string& DummyHash() {
  static const std::string hash = [] {
    InitSecrets();
    auto h = HashPassword(NewSecret(""));
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

Accounts::Accounts(std::unique_ptr<AccountStore> store, const AccountOptions& o, const Clock& clock,
                   std::shared_ptr<const crypto::KeyRing> keys)
    : store_(std::move(store)),
      options_(o),
      clock_(clock),
      guard_({.max_failures_per_address = o.max_failed_logins_per_address,
              .address_window_seconds = o.address_window_seconds,
              .max_failures_per_pair = o.max_failed_logins,
              .max_failures_per_account = o.max_failed_logins_per_account,
              .lockout_seconds = o.lockout_seconds}),
      keys_(std::move(keys)),
      workers_(o.password_workers) {}
Accounts::~Accounts() = default;

Result<std::unique_ptr<Accounts>> Accounts::Open(const std::string& data_dir,
                                                 const AccountOptions& options, const Clock& clock,
                                                 std::shared_ptr<const crypto::KeyRing> keys) {
  return Open(data_dir, "", options, clock, std::move(keys));
}

Result<std::unique_ptr<Accounts>> Accounts::Open(const std::string& data_dir,
                                                 const std::string& store_url,
                                                 const AccountOptions& options, const Clock& clock,
                                                 std::shared_ptr<const crypto::KeyRing> keys) {
  Status s = InitSecrets();
  if (!s.ok()) return s;
  auto store =
      store_url.empty() ? OpenSqliteAccountStore(data_dir) : OpenPostgresAccountStore(store_url);
  if (!store.ok()) return store.status();
  return std::make_unique<Accounts>(std::move(*store), options, clock, std::move(keys));
}

void Accounts::ForgetSignIns() {
  std::lock_guard lock(cache_mu_);
  cache_.clear();
}

void Accounts::ClearCache() {
  ForgetSignIns();
  if (rights_changed_) rights_changed_();
}

namespace {
Status CheckNewUser(const User& in) {
  if (!ValidUsername(in.username))
    return Status::InvalidInput("username must be 1-64 characters of A-Z a-z 0-9 . _ - @");
  if (in.role == Role::kPublic) return Status::InvalidInput("the public has no accounts");
  if (in.role == Role::kEnterprise && in.enterprise_id <= 0)
    return Status::InvalidInput("an enterprise account needs enterprise_id");
  if (in.role == Role::kPartner && in.department.empty())
    return Status::InvalidInput("a partner account needs its department");
  return Status::Ok();
}
}  // namespace

Result<User> Accounts::CreateUser(const User& in, std::string_view password) {
  Status s = CheckNewUser(in);
  if (s.ok()) s = CheckPasswordRule(password);
  if (!s.ok()) return s;
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  return InsertUser(in, *hash);
}

Result<User> Accounts::InsertUser(const User& in, const std::string& hash) {
  User row = in;
  if (row.display_name.empty()) row.display_name = row.username;
  row.created = row.password_changed = clock_.WallSeconds();
  row.second_factor = false;
  auto id = store_->InsertUser(row, hash);
  if (!id.ok() && id.status().code() == Code::kConflict)
    return Status(Code::kConflict, "username is taken: " + in.username);
  if (!id.ok()) return id.status();
  row.id = *id;
  return row;
}

Result<User> Accounts::GetUser(int64_t id) { return store_->GetUser(id); }
Result<User> Accounts::FindUser(std::string_view name) { return store_->FindUser(name); }
Result<std::vector<User>> Accounts::Users() { return store_->Users(); }

Status Accounts::UpdateUser(const User& u) {
  if (u.role == Role::kPublic) return Status::InvalidInput("the public has no accounts");
  if (u.role == Role::kEnterprise && u.enterprise_id <= 0)
    return Status::InvalidInput("an enterprise account needs enterprise_id");
  std::lock_guard admins(admins_mu_);  // two admins demoting each other at once
  auto before = store_->GetUser(u.id);
  if (!before.ok()) return before.status();
  // Only an enabled administrator losing its kind (a role change or a disable) can
  // leave that kind without anyone; other changes need no look at the others.
  bool losing = !before->disabled &&
                std::find(std::begin(kKeptRoles), std::end(kKeptRoles), before->role) !=
                    std::end(kKeptRoles) &&
                (u.role != before->role || u.disabled);
  if (losing) {
    auto users = store_->Users();
    if (!users.ok()) return users.status();
    Role kind = before->role;
    bool other = std::any_of(users->begin(), users->end(), [&](const User& x) {
      return x.id != u.id && x.role == kind && !x.disabled;
    });
    if (!other)
      return Status(Code::kConflict, std::string("the last enabled ") + KeptRoleName(kind) +
                                         " cannot be disabled or given another role");
  }
  Status s = store_->UpdateUser(u);
  if (s.code() == Code::kConflict)
    return Status(Code::kConflict, "another account is linked to this identity (oidc_subject)");
  if (!s.ok()) return s;
  if (u.disabled) store_->DeleteTokensOf(u.id);  // the cache is cleared just below
  ClearCache();  // a role or district change applies to the next request
  return Status::Ok();
}

Status Accounts::SetPassword(int64_t user_id, std::string_view password, bool must_change) {
  Status s = CheckPasswordRule(password);
  if (!s.ok()) return s;
  auto history = store_->PasswordHistory(user_id);
  if (!history.ok()) return history.status();
  for (const auto& old : *history)
    if (VerifyPassword(old, password))
      return Status::InvalidInput("password must differ from the last " +
                                  std::to_string(kPasswordHistory));
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  s = store_->SetPasswordHash(user_id, *hash, clock_.WallSeconds(), must_change);
  ClearCache();
  if (s.ok()) guard_.Clear(user_id);
  return s;
}

Result<LoginResult> Accounts::Login(std::string_view username, std::string_view password) {
  return Login(username, password, clock_.WallSeconds());
}

Result<LoginResult> Accounts::Login(std::string_view username, std::string_view password,
                                    UnixSeconds now) {
  return Login(username, password, "", now);
}

int Accounts::LoginRetryAfter(const std::string& address, UnixSeconds now) {
  return guard_.RetryAfter(address, now);
}

Result<LoginResult> Accounts::Login(std::string_view username, std::string_view password,
                                    const std::string& address, UnixSeconds now,
                                    std::string_view otp) {
  const Status bad(Code::kUnauthenticated, "wrong username or password");
  std::string hash;
  auto found = store_->FindUser(username, &hash);
  if (!found.ok() && found.status().code() != Code::kNotFound) return found.status();
  const int64_t id = found.ok() ? found->id : 0;
  auto verdict = guard_.Admit(id, address, now);
  if (verdict == LoginGuard::Verdict::kThrottled)
    return Status::Unavailable("too many failed logins from this address");
  // Unknown names and locks cost the same Argon2id and answer the same: neither
  // can be told from a wrong password.
  bool check = id != 0 && verdict == LoginGuard::Verdict::kCheck && found->locked_until <= now;
  bool right = VerifyPassword(check ? hash : DummyHash(), password) && check;
  // The second factor is asked for only once the password is right: a missing code
  // is not a failure, a wrong one is.
  bool otp_required = false;
  if (right && !found->disabled && found->second_factor) {
    if (otp.empty())
      otp_required = true;
    else
      right = CheckCode(id, otp, now, /*pending=*/false).ok();
  }
  auto outcome = !right                            ? LoginGuard::Outcome::kFailed
                 : found->disabled || otp_required ? LoginGuard::Outcome::kNeither
                                                   : LoginGuard::Outcome::kSucceeded;
  guard_.Finish(id, address, verdict, outcome, now);
  if (otp_required) return LoginResult{.otp_required = true};
  if (outcome != LoginGuard::Outcome::kSucceeded) return bad;
  return StartSession(std::move(*found), now);
}

Result<LoginResult> Accounts::StartSession(User u, UnixSeconds now) {
  LoginResult r;
  r.token = NewSecret("eht_");
  r.expires = now + options_.token_ttl_seconds;
  auto evicted = store_->InsertToken(SecretHash(r.token), u.id, now, r.expires,
                                     options_.max_sessions_per_user);
  if (!evicted.ok()) return evicted.status();
  if (*evicted > 0) ClearCache();  // the sessions it ended may be cached
  u.failed_logins = 0;
  r.must_change_password = MustChangePassword(u, now);
  r.must_enroll_second_factor = MustEnrol(u);
  r.user = u;
  return r;
}

Result<LoginResult> Accounts::LoginExternal(const ExternalLogin& who, UnixSeconds now,
                                            bool* created) {
  *created = false;
  if (who.subject.empty()) return Status(Code::kUnauthenticated, "no subject");
  auto u = store_->FindUserBySubject(who.subject);
  if (!u.ok() && u.status().code() != Code::kNotFound) return u.status();
  if (!u.ok()) {
    if (!who.auto_create || !who.from_claims)
      return Status::NotFound("no account is linked to this identity");
    User row = *who.from_claims;
    row.oidc_subject = who.subject;
    row.oidc_claims = true;
    row.must_change_password = false;
    if (!ValidUsername(row.username))
      row.username = "oidc-" + SecretHash(who.subject).substr(0, 12);
    if (Status s = CheckNewUser(row); !s.ok()) return s;
    u = InsertUser(row, "!");  // no local password: "!" is no Argon2id string
    if (!u.ok()) return u.status();
    *created = true;
  }
  if (u->disabled) return Status(Code::kUnauthenticated, "the account is disabled");
  if (u->oidc_claims && !*created) {
    if (!who.from_claims)
      return Status(Code::kPermissionDenied,
                    "the identity provider's claims no longer give this account a role");
    const User& c = *who.from_claims;
    if (c.role != u->role || c.district_id != u->district_id || c.department != u->department ||
        c.display_name != u->display_name) {
      u->role = c.role;
      u->district_id = c.district_id;
      u->department = c.department;
      u->display_name = c.display_name;
      if (Status s = store_->UpdateUser(*u); !s.ok()) return s;
      ClearCache();  // the account's other sessions take the new rights at once
    }
  }
  return StartSession(std::move(*u), now);
}

UnixSeconds Accounts::PasswordExpires(const User& u) const {
  // An account linked to the identity provider logs in there: its local password, if
  // it has one, does not age (a reset by an administrator is still changed first).
  if (options_.password_max_age_days <= 0 || !u.oidc_subject.empty()) return 0;
  return u.password_changed + int64_t{options_.password_max_age_days} * 86400;
}

bool Accounts::MustChangePassword(const User& u, UnixSeconds now) const {
  UnixSeconds expires = PasswordExpires(u);
  return u.must_change_password || (expires != 0 && expires <= now);
}

bool Accounts::MustEnrol(const User& u) const {
  return options_.admin_second_factor && IsAdministrator(u.role) && !u.second_factor;
}

Result<std::string> Accounts::SealKey(const std::string& key) const {
  if (!keys_ || keys_->empty()) return key;
  return crypto::Sealer(keys_).Seal(key);
}

Result<std::string> Accounts::OpenKey(const std::string& stored) const {
  if (!crypto::Sealer::IsSealed(stored)) return stored;
  if (!keys_ || keys_->empty())
    return Status(Code::kPermissionDenied, "the second factor is sealed and no key is loaded");
  return crypto::Sealer(keys_).Open(stored);
}

Result<SecondFactorEnrolment> Accounts::EnrolSecondFactor(int64_t user_id) {
  auto u = store_->GetUser(user_id);
  if (!u.ok()) return u.status();
  std::string key = NewTotpKey();
  if (key.empty()) return Status(Code::kInternal, "no random bytes for a TOTP key");
  auto sealed = SealKey(key);
  if (!sealed.ok()) return sealed.status();
  std::lock_guard lock(totp_mu_);
  auto f = store_->GetSecondFactor(user_id);
  if (!f.ok()) return f.status();
  f->pending = *sealed;
  Status s = store_->SetSecondFactor(user_id, *f);
  if (!s.ok()) return s;
  std::string secret = Base32Encode(key);
  return SecondFactorEnrolment{secret, OtpauthUri(options_.totp_issuer, u->username, key)};
}

Status Accounts::CheckCode(int64_t user_id, std::string_view code, UnixSeconds now, bool pending) {
  std::lock_guard lock(totp_mu_);
  auto f = store_->GetSecondFactor(user_id);
  if (!f.ok()) return f.status();
  const std::string& stored = pending ? f->pending : f->key;
  if (stored.empty())
    return Status::InvalidInput(pending ? "no second factor is being enrolled"
                                        : "no second factor is active");
  auto key = OpenKey(stored);
  if (!key.ok()) return key.status();
  auto step = VerifyTotp(*key, code, now, f->last_step);
  if (!step) return Status::InvalidInput("wrong or already used code");
  f->last_step = *step;
  if (pending) {
    f->key = std::move(f->pending);
    f->pending.clear();
  }
  Status s = store_->SetSecondFactor(user_id, *f);
  if (s.ok() && pending) ClearCache();  // must_enroll_second_factor has changed
  return s;
}

Status Accounts::ConfirmSecondFactor(int64_t user_id, std::string_view code, UnixSeconds now) {
  return CheckCode(user_id, code, now, /*pending=*/true);
}

Status Accounts::DisableSecondFactor(int64_t user_id, std::string_view code, UnixSeconds now) {
  auto u = store_->GetUser(user_id);
  if (!u.ok()) return u.status();
  if (options_.admin_second_factor && IsAdministrator(u->role))
    return Status(Code::kConflict, "administrators must keep a second factor");
  Status s = CheckCode(user_id, code, now, /*pending=*/false);
  if (!s.ok()) return s;
  return ClearSecondFactor(user_id);
}

Status Accounts::ClearSecondFactor(int64_t user_id) {
  Status s;
  {
    std::lock_guard lock(totp_mu_);
    s = store_->SetSecondFactor(user_id, {});
  }
  ClearCache();
  return s;
}

Status Accounts::Logout(std::string_view token) {
  Status s = store_->DeleteToken(SecretHash(token));
  if (!s.ok()) return s;
  ClearCache();
  return Status::Ok();
}

Result<Principal> Accounts::PrincipalOf(const User& u, UnixSeconds now) {
  auto grants = store_->ActiveGrants(u.id, now);
  if (!grants.ok()) return grants.status();
  Principal p;
  p.role = u.role;
  p.user_id = u.id;
  p.name = "user:" + u.username;
  p.district_id = u.district_id;
  p.enterprise_id = u.enterprise_id;
  p.department = u.department;
  p.grants = std::move(*grants);
  p.separated_duties = options_.separation_of_duties;
  p.must_change_password = MustChangePassword(u, now);
  p.must_enroll_second_factor = MustEnrol(u);
  return p;
}

Result<Principal> Accounts::Authenticate(std::string_view bearer) {
  return Authenticate(bearer, clock_.WallSeconds());
}

Result<Principal> Accounts::Authenticate(std::string_view bearer, UnixSeconds now) {
  const Status bad(Code::kUnauthenticated, "invalid or expired token");
  if (bearer.empty() || bearer.size() > 200) return bad;
  std::string h = SecretHash(bearer);
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(h);
    if (it != cache_.end()) {
      if (now < it->second.expires && now < it->second.trusted_until) return it->second.who;
      cache_.erase(it);
    }
  }
  UnixSeconds expires = 0;
  auto p = Lookup(bearer, h, now, &expires);
  if (!p.ok()) return p.status().code() == Code::kUnauthenticated ? bad : p.status();
  for (const auto& g : p->grants) expires = std::min(expires, std::max(g.until, now + 1));
  std::lock_guard lock(cache_mu_);
  if (cache_.size() > 100000) cache_.clear();
  cache_[h] = {*p, expires, now + options_.cache_seconds};
  return p;
}

Result<Principal> Accounts::Lookup(std::string_view bearer, const std::string& hash,
                                   UnixSeconds now, UnixSeconds* expires) {
  const Status bad(Code::kUnauthenticated, "invalid or expired token");
  std::optional<ApiKey> key;
  int64_t user_id = 0;
  if (bearer.starts_with("ehk_")) {
    auto k = store_->FindKey(hash);
    if (!k.ok() || k->revoked || k->expires <= now) return bad;
    key = std::move(*k);
    user_id = key->owner_id;
    *expires = key->expires;
  } else {
    auto t = store_->FindToken(hash);
    if (!t.ok() || t->expires <= now || !KeepAlive(hash, *t, now).ok()) return bad;
    user_id = t->user_id;
    *expires = t->expires;
  }
  auto u = store_->GetUser(user_id);
  if (!u.ok() || u->disabled) return bad;
  auto p = PrincipalOf(*u, now);
  if (!p.ok() || !key) return p;
  p->key_id = key->id;
  p->name = "key:" + std::to_string(key->id);
  p->key_datasets = key->datasets;
  // A key issued for a data request carries that grant itself; any other key only
  // narrows its owner's rights.
  if (key->request_id != 0)
    for (const auto& d : key->datasets) p->grants.push_back({d, key->expires});
  return p;
}

Status Accounts::KeepAlive(const std::string& hash, const TokenRow& t, UnixSeconds now) {
  const int idle = options_.session_idle_seconds;
  if (idle > 0 && t.last_used + idle <= now) {
    store_->DeleteToken(hash);
    return Status(Code::kUnauthenticated, "the session was idle too long");
  }
  // A use that fails to be noted only makes the session end sooner.
  if (now - t.last_used >= kTouchSeconds) store_->TouchToken(hash, now);
  return Status::Ok();
}

Result<std::pair<ApiKey, std::string>> Accounts::CreateKey(const ApiKey& in, UnixSeconds now) {
  if (in.name.empty() || in.name.size() > 100)
    return Status::InvalidInput("a key needs a name of 1-100 bytes");
  if (in.expires <= now) return Status::InvalidInput("a key's expiry must be in the future");
  ApiKey k = in;
  std::string secret = NewSecret("ehk_");
  k.prefix = secret.substr(0, 10);
  k.created = now;
  k.revoked = false;
  auto id = store_->InsertKey(k, SecretHash(secret));
  if (!id.ok()) return id.status();
  k.id = *id;
  return std::make_pair(k, secret);
}

Result<std::vector<ApiKey>> Accounts::Keys(int64_t owner) { return store_->Keys(owner); }
Result<ApiKey> Accounts::GetKey(int64_t id) { return store_->GetKey(id); }

Status Accounts::RevokeKey(int64_t id) {
  Status s = store_->RevokeKey(id);
  if (!s.ok()) return s;
  ClearCache();
  return Status::Ok();
}

std::vector<Dataset> Accounts::Datasets() {
  std::vector<Dataset> out = BuiltinDatasets();
  auto bodies = store_->DatasetBodies();
  if (!bodies.ok()) return out;
  for (const std::string& body : *bodies) {
    auto d = DatasetFromJson(nlohmann::json::parse(body, nullptr, false));
    if (d.ok()) out.push_back(std::move(*d));
  }
  return out;
}

Result<Dataset> Accounts::GetDataset(std::string_view id) {
  for (auto& d : Datasets())
    if (d.id == id) return d;
  return Status::NotFound("no such dataset: " + std::string(id));
}

Status Accounts::PutDataset(const Dataset& d, UnixSeconds now) {
  for (const auto& b : BuiltinDatasets())
    if (b.id == d.id) return Status(Code::kConflict, "a built-in dataset cannot be replaced");
  nlohmann::ordered_json j = DatasetToJson(d);
  for (const char* k : {"endpoint", "builtin"}) j.erase(k);
  return store_->PutDataset(d.id, j.dump(), now);
}

Result<DataRequest> Accounts::CreateRequest(const DataRequest& in, UnixSeconds now) {
  auto d = GetDataset(in.dataset);
  if (!d.ok()) return d.status();
  if (in.purpose.empty() || in.purpose.size() > 2000)
    return Status::InvalidInput("purpose must be 1-2000 bytes");
  if (in.until <= now) return Status::InvalidInput("access must be asked until a future time");
  if (in.until > now + 366 * 86400)
    return Status::InvalidInput("access is granted for a year at most");
  if (in.delivery != "account" && in.delivery != "key")
    return Status::InvalidInput("delivery must be 'account' or 'key'");
  DataRequest stored = in;
  stored.status = "pending";
  stored.created = now;
  stored.decided_by = 0;
  stored.reason.clear();
  stored.decided = 0;
  stored.key_id = 0;
  auto id = store_->InsertRequest(stored);
  if (!id.ok()) return id.status();
  DataRequest r = in;
  r.id = *id;
  r.status = "pending";
  r.created = now;
  return r;
}

Result<DataRequest> Accounts::GetRequest(int64_t id, UnixSeconds now) {
  auto r = store_->GetRequest(id);
  if (!r.ok()) return r.status();
  return AsOf(std::move(*r), now);
}

Result<std::vector<DataRequest>> Accounts::Requests(UnixSeconds now) {
  auto all = store_->Requests();
  if (!all.ok()) return all.status();
  for (auto& r : *all) r = AsOf(std::move(r), now);
  return all;
}

Result<DataRequest> Accounts::Decide(int64_t id, bool approve, int64_t decider,
                                     std::string_view reason, UnixSeconds now,
                                     std::string* key_secret) {
  auto r = GetRequest(id, now);
  if (!r.ok()) return r.status();
  if (r->status != "pending")
    return Status(Code::kConflict, "request " + std::to_string(id) + " is already " + r->status);
  if (!approve && reason.empty()) return Status::InvalidInput("a refusal needs a reason");
  if (approve && r->until <= now)
    return Status(Code::kConflict, "the access period asked for has already ended");
  if (approve && r->delivery == "key") {
    ApiKey k;
    k.name = "data request " + std::to_string(id) + ": " + r->dataset;
    k.owner_id = r->requester_id;
    k.datasets = {r->dataset};
    k.expires = r->until;
    k.request_id = id;
    auto created = CreateKey(k, now);
    if (!created.ok()) return created.status();
    r->key_id = created->first.id;
    if (key_secret) *key_secret = created->second;
  }
  r->status = approve ? "approved" : "refused";
  r->decided_by = decider;
  r->reason = std::string(reason);
  r->decided = now;
  std::optional<Grant> grant;
  if (approve && r->delivery == "account") grant = Grant{r->dataset, r->until};
  Status s = store_->DecideRequest(*r, grant);
  if (!s.ok()) return s;
  ClearCache();  // the requester's next request sees the grant
  std::string text = approve ? "数据申请 #" + std::to_string(id) + " (" + r->dataset +
                                   ") 已批准，有效期至 " + FormatRfc3339Beijing(r->until)
                             : "数据申请 #" + std::to_string(id) + " (" + r->dataset +
                                   ") 未获批准：" + std::string(reason);
  Notify(r->requester_id, text, "data-request:" + std::to_string(id), now);
  return *r;
}

Result<DataRequest> Accounts::Revoke(int64_t id, std::string_view reason, UnixSeconds now) {
  if (reason.empty()) return Status::InvalidInput("a revocation needs a reason");
  if (Status s = store_->RevokeRequest(id, reason, now); !s.ok()) return s;
  auto r = GetRequest(id, now);
  if (!r.ok()) return r.status();
  if (r->key_id != 0)
    if (Status s = RevokeKey(r->key_id); !s.ok() && s.code() != Code::kNotFound) return s;
  ClearCache();  // the grant stops working at the requester's next request
  Notify(r->requester_id,
         "数据申请 #" + std::to_string(id) + " (" + r->dataset + ") 的授权已撤销：" +
             std::string(reason),
         "data-request:" + std::to_string(id), now);
  return r;
}

Status Accounts::Notify(int64_t user_id, std::string_view text, std::string_view object,
                        UnixSeconds now) {
  return store_->InsertNotification(
      Notification{0, user_id, now, std::string(text), std::string(object)});
}

Result<std::vector<Notification>> Accounts::Notifications(int64_t user_id, size_t limit) {
  return store_->Notifications(user_id, limit);
}

}  // namespace ecohub::auth
