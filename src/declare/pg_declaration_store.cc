// The PostgreSQL DeclarationStore: the same table as declarations.db, every write
// applied once across a failover (store/pg/lease.h).
#include <algorithm>

#include "declare/declaration_store.h"
#include "store/pg/lease.h"

namespace ecohub::declare {
namespace {

using store::pg::Conn;
using store::pg::Pool;
using store::pg::Rows;
using store::pg::Str;

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: declarations; t_to NULL while a stop is open.
    R"sql(
CREATE TABLE declarations (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, site_id BIGINT NOT NULL,
  site_code TEXT NOT NULL, enterprise_id BIGINT NOT NULL, district_id BIGINT NOT NULL,
  kind TEXT NOT NULL, t_from BIGINT NOT NULL, t_to BIGINT, reason TEXT NOT NULL,
  submitted_by TEXT NOT NULL, submitted_at BIGINT NOT NULL, status TEXT NOT NULL,
  decided_by TEXT NOT NULL, decided_at BIGINT NOT NULL, decision_comment TEXT NOT NULL,
  ended_by TEXT NOT NULL, ended_at BIGINT NOT NULL);
CREATE INDEX declarations_site ON declarations (site_id, t_from);
)sql",
};

#define COLUMNS                                                                              \
  "id, site_id, site_code, enterprise_id, district_id, kind, t_from, t_to, reason, "         \
  "submitted_by, submitted_at, status, decided_by, decided_at, decision_comment, ended_by, " \
  "ended_at"
constexpr const char* kInsert =
    "INSERT INTO declarations (site_id, site_code, enterprise_id, district_id, kind, t_from, "
    "t_to, reason, submitted_by, submitted_at, status, decided_by, decided_at, "
    "decision_comment, ended_by, ended_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id";
constexpr const char* kById = "SELECT " COLUMNS " FROM declarations WHERE id = $1";
constexpr const char* kList =
    "SELECT " COLUMNS
    " FROM declarations WHERE ($1::BIGINT = 0 OR site_id = $1) "
    "AND ($2::BIGINT = 0 OR enterprise_id = $2) AND ($3::BIGINT = 0 OR district_id = $3) "
    "AND t_from < $5 AND (t_to IS NULL OR t_to > $4) ORDER BY id DESC";
constexpr const char* kDecide =
    "UPDATE declarations SET status = $1, decided_by = $2, decided_at = $3, "
    "decision_comment = $4 WHERE id = $5 AND status = $6 RETURNING id";
constexpr const char* kEnd =
    "UPDATE declarations SET status = $1, ended_by = $2, ended_at = $3, t_to = $4 "
    "WHERE id = $5 AND status = $6 RETURNING id";
#undef COLUMNS

Declaration Read(const Rows& q, int i) {
  Declaration d;
  d.id = q.Int(i, 0);
  d.site_id = q.Int(i, 1);
  d.site_code = Str(q, i, 2);
  d.enterprise_id = q.Int(i, 3);
  d.district_id = q.Int(i, 4);
  d.kind = Str(q, i, 5);
  d.from = q.Int(i, 6);
  d.to = q.OptInt(i, 7);
  d.reason = Str(q, i, 8);
  d.submitted_by = Str(q, i, 9);
  d.submitted_at = q.Int(i, 10);
  d.status = Str(q, i, 11);
  d.decided_by = Str(q, i, 12);
  d.decided_at = q.Int(i, 13);
  d.decision_comment = Str(q, i, 14);
  d.ended_by = Str(q, i, 15);
  d.ended_at = q.Int(i, 16);
  return d;
}

class PgDeclarationStore final : public DeclarationStore {
 public:
  explicit PgDeclarationStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}

  Result<int64_t> Add(const Declaration& d) override {
    return store::pg::InsertOnce(*pool_, kInsert, "record declaration", d.site_id, d.site_code,
                                 d.enterprise_id, d.district_id, d.kind, d.from, d.to, d.reason,
                                 d.submitted_by, d.submitted_at, d.status, d.decided_by,
                                 d.decided_at, d.decision_comment, d.ended_by, d.ended_at);
  }

  Result<Declaration> Get(int64_t id) override {
    return store::pg::ReadOne(*pool_, kById, "no such declaration", Read, id);
  }

  Result<std::vector<Declaration>> List(const DeclarationFilter& f) override {
    auto all = store::pg::Read(*pool_, kList, "list declarations", Read, f.site_id, f.enterprise_id,
                               f.district_id, f.from, f.to);
    if (!all.ok()) return all.status();
    std::vector<Declaration> out;
    for (auto& d : *all)
      if ((f.statuses.empty() ||
           std::find(f.statuses.begin(), f.statuses.end(), d.status) != f.statuses.end()) &&
          out.size() < f.limit)
        out.push_back(std::move(d));
    return out;
  }

  Result<Declaration> Move(int64_t id, const Transition& t) override {
    Status s = store::pg::WriteOnce(*pool_, "move declaration", [&](Conn& db) -> Status {
      auto done = t.status == "ended"
                      ? db.Query(kEnd, "end declaration", t.status, t.by, t.at, t.to, id, t.expect)
                      : db.Query(kDecide, "decide declaration", t.status, t.by, t.at, t.comment, id,
                                 t.expect);
      if (!done.ok()) return done.status();
      if (!done->empty()) return Status::Ok();
      auto d = store::pg::ReadOne(db, kById, "no such declaration", Read, id);
      return d.ok() ? Status(Code::kConflict, "declaration " + std::to_string(id) + " is " +
                                                  d->status + ", not " + t.expect)
                    : d.status();
    });
    if (!s.ok()) return s;
    return Get(id);
  }

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("declarations");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }

 private:
  std::unique_ptr<Pool> pool_;
};

}  // namespace

Result<std::unique_ptr<DeclarationStore>> OpenPostgresDeclarationStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub declarations", "declarations", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<DeclarationStore>(std::make_unique<PgDeclarationStore>(std::move(*pool)));
}

}  // namespace ecohub::declare
