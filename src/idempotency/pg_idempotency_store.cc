// The PostgreSQL IdempotencyStore: one table every node shares, so that a retry
// reaching another node finds the first request's record. Begin is written once
// across a failover (store/pg/lease.h): a retried Begin whose first try committed
// still learns that the record is its own.
#include "idempotency/idempotency_store.h"
#include "store/pg/lease.h"

namespace ecohub::idempotency {
namespace {

using store::pg::Bytes;
using store::pg::Conn;
using store::pg::Pool;
using store::pg::Rows;
using store::pg::Str;

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: one row per (scope, key); done false while the request runs.
    R"sql(
CREATE TABLE idempotency (
  scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, began BIGINT NOT NULL,
  done BOOLEAN NOT NULL DEFAULT FALSE, status INTEGER NOT NULL DEFAULT 0,
  content_type TEXT NOT NULL DEFAULT '', body BYTEA NOT NULL DEFAULT '',
  headers TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (scope, key));
CREATE INDEX idempotency_began ON idempotency (began);
)sql",
};

Record ReadRow(const Rows& q, int i) {
  return {Str(q, i, 0),
          q.Int(i, 1),
          q.Bool(i, 2),
          {static_cast<int>(q.Int(i, 3)), Str(q, i, 4), q.Bytea(i, 5), Str(q, i, 6)}};
}

class PgIdempotencyStore final : public IdempotencyStore {
 public:
  explicit PgIdempotencyStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}

  Result<Claim> Begin(const std::string& scope, const std::string& key,
                      const std::string& fingerprint, UnixSeconds now) override {
    auto mine = store::pg::WriteOnceReturning(
        *pool_, "begin idempotent request", [&](Conn& db) -> Result<std::string> {
          auto r = db.Query(
              "INSERT INTO idempotency (scope, key, fingerprint, began) VALUES ($1, $2, $3, $4) "
              "ON CONFLICT (scope, key) DO NOTHING RETURNING 1",
              "begin idempotent request", scope, key, fingerprint, now);
          if (!r.ok()) return r.status();
          return std::string(r->empty() ? "theirs" : "mine");
        });
    if (!mine.ok()) return mine.status();
    if (*mine == "mine") return Claim{};
    auto row = store::pg::ReadOne(
        *pool_,
        "SELECT fingerprint, began, done, status, content_type, body, headers FROM idempotency "
        "WHERE scope = $1 AND key = $2",
        "idempotency record vanished", ReadRow, scope, key);
    if (!row.ok()) return row.status();
    return ClaimOf(*row, fingerprint);
  }

  Status Finish(const std::string& scope, const std::string& key, const KeptAnswer& a) override {
    return store::pg::Run(*pool_,
                          "UPDATE idempotency SET done = TRUE, status = $1, content_type = $2, "
                          "body = $3, headers = $4 WHERE scope = $5 AND key = $6",
                          "finish idempotent request", a.status, a.content_type, Bytes{a.body},
                          a.headers, scope, key);
  }

  Status Forget(const std::string& scope, const std::string& key) override {
    return store::pg::Run(*pool_, "DELETE FROM idempotency WHERE scope = $1 AND key = $2",
                          "forget idempotent request", scope, key);
  }

  Result<int64_t> Purge(UnixSeconds before) override {
    auto r = store::pg::Query(*pool_,
                              "WITH gone AS (DELETE FROM idempotency WHERE began < $1 RETURNING 1) "
                              "SELECT count(*) FROM gone",
                              "purge idempotency records", before);
    if (!r.ok()) return r.status();
    return r->Int(0, 0);
  }

 private:
  std::unique_ptr<Pool> pool_;
};

}  // namespace

Result<std::unique_ptr<IdempotencyStore>> OpenPostgresIdempotencyStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub idempotency", "idempotency", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<IdempotencyStore>(std::make_unique<PgIdempotencyStore>(std::move(*pool)));
}

}  // namespace ecohub::idempotency
