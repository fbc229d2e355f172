// Using a Pool's connections (db.h) one lease at a time, for the modules written over
// it (the store's modules, the account and permit stores): one statement, a
// transaction, a write applied once, a module's migrations, each on a connection
// leased for that call only; and a query's rows read into values by a function
// `read(const Rows&, int row)`.
#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/table_rows.h"
#include "store/pg/db.h"

namespace ecohub::store::pg {

// A text column as a string ("" for NULL).
inline std::string Str(const Rows& q, int row, int col) { return std::string(q.Text(row, col)); }

// One statement on a leased connection.
template <typename... V>
Result<Rows> Query(Pool& pool, const char* sql, std::string_view what, const V&... values) {
  auto db = pool.Get();
  if (!db.ok()) return db.status();
  return (*db)->Query(sql, what, values...);
}
template <typename... V>
Status Run(Pool& pool, const char* sql, std::string_view what, const V&... values) {
  auto rows = Query(pool, sql, what, values...);
  return rows.ok() ? Status::Ok() : rows.status();
}

// The id an INSERT or upsert's RETURNING id gave.
inline Result<int64_t> ReturnedId(Result<Rows> rows) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::Internal("postgresql: a RETURNING id gave no row");
  return rows->Int(0, 0);
}

// `body` in one transaction (Conn::InTransaction) on a leased connection.
inline Status Transaction(Pool& pool, const std::function<Status(Conn&)>& body) {
  auto db = pool.Get();
  if (!db.ok()) return db.status();
  Conn& conn = **db;
  return conn.InTransaction([&] { return body(conn); });
}

// A write that must not apply twice, retried when its outcome is unknown. A
// transaction whose connection is lost during COMMIT (a failover, a restart, a cut
// cable) may or may not have committed; run again blindly, a plain INSERT would
// store its row twice. WriteOnce gives the write a fresh random key and records it,
// with what `body` returns (e.g. a new row's id, as text), in table applied_writes in
// the same transaction as the change. On kUnavailable it leases a connection again
// (the pool reconnects, to the new primary after a failover) and tries once more
// with the same key, for up to `window`: a key that is already there means an
// earlier try committed, and its recorded result is returned without running `body`
// again. Any other error is returned at once. After the window: kUnavailable, the
// outcome still unknown.
//
// `body` must read what it depends on inside its transaction: it may run more than
// once. Keys older than a day are deleted now and then (no retry lasts that long).
Result<std::string> WriteOnceReturning(Pool& pool, std::string_view what,
                                       const std::function<Result<std::string>(Conn&)>& body,
                                       std::chrono::milliseconds window = std::chrono::seconds(30));
// The same for a body with nothing to record.
inline Status WriteOnce(Pool& pool, std::string_view what,
                        const std::function<Status(Conn&)>& body) {
  auto r = WriteOnceReturning(pool, what, [&](Conn& db) -> Result<std::string> {
    Status s = body(db);
    if (!s.ok()) return s;
    return std::string();
  });
  return r.ok() ? Status::Ok() : r.status();
}

// WriteOnce of one INSERT ... RETURNING id: the new row's id, also when it is an
// earlier try's.
template <typename... V>
Result<int64_t> InsertOnce(Pool& pool, const char* sql, std::string_view what, const V&... values) {
  auto id = WriteOnceReturning(pool, what, [&](Conn& db) -> Result<std::string> {
    auto r = ReturnedId(db.Query(sql, what, values...));
    if (!r.ok()) return r.status();
    return std::to_string(*r);
  });
  if (!id.ok()) return id.status();
  int64_t v = 0;
  std::from_chars(id->data(), id->data() + id->size(), v);
  return v;
}

// Writes `rows` into its table with COPY, the values as given (identity columns
// too), then moves each identity column's sequence past the largest value, so that
// the next row inserted gets a new id. For `ecohub db migrate`, inside the caller's
// transaction.
Status CopyTable(Conn& db, const TableRows& rows);
// CopyTable of each of `tables` in one transaction: all of them or none.
inline Status CopyTables(Pool& pool, const std::vector<TableRows>& tables) {
  return Transaction(pool, [&](Conn& db) {
    for (const TableRows& t : tables)
      if (Status s = CopyTable(db, t); !s.ok()) return s;
    return Status::Ok();
  });
}
// What the PostgreSQL half of a module's ExportTables says: db migrate goes one way.
inline Status NoExportFromPostgres(std::string_view module) {
  return Status::InvalidInput(std::string(module) +
                              ": tables are copied from SQLite into PostgreSQL only");
}

// A module's pool of `connections` to `url`, named `application` on the server,
// with the module's migrations applied.
inline Result<std::unique_ptr<Pool>> OpenModulePool(const std::string& url, const char* application,
                                                    std::string_view module,
                                                    std::span<const char* const> steps,
                                                    int connections = 2);

// Conn::Migrate on a leased connection.
inline Status Migrate(Pool& pool, std::string_view module, std::span<const char* const> steps) {
  auto db = pool.Get();
  return db.ok() ? (*db)->Migrate(module, steps) : db.status();
}

// A one-dimensional array parameter in PostgreSQL's text form ({"a",NULL,3}), built
// one element at a time: with unnest($1::text[], $2::bigint[], ...) one statement
// carries a whole batch of rows, instead of one round trip per row. Text elements
// are quoted, so commas, quotes and braces stay inside their element.
class ArrayParam {
 public:
  void Add(std::string_view text) {
    Next();
    out_ += '"';
    for (char ch : text) {
      if (ch == '"' || ch == '\\') out_ += '\\';
      out_ += ch;
    }
    out_ += '"';
  }
  void Add(int64_t v) {
    Next();
    out_ += std::to_string(v);
  }
  void Add(double v) {
    Next();
    char buf[32];  // 17 significant digits: the exact double back (as Params sends it)
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out_ += buf;
  }
  // An empty optional is NULL.
  template <typename T>
  void Add(const std::optional<T>& v) {
    if (v) return Add(*v);
    Next();
    out_ += "NULL";
  }
  // The literal, to pass as a parameter.
  std::string str() const { return out_ + "}"; }

 private:
  void Next() { out_ += out_.size() > 1 ? "," : ""; }
  std::string out_ = "{";
};

template <typename F>
using ReadType = std::invoke_result_t<F, const Rows&, int>;

// Every row of `sql`, in order.
template <typename F, typename... V>
Result<std::vector<ReadType<F>>> Read(Conn& db, const char* sql, std::string_view what, F read,
                                      const V&... values) {
  auto rows = db.Query(sql, what, values...);
  if (!rows.ok()) return rows.status();
  std::vector<ReadType<F>> out;
  out.reserve(rows->size());
  for (int i = 0; i < rows->size(); ++i) out.push_back(read(*rows, i));
  return out;
}
template <typename F, typename... V>
Result<std::vector<ReadType<F>>> Read(Pool& pool, const char* sql, std::string_view what, F read,
                                      const V&... values) {
  auto db = pool.Get();
  if (!db.ok()) return db.status();
  return Read(**db, sql, what, read, values...);
}

// Row `i` of a result, read by column through Int(c), Text(c), OptInt(c) and
// OptReal(c): how the readers shared by both backends of a module (its *_sql.h)
// take a PostgreSQL row.
struct RowAt {
  const Rows& q;
  int i;
  int64_t Int(int c) const { return q.Int(i, c); }
  std::string Text(int c) const { return std::string(q.Text(i, c)); }
  std::optional<int64_t> OptInt(int c) const { return q.OptInt(i, c); }
  std::optional<double> OptReal(int c) const { return q.OptReal(i, c); }
};

// The first row of `sql`; kNotFound saying `not_found` when there is none.
template <typename Db, typename F, typename... V>
Result<ReadType<F>> ReadOne(Db& db, const char* sql, const std::string& not_found, F read,
                            const V&... values) {
  auto rows = Read(db, sql, not_found, read, values...);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound(not_found);
  return std::move(rows->front());
}

inline Result<std::unique_ptr<Pool>> OpenModulePool(const std::string& url, const char* application,
                                                    std::string_view module,
                                                    std::span<const char* const> steps,
                                                    int connections) {
  auto pool = Pool::Open(url, connections, ConnOptions{.application = application});
  if (!pool.ok()) return pool.status();
  if (Status s = Migrate(**pool, module, steps); !s.ok()) return s;
  return std::move(*pool);
}

}  // namespace ecohub::store::pg
