// The one SQLite helper of EcoHub: a connection (Db) and its prepared statements
// (Stmt), with typed binds and reads, transactions, numbered migrations, and errors
// as Status naming the failed step. Every SQLite file EcoHub keeps goes through it
// (the store's ecohub.db and derived.db, auth's accounts.db), and only db.cc sees
// sqlite3.h: a module links SQLite through ecohub_store and never writes C API
// calls itself.
//
// Thread-safety: a Db and its statements are not thread-safe (connections are
// opened without SQLite's own mutex). The owner holds mu() around every use of the
// connection and of the statements prepared on it, or leases it from a ReadPool,
// which gives one connection to one holder at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/table_rows.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ecohub::store::sqlite {

class Db;

// What one step of a statement gave.
enum class StepResult { kRow, kDone, kConstraint, kError };
inline constexpr StepResult kRow = StepResult::kRow;
inline constexpr StepResult kDone = StepResult::kDone;

// A prepared statement. Bindings are 1-based, columns 0-based, as in SQL. After a
// use, Reset() makes it ready for the next (and clears its bindings).
class Stmt {
 public:
  Stmt() = default;
  // Prepares `sql` on `db`; ok() is false when it does not compile (every step then
  // fails with kError, and db.Error() says why).
  Stmt(Db& db, const char* sql);
  Stmt(Db& db, const std::string& sql) : Stmt(db, sql.c_str()) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept { std::swap(s_, o.s_); }
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  bool ok() const { return s_ != nullptr; }

  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, double v);
  Stmt& Bind(int i, std::string_view v);  // as TEXT
  Stmt& BindBlob(int i, std::string_view v);
  Stmt& BindNull(int i);
  // Binds `values` to ?1, ?2... in order: integers and bools as INTEGER, floating
  // point as REAL, an empty optional as NULL, anything else as TEXT.
  template <typename... V>
  Stmt& BindAll(const V&... values) {
    int i = 0;
    (BindValue(++i, values), ...);
    return *this;
  }

  StepResult Step();
  void Reset();

  int64_t Int(int c) const;
  double Real(int c) const;
  bool Null(int c) const;
  std::string Text(int c) const;               // TEXT or BLOB, byte for byte; "" for NULL
  std::optional<int64_t> OptInt(int c) const;  // nullopt for NULL
  std::optional<double> OptReal(int c) const;
  // The result's columns: how many, and their names.
  int Columns() const;
  std::string ColumnName(int c) const;
  bool IsReal(int c) const;  // the value in column c is floating point
  bool IsBlob(int c) const;  // ... is a BLOB

 private:
  template <typename T>
  struct IsOptional : std::false_type {};
  template <typename T>
  struct IsOptional<std::optional<T>> : std::true_type {};

  template <typename T>
  void BindValue(int i, const T& v) {
    if constexpr (IsOptional<T>::value) {
      if (v)
        BindValue(i, *v);
      else
        BindNull(i);
    } else if constexpr (std::is_integral_v<T>) {
      Bind(i, static_cast<int64_t>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
      Bind(i, static_cast<double>(v));
    } else {
      Bind(i, std::string_view(v));
    }
  }

  sqlite3_stmt* s_ = nullptr;
};

struct DbOptions {
  bool read_only = false;  // otherwise read-write, created when missing
  int busy_timeout_ms = 5000;
};

// One connection to one SQLite file.
class Db {
 public:
  // Opens (or creates) the file at `path`.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, const DbOptions& options);
  ~Db();  // finalizes the cached statements, then closes
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  std::mutex& mu() { return mu_; }

  Status Exec(const char* sql);  // one or more statements, no results
  Status Exec(const std::string& sql) { return Exec(sql.c_str()); }
  // kIoError "sqlite <what>: <SQLite's last message>".
  Status Error(std::string_view what) const;
  // BEGIN IMMEDIATE, `body`, then COMMIT, or ROLLBACK when the body fails.
  Status InTransaction(const std::function<Status()>& body);
  // Applies the steps of `migrations` that the file has not seen yet, each in its
  // own transaction, recording the version in table schema_version. kCorruption
  // when the file is newer than the list.
  Status Migrate(std::span<const char* const> migrations);
  // Checkpoints the WAL into the file and truncates it (waits for the writer and
  // the readers).
  void CheckpointTruncate();
  // Copies what it can of the WAL into the file without waiting for anyone (other
  // connections go on writing and reading meanwhile). kUnavailable when another
  // connection is checkpointing now, kIoError when it fails.
  Status CheckpointPassive();
  // Replaces SQLite's automatic checkpoint (which runs inside the commit that takes
  // the WAL past 1,000 pages, so that commit pays for the copy and the fsync of the
  // file): after each commit on this connection `fn` gets the WAL's size in pages.
  // `fn` runs inside the commit, on the committing thread; it may call
  // CheckpointPassive on this connection. nullptr: no hook and no automatic
  // checkpoint.
  void OnCommitWal(std::function<void(int pages)> fn);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;

  // A statement prepared once and kept for the connection's life, found by the
  // address of `sql`: pass string literals (or other static text) only.
  Stmt& Cached(const char* sql);

  // Runs a statement that returns no rows, with `values` bound in order (BindAll).
  // kConflict when a constraint refused the row.
  template <typename... V>
  Status Run(const char* sql, std::string_view what, const V&... values) {
    Stmt& q = Cached(sql);
    q.BindAll(values...);
    StepResult rc = q.Step();
    q.Reset();
    return rc == kDone ? Status::Ok() : StepError(rc, what);
  }
  // Runs an INSERT (or upsert) ending in `RETURNING id` and returns the id.
  // kConflict when a constraint refused the row.
  template <typename... V>
  Result<int64_t> InsertReturningId(const char* sql, std::string_view what, const V&... values) {
    Stmt& q = Cached(sql);
    q.BindAll(values...);
    StepResult rc = q.Step();
    Result<int64_t> id = rc == kRow ? Result<int64_t>(q.Int(0)) : StepError(rc, what);
    if (rc == kRow) q.Step();  // runs the statement to its end
    q.Reset();
    return id;
  }
  // Every row of a query, each turned into a value by `read(const Stmt&)`.
  template <typename Read, typename... V>
  auto Query(const char* sql, std::string_view what, Read read, const V&... values)
      -> Result<std::vector<std::invoke_result_t<Read, const Stmt&>>> {
    Stmt& q = Cached(sql);
    q.BindAll(values...);
    std::vector<std::invoke_result_t<Read, const Stmt&>> out;
    StepResult rc;
    while ((rc = q.Step()) == kRow) out.push_back(read(std::as_const(q)));
    q.Reset();
    if (rc != kDone) return StepError(rc, what);
    return out;
  }
  // The first row of a query; kNotFound with the message `not_found` when there is
  // none.
  template <typename Read, typename... V>
  auto QueryOne(const char* sql, std::string_view not_found, Read read, const V&... values)
      -> Result<std::invoke_result_t<Read, const Stmt&>> {
    using Row = std::invoke_result_t<Read, const Stmt&>;
    Stmt& q = Cached(sql);
    q.BindAll(values...);
    StepResult rc = q.Step();
    Result<Row> out = rc == kRow    ? Result<Row>(read(std::as_const(q)))
                      : rc == kDone ? Result<Row>(Status::NotFound(std::string(not_found)))
                                    : Result<Row>(StepError(rc, not_found));
    q.Reset();
    return out;
  }

 private:
  friend class Stmt;
  explicit Db(sqlite3* db) : db_(db) {}
  Status StepError(StepResult rc, std::string_view what) const;

  sqlite3* db_;
  std::mutex mu_;
  std::unordered_map<const char*, Stmt> cache_;
  std::function<void(int)> on_commit_wal_;
};

// A fixed set of read-only connections to one file, so that readers on several
// threads do not queue behind one connection: in WAL mode each reads its own
// snapshot and waits neither for the writer nor for another reader. A reader
// leases a connection for the length of its work (its statements, its
// transaction); while every connection is leased, Acquire() waits for one to come
// back. A holder that acquires a second lease while holding one (a scan callback
// that reads again) gets another connection, or waits; when every holder does that
// at once nothing comes back, so callbacks must not read through the same pool.
// Thread-safe.
class ReadPool {
 public:
  // Exclusive use of one connection until destroyed. Cached statements stay with
  // the connection, for the next holder.
  class Lease {
   public:
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Db& operator*() const { return *db_; }
    Db* operator->() const { return db_; }

   private:
    friend class ReadPool;
    Lease(ReadPool& pool, Db* db) : pool_(pool), db_(db) {}
    ReadPool& pool_;
    Db* db_;
  };

  // Opens `size` (at least 1) read-only connections to `path` and runs `setup`
  // (pragmas) on each.
  static Result<std::unique_ptr<ReadPool>> Open(const std::string& path, int size,
                                                const DbOptions& options, const char* setup);
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  Lease Acquire();
  size_t size() const { return all_.size(); }

 private:
  ReadPool() = default;
  void Return(Db* db);

  std::vector<std::unique_ptr<Db>> all_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<Db*> free_;  // guarded by mu_
};

// Every row of `table` in rowid order, as text (TableRows): for copying a module's
// tables into another kind of store (a BLOB as PostgreSQL's bytea text, \x and hex).
// Under the caller's lock, if the Db has users on other threads.
Result<TableRows> ReadTable(Db& db, const std::string& table);
// ReadTable of each of `tables`, in that order.
Result<std::vector<TableRows>> ReadTables(Db& db, std::span<const char* const> tables);
// What the SQLite half of a module's ImportTables says: db migrate goes one way.
Status NoImportIntoSqlite(std::string_view module);

// A module's own file (permits.db, imports.db, reviews.db...): `data_dir`/`file`
// opened or created (and `data_dir`), WAL, fsynced on every commit, `migrations`
// applied.
Result<std::unique_ptr<Db>> OpenModuleFile(const std::string& data_dir, const char* file,
                                           std::span<const char* const> migrations);

}  // namespace ecohub::store::sqlite
