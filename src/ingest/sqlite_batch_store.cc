// The SQLite ImportBatchStore: its own file imports.db under the data directory,
// fsynced on every commit, its schema in numbered migrations, over the store
// module's SQLite helper (store/sqlite/db.h). One connection behind its mutex.
#include <algorithm>
#include <filesystem>
#include <mutex>

#include "ingest/batch_store.h"
#include "store/sqlite/db.h"

namespace ecohub::ingest {
namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

constexpr const char* kMigrations[] = {
    // 1: the batches and the values each wrote.
    R"sql(
CREATE TABLE IF NOT EXISTS import_batches (
  id INTEGER PRIMARY KEY, principal TEXT NOT NULL, client_id TEXT, via TEXT NOT NULL,
  file_name TEXT NOT NULL, mapping TEXT NOT NULL, format TEXT NOT NULL,
  created INTEGER NOT NULL, report TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS import_batches_client
  ON import_batches (principal, client_id) WHERE client_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS import_values (
  batch_id INTEGER NOT NULL, mn TEXT NOT NULL, period INTEGER NOT NULL,
  factor TEXT NOT NULL, time INTEGER NOT NULL, value TEXT NOT NULL, row INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS import_values_key
  ON import_values (mn, period, factor, time, batch_id);
)sql",
};

constexpr const char* kColumns =
    "id, principal, coalesce(client_id, ''), via, file_name, mapping, format, created, report";
constexpr const char* kInsert =
    "INSERT INTO import_batches (principal, client_id, via, file_name, mapping, format, "
    "created, report) VALUES (?, nullif(?, ''), ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr const char* kInsertValue =
    "INSERT INTO import_values (batch_id, mn, period, factor, time, value, row) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";

ImportBatch ReadBatch(const Stmt& q, int from = 0) {
  return {q.Int(from),      q.Text(from + 1), q.Text(from + 2), q.Text(from + 3), q.Text(from + 4),
          q.Text(from + 5), q.Text(from + 6), q.Int(from + 7),  q.Text(from + 8)};
}

class SqliteBatchStore final : public ImportBatchStore {
 public:
  explicit SqliteBatchStore(std::unique_ptr<Db> db) : db_(std::move(db)) {
    by_id_ = std::string("SELECT ") + kColumns + " FROM import_batches WHERE id = ?";
    by_client_ = std::string("SELECT ") + kColumns +
                 " FROM import_batches WHERE principal = ? AND client_id = ?";
    list_ = std::string("SELECT ") + kColumns +
            " FROM import_batches WHERE id < ? ORDER BY id DESC LIMIT ?";
    source_ = std::string("SELECT v.row, v.value, ") + kColumns +
              " FROM import_values v JOIN import_batches b ON b.id = v.batch_id "
              "WHERE v.mn = ? AND v.period = ? AND v.factor = ? AND v.time = ? "
              "ORDER BY v.batch_id DESC LIMIT 1";
  }

  Result<int64_t> Record(const ImportBatch& b, std::span<const ImportedValue> values) override {
    std::lock_guard lock(db_->mu());
    int64_t id = 0;
    Status s = db_->InTransaction([&]() -> Status {
      auto made =
          db_->InsertReturningId(kInsert, "record import batch", b.principal, b.client_id, b.via,
                                 b.file_name, b.mapping, b.format, b.created, b.report);
      if (!made.ok()) return made.status();
      id = *made;
      for (const ImportedValue& v : values)
        if (Status r = db_->Run(kInsertValue, "record imported value", id, v.mn,
                                static_cast<int64_t>(v.period), v.factor, v.time, v.value,
                                static_cast<int64_t>(v.row));
            !r.ok())
          return r;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return id;
  }

  Result<ImportBatch> Get(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(Sql(by_id_), "no such import batch", Read0, id);
  }

  Result<ImportBatch> FindByClientId(const std::string& principal,
                                     const std::string& client_id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(Sql(by_client_), "no such batch id", Read0, principal, client_id);
  }

  Result<std::vector<ImportBatch>> List(int64_t before, size_t limit) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(Sql(list_), "list import batches", Read0, before > 0 ? before : INT64_MAX,
                      static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<std::optional<ValueSource>> SourceOf(const std::string& mn, Period period,
                                              const std::string& factor,
                                              UnixSeconds time) override {
    std::lock_guard lock(db_->mu());
    auto got = db_->QueryOne(
        Sql(source_), "not imported",
        [](const Stmt& q) {
          return ValueSource{ReadBatch(q, 2), static_cast<int>(q.Int(0)), q.Text(1)};
        },
        mn, static_cast<int64_t>(period), factor, time);
    if (got.status().code() == Code::kNotFound) return std::optional<ValueSource>();
    if (!got.ok()) return got.status();
    return std::optional<ValueSource>(std::move(*got));
  }

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    constexpr const char* kTables[] = {"import_batches", "import_values"};
    return store::sqlite::ReadTables(*db_, kTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("imports");
  }

 private:
  static ImportBatch Read0(const Stmt& q) { return ReadBatch(q); }
  // Db::Cached keys statements by address: the strings live as long as the store.
  static const char* Sql(const std::string& s) { return s.c_str(); }

  std::unique_ptr<Db> db_;
  std::string by_id_, by_client_, list_, source_;
};

}  // namespace

Result<std::unique_ptr<ImportBatchStore>> OpenSqliteBatchStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "imports.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ImportBatchStore>(std::make_unique<SqliteBatchStore>(std::move(*db)));
}

}  // namespace ecohub::ingest
