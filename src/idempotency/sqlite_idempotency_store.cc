// The SQLite IdempotencyStore: its own file idempotency.db under the data directory,
// fsynced on every commit (a record begun must survive a crash, or a retry after it
// would run the request again). One connection behind its mutex.
#include <mutex>

#include "idempotency/idempotency_store.h"
#include "store/sqlite/db.h"

namespace ecohub::idempotency {
namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

constexpr const char* kMigrations[] = {
    // 1: one row per (scope, key); done = 0 while the request runs.
    R"sql(
CREATE TABLE IF NOT EXISTS idempotency (
  scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, began INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0, status INTEGER NOT NULL DEFAULT 0,
  content_type TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '',
  headers TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (scope, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_began ON idempotency (began);
)sql",
};

Record ReadRow(const Stmt& q) {
  return {q.Text(0),
          q.Int(1),
          q.Int(2) != 0,
          {static_cast<int>(q.Int(3)), q.Text(4), q.Text(5), q.Text(6)}};
}

class SqliteIdempotencyStore final : public IdempotencyStore {
 public:
  explicit SqliteIdempotencyStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<Claim> Begin(const std::string& scope, const std::string& key,
                      const std::string& fingerprint, UnixSeconds now) override {
    std::lock_guard lock(db_->mu());
    Status s = db_->Run(
        "INSERT INTO idempotency (scope, key, fingerprint, began) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (scope, key) DO NOTHING",
        "begin idempotent request", scope, key, fingerprint, now);
    if (!s.ok()) return s;
    if (db_->Changes() == 1) return Claim{};
    auto row = db_->QueryOne(
        "SELECT fingerprint, began, done, status, content_type, body, headers FROM idempotency "
        "WHERE scope = ? AND key = ?",
        "idempotency record vanished", ReadRow, scope, key);
    if (!row.ok()) return row.status();
    return ClaimOf(*row, fingerprint);
  }

  Status Finish(const std::string& scope, const std::string& key, const KeptAnswer& a) override {
    std::lock_guard lock(db_->mu());
    return db_->Run(
        "UPDATE idempotency SET done = 1, status = ?, content_type = ?, body = ?, headers = ? "
        "WHERE scope = ? AND key = ?",
        "finish idempotent request", int64_t{a.status}, a.content_type, a.body, a.headers, scope,
        key);
  }

  Status Forget(const std::string& scope, const std::string& key) override {
    std::lock_guard lock(db_->mu());
    return db_->Run("DELETE FROM idempotency WHERE scope = ? AND key = ?",
                    "forget idempotent request", scope, key);
  }

  Result<int64_t> Purge(UnixSeconds before) override {
    std::lock_guard lock(db_->mu());
    Status s =
        db_->Run("DELETE FROM idempotency WHERE began < ?", "purge idempotency records", before);
    if (!s.ok()) return s;
    return db_->Changes();
  }

 private:
  std::unique_ptr<Db> db_;
};

}  // namespace

Result<std::unique_ptr<IdempotencyStore>> OpenSqliteIdempotencyStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "idempotency.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<IdempotencyStore>(
      std::make_unique<SqliteIdempotencyStore>(std::move(*db)));
}

}  // namespace ecohub::idempotency
