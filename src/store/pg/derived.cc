// The derived-values module of the PostgreSQL store (derived_store.h), with the
// semantics of the SQLite module (sqlite/derived.cc). Everything here can be derived
// again, so its transactions commit without waiting for the WAL flush
// (synchronous_commit off, the counterpart of derived.db's synchronous=NORMAL): a
// crash of the server may lose the last fraction of a second of them, never
// corrupt them, and the table stays logged so replicas have it.
#include <algorithm>
#include <map>
#include <tuple>

#include "store/pg/lease.h"
#include "store/pg/modules.h"

namespace ecohub::store::pg {

namespace {

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: as sqlite/migrations.h's kSqliteDerivedSchema. Kind and scope in binary
    // order (collation "C"), as SQLite orders them, whatever the database's collation.
    R"sql(
CREATE TABLE derived (
  kind TEXT COLLATE "C" NOT NULL, scope TEXT COLLATE "C" NOT NULL, t BIGINT NOT NULL,
  value DOUBLE PRECISION, body TEXT NOT NULL, updated BIGINT NOT NULL,
  PRIMARY KEY (kind, t, scope));
CREATE INDEX derived_scope ON derived (kind, scope, t);
)sql",
};

constexpr const char* kColumns = "SELECT kind, scope, t, value, body, updated FROM derived ";

class Derived final : public DerivedStore {
 public:
  explicit Derived(Connections& c) : pool_(*c.pool) {}

  Status ReplaceDerived(std::string_view kind, std::string_view scope, UnixSeconds from,
                        UnixSeconds to, std::span<const DerivedRow> rows) override {
    return Write([&](Conn& db) {
      Status s = db.Run("DELETE FROM derived WHERE kind = $1 AND scope = $2 AND t >= $3 AND t < $4",
                        "replace derived", kind, scope, from, to);
      return s.ok() ? InsertDerived(db, rows) : s;
    });
  }
  Status PutDerived(std::span<const DerivedRow> rows) override {
    return Write([&](Conn& db) { return InsertDerived(db, rows); });
  }
  Result<std::vector<DerivedRow>> QueryDerived(std::string_view kind, std::string_view scope,
                                               UnixSeconds from, UnixSeconds to,
                                               size_t limit) override {
    auto n = static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX));
    bool prefix = !scope.empty() && scope.back() == '*';
    if (prefix) scope.remove_suffix(1);
    // Each form names only the parameters it uses: PostgreSQL must infer every type.
    std::string sql = kColumns;
    Result<Rows> rows = Status::Internal("derived query did not run");
    if (scope.empty() && !prefix) {
      sql += "WHERE kind = $1 AND t >= $2 AND t < $3 ORDER BY t, scope LIMIT $4";
      rows = Query(pool_, sql.c_str(), "query derived", kind, from, to, n);
    } else {
      sql += prefix ? "WHERE kind = $1 AND starts_with(scope, $2) AND t >= $3 AND t < $4 "
                      "ORDER BY t, scope LIMIT $5"
                    : "WHERE kind = $1 AND scope = $2 AND t >= $3 AND t < $4 ORDER BY t LIMIT $5";
      rows = Query(pool_, sql.c_str(), "query derived", kind, scope, from, to, n);
    }
    if (!rows.ok()) return rows.status();
    std::vector<DerivedRow> out;
    out.reserve(rows->size());
    for (int i = 0; i < rows->size(); ++i)
      out.push_back(DerivedRow{std::string(rows->Text(i, 0)), std::string(rows->Text(i, 1)),
                               rows->Int(i, 2), rows->OptReal(i, 3), std::string(rows->Text(i, 4)),
                               rows->Int(i, 5)});
    return out;
  }

 private:
  // `body` in one transaction on a leased connection, committed without waiting for
  // the flush (see the top of the file).
  Status Write(const std::function<Status(Conn&)>& body) {
    return Transaction(pool_, [&](Conn& conn) {
      Status s = conn.Exec("SET LOCAL synchronous_commit = off");
      return s.ok() ? body(conn) : s;
    });
  }

  // Upserts `rows` in one statement (one round trip however many rows), inside the
  // caller's transaction. Of rows with the same (kind, t, scope) the last is kept, as
  // one upsert after another would: PostgreSQL refuses to update a row twice in one
  // statement.
  static Status InsertDerived(Conn& db, std::span<const DerivedRow> rows) {
    if (rows.empty()) return Status::Ok();
    std::map<std::tuple<std::string_view, int64_t, std::string_view>, size_t> last;
    for (size_t i = 0; i < rows.size(); ++i) last[{rows[i].kind, rows[i].time, rows[i].scope}] = i;
    UnixSeconds now = WallSeconds();
    ArrayParam kinds, scopes, times, values, bodies, updated;
    for (const auto& [key, i] : last) {
      const DerivedRow& r = rows[i];
      kinds.Add(r.kind);
      scopes.Add(r.scope);
      times.Add(r.time);
      values.Add(r.value);
      bodies.Add(r.body);
      updated.Add(r.updated ? r.updated : now);
    }
    return db.Run(
        "INSERT INTO derived (kind, scope, t, value, body, updated) SELECT * FROM "
        "unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::text[], $6::bigint[]) "
        "ON CONFLICT (kind, t, scope) DO UPDATE SET value=excluded.value, body=excluded.body, "
        "updated=excluded.updated",
        "insert derived", kinds.str(), scopes.str(), times.str(), values.str(), bodies.str(),
        updated.str());
  }

  Pool& pool_;
};

}  // namespace

Result<std::unique_ptr<DerivedStore>> OpenDerived(Connections& c) {
  if (Status s = Migrate(*c.pool, "derived", kSteps); !s.ok()) return s;
  return std::unique_ptr<DerivedStore>(std::make_unique<Derived>(c));
}

}  // namespace ecohub::store::pg
