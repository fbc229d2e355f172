// The SQLite CommandStore: its own file commands.db under the data directory,
// fsynced on every commit, over the store module's SQLite helper. One connection
// behind its mutex; Claim is one conditional UPDATE, atomic as any statement.
#include <algorithm>
#include <mutex>

#include "control/command_store.h"
#include "store/sqlite/db.h"

namespace ecohub::control {
namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

constexpr const char* kMigrations[] = {
    // 1: commands.
    R"sql(
CREATE TABLE IF NOT EXISTS commands (
  id INTEGER PRIMARY KEY, mn TEXT NOT NULL, kind TEXT NOT NULL, cn TEXT NOT NULL,
  params TEXT NOT NULL, origin TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL, status TEXT NOT NULL, updated_at INTEGER NOT NULL,
  node TEXT NOT NULL, qn TEXT NOT NULL, code TEXT NOT NULL, result TEXT NOT NULL,
  records INTEGER NOT NULL, expected INTEGER NOT NULL, follow_up_of INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS commands_device ON commands (mn, id);
CREATE INDEX IF NOT EXISTS commands_status ON commands (status, id);
CREATE INDEX IF NOT EXISTS commands_created ON commands (created_at);
)sql",
};

#define COLUMNS                                                                              \
  "id, mn, kind, cn, params, origin, created_by, created_at, status, updated_at, node, qn, " \
  "code, result, records, expected, follow_up_of"
constexpr const char* kInsert =
    "INSERT INTO commands (mn, kind, cn, params, origin, created_by, created_at, status, "
    "updated_at, node, qn, code, result, records, expected, follow_up_of) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr const char* kById = "SELECT " COLUMNS " FROM commands WHERE id = ?";
constexpr const char* kByDevice =
    "SELECT " COLUMNS " FROM commands WHERE mn = ? AND id < ? ORDER BY id DESC LIMIT ?";
constexpr const char* kQueued =
    "SELECT " COLUMNS " FROM commands WHERE status = 'queued' ORDER BY id LIMIT ?";
constexpr const char* kClaim =
    "UPDATE commands SET status = 'sent', node = ?, qn = ?, updated_at = ? "
    "WHERE id = ? AND status = 'queued'";
constexpr const char* kUpdate =
    "UPDATE commands SET status = ?, code = ?, result = ?, records = ?, updated_at = ? "
    "WHERE id = ? AND status IN ('sent', 'accepted')";
constexpr const char* kExpire =
    "UPDATE commands SET status = 'expired', code = 'not connected', updated_at = ? "
    "WHERE status = 'queued' AND created_at < ?";
constexpr const char* kAbandon =
    "UPDATE commands SET status = 'timed_out', code = 'abandoned', updated_at = ? "
    "WHERE status IN ('sent', 'accepted') AND updated_at < ?";
constexpr const char* kCreated =
    "SELECT " COLUMNS
    " FROM commands WHERE (? = '' OR origin = ?) AND created_at >= ? AND created_at < ? "
    "ORDER BY id";
#undef COLUMNS

Command Read(const Stmt& q) {
  return {q.Int(0),   q.Text(1),  q.Text(2), q.Text(3), q.Text(4),  q.Text(5),
          q.Text(6),  q.Int(7),   q.Text(8), q.Int(9),  q.Text(10), q.Text(11),
          q.Text(12), q.Text(13), q.Int(14), q.Int(15), q.Int(16)};
}

class SqliteCommandStore final : public CommandStore {
 public:
  explicit SqliteCommandStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<int64_t> Add(const Command& c) override {
    std::lock_guard lock(db_->mu());
    return db_->InsertReturningId(kInsert, "record command", c.mn, c.kind, c.cn, c.params, c.origin,
                                  c.created_by, c.created_at, c.status, c.updated_at, c.node, c.qn,
                                  c.code, c.result, c.records, c.expected, c.follow_up_of);
  }

  Result<Command> Get(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(kById, "no such command", Read, id);
  }

  Result<std::vector<Command>> ListForDevice(const std::string& mn, int64_t before,
                                             size_t limit) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(kByDevice, "list commands", Read, mn, before > 0 ? before : INT64_MAX,
                      static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<std::vector<Command>> Queued(size_t limit) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(kQueued, "queued commands", Read,
                      static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<bool> Claim(int64_t id, const std::string& node, const std::string& qn,
                     UnixSeconds at) override {
    std::lock_guard lock(db_->mu());
    if (Status s = db_->Run(kClaim, "claim command", node, qn, at, id); !s.ok()) return s;
    return db_->Changes() == 1;
  }

  Result<bool> Update(int64_t id, const Progress& p) override {
    std::lock_guard lock(db_->mu());
    if (Status s =
            db_->Run(kUpdate, "update command", p.status, p.code, p.result, p.records, p.at, id);
        !s.ok())
      return s;
    if (db_->Changes() == 1) return true;
    auto c = db_->QueryOne(kById, "no such command", Read, id);
    if (!c.ok()) return c.status();
    return false;
  }

  Result<int64_t> Expire(UnixSeconds created_before, UnixSeconds at) override {
    std::lock_guard lock(db_->mu());
    if (Status s = db_->Run(kExpire, "expire commands", at, created_before); !s.ok()) return s;
    return db_->Changes();
  }

  Result<int64_t> Abandon(UnixSeconds updated_before, UnixSeconds at) override {
    std::lock_guard lock(db_->mu());
    if (Status s = db_->Run(kAbandon, "abandon commands", at, updated_before); !s.ok()) return s;
    return db_->Changes();
  }

  Result<std::vector<Command>> Created(const std::string& origin, UnixSeconds from,
                                       UnixSeconds to) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(kCreated, "commands created", Read, origin, origin, from, to);
  }

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    constexpr const char* kTables[] = {"commands"};
    return store::sqlite::ReadTables(*db_, kTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("commands");
  }

 private:
  std::unique_ptr<Db> db_;
};

}  // namespace

Result<std::unique_ptr<CommandStore>> OpenSqliteCommandStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "commands.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<CommandStore>(std::make_unique<SqliteCommandStore>(std::move(*db)));
}

}  // namespace ecohub::control
