// The derived-values module of the SQLite store, in derived.db (modules.h).
#include <algorithm>

#include "store/sqlite/modules.h"

namespace ecohub::store::sqlite {

namespace {

class Derived final : public DerivedStore {
 public:
  explicit Derived(Connections& c) : d_(c.derived.get()), reads_(c.derived_read.get()) {}

  Status ReplaceDerived(std::string_view kind, std::string_view scope, UnixSeconds from,
                        UnixSeconds to, std::span<const DerivedRow> rows) override {
    if (!d_) return NotOpen();
    std::lock_guard lock(d_->mu());
    return d_->InTransaction([&] {
      Status s = d_->Run("DELETE FROM derived WHERE kind = ? AND scope = ? AND t >= ? AND t < ?",
                         "replace derived", kind, scope, from, to);
      return s.ok() ? InsertDerived(rows) : s;
    });
  }
  Status PutDerived(std::span<const DerivedRow> rows) override {
    if (!d_) return NotOpen();
    std::lock_guard lock(d_->mu());
    return d_->InTransaction([&] { return InsertDerived(rows); });
  }
  Result<std::vector<DerivedRow>> QueryDerived(std::string_view kind, std::string_view scope,
                                               UnixSeconds from, UnixSeconds to,
                                               size_t limit) override {
    if (!reads_) return std::vector<DerivedRow>();
    auto db = reads_->Acquire();
    bool prefix = !scope.empty() && scope.back() == '*';
    if (prefix) scope.remove_suffix(1);
    const char* sql =
        scope.empty() && !prefix ? "SELECT kind, scope, t, value, body, updated FROM derived WHERE "
                                   "kind = ?1 AND t >= ?3 "
                                   "AND t < ?4 ORDER BY t, scope LIMIT ?5"
        : prefix ? "SELECT kind, scope, t, value, body, updated FROM derived WHERE kind = ?1 AND "
                   "t >= ?3 AND t < ?4 AND substr(scope, 1, length(?2)) = ?2 ORDER BY t, scope "
                   "LIMIT ?5"
                 : "SELECT kind, scope, t, value, body, updated FROM derived WHERE kind = ?1 AND "
                   "scope = ?2 AND t >= ?3 AND t < ?4 ORDER BY t LIMIT ?5";
    return db->Query(
        sql, "query derived",
        [](const Stmt& q) {
          DerivedRow r{q.Text(0), q.Text(1), q.Int(2), std::nullopt, q.Text(4), q.Int(5)};
          if (!q.Null(3)) r.value = q.Real(3);
          return r;
        },
        kind, scope, from, to, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

 private:
  static Status NotOpen() {
    return Status::Unavailable("derived.db is not open (read-only store)");
  }

  // Caller holds d_->mu() inside a transaction.
  Status InsertDerived(std::span<const DerivedRow> rows) {
    UnixSeconds now = WallSeconds();
    for (const DerivedRow& r : rows) {
      Status s = d_->Run(
          "INSERT INTO derived (kind, scope, t, value, body, updated) VALUES (?,?,?,?,?,?) "
          "ON CONFLICT (kind, t, scope) DO UPDATE SET value=excluded.value, "
          "body=excluded.body, updated=excluded.updated",
          "insert derived", r.kind, r.scope, r.time, r.value, r.body, r.updated ? r.updated : now);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  // Writes under d_->mu(), reads on a lease; both null in a read-only store
  // without derived.db.
  Db* d_;
  ReadPool* reads_;
};

}  // namespace

std::unique_ptr<DerivedStore> NewDerived(Connections& c) { return std::make_unique<Derived>(c); }

}  // namespace ecohub::store::sqlite
