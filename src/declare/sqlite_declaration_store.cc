// The SQLite DeclarationStore: its own file declarations.db under the data
// directory, fsynced on every commit, over the store module's SQLite helper. One
// connection behind its mutex.
#include <algorithm>
#include <mutex>

#include "declare/declaration_store.h"
#include "store/sqlite/db.h"

namespace ecohub::declare {
namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

constexpr const char* kMigrations[] = {
    // 1: declarations; t_to NULL while a stop is open.
    R"sql(
CREATE TABLE IF NOT EXISTS declarations (
  id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL, site_code TEXT NOT NULL,
  enterprise_id INTEGER NOT NULL, district_id INTEGER NOT NULL, kind TEXT NOT NULL,
  t_from INTEGER NOT NULL, t_to INTEGER, reason TEXT NOT NULL, submitted_by TEXT NOT NULL,
  submitted_at INTEGER NOT NULL, status TEXT NOT NULL, decided_by TEXT NOT NULL,
  decided_at INTEGER NOT NULL, decision_comment TEXT NOT NULL, ended_by TEXT NOT NULL,
  ended_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS declarations_site ON declarations (site_id, t_from);
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
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr const char* kById = "SELECT " COLUMNS " FROM declarations WHERE id = ?";
constexpr const char* kList = "SELECT " COLUMNS
                              " FROM declarations WHERE (?1 = 0 OR site_id = ?1) "
                              "AND (?2 = 0 OR enterprise_id = ?2) AND (?3 = 0 OR district_id = ?3) "
                              "AND t_from < ?5 AND (t_to IS NULL OR t_to > ?4) ORDER BY id DESC";
constexpr const char* kDecide =
    "UPDATE declarations SET status = ?, decided_by = ?, decided_at = ?, decision_comment = ? "
    "WHERE id = ? AND status = ? RETURNING " COLUMNS;
constexpr const char* kEnd =
    "UPDATE declarations SET status = ?, ended_by = ?, ended_at = ?, t_to = ? "
    "WHERE id = ? AND status = ? RETURNING " COLUMNS;
#undef COLUMNS

Declaration Read(const Stmt& q) {
  Declaration d;
  d.id = q.Int(0);
  d.site_id = q.Int(1);
  d.site_code = q.Text(2);
  d.enterprise_id = q.Int(3);
  d.district_id = q.Int(4);
  d.kind = q.Text(5);
  d.from = q.Int(6);
  d.to = q.OptInt(7);
  d.reason = q.Text(8);
  d.submitted_by = q.Text(9);
  d.submitted_at = q.Int(10);
  d.status = q.Text(11);
  d.decided_by = q.Text(12);
  d.decided_at = q.Int(13);
  d.decision_comment = q.Text(14);
  d.ended_by = q.Text(15);
  d.ended_at = q.Int(16);
  return d;
}

bool Wanted(const DeclarationFilter& f, const Declaration& d) {
  return f.statuses.empty() ||
         std::find(f.statuses.begin(), f.statuses.end(), d.status) != f.statuses.end();
}

class SqliteDeclarationStore final : public DeclarationStore {
 public:
  explicit SqliteDeclarationStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<int64_t> Add(const Declaration& d) override {
    std::lock_guard lock(db_->mu());
    return db_->InsertReturningId(kInsert, "record declaration", d.site_id, d.site_code,
                                  d.enterprise_id, d.district_id, d.kind, d.from, d.to, d.reason,
                                  d.submitted_by, d.submitted_at, d.status, d.decided_by,
                                  d.decided_at, d.decision_comment, d.ended_by, d.ended_at);
  }

  Result<Declaration> Get(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(kById, "no such declaration", Read, id);
  }

  Result<std::vector<Declaration>> List(const DeclarationFilter& f) override {
    std::lock_guard lock(db_->mu());
    // Statuses and the limit are applied here: a city's declarations are few.
    auto all = db_->Query(kList, "list declarations", Read, f.site_id, f.enterprise_id,
                          f.district_id, f.from, f.to);
    if (!all.ok()) return all.status();
    std::vector<Declaration> out;
    for (auto& d : *all)
      if (Wanted(f, d) && out.size() < f.limit) out.push_back(std::move(d));
    return out;
  }

  Result<Declaration> Move(int64_t id, const Transition& t) override {
    std::lock_guard lock(db_->mu());
    auto moved =
        t.status == "ended"
            ? db_->QueryOne(kEnd, "", Read, t.status, t.by, t.at, t.to, id, t.expect)
            : db_->QueryOne(kDecide, "", Read, t.status, t.by, t.at, t.comment, id, t.expect);
    if (moved.ok() || moved.status().code() != Code::kNotFound) return moved;
    auto d = db_->QueryOne(kById, "no such declaration", Read, id);
    if (!d.ok()) return d.status();
    return Status(Code::kConflict,
                  "declaration " + std::to_string(id) + " is " + d->status + ", not " + t.expect);
  }

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    constexpr const char* kTables[] = {"declarations"};
    return store::sqlite::ReadTables(*db_, kTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("declarations");
  }

 private:
  std::unique_ptr<Db> db_;
};

}  // namespace

Result<std::unique_ptr<DeclarationStore>> OpenSqliteDeclarationStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "declarations.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<DeclarationStore>(
      std::make_unique<SqliteDeclarationStore>(std::move(*db)));
}

}  // namespace ecohub::declare
