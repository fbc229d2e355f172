#include "permit/pg_permit_store.h"

#include <charconv>

#include "permit/json.h"
#include "store/pg/lease.h"

namespace ecohub::permit {

namespace {

using store::pg::Conn;
using store::pg::Pool;
using store::pg::Read;
using store::pg::ReadOne;
using store::pg::Rows;

// Never edit a released step: add the next one. As in SQLite, the permit is kept
// whole as its JSON (json.h) in `body`; number and enterprise are columns beside it
// for the unique key and the enterprise's index.
constexpr const char* kSteps[] = {
    // 1: the permits.
    R"sql(
CREATE TABLE permits (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, number TEXT NOT NULL UNIQUE,
  enterprise_id BIGINT NOT NULL, body TEXT NOT NULL);
CREATE INDEX permits_enterprise ON permits (enterprise_id, id);
)sql",
};

constexpr const char* kById = "SELECT id, body, number, enterprise_id FROM permits WHERE id = $1";
constexpr const char* kAll = "SELECT id, body, number, enterprise_id FROM permits ORDER BY id";
constexpr const char* kOfEnterprise =
    "SELECT id, body, number, enterprise_id FROM permits WHERE enterprise_id = $1 ORDER BY id";
// One statement, so two nodes storing the same number at once cannot both insert it.
// A row the statement inserted has no deleting transaction yet (xmax = 0); a row it
// updated has this one's: that tells a new permit from a replaced one.
constexpr const char* kPut =
    "INSERT INTO permits (number, enterprise_id, body) VALUES ($1, $2, $3) "
    "ON CONFLICT (number) DO UPDATE SET enterprise_id = excluded.enterprise_id, "
    "body = excluded.body RETURNING id, xmax = 0";

// A row's permit. A body that does not decode (damaged, or written by a newer
// version) gives the permit with its id, number and enterprise only and no outlets,
// so that one bad row neither fails a list nor judges anything.
Permit ReadPermit(const Rows& q, int i) {
  auto j = nlohmann::json::parse(q.Text(i, 1), nullptr, false);
  Result<Permit> p =
      j.is_discarded() ? Result<Permit>(Status::Corruption("permit body")) : PermitFromJson(j);
  Permit out = p.ok() ? std::move(p).value() : Permit{};
  out.id = q.Int(i, 0);
  out.number = store::pg::Str(q, i, 2);
  out.enterprise_id = q.Int(i, 3);
  return out;
}

class PgPermitStore final : public PermitStore {
 public:
  explicit PgPermitStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("permits");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }

  Result<PutOutcome> Put(const Permit& p) override {
    if (p.number.empty()) return Status::InvalidInput("a permit needs its number");
    Permit stored = p;
    stored.id = 0;
    std::string body = ToJson(stored).dump();
    // Once only, so that a retry after a lost COMMIT still tells a new permit
    // (its id recorded with " new") from a replaced one.
    auto put =
        store::pg::WriteOnceReturning(*pool_, "put permit", [&](Conn& db) -> Result<std::string> {
          auto row = db.Query(kPut, "put permit", p.number, p.enterprise_id, body);
          if (!row.ok()) return row.status();
          // An upsert always returns its row: none here would be PostgreSQL's bug.
          if (row->empty())
            return Status::Internal("postgresql: the permit upsert returned no row");
          return std::to_string(row->Int(0, 0)) + (row->Bool(0, 1) ? " new" : "");
        });
    if (!put.ok()) return put.status();
    PutOutcome out;
    std::from_chars(put->data(), put->data() + put->size(), out.id);
    out.created = put->ends_with(" new");
    return out;
  }

  Result<Permit> Get(int64_t id) override {
    return ReadOne(*pool_, kById, "no such permit", ReadPermit, id);
  }

  Result<std::vector<Permit>> List() override {
    return Read(*pool_, kAll, "list permits", ReadPermit);
  }

  Result<std::vector<Permit>> ForEnterprise(int64_t enterprise_id) override {
    return Read(*pool_, kOfEnterprise, "permits of an enterprise", ReadPermit, enterprise_id);
  }

 private:
  std::unique_ptr<Pool> pool_;
};

}  // namespace

Result<std::unique_ptr<PermitStore>> OpenPostgresPermitStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub permits", "permits", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<PermitStore>(std::make_unique<PgPermitStore>(std::move(*pool)));
}

}  // namespace ecohub::permit
