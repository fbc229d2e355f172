// Small helpers over the SQLite C API shared by the stores that keep SQLite files
// (sqlite_store.cc, the accounts database): a prepared statement with typed binds
// and reads, Exec, an error Status naming the failed step, and a transaction.
#pragma once

#include <sqlite3.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace ecohub::store {

// A prepared statement, reset after each use.
class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, const char* sql) {
    sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept { std::swap(s_, o.s_); }
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  sqlite3_stmt* get() const { return s_; }
  bool ok() const { return s_ != nullptr; }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  int Step() { return sqlite3_step(s_); }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }
  double Real(int c) const { return sqlite3_column_double(s_, c); }
  bool Null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  std::string Text(int c) const {
    auto p = sqlite3_column_blob(s_, c);
    return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(s_, c))
             : std::string();
  }

 private:
  sqlite3_stmt* s_ = nullptr;
};

inline Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK) return Status::Ok();
  std::string m = err ? err : "unknown";
  sqlite3_free(err);
  return Status::IoError(std::string("sqlite: ") + m);
}
inline Status Error(sqlite3* db, const char* what) {
  return Status::IoError(std::string("sqlite ") + what + ": " +
                         (db ? sqlite3_errmsg(db) : "no handle"));
}

// BEGIN IMMEDIATE, `body`, then COMMIT, or ROLLBACK when the body fails. The
// caller holds the connection's mutex.
inline Status InTransaction(sqlite3* db, const std::function<Status()>& body) {
  Status s = Exec(db, "BEGIN IMMEDIATE");
  if (!s.ok()) return s;
  s = body();
  if (!s.ok()) {
    Exec(db, "ROLLBACK");
    return s;
  }
  return Exec(db, "COMMIT");
}

}  // namespace ecohub::store
