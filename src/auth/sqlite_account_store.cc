#include "auth/sqlite_account_store.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "auth/account_sql.h"
#include "store/sqlite/db.h"

namespace ecohub::auth {

namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

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
CREATE TABLE IF NOT EXISTS password_history (
  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS password_history_user ON password_history (user_id, id);
)sql";

// Changes to kSchema, in order (Db::Migrate counts those applied).
constexpr const char* kMigrations[] = {
    // 1: level-3 accounts: password age and forced change, the TOTP second factor,
    // idle sessions. Passwords already set count from the upgrade.
    R"sql(
ALTER TABLE users ADD COLUMN password_changed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_step INTEGER NOT NULL DEFAULT 0;
UPDATE users SET password_changed = CAST(strftime('%s', 'now') AS INTEGER);
ALTER TABLE tokens ADD COLUMN last_used INTEGER NOT NULL DEFAULT 0;
UPDATE tokens SET last_used = created;
CREATE INDEX IF NOT EXISTS tokens_user ON tokens (user_id, created);
)sql",
    // 2: OpenID Connect: the provider's subject a user logs in as (NULL: none, so that
    // the unique index allows any number of unlinked users).
    R"sql(
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
ALTER TABLE users ADD COLUMN oidc_claims INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX IF NOT EXISTS users_oidc ON users (oidc_subject);
)sql",
};

// Statements built from shared column lists once; Db::Cached finds them by address.
const std::string kUserSelect = kUserSelectSql;
const std::string kUserById = kUserSelect + "WHERE id = ?";
const std::string kUserByName = kUserSelect + "WHERE username = ?";
const std::string kUserBySubject = kUserSelect + "WHERE oidc_subject = ?";
const std::string kUsersAll = kUserSelect + "ORDER BY id";
const std::string kKeySelect = kKeySelectSql;
const std::string kKeysOf = kKeySelect + "WHERE ?1 = 0 OR owner_id = ?1 ORDER BY id";
const std::string kKeyById = kKeySelect + "WHERE id = ?";
const std::string kKeyByHash = kKeySelect + "WHERE hash = ?";
const std::string kRequestSelect = kRequestSelectSql;
const std::string kRequestById = kRequestSelect + "WHERE id = ?";
const std::string kRequestsAll = kRequestSelect + "ORDER BY id DESC";

User ReadUser(const Stmt& q) {
  return User{q.Int(0),
              q.Text(1),
              q.Text(2),
              ParseRole(q.Text(3)).value_or(Role::kPublic),
              q.Int(4),
              q.Int(5),
              q.Text(6),
              q.Int(7) != 0,
              static_cast<int>(q.Int(8)),
              q.Int(9),
              q.Int(10),
              q.Int(12),
              q.Int(13) != 0,
              q.Int(14) != 0,
              q.Text(15),
              q.Int(16) != 0};
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
  return ApiKey{q.Int(0), q.Text(1), q.Int(2),      q.Text(3), SplitList(q.Text(4)),
                q.Int(5), q.Int(6),  q.Int(7) != 0, q.Int(8)};
}

DataRequest ReadRequest(const Stmt& q) {
  return DataRequest{q.Int(0),  q.Text(1), q.Int(2),  q.Text(3), q.Text(4), q.Int(5), q.Text(6),
                     q.Text(7), q.Int(8),  q.Text(9), q.Int(10), q.Int(11), q.Int(12)};
}

class SqliteAccountStore final : public AccountStore {
 public:
  explicit SqliteAccountStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    return store::sqlite::ReadTables(*db_, kAccountTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("accounts");
  }

  Result<int64_t> InsertUser(const User& u, std::string_view password_hash) override {
    std::lock_guard lock(db_->mu());
    return db_->InsertReturningId(
        "INSERT INTO users (username, display_name, role, district_id, enterprise_id, "
        "department, password_hash, disabled, created, password_changed, must_change, "
        "oidc_subject, oidc_claims) VALUES (?,?,?,?,?,?,?,?,?,?,?,NULLIF(?, ''),?) RETURNING id",
        "create user", u.username, u.display_name, RoleName(u.role), u.district_id, u.enterprise_id,
        u.department, password_hash, u.disabled, u.created, u.password_changed,
        u.must_change_password, u.oidc_subject, u.oidc_claims);
  }
  Result<User> GetUser(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(kUserById.c_str(), "no such user", ReadUser, id);
  }
  Result<User> FindUser(std::string_view username, std::string* password_hash) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(
        kUserByName.c_str(), "no such user",
        [&](const Stmt& q) {
          if (password_hash) *password_hash = q.Text(11);
          return ReadUser(q);
        },
        username);
  }
  Result<User> FindUserBySubject(std::string_view subject) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(kUserBySubject.c_str(), "no such user", ReadUser, subject);
  }
  Result<std::vector<User>> Users() override {
    std::lock_guard lock(db_->mu());
    return db_->Query(kUsersAll.c_str(), "list users", ReadUser);
  }
  Status UpdateUser(const User& u) override {
    std::lock_guard lock(db_->mu());
    Status s = db_->Run(
        "UPDATE users SET display_name = ?, role = ?, district_id = ?, enterprise_id = ?, "
        "department = ?, disabled = ?, oidc_subject = NULLIF(?, ''), oidc_claims = ? "
        "WHERE id = ?",
        "update user", u.display_name, RoleName(u.role), u.district_id, u.enterprise_id,
        u.department, u.disabled, u.oidc_subject, u.oidc_claims, u.id);
    return s.ok() ? Changed("no such user") : s;
  }
  Status SetPasswordHash(int64_t user_id, std::string_view password_hash, UnixSeconds changed,
                         bool must_change) override {
    std::lock_guard lock(db_->mu());
    return db_->InTransaction([&] {
      // The hash being replaced joins the history, which keeps the last few.
      Status s = db_->Run(
          "INSERT INTO password_history (user_id, hash) "
          "SELECT id, password_hash FROM users WHERE id = ?",
          "keep password history", user_id);
      if (s.ok())
        s = db_->Run(
            "DELETE FROM password_history WHERE user_id = ?1 AND id NOT IN "
            "(SELECT id FROM password_history WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2)",
            "trim password history", user_id, kPasswordHistory);
      if (s.ok())
        s = db_->Run(
            "UPDATE users SET password_hash = ?, failed = 0, locked_until = 0, "
            "password_changed = ?, must_change = ? WHERE id = ?",
            "set password", password_hash, changed, must_change, user_id);
      if (s.ok()) s = Changed("no such user");
      if (!s.ok()) return s;
      return db_->Run("DELETE FROM tokens WHERE user_id = ?", "end sessions", user_id);
    });
  }
  Result<std::vector<std::string>> PasswordHistory(int64_t user_id) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(
        "SELECT password_hash FROM users WHERE id = ?1 UNION ALL "
        "SELECT hash FROM (SELECT hash FROM password_history WHERE user_id = ?1 "
        "ORDER BY id DESC LIMIT ?2)",
        "read password history", [](const Stmt& q) { return q.Text(0); }, user_id,
        static_cast<int64_t>(kPasswordHistory - 1));
  }
  Status SetFailedLogins(int64_t user_id, int failed, UnixSeconds locked_until) override {
    std::lock_guard lock(db_->mu());
    return db_->Run("UPDATE users SET failed = ?, locked_until = ? WHERE id = ?",
                    "count failed login", failed, locked_until, user_id);
  }

  Result<SecondFactor> GetSecondFactor(int64_t user_id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(
        "SELECT totp_key, totp_pending, totp_step FROM users WHERE id = ?", "no such user",
        [](const Stmt& q) {
          return SecondFactor{q.Text(0), q.Text(1), q.Int(2)};
        },
        user_id);
  }
  Status SetSecondFactor(int64_t user_id, const SecondFactor& f) override {
    std::lock_guard lock(db_->mu());
    Status s =
        db_->Run("UPDATE users SET totp_key = ?, totp_pending = ?, totp_step = ? WHERE id = ?",
                 "set second factor", f.key, f.pending, f.last_step, user_id);
    return s.ok() ? Changed("no such user") : s;
  }

  Result<int> InsertToken(std::string_view hash, int64_t user_id, UnixSeconds created,
                          UnixSeconds expires, int keep) override {
    std::lock_guard lock(db_->mu());
    int evicted = 0;
    Status st = db_->InTransaction([&] {
      Status s = db_->Run(
          "INSERT INTO tokens (hash, user_id, created, expires, last_used) VALUES (?,?,?,?,?)",
          "store token", hash, user_id, created, expires, created);
      if (s.ok())
        s = db_->Run("UPDATE users SET failed = 0 WHERE id = ?", "reset failures", user_id);
      // Expired tokens are cleaned up here, at a rate of logins.
      if (s.ok()) s = db_->Run("DELETE FROM tokens WHERE expires <= ?", "prune tokens", created);
      if (s.ok())
        s = db_->Run(
            "DELETE FROM tokens WHERE user_id = ?1 AND hash NOT IN (SELECT hash FROM tokens "
            "WHERE user_id = ?1 ORDER BY created DESC, rowid DESC LIMIT ?2)",
            "end the oldest sessions", user_id, static_cast<int64_t>(std::max(keep, 1)));
      if (s.ok()) evicted = static_cast<int>(db_->Changes());
      return s;
    });
    if (!st.ok()) return st;
    return evicted;
  }
  Result<TokenRow> FindToken(std::string_view hash) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(
        "SELECT user_id, expires, last_used FROM tokens WHERE hash = ?", "no such token",
        [](const Stmt& q) {
          return TokenRow{q.Int(0), q.Int(1), q.Int(2)};
        },
        hash);
  }
  Status TouchToken(std::string_view hash, UnixSeconds used) override {
    std::lock_guard lock(db_->mu());
    return db_->Run("UPDATE tokens SET last_used = ? WHERE hash = ?", "touch token", used, hash);
  }
  Status DeleteToken(std::string_view hash) override {
    std::lock_guard lock(db_->mu());
    return db_->Run("DELETE FROM tokens WHERE hash = ?", "logout", hash);
  }
  Status DeleteTokensOf(int64_t user_id) override {
    std::lock_guard lock(db_->mu());
    return db_->Run("DELETE FROM tokens WHERE user_id = ?", "end sessions", user_id);
  }

  Result<int64_t> InsertKey(const ApiKey& k, std::string_view hash) override {
    std::lock_guard lock(db_->mu());
    return db_->InsertReturningId(
        "INSERT INTO api_keys (name, owner_id, hash, prefix, datasets, created, expires, "
        "revoked, request_id) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
        "create key", k.name, k.owner_id, hash, k.prefix, JoinList(k.datasets), k.created,
        k.expires, k.revoked, k.request_id);
  }
  Result<std::vector<ApiKey>> Keys(int64_t owner_id) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(kKeysOf.c_str(), "list keys", ReadKey, owner_id);
  }
  Result<ApiKey> GetKey(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(kKeyById.c_str(), "no such key", ReadKey, id);
  }
  Result<ApiKey> FindKey(std::string_view hash) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(kKeyByHash.c_str(), "no such key", ReadKey, hash);
  }
  Status RevokeKey(int64_t id) override {
    std::lock_guard lock(db_->mu());
    Status s = db_->Run("UPDATE api_keys SET revoked = 1 WHERE id = ?", "revoke key", id);
    return s.ok() ? Changed("no such key") : s;
  }

  Status PutDataset(std::string_view id, std::string_view body, UnixSeconds updated) override {
    std::lock_guard lock(db_->mu());
    return db_->Run("INSERT OR REPLACE INTO datasets (id, body, updated) VALUES (?,?,?)",
                    "put dataset", id, body, updated);
  }
  Result<std::vector<std::string>> DatasetBodies() override {
    std::lock_guard lock(db_->mu());
    return db_->Query("SELECT body FROM datasets ORDER BY id", "list datasets",
                      [](const Stmt& q) { return q.Text(0); });
  }

  Result<int64_t> InsertRequest(const DataRequest& r) override {
    std::lock_guard lock(db_->mu());
    return db_->InsertReturningId(
        "INSERT INTO data_requests (dataset, requester_id, department, purpose, until, "
        "delivery, status, decided_by, reason, created, decided, key_id) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
        "create request", r.dataset, r.requester_id, r.department, r.purpose, r.until, r.delivery,
        r.status, r.decided_by, r.reason, r.created, r.decided, r.key_id);
  }
  Result<DataRequest> GetRequest(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(kRequestById.c_str(), "no such request", ReadRequest, id);
  }
  Result<std::vector<DataRequest>> Requests() override {
    std::lock_guard lock(db_->mu());
    return db_->Query(kRequestsAll.c_str(), "list requests", ReadRequest);
  }
  Status DecideRequest(const DataRequest& r, const std::optional<Grant>& grant) override {
    std::lock_guard lock(db_->mu());
    return db_->InTransaction([&] {
      Status s = db_->Run(
          "UPDATE data_requests SET status = ?, decided_by = ?, reason = ?, decided = ?, "
          "key_id = ? WHERE id = ? AND status = 'pending'",
          "decide request", r.status, r.decided_by, r.reason, r.decided, r.key_id, r.id);
      if (s.ok() && db_->Changes() == 0)
        return Status(Code::kConflict, "request " + std::to_string(r.id) + " is not pending");
      if (s.ok() && grant)
        s = db_->Run("INSERT INTO grants (user_id, dataset, until, request_id) VALUES (?,?,?,?)",
                     "grant", r.requester_id, grant->dataset, grant->until, r.id);
      return s;
    });
  }
  Status RevokeRequest(int64_t id, std::string_view reason, UnixSeconds now) override {
    std::lock_guard lock(db_->mu());
    return db_->InTransaction([&] {
      Status s = db_->Run(
          "UPDATE data_requests SET status = 'revoked', reason = ?, until = ? "
          "WHERE id = ? AND status = 'approved' AND until > ?",
          "revoke request", std::string(reason), now, id, now);
      if (s.ok() && db_->Changes() == 0)
        return Status(Code::kConflict, "request " + std::to_string(id) + " is not in force");
      if (s.ok())
        s = db_->Run("UPDATE grants SET until = ? WHERE request_id = ? AND until > ?", "end grants",
                     now, id, now);
      return s;
    });
  }
  Result<std::vector<Grant>> ActiveGrants(int64_t user_id, UnixSeconds now) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(
        "SELECT dataset, until FROM grants WHERE user_id = ? AND until > ?", "list grants",
        [](const Stmt& q) {
          return Grant{q.Text(0), q.Int(1)};
        },
        user_id, now);
  }

  Status InsertNotification(const Notification& n) override {
    std::lock_guard lock(db_->mu());
    return db_->Run("INSERT INTO notifications (user_id, t, text, object) VALUES (?,?,?,?)",
                    "notify", n.user_id, n.time, n.text, n.object);
  }
  Result<std::vector<Notification>> Notifications(int64_t user_id, size_t limit) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(
        "SELECT id, user_id, t, text, object FROM notifications WHERE user_id = ? ORDER BY id "
        "DESC LIMIT ?",
        "list notifications",
        [](const Stmt& q) {
          return Notification{q.Int(0), q.Int(1), q.Int(2), q.Text(3), q.Text(4)};
        },
        user_id, static_cast<int64_t>(limit));
  }

 private:
  // After an UPDATE: kNotFound when it matched no row. The caller holds the mutex.
  Status Changed(const char* not_found) {
    return db_->Changes() == 0 ? Status::NotFound(not_found) : Status::Ok();
  }

  std::unique_ptr<Db> db_;
};

}  // namespace

Result<std::unique_ptr<AccountStore>> OpenSqliteAccountStore(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  std::string path = (std::filesystem::path(data_dir) / "accounts.db").string();
  auto db = Db::Open(path, {});
  if (!db.ok()) return db.status();
  Status s = (*db)->Exec("PRAGMA journal_mode=WAL");
  if (s.ok()) s = (*db)->Exec("PRAGMA synchronous=FULL");
  if (s.ok()) s = (*db)->Exec(kSchema);
  if (s.ok()) s = (*db)->Migrate(kMigrations);
  if (!s.ok()) return s;
  return std::unique_ptr<AccountStore>(std::make_unique<SqliteAccountStore>(std::move(*db)));
}

}  // namespace ecohub::auth
