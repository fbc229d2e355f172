// Reading query results into values, for the modules written over db.h (the store's
// modules, and the account and permit stores): a query's rows, each turned into a
// value by a function `read(const Rows&, int row)`, on a connection or on a
// connection leased from a pool for the one query.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "store/pg/db.h"

namespace ecohub::store::pg {

// A text column as a string ("" for NULL).
inline std::string Str(const Rows& q, int row, int col) { return std::string(q.Text(row, col)); }

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

// The first row of `sql`; kNotFound saying `not_found` when there is none.
template <typename Db, typename F, typename... V>
Result<ReadType<F>> ReadOne(Db& db, const char* sql, const std::string& not_found, F read,
                            const V&... values) {
  auto rows = Read(db, sql, not_found, read, values...);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound(not_found);
  return std::move(rows->front());
}

}  // namespace ecohub::store::pg
