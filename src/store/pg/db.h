// The one PostgreSQL helper of EcoHub, on libpq: a connection (Conn) with typed
// parameters, results (Rows), transactions, COPY, and per-module numbered migrations;
// a pool of connections (Pool) for the threads that share a server. Every module of
// the PostgreSQL store goes through it, and only db.cc sees libpq-fe.h.
//
// Parameters travel as text ($1, $2... in SQL), so one statement serves every type:
// integers and bools in decimal, floating point with 17 significant digits (exact
// round trip), an empty optional as NULL, Bytes as binary (bytea), anything else as
// text. Results are text too: Rows reads them back typed.
//
// Errors are Status naming the failed step ("postgresql <what>: <server message>"):
// kConflict for a unique or exclusion violation (SQLSTATE 23505, 23P01), kUnavailable
// when the connection is lost or the server is shutting down or read-only (class 08,
// 57P0x, 25006: try again, possibly on another node), kIoError for anything else.
//
// Thread-safety: a Conn is not thread-safe; a Pool is. A Lease gives one thread a
// connection for as long as it holds it.
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
#include <utility>
#include <vector>

#include "core/status.h"

struct pg_conn;
struct pg_result;

namespace ecohub::store::pg {

// A parameter sent as binary bytea rather than text.
struct Bytes {
  std::string_view data;
};

// The rows of one result. Rows and columns are 0-based.
class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* r) : r_(r) {}
  ~Rows();
  Rows(Rows&& o) noexcept { std::swap(r_, o.r_); }
  Rows& operator=(Rows&& o) noexcept {
    std::swap(r_, o.r_);
    return *this;
  }
  Rows(const Rows&) = delete;

  int size() const;
  bool empty() const { return size() == 0; }
  bool Null(int row, int col) const;
  std::string_view Text(int row, int col) const;  // "" for NULL
  int64_t Int(int row, int col) const;            // 0 for NULL
  double Real(int row, int col) const;            // 0 for NULL
  bool Bool(int row, int col) const;              // 't'
  std::optional<int64_t> OptInt(int row, int col) const;
  std::optional<double> OptReal(int row, int col) const;
  std::string Bytea(int row, int col) const;  // a bytea column, decoded
  // Of a result asked for in binary (Conn::QueryBinary): a column's bytes as sent
  // (bytea: the bytes themselves), and an integer column's value (SMALLINT, INTEGER or
  // BIGINT; 0 for NULL).
  std::string_view Raw(int row, int col) const;
  int64_t BinaryInt(int row, int col) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  int64_t Affected() const;

 private:
  pg_result* r_ = nullptr;
};

// Parameters in text form, ready for libpq.
class Params {
 public:
  template <typename... V>
  explicit Params(const V&... values) {
    (Add(values), ...);
    Seal();
  }
  int size() const { return static_cast<int>(text_.size()); }
  const char* const* values() const { return ptrs_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  template <typename T>
  struct IsOptional : std::false_type {};
  template <typename T>
  struct IsOptional<std::optional<T>> : std::true_type {};

  template <typename T>
  void Add(const T& v) {
    if constexpr (IsOptional<T>::value) {
      if (v)
        Add(*v);
      else
        AddNull();
    } else if constexpr (std::is_same_v<T, bool>) {
      AddText(v ? "t" : "f");
    } else if constexpr (std::is_integral_v<T>) {
      AddText(std::to_string(v));
    } else if constexpr (std::is_floating_point_v<T>) {
      AddReal(static_cast<double>(v));
    } else if constexpr (std::is_same_v<T, Bytes>) {
      AddBinary(v.data);
    } else {
      AddText(std::string(std::string_view(v)));
    }
  }
  void AddText(std::string v);
  void AddNull();
  void AddBinary(std::string_view v);
  void AddReal(double v);
  void Seal();  // takes the addresses once every value is in place

  std::vector<std::string> text_;
  std::vector<bool> null_;
  std::vector<const char*> ptrs_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

struct ConnOptions {
  // Sent as application_name: which process a session on the server belongs to.
  std::string application = "ecohub";
  // statement_timeout of the session; 0 keeps the server's.
  int statement_timeout_ms = 0;
};

// One connection to one server.
class Conn {
 public:
  // Connects to `url` (postgresql://user:pass@host:port/db?... or key=value form;
  // libpq's multi-host lists and target_session_attrs work as libpq documents).
  static Result<std::unique_ptr<Conn>> Open(const std::string& url,
                                            const ConnOptions& options = {});
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // One or more statements without parameters and without results.
  Status Exec(std::string_view sql);
  // One statement with parameters; its rows (none for a command).
  Result<Rows> Query(const char* sql, std::string_view what, const Params& params);
  template <typename... V>
  Result<Rows> Query(const char* sql, std::string_view what, const V&... values) {
    return Query(sql, what, Params(values...));
  }
  // The same with the result in binary: no text to parse, no bytea to unescape, for
  // large reads. Read it with Rows::Raw, Rows::BinaryInt and Rows::Null only.
  Result<Rows> QueryBinary(const char* sql, std::string_view what, const Params& params);
  template <typename... V>
  Status Run(const char* sql, std::string_view what, const V&... values) {
    auto r = Query(sql, what, Params(values...));
    return r.ok() ? Status::Ok() : r.status();
  }
  // BEGIN, `body`, then COMMIT, or ROLLBACK when the body fails. The body's status
  // is returned; a COMMIT that fails returns its error (nothing was stored, unless
  // the connection was lost during the COMMIT: kUnavailable, outcome unknown; see
  // WriteOnce in lease.h for writes that must then be retried without applying twice).
  Status InTransaction(const std::function<Status()>& body);
  // COPY <table> FROM STDIN (text format) with `data`: lines of tab-separated
  // fields, `\N` for NULL, escaped with CopyField. `copy_sql` is the COPY statement.
  Status CopyIn(const char* copy_sql, std::string_view data);
  // Applies the steps of `module`'s migrations that the database has not seen yet,
  // each in its own transaction, recording the version in table schema_versions
  // (module, version). Nodes starting together take an advisory lock, so each step
  // runs once. kCorruption when the database is newer than the list.
  Status Migrate(std::string_view module, std::span<const char* const> steps);

  // LISTEN/NOTIFY: the socket to wait on, reading what arrived, and the
  // notifications received so far as (channel, payload).
  int Socket() const;
  Status ConsumeInput();
  std::vector<std::pair<std::string, std::string>> TakeNotifications();

  // False once the connection is lost; Reconnect() then tries again.
  bool Healthy() const;
  // Cuts the connection as a failover or a cut cable would (the server sees it
  // close and rolls back what was not committed); Reconnect() then makes a new one.
  void Drop();
  Status Reconnect();
  // The error of the last failed call on this connection, with `what` in front.
  Status Error(std::string_view what, pg_result* r = nullptr) const;

 private:
  explicit Conn(pg_conn* c, ConnOptions o) : c_(c), options_(std::move(o)) {}
  Status Configure();
  Result<Rows> Exec(const char* sql, std::string_view what, const Params& p, bool binary);

  pg_conn* c_;
  ConnOptions options_;
  bool dropped_ = false;
};

// For tests: where a transaction loses its connection, as a failover would.
// kBeforeCommit drops it instead of sending COMMIT (the server rolls back);
// kAfterCommit drops it once the COMMIT has been answered, before the caller learns
// of it. Either way Conn::InTransaction returns kUnavailable: to the caller the
// outcome is unknown. Asked before every COMMIT of every connection in the process;
// an empty function (the default) loses nothing.
enum class CommitLoss { kNone, kBeforeCommit, kAfterCommit };
void SetCommitLossForTesting(std::function<CommitLoss()> f);

// Appends `v` to `out` escaped for COPY's text format (backslash, tab, newline,
// carriage return).
void CopyField(std::string_view v, std::string* out);

// Appends `v` as a bytea literal in hex: \\x4d31 for "M1", its backslash doubled
// as COPY's text format and array literals want it.
void AppendHex(std::string_view v, std::string* out);

// A fixed set of connections to one server, leased one thread at a time. Lost
// connections are reconnected when leased.
class Pool {
 public:
  static Result<std::unique_ptr<Pool>> Open(const std::string& url, int size,
                                            const ConnOptions& options = {});

  class Lease {
   public:
    Lease(Pool* p, std::unique_ptr<Conn> c) : pool_(p), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept = default;
    ~Lease();
    Conn& operator*() { return *c_; }
    Conn* operator->() { return c_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> c_;
  };
  // A connection, waiting for one to be free; kUnavailable when the server cannot
  // be reached.
  Result<Lease> Get();
  const std::string& url() const { return url_; }

 private:
  Pool(std::string url, ConnOptions o) : url_(std::move(url)), options_(std::move(o)) {}
  void Return(std::unique_ptr<Conn> c);

  std::string url_;
  ConnOptions options_;
  std::mutex mu_;
  std::condition_variable free_cv_;
  std::vector<std::unique_ptr<Conn>> free_;
};

}  // namespace ecohub::store::pg
