#include "auth/pg_account_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auth/account_sql.h"
#include "store/pg/lease.h"

namespace ecohub::auth {

namespace {

using store::pg::Conn;
using store::pg::InsertOnce;
using store::pg::Pool;
using store::pg::Query;
using store::pg::Read;
using store::pg::ReadOne;
using store::pg::Rows;
using store::pg::Run;
using store::pg::Str;
using store::pg::WriteOnce;

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: the tables of sqlite_account_store.cc after its migration 2. tokens.seq
    // orders tokens created in the same second (SQLite's rowid); datasets are listed
    // in binary order of their ids (collation "C"), as SQLite lists them.
    R"sql(
CREATE TABLE users (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL, role TEXT NOT NULL, district_id BIGINT NOT NULL,
  enterprise_id BIGINT NOT NULL, department TEXT NOT NULL, password_hash TEXT NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT false, failed INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0, created BIGINT NOT NULL,
  password_changed BIGINT NOT NULL DEFAULT 0, must_change BOOLEAN NOT NULL DEFAULT false,
  totp_key TEXT NOT NULL DEFAULT '', totp_pending TEXT NOT NULL DEFAULT '',
  totp_step BIGINT NOT NULL DEFAULT 0, oidc_subject TEXT UNIQUE,
  oidc_claims BOOLEAN NOT NULL DEFAULT false);
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL, created BIGINT NOT NULL,
  expires BIGINT NOT NULL, last_used BIGINT NOT NULL DEFAULT 0,
  seq BIGINT GENERATED ALWAYS AS IDENTITY);
CREATE INDEX tokens_user ON tokens (user_id, created);
CREATE INDEX tokens_expires ON tokens (expires);
CREATE TABLE api_keys (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT NOT NULL,
  owner_id BIGINT NOT NULL, hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
  datasets TEXT NOT NULL, created BIGINT NOT NULL, expires BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL DEFAULT false, request_id BIGINT NOT NULL DEFAULT 0);
CREATE TABLE datasets (
  id TEXT COLLATE "C" PRIMARY KEY, body TEXT NOT NULL, updated BIGINT NOT NULL);
CREATE TABLE data_requests (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, dataset TEXT NOT NULL,
  requester_id BIGINT NOT NULL, department TEXT NOT NULL, purpose TEXT NOT NULL,
  until BIGINT NOT NULL, delivery TEXT NOT NULL, status TEXT NOT NULL,
  decided_by BIGINT NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT '',
  created BIGINT NOT NULL, decided BIGINT NOT NULL DEFAULT 0, key_id BIGINT NOT NULL DEFAULT 0);
CREATE TABLE grants (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id BIGINT NOT NULL,
  dataset TEXT NOT NULL, until BIGINT NOT NULL, request_id BIGINT NOT NULL);
CREATE INDEX grants_user ON grants (user_id);
CREATE INDEX grants_request ON grants (request_id);
CREATE TABLE notifications (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id BIGINT NOT NULL,
  t BIGINT NOT NULL, text TEXT NOT NULL, object TEXT NOT NULL);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE TABLE password_history (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id BIGINT NOT NULL,
  hash TEXT NOT NULL);
CREATE INDEX password_history_user ON password_history (user_id, id);
)sql",
};

// Statements built from shared column lists once.
const std::string kUserSelect = kUserSelectSql;
const std::string kUserById = kUserSelect + "WHERE id = $1";
const std::string kUserByName = kUserSelect + "WHERE username = $1";
const std::string kUserBySubject = kUserSelect + "WHERE oidc_subject = $1";
const std::string kUsersAll = kUserSelect + "ORDER BY id";
const std::string kKeySelect = kKeySelectSql;
const std::string kKeysOf = kKeySelect + "WHERE $1::bigint = 0 OR owner_id = $1 ORDER BY id";
const std::string kKeyById = kKeySelect + "WHERE id = $1";
const std::string kKeyByHash = kKeySelect + "WHERE hash = $1";
const std::string kRequestSelect = kRequestSelectSql;
const std::string kRequestById = kRequestSelect + "WHERE id = $1";
const std::string kRequestsAll = kRequestSelect + "ORDER BY id DESC";

User ReadUser(const Rows& q, int i) {
  return User{q.Int(i, 0),
              Str(q, i, 1),
              Str(q, i, 2),
              ParseRole(q.Text(i, 3)).value_or(Role::kPublic),
              q.Int(i, 4),
              q.Int(i, 5),
              Str(q, i, 6),
              q.Bool(i, 7),
              static_cast<int>(q.Int(i, 8)),
              q.Int(i, 9),
              q.Int(i, 10),
              q.Int(i, 12),
              q.Bool(i, 13),
              q.Bool(i, 14),
              Str(q, i, 15),
              q.Bool(i, 16)};
}

std::string JoinList(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }
std::vector<std::string> SplitList(std::string_view s) {
  auto j = nlohmann::json::parse(s, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& e : j)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

ApiKey ReadKey(const Rows& q, int i) {
  return ApiKey{q.Int(i, 0), Str(q, i, 1), q.Int(i, 2),  Str(q, i, 3), SplitList(q.Text(i, 4)),
                q.Int(i, 5), q.Int(i, 6),  q.Bool(i, 7), q.Int(i, 8)};
}

DataRequest ReadRequest(const Rows& q, int i) {
  return DataRequest{q.Int(i, 0),  Str(q, i, 1), q.Int(i, 2),  Str(q, i, 3), Str(q, i, 4),
                     q.Int(i, 5),  Str(q, i, 6), Str(q, i, 7), q.Int(i, 8),  Str(q, i, 9),
                     q.Int(i, 10), q.Int(i, 11), q.Int(i, 12)};
}

// After an UPDATE: kNotFound when it matched no row.
Status Changed(Result<Rows> rows, const char* not_found) {
  if (!rows.ok()) return rows.status();
  return rows->Affected() == 0 ? Status::NotFound(not_found) : Status::Ok();
}

class PgAccountStore final : public AccountStore {
 public:
  explicit PgAccountStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("accounts");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }

  Result<int64_t> InsertUser(const User& u, std::string_view password_hash) override {
    return InsertOnce(
        *pool_,
        "INSERT INTO users (username, display_name, role, district_id, enterprise_id, "
        "department, password_hash, disabled, created, password_changed, must_change, "
        "oidc_subject, oidc_claims) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,NULLIF($12, ''),"
        "$13) RETURNING id",
        "create user", u.username, u.display_name, RoleName(u.role), u.district_id, u.enterprise_id,
        u.department, password_hash, u.disabled, u.created, u.password_changed,
        u.must_change_password, u.oidc_subject, u.oidc_claims);
  }
  Result<User> GetUser(int64_t id) override {
    return ReadOne(*pool_, kUserById.c_str(), "no such user", ReadUser, id);
  }
  Result<User> FindUser(std::string_view username, std::string* password_hash) override {
    return ReadOne(
        *pool_, kUserByName.c_str(), "no such user",
        [&](const Rows& q, int i) {
          if (password_hash) *password_hash = Str(q, i, 11);
          return ReadUser(q, i);
        },
        username);
  }
  Result<User> FindUserBySubject(std::string_view subject) override {
    return ReadOne(*pool_, kUserBySubject.c_str(), "no such user", ReadUser, subject);
  }
  Result<std::vector<User>> Users() override {
    return Read(*pool_, kUsersAll.c_str(), "list users", ReadUser);
  }
  Status UpdateUser(const User& u) override {
    return Changed(
        Query(*pool_,
              "UPDATE users SET display_name = $1, role = $2, district_id = $3, "
              "enterprise_id = $4, department = $5, disabled = $6, "
              "oidc_subject = NULLIF($7, ''), oidc_claims = $8 WHERE id = $9",
              "update user", u.display_name, RoleName(u.role), u.district_id, u.enterprise_id,
              u.department, u.disabled, u.oidc_subject, u.oidc_claims, u.id),
        "no such user");
  }
  Status SetPasswordHash(int64_t user_id, std::string_view password_hash, UnixSeconds changed,
                         bool must_change) override {
    return WriteOnce(*pool_, "set password", [&](Conn& db) {
      // The hash being replaced joins the history, which keeps the last few.
      Status s = db.Run(
          "INSERT INTO password_history (user_id, hash) "
          "SELECT id, password_hash FROM users WHERE id = $1",
          "keep password history", user_id);
      if (s.ok())
        s = db.Run(
            "DELETE FROM password_history WHERE user_id = $1 AND id NOT IN "
            "(SELECT id FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2)",
            "trim password history", user_id, kPasswordHistory);
      if (s.ok())
        s = Changed(db.Query("UPDATE users SET password_hash = $1, failed = 0, locked_until = 0, "
                             "password_changed = $2, must_change = $3 WHERE id = $4",
                             "set password", password_hash, changed, must_change, user_id),
                    "no such user");
      if (!s.ok()) return s;
      return db.Run("DELETE FROM tokens WHERE user_id = $1", "end sessions", user_id);
    });
  }
  Result<std::vector<std::string>> PasswordHistory(int64_t user_id) override {
    // The current hash first, then the history newest first.
    return Read(
        *pool_,
        "SELECT h FROM (SELECT 0 AS k, 0 AS id, password_hash AS h FROM users WHERE id = $1 "
        "UNION ALL (SELECT 1, id, hash FROM password_history WHERE user_id = $1 "
        "ORDER BY id DESC LIMIT $2)) AS x ORDER BY k, id DESC",
        "read password history", [](const Rows& q, int i) { return Str(q, i, 0); }, user_id,
        static_cast<int64_t>(kPasswordHistory - 1));
  }
  Status SetFailedLogins(int64_t user_id, int failed, UnixSeconds locked_until) override {
    return Run(*pool_, "UPDATE users SET failed = $1, locked_until = $2 WHERE id = $3",
               "count failed login", failed, locked_until, user_id);
  }

  Result<SecondFactor> GetSecondFactor(int64_t user_id) override {
    return ReadOne(
        *pool_, "SELECT totp_key, totp_pending, totp_step FROM users WHERE id = $1", "no such user",
        [](const Rows& q, int i) {
          return SecondFactor{Str(q, i, 0), Str(q, i, 1), q.Int(i, 2)};
        },
        user_id);
  }
  Status SetSecondFactor(int64_t user_id, const SecondFactor& f) override {
    return Changed(
        Query(*pool_,
              "UPDATE users SET totp_key = $1, totp_pending = $2, totp_step = $3 WHERE id = $4",
              "set second factor", f.key, f.pending, f.last_step, user_id),
        "no such user");
  }

  Result<int> InsertToken(std::string_view hash, int64_t user_id, UnixSeconds created,
                          UnixSeconds expires, int keep) override {
    int evicted = 0;
    Status st = WriteOnce(*pool_, "store token", [&](Conn& db) {
      Status s = db.Run(
          "INSERT INTO tokens (hash, user_id, created, expires, last_used) "
          "VALUES ($1,$2,$3,$4,$5)",
          "store token", hash, user_id, created, expires, created);
      if (s.ok())
        s = db.Run("UPDATE users SET failed = 0 WHERE id = $1", "reset failures", user_id);
      // Expired tokens are cleaned up here, at a rate of logins.
      if (s.ok()) s = db.Run("DELETE FROM tokens WHERE expires <= $1", "prune tokens", created);
      if (!s.ok()) return s;
      auto ended = db.Query(
          "DELETE FROM tokens WHERE user_id = $1 AND hash NOT IN (SELECT hash FROM tokens "
          "WHERE user_id = $1 ORDER BY created DESC, seq DESC LIMIT $2)",
          "end the oldest sessions", user_id, static_cast<int64_t>(std::max(keep, 1)));
      if (!ended.ok()) return ended.status();
      evicted = static_cast<int>(ended->Affected());
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return evicted;
  }
  Result<TokenRow> FindToken(std::string_view hash) override {
    return ReadOne(
        *pool_, "SELECT user_id, expires, last_used FROM tokens WHERE hash = $1", "no such token",
        [](const Rows& q, int i) {
          return TokenRow{q.Int(i, 0), q.Int(i, 1), q.Int(i, 2)};
        },
        hash);
  }
  Status TouchToken(std::string_view hash, UnixSeconds used) override {
    return Run(*pool_, "UPDATE tokens SET last_used = $1 WHERE hash = $2", "touch token", used,
               hash);
  }
  Status DeleteToken(std::string_view hash) override {
    return Run(*pool_, "DELETE FROM tokens WHERE hash = $1", "logout", hash);
  }
  Status DeleteTokensOf(int64_t user_id) override {
    return Run(*pool_, "DELETE FROM tokens WHERE user_id = $1", "end sessions", user_id);
  }

  Result<int64_t> InsertKey(const ApiKey& k, std::string_view hash) override {
    return InsertOnce(
        *pool_,
        "INSERT INTO api_keys (name, owner_id, hash, prefix, datasets, created, expires, "
        "revoked, request_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
        "create key", k.name, k.owner_id, hash, k.prefix, JoinList(k.datasets), k.created,
        k.expires, k.revoked, k.request_id);
  }
  Result<std::vector<ApiKey>> Keys(int64_t owner_id) override {
    return Read(*pool_, kKeysOf.c_str(), "list keys", ReadKey, owner_id);
  }
  Result<ApiKey> GetKey(int64_t id) override {
    return ReadOne(*pool_, kKeyById.c_str(), "no such key", ReadKey, id);
  }
  Result<ApiKey> FindKey(std::string_view hash) override {
    return ReadOne(*pool_, kKeyByHash.c_str(), "no such key", ReadKey, hash);
  }
  Status RevokeKey(int64_t id) override {
    return Changed(
        Query(*pool_, "UPDATE api_keys SET revoked = true WHERE id = $1", "revoke key", id),
        "no such key");
  }

  Status PutDataset(std::string_view id, std::string_view body, UnixSeconds updated) override {
    return Run(
        *pool_,
        "INSERT INTO datasets (id, body, updated) VALUES ($1,$2,$3) ON CONFLICT (id) DO UPDATE "
        "SET body = excluded.body, updated = excluded.updated",
        "put dataset", id, body, updated);
  }
  Result<std::vector<std::string>> DatasetBodies() override {
    return Read(*pool_, "SELECT body FROM datasets ORDER BY id", "list datasets",
                [](const Rows& q, int i) { return Str(q, i, 0); });
  }

  Result<int64_t> InsertRequest(const DataRequest& r) override {
    return InsertOnce(
        *pool_,
        "INSERT INTO data_requests (dataset, requester_id, department, purpose, until, "
        "delivery, status, decided_by, reason, created, decided, key_id) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id",
        "create request", r.dataset, r.requester_id, r.department, r.purpose, r.until, r.delivery,
        r.status, r.decided_by, r.reason, r.created, r.decided, r.key_id);
  }
  Result<DataRequest> GetRequest(int64_t id) override {
    return ReadOne(*pool_, kRequestById.c_str(), "no such request", ReadRequest, id);
  }
  Result<std::vector<DataRequest>> Requests() override {
    return Read(*pool_, kRequestsAll.c_str(), "list requests", ReadRequest);
  }
  Status DecideRequest(const DataRequest& r, const std::optional<Grant>& grant) override {
    return WriteOnce(*pool_, "decide request", [&](Conn& db) {
      auto decided = db.Query(
          "UPDATE data_requests SET status = $1, decided_by = $2, reason = $3, decided = $4, "
          "key_id = $5 WHERE id = $6 AND status = 'pending'",
          "decide request", r.status, r.decided_by, r.reason, r.decided, r.key_id, r.id);
      if (!decided.ok()) return decided.status();
      if (decided->Affected() == 0)
        return Status(Code::kConflict, "request " + std::to_string(r.id) + " is not pending");
      if (!grant) return Status::Ok();
      return db.Run("INSERT INTO grants (user_id, dataset, until, request_id) VALUES ($1,$2,$3,$4)",
                    "grant", r.requester_id, grant->dataset, grant->until, r.id);
    });
  }
  Status RevokeRequest(int64_t id, std::string_view reason, UnixSeconds now) override {
    return WriteOnce(*pool_, "revoke request", [&](Conn& db) {
      auto revoked = db.Query(
          "UPDATE data_requests SET status = 'revoked', reason = $1, until = $2 "
          "WHERE id = $3 AND status = 'approved' AND until > $2",
          "revoke request", reason, now, id);
      if (!revoked.ok()) return revoked.status();
      if (revoked->Affected() == 0)
        return Status(Code::kConflict, "request " + std::to_string(id) + " is not in force");
      return db.Run("UPDATE grants SET until = $1 WHERE request_id = $2 AND until > $1",
                    "end grants", now, id);
    });
  }
  Result<std::vector<Grant>> ActiveGrants(int64_t user_id, UnixSeconds now) override {
    return Read(
        *pool_, "SELECT dataset, until FROM grants WHERE user_id = $1 AND until > $2",
        "list grants",
        [](const Rows& q, int i) {
          return Grant{Str(q, i, 0), q.Int(i, 1)};
        },
        user_id, now);
  }

  Status InsertNotification(const Notification& n) override {
    return WriteOnce(*pool_, "notify", [&](Conn& db) {
      return db.Run("INSERT INTO notifications (user_id, t, text, object) VALUES ($1,$2,$3,$4)",
                    "notify", n.user_id, n.time, n.text, n.object);
    });
  }
  Result<std::vector<Notification>> Notifications(int64_t user_id, size_t limit) override {
    return Read(
        *pool_,
        "SELECT id, user_id, t, text, object FROM notifications WHERE user_id = $1 "
        "ORDER BY id DESC LIMIT $2",
        "list notifications",
        [](const Rows& q, int i) {
          return Notification{q.Int(i, 0), q.Int(i, 1), q.Int(i, 2), Str(q, i, 3), Str(q, i, 4)};
        },
        user_id, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

 private:
  std::unique_ptr<Pool> pool_;
};

}  // namespace

Result<std::unique_ptr<AccountStore>> OpenPostgresAccountStore(const std::string& url) {
  auto pool = Pool::Open(url, 4, store::pg::ConnOptions{.application = "ecohub accounts"});
  if (!pool.ok()) return pool.status();
  if (Status s = store::pg::Migrate(**pool, "accounts", kSteps); !s.ok()) return s;
  return std::unique_ptr<AccountStore>(std::make_unique<PgAccountStore>(std::move(*pool)));
}

}  // namespace ecohub::auth
