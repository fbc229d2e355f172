#include "auth/accounts.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>

#include "auth/secrets.h"
#include "store/sqlite_util.h"

namespace ecohub::auth {

using store::Error;
using store::Exec;
using store::InTransaction;
using store::Stmt;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
  role TEXT NOT NULL, district_id INTEGER NOT NULL, enterprise_id INTEGER NOT NULL,
  department TEXT NOT NULL, password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
  hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, created INTEGER NOT NULL,
  expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, owner_id INTEGER NOT NULL,
  hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL, datasets TEXT NOT NULL,
  created INTEGER NOT NULL, expires INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0,
  request_id INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS datasets (
  id TEXT PRIMARY KEY, body TEXT NOT NULL, updated INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS data_requests (
  id INTEGER PRIMARY KEY, dataset TEXT NOT NULL, requester_id INTEGER NOT NULL,
  department TEXT NOT NULL, purpose TEXT NOT NULL, until INTEGER NOT NULL,
  delivery TEXT NOT NULL, status TEXT NOT NULL, decided_by INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL, decided INTEGER NOT NULL DEFAULT 0,
  key_id INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS grants (
  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, dataset TEXT NOT NULL,
  until INTEGER NOT NULL, request_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS grants_user ON grants (user_id);
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, t INTEGER NOT NULL, text TEXT NOT NULL,
  object TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notifications_user ON notifications (user_id, id);
)sql";

constexpr const char* kUserColumns =
    "id, username, display_name, role, district_id, enterprise_id, department, disabled, "
    "failed, locked_until, created, password_hash";

User ReadUser(const Stmt& q, std::string* hash = nullptr) {
  User u;
  u.id = q.Int(0);
  u.username = q.Text(1);
  u.display_name = q.Text(2);
  u.role = ParseRole(q.Text(3)).value_or(Role::kPublic);
  u.district_id = q.Int(4);
  u.enterprise_id = q.Int(5);
  u.department = q.Text(6);
  u.disabled = q.Int(7) != 0;
  u.failed_logins = static_cast<int>(q.Int(8));
  u.locked_until = q.Int(9);
  u.created = q.Int(10);
  if (hash) *hash = q.Text(11);
  return u;
}

std::string JoinList(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }
std::vector<std::string> SplitList(const std::string& s) {
  auto j = nlohmann::json::parse(s, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& e : j)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

ApiKey ReadKey(const Stmt& q) {
  ApiKey k;
  k.id = q.Int(0);
  k.name = q.Text(1);
  k.owner_id = q.Int(2);
  k.prefix = q.Text(3);
  k.datasets = SplitList(q.Text(4));
  k.created = q.Int(5);
  k.expires = q.Int(6);
  k.revoked = q.Int(7) != 0;
  k.request_id = q.Int(8);
  return k;
}
constexpr const char* kKeyColumns =
    "id, name, owner_id, prefix, datasets, created, expires, revoked, request_id";

constexpr const char* kRequestColumns =
    "id, dataset, requester_id, department, purpose, until, delivery, status, decided_by, "
    "reason, created, decided, key_id";
DataRequest ReadRequest(const Stmt& q, UnixSeconds now) {
  DataRequest r;
  r.id = q.Int(0);
  r.dataset = q.Text(1);
  r.requester_id = q.Int(2);
  r.department = q.Text(3);
  r.purpose = q.Text(4);
  r.until = q.Int(5);
  r.delivery = q.Text(6);
  r.status = q.Text(7);
  r.decided_by = q.Int(8);
  r.reason = q.Text(9);
  r.created = q.Int(10);
  r.decided = q.Int(11);
  r.key_id = q.Int(12);
  // An approval lapses at its end: shown as expired, and the grant stops working.
  if (r.status == "approved" && r.until <= now) r.status = "expired";
  return r;
}

bool ValidUsername(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '@';
  });
}

}  // namespace

std::string ActorName(const Principal& p) { return p.name; }

Accounts::Accounts(sqlite3* db, const AccountOptions& o) : db_(db), options_(o) {}
Accounts::~Accounts() { sqlite3_close_v2(db_); }

Result<std::unique_ptr<Accounts>> Accounts::Open(const std::string& data_dir,
                                                 const AccountOptions& options) {
  Status s = InitSecrets();
  if (!s.ok()) return s;
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  std::string path = (std::filesystem::path(data_dir) / "accounts.db").string();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Status e = Error(db, "open accounts.db");
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<Accounts> a(new Accounts(db, options));
  s = Exec(db, "PRAGMA journal_mode=WAL");
  if (s.ok()) s = Exec(db, "PRAGMA synchronous=FULL");
  if (s.ok()) s = Exec(db, kSchema);
  if (!s.ok()) return s;
  return a;
}

void Accounts::ClearCache() {
  std::lock_guard lock(cache_mu_);
  cache_.clear();
}

Result<User> Accounts::CreateUser(const User& in, std::string_view password) {
  if (!ValidUsername(in.username))
    return Status::InvalidInput("username must be 1-64 characters of A-Z a-z 0-9 . _ - @");
  if (in.role == Role::kPublic) return Status::InvalidInput("the public has no accounts");
  if (in.role == Role::kEnterprise && in.enterprise_id <= 0)
    return Status::InvalidInput("an enterprise account needs enterprise_id");
  if (in.role == Role::kPartner && in.department.empty())
    return Status::InvalidInput("a partner account needs its department");
  Status s = CheckPasswordRule(password);
  if (!s.ok()) return s;
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  std::lock_guard lock(mu_);
  Stmt q(db_,
         "INSERT INTO users (username, display_name, role, district_id, enterprise_id, "
         "department, password_hash, disabled, created) VALUES (?,?,?,?,?,?,?,?,?)");
  q.Bind(1, in.username)
      .Bind(2, in.display_name.empty() ? in.username : in.display_name)
      .Bind(3, RoleName(in.role))
      .Bind(4, in.district_id)
      .Bind(5, in.enterprise_id)
      .Bind(6, in.department)
      .Bind(7, *hash)
      .Bind(8, int64_t{in.disabled})
      .Bind(9, WallSeconds());
  int rc = q.Step();
  if (rc == SQLITE_CONSTRAINT) return Status(Code::kConflict, "username is taken: " + in.username);
  if (rc != SQLITE_DONE) return Error(db_, "create user");
  User u = in;
  u.id = sqlite3_last_insert_rowid(db_);
  if (u.display_name.empty()) u.display_name = u.username;
  return u;
}

Result<User> Accounts::GetUser(int64_t id) {
  std::lock_guard lock(mu_);
  Stmt q(db_, (std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?").c_str());
  q.Bind(1, id);
  if (q.Step() != SQLITE_ROW) return Status::NotFound("no such user");
  return ReadUser(q);
}

Result<User> Accounts::FindUser(std::string_view name) {
  std::lock_guard lock(mu_);
  Stmt q(db_, (std::string("SELECT ") + kUserColumns + " FROM users WHERE username = ?").c_str());
  q.Bind(1, name);
  if (q.Step() != SQLITE_ROW) return Status::NotFound("no such user");
  return ReadUser(q);
}

Result<std::vector<User>> Accounts::Users() {
  std::lock_guard lock(mu_);
  Stmt q(db_, (std::string("SELECT ") + kUserColumns + " FROM users ORDER BY id").c_str());
  std::vector<User> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) out.push_back(ReadUser(q));
  if (rc != SQLITE_DONE) return Error(db_, "list users");
  return out;
}

Status Accounts::UpdateUser(const User& u) {
  if (u.role == Role::kPublic) return Status::InvalidInput("the public has no accounts");
  if (u.role == Role::kEnterprise && u.enterprise_id <= 0)
    return Status::InvalidInput("an enterprise account needs enterprise_id");
  {
    std::lock_guard lock(mu_);
    Stmt q(db_,
           "UPDATE users SET display_name = ?, role = ?, district_id = ?, enterprise_id = ?, "
           "department = ?, disabled = ? WHERE id = ?");
    q.Bind(1, u.display_name)
        .Bind(2, RoleName(u.role))
        .Bind(3, u.district_id)
        .Bind(4, u.enterprise_id)
        .Bind(5, u.department)
        .Bind(6, int64_t{u.disabled})
        .Bind(7, u.id);
    if (q.Step() != SQLITE_DONE) return Error(db_, "update user");
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such user");
    if (u.disabled) {
      Stmt d(db_, "DELETE FROM tokens WHERE user_id = ?");
      d.Bind(1, u.id);
      d.Step();
    }
  }
  ClearCache();  // a role or district change applies to the next request
  return Status::Ok();
}

Status Accounts::SetPassword(int64_t user_id, std::string_view password) {
  Status s = CheckPasswordRule(password);
  if (!s.ok()) return s;
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  {
    std::lock_guard lock(mu_);
    s = InTransaction(db_, [&] {
      Stmt q(db_, "UPDATE users SET password_hash = ?, failed = 0, locked_until = 0 WHERE id = ?");
      q.Bind(1, *hash).Bind(2, user_id);
      if (q.Step() != SQLITE_DONE) return Error(db_, "set password");
      if (sqlite3_changes(db_) == 0) return Status::NotFound("no such user");
      Stmt d(db_, "DELETE FROM tokens WHERE user_id = ?");
      d.Bind(1, user_id);
      return d.Step() == SQLITE_DONE ? Status::Ok() : Error(db_, "end sessions");
    });
  }
  ClearCache();
  return s;
}

Result<LoginResult> Accounts::Login(std::string_view username, std::string_view password,
                                    UnixSeconds now) {
  const Status bad(Code::kUnauthenticated, "wrong username or password");
  std::string hash;
  User u;
  {
    std::lock_guard lock(mu_);
    Stmt q(db_, (std::string("SELECT ") + kUserColumns + " FROM users WHERE username = ?").c_str());
    q.Bind(1, username);
    if (q.Step() != SQLITE_ROW) {
      // Spend the same time as a real check, so that unknown names do not answer faster.
      VerifyPassword("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$ZmFrZWhhc2hmYWtlaGFzaA", password);
      return bad;
    }
    u = ReadUser(q, &hash);
  }
  if (u.locked_until > now)
    return Status(Code::kPermissionDenied, "account locked after repeated failures until " +
                                               FormatRfc3339Beijing(u.locked_until));
  bool ok = VerifyPassword(hash, password);
  std::lock_guard lock(mu_);
  if (!ok || u.disabled) {
    if (!ok) {
      int failed = u.failed_logins + 1;
      Stmt q(db_, "UPDATE users SET failed = ?, locked_until = ? WHERE id = ?");
      q.Bind(1, int64_t{failed >= options_.max_failed_logins ? 0 : failed})
          .Bind(2, failed >= options_.max_failed_logins ? now + options_.lockout_seconds : 0)
          .Bind(3, u.id);
      q.Step();
    }
    return bad;
  }
  LoginResult r;
  r.token = NewSecret("eht_");
  r.expires = now + options_.token_ttl_seconds;
  Status s = InTransaction(db_, [&] {
    Stmt q(db_, "INSERT INTO tokens (hash, user_id, created, expires) VALUES (?,?,?,?)");
    q.Bind(1, SecretHash(r.token)).Bind(2, u.id).Bind(3, now).Bind(4, r.expires);
    if (q.Step() != SQLITE_DONE) return Error(db_, "store token");
    Stmt c(db_, "UPDATE users SET failed = 0 WHERE id = ?");
    c.Bind(1, u.id);
    if (c.Step() != SQLITE_DONE) return Error(db_, "reset failures");
    // Expired tokens are cleaned up here, at a rate of logins.
    Stmt d(db_, "DELETE FROM tokens WHERE expires <= ?");
    d.Bind(1, now);
    return d.Step() == SQLITE_DONE ? Status::Ok() : Error(db_, "prune tokens");
  });
  if (!s.ok()) return s;
  u.failed_logins = 0;
  r.user = u;
  return r;
}

Status Accounts::Logout(std::string_view token) {
  {
    std::lock_guard lock(mu_);
    Stmt q(db_, "DELETE FROM tokens WHERE hash = ?");
    q.Bind(1, SecretHash(token));
    if (q.Step() != SQLITE_DONE) return Error(db_, "logout");
  }
  ClearCache();
  return Status::Ok();
}

std::vector<Grant> Accounts::ActiveGrants(int64_t user_id, UnixSeconds now) {
  std::vector<Grant> out;
  Stmt q(db_, "SELECT dataset, until FROM grants WHERE user_id = ? AND until > ?");
  q.Bind(1, user_id).Bind(2, now);
  while (q.Step() == SQLITE_ROW) out.push_back({q.Text(0), q.Int(1)});
  return out;
}

Result<Principal> Accounts::PrincipalOf(const User& u, UnixSeconds now) {
  Principal p;
  p.role = u.role;
  p.user_id = u.id;
  p.name = "user:" + u.username;
  p.district_id = u.district_id;
  p.enterprise_id = u.enterprise_id;
  p.department = u.department;
  p.grants = ActiveGrants(u.id, now);
  return p;
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
  Principal p;
  UnixSeconds expires = 0;
  {
    std::lock_guard lock(mu_);
    bool is_key = bearer.starts_with("ehk_");
    int64_t user_id = 0;
    ApiKey key;
    if (is_key) {
      Stmt q(db_, (std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE hash = ?").c_str());
      q.Bind(1, h);
      if (q.Step() != SQLITE_ROW) return bad;
      key = ReadKey(q);
      if (key.revoked || key.expires <= now) return bad;
      user_id = key.owner_id;
      expires = key.expires;
    } else {
      Stmt q(db_, "SELECT user_id, expires FROM tokens WHERE hash = ?");
      q.Bind(1, h);
      if (q.Step() != SQLITE_ROW || q.Int(1) <= now) return bad;
      user_id = q.Int(0);
      expires = q.Int(1);
    }
    Stmt q(db_, (std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?").c_str());
    q.Bind(1, user_id);
    if (q.Step() != SQLITE_ROW) return bad;
    User u = ReadUser(q);
    if (u.disabled) return bad;
    auto pr = PrincipalOf(u, now);
    if (!pr.ok()) return pr.status();
    p = std::move(*pr);
    if (is_key) {
      p.key_id = key.id;
      p.name = "key:" + std::to_string(key.id);
      p.key_datasets = key.datasets;
      // A key issued for a data request carries that grant itself; any other key
      // only narrows its owner's rights.
      if (key.request_id != 0)
        for (const auto& d : key.datasets) p.grants.push_back({d, key.expires});
    }
  }
  for (const auto& g : p.grants) expires = std::min(expires, std::max(g.until, now + 1));
  std::lock_guard lock(cache_mu_);
  if (cache_.size() > 100000) cache_.clear();
  cache_[h] = {p, expires, now + options_.cache_seconds};
  return p;
}

Result<std::pair<ApiKey, std::string>> Accounts::CreateKey(const ApiKey& in, UnixSeconds now) {
  if (in.name.empty() || in.name.size() > 100)
    return Status::InvalidInput("a key needs a name of 1-100 bytes");
  if (in.expires <= now) return Status::InvalidInput("a key's expiry must be in the future");
  ApiKey k = in;
  std::string secret = NewSecret("ehk_");
  k.prefix = secret.substr(0, 10);
  k.created = now;
  std::lock_guard lock(mu_);
  Stmt q(db_,
         "INSERT INTO api_keys (name, owner_id, hash, prefix, datasets, created, expires, "
         "request_id) VALUES (?,?,?,?,?,?,?,?)");
  q.Bind(1, k.name)
      .Bind(2, k.owner_id)
      .Bind(3, SecretHash(secret))
      .Bind(4, k.prefix)
      .Bind(5, JoinList(k.datasets))
      .Bind(6, now)
      .Bind(7, k.expires)
      .Bind(8, k.request_id);
  if (q.Step() != SQLITE_DONE) return Error(db_, "create key");
  k.id = sqlite3_last_insert_rowid(db_);
  return std::make_pair(k, secret);
}

Result<std::vector<ApiKey>> Accounts::Keys(int64_t owner) {
  std::lock_guard lock(mu_);
  Stmt q(db_, (std::string("SELECT ") + kKeyColumns +
               " FROM api_keys WHERE ?1 = 0 OR owner_id = ?1 ORDER BY id")
                  .c_str());
  q.Bind(1, owner);
  std::vector<ApiKey> out;
  while (q.Step() == SQLITE_ROW) out.push_back(ReadKey(q));
  return out;
}

Result<ApiKey> Accounts::GetKey(int64_t id) {
  std::lock_guard lock(mu_);
  Stmt q(db_, (std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE id = ?").c_str());
  q.Bind(1, id);
  if (q.Step() != SQLITE_ROW) return Status::NotFound("no such key");
  return ReadKey(q);
}

Status Accounts::RevokeKey(int64_t id) {
  {
    std::lock_guard lock(mu_);
    Stmt q(db_, "UPDATE api_keys SET revoked = 1 WHERE id = ?");
    q.Bind(1, id);
    if (q.Step() != SQLITE_DONE) return Error(db_, "revoke key");
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such key");
  }
  ClearCache();
  return Status::Ok();
}

std::vector<Dataset> Accounts::Datasets() {
  std::vector<Dataset> out = BuiltinDatasets();
  std::lock_guard lock(mu_);
  Stmt q(db_, "SELECT body FROM datasets ORDER BY id");
  while (q.Step() == SQLITE_ROW) {
    auto j = nlohmann::json::parse(q.Text(0), nullptr, false);
    auto d = DatasetFromJson(j);
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
  std::lock_guard lock(mu_);
  Stmt q(db_, "INSERT OR REPLACE INTO datasets (id, body, updated) VALUES (?,?,?)");
  q.Bind(1, d.id).Bind(2, j.dump()).Bind(3, now);
  return q.Step() == SQLITE_DONE ? Status::Ok() : Error(db_, "put dataset");
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
  std::lock_guard lock(mu_);
  Stmt q(db_,
         "INSERT INTO data_requests (dataset, requester_id, department, purpose, until, "
         "delivery, status, created) VALUES (?,?,?,?,?,?,'pending',?)");
  q.Bind(1, in.dataset)
      .Bind(2, in.requester_id)
      .Bind(3, in.department)
      .Bind(4, in.purpose)
      .Bind(5, in.until)
      .Bind(6, in.delivery)
      .Bind(7, now);
  if (q.Step() != SQLITE_DONE) return Error(db_, "create request");
  DataRequest r = in;
  r.id = sqlite3_last_insert_rowid(db_);
  r.status = "pending";
  r.created = now;
  return r;
}

Result<DataRequest> Accounts::GetRequest(int64_t id, UnixSeconds now) {
  std::lock_guard lock(mu_);
  Stmt q(db_,
         (std::string("SELECT ") + kRequestColumns + " FROM data_requests WHERE id = ?").c_str());
  q.Bind(1, id);
  if (q.Step() != SQLITE_ROW) return Status::NotFound("no such request");
  return ReadRequest(q, now);
}

Result<std::vector<DataRequest>> Accounts::Requests(UnixSeconds now) {
  std::lock_guard lock(mu_);
  Stmt q(
      db_,
      (std::string("SELECT ") + kRequestColumns + " FROM data_requests ORDER BY id DESC").c_str());
  std::vector<DataRequest> out;
  while (q.Step() == SQLITE_ROW) out.push_back(ReadRequest(q, now));
  return out;
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
  {
    std::lock_guard lock(mu_);
    Status s = InTransaction(db_, [&] {
      Stmt q(db_,
             "UPDATE data_requests SET status = ?, decided_by = ?, reason = ?, decided = ?, "
             "key_id = ? WHERE id = ? AND status = 'pending'");
      q.Bind(1, approve ? "approved" : "refused")
          .Bind(2, decider)
          .Bind(3, reason)
          .Bind(4, now)
          .Bind(5, r->key_id)
          .Bind(6, id);
      if (q.Step() != SQLITE_DONE) return Error(db_, "decide request");
      if (approve && r->delivery == "account") {
        Stmt g(db_, "INSERT INTO grants (user_id, dataset, until, request_id) VALUES (?,?,?,?)");
        g.Bind(1, r->requester_id).Bind(2, r->dataset).Bind(3, r->until).Bind(4, id);
        if (g.Step() != SQLITE_DONE) return Error(db_, "grant");
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
  }
  ClearCache();  // the requester's next request sees the grant
  r->status = approve ? "approved" : "refused";
  r->decided_by = decider;
  r->reason = std::string(reason);
  r->decided = now;
  std::string text = approve ? "数据申请 #" + std::to_string(id) + " (" + r->dataset +
                                   ") 已批准，有效期至 " + FormatRfc3339Beijing(r->until)
                             : "数据申请 #" + std::to_string(id) + " (" + r->dataset +
                                   ") 未获批准：" + std::string(reason);
  Notify(r->requester_id, text, "data-request:" + std::to_string(id), now);
  return *r;
}

Status Accounts::Notify(int64_t user_id, std::string_view text, std::string_view object,
                        UnixSeconds now) {
  std::lock_guard lock(mu_);
  Stmt q(db_, "INSERT INTO notifications (user_id, t, text, object) VALUES (?,?,?,?)");
  q.Bind(1, user_id).Bind(2, now).Bind(3, text).Bind(4, object);
  return q.Step() == SQLITE_DONE ? Status::Ok() : Error(db_, "notify");
}

Result<std::vector<Notification>> Accounts::Notifications(int64_t user_id, size_t limit) {
  std::lock_guard lock(mu_);
  Stmt q(db_,
         "SELECT id, user_id, t, text, object FROM notifications WHERE user_id = ? ORDER BY id "
         "DESC LIMIT ?");
  q.Bind(1, user_id).Bind(2, static_cast<int64_t>(limit));
  std::vector<Notification> out;
  while (q.Step() == SQLITE_ROW)
    out.push_back({q.Int(0), q.Int(1), q.Int(2), q.Text(3), q.Text(4)});
  return out;
}

}  // namespace ecohub::auth
