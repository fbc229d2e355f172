// The PostgreSQL CommandStore: the same table as commands.db. Claim is one
// conditional UPDATE ... RETURNING: of several nodes claiming the same command, the
// row lock lets exactly one see it still queued.
#include <algorithm>

#include "control/command_store.h"
#include "store/pg/lease.h"

namespace ecohub::control {
namespace {

using store::pg::Conn;
using store::pg::Pool;
using store::pg::Rows;
using store::pg::Str;

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: commands.
    R"sql(
CREATE TABLE commands (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, mn TEXT NOT NULL, kind TEXT NOT NULL,
  cn TEXT NOT NULL, params TEXT NOT NULL, origin TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL, status TEXT NOT NULL, updated_at BIGINT NOT NULL,
  node TEXT NOT NULL, qn TEXT NOT NULL, code TEXT NOT NULL, result TEXT NOT NULL,
  records BIGINT NOT NULL, expected BIGINT NOT NULL, follow_up_of BIGINT NOT NULL);
CREATE INDEX commands_device ON commands (mn, id);
CREATE INDEX commands_status ON commands (status, id);
CREATE INDEX commands_created ON commands (created_at);
)sql",
};

#define COLUMNS                                                                              \
  "id, mn, kind, cn, params, origin, created_by, created_at, status, updated_at, node, qn, " \
  "code, result, records, expected, follow_up_of"
constexpr const char* kInsert =
    "INSERT INTO commands (mn, kind, cn, params, origin, created_by, created_at, status, "
    "updated_at, node, qn, code, result, records, expected, follow_up_of) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id";
constexpr const char* kById = "SELECT " COLUMNS " FROM commands WHERE id = $1";
constexpr const char* kByDevice =
    "SELECT " COLUMNS " FROM commands WHERE mn = $1 AND id < $2 ORDER BY id DESC LIMIT $3";
constexpr const char* kQueued =
    "SELECT " COLUMNS " FROM commands WHERE status = 'queued' ORDER BY id LIMIT $1";
constexpr const char* kClaim =
    "UPDATE commands SET status = 'sent', node = $1, qn = $2, updated_at = $3 "
    "WHERE id = $4 AND status = 'queued' RETURNING id";
constexpr const char* kUpdate =
    "UPDATE commands SET status = $1, code = $2, result = $3, records = $4, updated_at = $5 "
    "WHERE id = $6 AND status IN ('sent', 'accepted') RETURNING id";
constexpr const char* kExpire =
    "UPDATE commands SET status = 'expired', code = 'not connected', updated_at = $1 "
    "WHERE status = 'queued' AND created_at < $2 RETURNING id";
constexpr const char* kAbandon =
    "UPDATE commands SET status = 'timed_out', code = 'abandoned', updated_at = $1 "
    "WHERE status IN ('sent', 'accepted') AND updated_at < $2 RETURNING id";
constexpr const char* kCreated =
    "SELECT " COLUMNS
    " FROM commands WHERE ($1 = '' OR origin = $1) AND created_at >= $2 AND created_at < $3 "
    "ORDER BY id";
#undef COLUMNS

Command Read(const Rows& q, int i) {
  return {q.Int(i, 0),   Str(q, i, 1),  Str(q, i, 2), Str(q, i, 3), Str(q, i, 4),  Str(q, i, 5),
          Str(q, i, 6),  q.Int(i, 7),   Str(q, i, 8), q.Int(i, 9),  Str(q, i, 10), Str(q, i, 11),
          Str(q, i, 12), Str(q, i, 13), q.Int(i, 14), q.Int(i, 15), q.Int(i, 16)};
}

class PgCommandStore final : public CommandStore {
 public:
  explicit PgCommandStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}

  Result<int64_t> Add(const Command& c) override {
    return store::pg::InsertOnce(*pool_, kInsert, "record command", c.mn, c.kind, c.cn, c.params,
                                 c.origin, c.created_by, c.created_at, c.status, c.updated_at,
                                 c.node, c.qn, c.code, c.result, c.records, c.expected,
                                 c.follow_up_of);
  }

  Result<Command> Get(int64_t id) override {
    return store::pg::ReadOne(*pool_, kById, "no such command", Read, id);
  }

  Result<std::vector<Command>> ListForDevice(const std::string& mn, int64_t before,
                                             size_t limit) override {
    return store::pg::Read(*pool_, kByDevice, "list commands", Read, mn,
                           before > 0 ? before : INT64_MAX,
                           static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<std::vector<Command>> Queued(size_t limit) override {
    return store::pg::Read(*pool_, kQueued, "queued commands", Read,
                           static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  // A conditional update is idempotent: run twice it changes nothing more, so it
  // needs no WriteOnce key. A retry after a lost COMMIT may report false for a
  // claim that was won; the command then stays "sent" unsent and times out, which
  // the sender's logs show.
  Result<bool> Claim(int64_t id, const std::string& node, const std::string& qn,
                     UnixSeconds at) override {
    auto rows = store::pg::Query(*pool_, kClaim, "claim command", node, qn, at, id);
    if (!rows.ok()) return rows.status();
    return !rows->empty();
  }

  Result<bool> Update(int64_t id, const Progress& p) override {
    auto rows = store::pg::Query(*pool_, kUpdate, "update command", p.status, p.code, p.result,
                                 p.records, p.at, id);
    if (!rows.ok()) return rows.status();
    if (!rows->empty()) return true;
    auto c = Get(id);
    if (!c.ok()) return c.status();
    return false;
  }

  Result<int64_t> Expire(UnixSeconds created_before, UnixSeconds at) override {
    auto rows = store::pg::Query(*pool_, kExpire, "expire commands", at, created_before);
    if (!rows.ok()) return rows.status();
    return static_cast<int64_t>(rows->size());
  }

  Result<int64_t> Abandon(UnixSeconds updated_before, UnixSeconds at) override {
    auto rows = store::pg::Query(*pool_, kAbandon, "abandon commands", at, updated_before);
    if (!rows.ok()) return rows.status();
    return static_cast<int64_t>(rows->size());
  }

  Result<std::vector<Command>> Created(const std::string& origin, UnixSeconds from,
                                       UnixSeconds to) override {
    return store::pg::Read(*pool_, kCreated, "commands created", Read, origin, from, to);
  }

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("commands");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }

 private:
  std::unique_ptr<Pool> pool_;
};

}  // namespace

Result<std::unique_ptr<CommandStore>> OpenPostgresCommandStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub commands", "commands", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<CommandStore>(std::make_unique<PgCommandStore>(std::move(*pool)));
}

}  // namespace ecohub::control
