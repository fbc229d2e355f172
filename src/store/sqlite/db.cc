#include "store/sqlite/db.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace ecohub::store::sqlite {

Stmt::Stmt(Db& db, const char* sql) {
  sqlite3_prepare_v3(db.db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr);
}
Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, double v) {
  sqlite3_bind_double(s_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view v) {
  sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindBlob(int i, std::string_view v) {
  sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

StepResult Stmt::Step() {
  switch (sqlite3_step(s_) & 0xff) {  // the primary code of an extended one
    case SQLITE_ROW:
      return StepResult::kRow;
    case SQLITE_DONE:
      return StepResult::kDone;
    case SQLITE_CONSTRAINT:
      return StepResult::kConstraint;
    default:
      return StepResult::kError;
  }
}
void Stmt::Reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

int64_t Stmt::Int(int c) const { return sqlite3_column_int64(s_, c); }
double Stmt::Real(int c) const { return sqlite3_column_double(s_, c); }
bool Stmt::Null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
std::string Stmt::Text(int c) const {
  auto p = sqlite3_column_blob(s_, c);
  return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(s_, c)) : std::string();
}

int Stmt::Columns() const { return sqlite3_column_count(s_); }
bool Stmt::IsReal(int c) const { return sqlite3_column_type(s_, c) == SQLITE_FLOAT; }
bool Stmt::IsBlob(int c) const { return sqlite3_column_type(s_, c) == SQLITE_BLOB; }
std::string Stmt::ColumnName(int c) const {
  const char* n = sqlite3_column_name(s_, c);
  return n ? n : "";
}

std::optional<int64_t> Stmt::OptInt(int c) const {
  return Null(c) ? std::nullopt : std::optional<int64_t>(Int(c));
}
std::optional<double> Stmt::OptReal(int c) const {
  return Null(c) ? std::nullopt : std::optional<double>(Real(c));
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, const DbOptions& options) {
  int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  // Even a failed open returns a handle (to report the error with); Db closes it.
  std::unique_ptr<Db> db(new Db(handle));
  if (rc != SQLITE_OK) return db->Error("open " + path);
  sqlite3_busy_timeout(handle, options.busy_timeout_ms);
  return db;
}

Db::~Db() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

Status Db::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) == SQLITE_OK) return Status::Ok();
  std::string m = err ? err : "unknown";
  sqlite3_free(err);
  return Status::IoError("sqlite: " + m);
}

Status Db::Error(std::string_view what) const {
  return Status::IoError("sqlite " + std::string(what) + ": " +
                         (db_ ? sqlite3_errmsg(db_) : "no handle"));
}

Status Db::StepError(StepResult rc, std::string_view what) const {
  if (rc == StepResult::kConstraint)
    return Status(Code::kConflict, "sqlite " + std::string(what) + ": " + sqlite3_errmsg(db_));
  return Error(what);
}

Status Db::InTransaction(const std::function<Status()>& body) {
  Status s = Exec("BEGIN IMMEDIATE");
  if (!s.ok()) return s;
  s = body();
  if (!s.ok()) {
    Exec("ROLLBACK");
    return s;
  }
  return Exec("COMMIT");
}

Status Db::Migrate(std::span<const char* const> migrations) {
  Status s = Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  if (!s.ok()) return s;
  int64_t version = 0;
  {
    Stmt q(*this, "SELECT max(version) FROM schema_version");
    if (q.Step() == kRow && !q.Null(0)) version = q.Int(0);
  }
  int64_t known = static_cast<int64_t>(migrations.size());
  if (version > known)
    return Status::Corruption("database schema version " + std::to_string(version) +
                              " is newer than this ecohub (" + std::to_string(known) + ")");
  for (int64_t v = version; v < known; ++v) {
    s = InTransaction([&] {
      Status m = Exec(migrations[v]);
      if (!m.ok()) return m;
      return Exec("INSERT INTO schema_version VALUES (" + std::to_string(v + 1) + ")");
    });
    if (!s.ok()) return Status(s.code(), "migration " + std::to_string(v + 1) + ": " + s.message());
  }
  return Status::Ok();
}

void Db::CheckpointTruncate() {
  sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

Status Db::CheckpointPassive() {
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc == SQLITE_BUSY) return Status::Unavailable("another connection is checkpointing");
  if (rc != SQLITE_OK) return Error("checkpoint");
  return Status::Ok();
}

void Db::OnCommitWal(std::function<void(int pages)> fn) {
  on_commit_wal_ = std::move(fn);
  if (!on_commit_wal_) {
    sqlite3_wal_hook(db_, nullptr, nullptr);
    return;
  }
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) {
        static_cast<Db*>(self)->on_commit_wal_(pages);
        return SQLITE_OK;  // the commit itself succeeded, whatever the hook did
      },
      this);
}

int64_t Db::Changes() const { return sqlite3_changes(db_); }

Stmt& Db::Cached(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) it = cache_.emplace(sql, Stmt(*this, sql)).first;
  return it->second;
}

Result<std::unique_ptr<ReadPool>> ReadPool::Open(const std::string& path, int size,
                                                 const DbOptions& options, const char* setup) {
  std::unique_ptr<ReadPool> pool(new ReadPool());
  DbOptions read_only = options;
  read_only.read_only = true;
  for (int i = 0; i < std::max(size, 1); ++i) {
    auto db = Db::Open(path, read_only);
    if (!db.ok()) return db.status();
    if (Status s = (*db)->Exec(setup); !s.ok()) return s;
    pool->free_.push_back(db->get());
    pool->all_.push_back(std::move(*db));
  }
  return pool;
}

ReadPool::Lease ReadPool::Acquire() {
  std::unique_lock lock(mu_);
  returned_.wait(lock, [&] { return !free_.empty(); });
  Db* db = free_.back();
  free_.pop_back();
  return Lease(*this, db);
}

void ReadPool::Return(Db* db) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(db);
  }
  returned_.notify_one();
}

ReadPool::Lease::~Lease() { pool_.Return(db_); }

Result<TableRows> ReadTable(Db& db, const std::string& table) {
  TableRows out{table, {}, {}};
  Stmt q(db, ("SELECT * FROM \"" + table + "\" ORDER BY rowid").c_str());
  if (!q.ok()) return db.Error("read table " + table);
  for (int c = 0; c < q.Columns(); ++c) out.columns.push_back(q.ColumnName(c));
  StepResult rc;
  while ((rc = q.Step()) == StepResult::kRow) {
    auto& row = out.rows.emplace_back();
    for (int c = 0; c < q.Columns(); ++c) {
      if (q.Null(c)) {
        row.emplace_back();
      } else if (q.IsBlob(c)) {
        // As PostgreSQL reads bytea: \x and two hex digits a byte.
        static constexpr char kHex[] = "0123456789abcdef";
        std::string bytes = q.Text(c), hex = "\\x";
        for (unsigned char b : bytes) hex += {kHex[b >> 4], kHex[b & 15]};
        row.emplace_back(std::move(hex));
      } else if (q.IsReal(c)) {
        char buf[32];  // 17 significant digits: the same double on the other side
        std::snprintf(buf, sizeof buf, "%.17g", q.Real(c));
        row.emplace_back(buf);
      } else {
        row.emplace_back(q.Text(c));
      }
    }
  }
  if (rc != StepResult::kDone) return db.Error("read table " + table);
  return out;
}

Result<std::vector<TableRows>> ReadTables(Db& db, std::span<const char* const> tables) {
  std::vector<TableRows> out;
  for (const char* t : tables) {
    auto rows = ReadTable(db, t);
    if (!rows.ok()) return rows.status();
    out.push_back(std::move(*rows));
  }
  return out;
}

Status NoImportIntoSqlite(std::string_view module) {
  return Status::InvalidInput(std::string(module) +
                              ": tables are copied from SQLite into PostgreSQL only");
}

Result<std::unique_ptr<Db>> OpenModuleFile(const std::string& data_dir, const char* file,
                                           std::span<const char* const> migrations) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  auto db = Db::Open((std::filesystem::path(data_dir) / file).string(), {});
  if (!db.ok()) return db.status();
  Status s = (*db)->Exec("PRAGMA journal_mode=WAL");
  if (s.ok()) s = (*db)->Exec("PRAGMA synchronous=FULL");
  if (s.ok()) s = (*db)->Migrate(migrations);
  if (!s.ok()) return s;
  return std::move(*db);
}

}  // namespace ecohub::store::sqlite
