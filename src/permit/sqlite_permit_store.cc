#include "permit/sqlite_permit_store.h"

#include <filesystem>
#include <mutex>

#include "permit/json.h"
#include "store/sqlite/db.h"

namespace ecohub::permit {

namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

// The schema, in order (Db::Migrate counts those applied). The permit is kept whole
// as its JSON (json.h) in `body`; number and enterprise are columns beside it for
// the unique key and the enterprise's index.
constexpr const char* kMigrations[] = {
    // 1: the permits.
    R"sql(
CREATE TABLE IF NOT EXISTS permits (
  id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, enterprise_id INTEGER NOT NULL,
  body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS permits_enterprise ON permits (enterprise_id, id);
)sql",
};

constexpr const char* kById = "SELECT id, body, number, enterprise_id FROM permits WHERE id = ?";
constexpr const char* kIdByNumber = "SELECT id FROM permits WHERE number = ?";
constexpr const char* kAll = "SELECT id, body, number, enterprise_id FROM permits ORDER BY id";
constexpr const char* kOfEnterprise =
    "SELECT id, body, number, enterprise_id FROM permits WHERE enterprise_id = ? ORDER BY id";
constexpr const char* kInsert =
    "INSERT INTO permits (number, enterprise_id, body) VALUES (?, ?, ?) RETURNING id";
constexpr const char* kUpdate = "UPDATE permits SET enterprise_id = ?, body = ? WHERE id = ?";

// A row's permit. A body that does not decode (damaged, or written by a newer
// version) gives the permit with its id, number and enterprise only and no outlets,
// so that one bad row neither fails a list nor judges anything.
Permit ReadPermit(const Stmt& q) {
  auto j = nlohmann::json::parse(q.Text(1), nullptr, false);
  Result<Permit> p =
      j.is_discarded() ? Result<Permit>(Status::Corruption("permit body")) : PermitFromJson(j);
  Permit out = p.ok() ? std::move(p).value() : Permit{};
  out.id = q.Int(0);
  out.number = q.Text(2);
  out.enterprise_id = q.Int(3);
  return out;
}

class SqlitePermitStore final : public PermitStore {
 public:
  explicit SqlitePermitStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    constexpr const char* kTables[] = {"permits"};
    return store::sqlite::ReadTables(*db_, kTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("permits");
  }

  Result<PutOutcome> Put(const Permit& p) override {
    if (p.number.empty()) return Status::InvalidInput("a permit needs its number");
    Permit stored = p;
    stored.id = 0;
    std::string body = ToJson(stored).dump();
    std::lock_guard lock(db_->mu());
    PutOutcome out;
    Status s = db_->InTransaction([&]() -> Status {
      auto old = db_->QueryOne(
          kIdByNumber, "no permit", [](const Stmt& q) { return q.Int(0); }, p.number);
      if (old.ok()) {
        out.id = *old;
        return db_->Run(kUpdate, "update permit", p.enterprise_id, body, *old);
      }
      if (old.status().code() != Code::kNotFound) return old.status();
      auto id = db_->InsertReturningId(kInsert, "insert permit", p.number, p.enterprise_id, body);
      if (!id.ok()) return id.status();
      out = {*id, true};
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<Permit> Get(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(kById, "no such permit", ReadPermit, id);
  }

  Result<std::vector<Permit>> List() override {
    std::lock_guard lock(db_->mu());
    return db_->Query(kAll, "list permits", ReadPermit);
  }

  Result<std::vector<Permit>> ForEnterprise(int64_t enterprise_id) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(kOfEnterprise, "permits of an enterprise", ReadPermit, enterprise_id);
  }

 private:
  std::unique_ptr<Db> db_;
};

}  // namespace

Result<std::unique_ptr<PermitStore>> OpenSqlitePermitStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "permits.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<PermitStore>(std::make_unique<SqlitePermitStore>(std::move(*db)));
}

}  // namespace ecohub::permit
