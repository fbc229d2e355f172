// The PostgreSQL ImportBatchStore: the same tables as imports.db, written once across
// a failover (store/pg/lease.h WriteOnceReturning), the values of a batch by COPY.
#include <algorithm>
#include <charconv>

#include "ingest/batch_store.h"
#include "store/pg/lease.h"

namespace ecohub::ingest {
namespace {

using store::pg::Conn;
using store::pg::Pool;
using store::pg::Rows;
using store::pg::Str;

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: the batches and the values each wrote.
    R"sql(
CREATE TABLE import_batches (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, principal TEXT NOT NULL, client_id TEXT,
  via TEXT NOT NULL, file_name TEXT NOT NULL, mapping TEXT NOT NULL, format TEXT NOT NULL,
  created BIGINT NOT NULL, report TEXT NOT NULL);
CREATE UNIQUE INDEX import_batches_client
  ON import_batches (principal, client_id) WHERE client_id IS NOT NULL;
CREATE TABLE import_values (
  batch_id BIGINT NOT NULL, mn TEXT NOT NULL, period INTEGER NOT NULL, factor TEXT NOT NULL,
  time BIGINT NOT NULL, value TEXT NOT NULL, row INTEGER NOT NULL);
CREATE INDEX import_values_key ON import_values (mn, period, factor, time, batch_id);
)sql",
};

#define BATCH_COLUMNS \
  "id, principal, coalesce(client_id, ''), via, file_name, mapping, format, created, report"
constexpr const char* kInsert =
    "INSERT INTO import_batches (principal, client_id, via, file_name, mapping, format, "
    "created, report) VALUES ($1, nullif($2, ''), $3, $4, $5, $6, $7, $8) RETURNING id";
constexpr const char* kById = "SELECT " BATCH_COLUMNS " FROM import_batches WHERE id = $1";
constexpr const char* kByClient =
    "SELECT " BATCH_COLUMNS " FROM import_batches WHERE principal = $1 AND client_id = $2";
constexpr const char* kList =
    "SELECT " BATCH_COLUMNS " FROM import_batches WHERE id < $1 ORDER BY id DESC LIMIT $2";
constexpr const char* kSource =
    "SELECT v.row, v.value, b.id, b.principal, coalesce(b.client_id, ''), b.via, b.file_name, "
    "b.mapping, b.format, b.created, b.report FROM import_values v "
    "JOIN import_batches b ON b.id = v.batch_id "
    "WHERE v.mn = $1 AND v.period = $2 AND v.factor = $3 AND v.time = $4 "
    "ORDER BY v.batch_id DESC LIMIT 1";
#undef BATCH_COLUMNS

ImportBatch ReadBatchAt(const Rows& q, int i, int from) {
  return {q.Int(i, from),      Str(q, i, from + 1), Str(q, i, from + 2),
          Str(q, i, from + 3), Str(q, i, from + 4), Str(q, i, from + 5),
          Str(q, i, from + 6), q.Int(i, from + 7),  Str(q, i, from + 8)};
}
ImportBatch ReadBatch(const Rows& q, int i) { return ReadBatchAt(q, i, 0); }

class PgBatchStore final : public ImportBatchStore {
 public:
  explicit PgBatchStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}

  Result<int64_t> Record(const ImportBatch& b, std::span<const ImportedValue> values) override {
    TableRows rows{"import_values", {"batch_id", "mn", "period", "factor", "time", "value", "row"}};
    auto id = store::pg::WriteOnceReturning(
        *pool_, "record import batch", [&](Conn& db) -> Result<std::string> {
          auto made = store::pg::ReturnedId(db.Query(kInsert, "record import batch", b.principal,
                                                     b.client_id, b.via, b.file_name, b.mapping,
                                                     b.format, b.created, b.report));
          if (!made.ok()) return made.status();
          std::string batch = std::to_string(*made);
          rows.rows.clear();
          rows.rows.reserve(values.size());
          for (const ImportedValue& v : values)
            rows.rows.push_back({batch, v.mn, std::to_string(static_cast<int>(v.period)), v.factor,
                                 std::to_string(v.time), v.value, std::to_string(v.row)});
          if (Status s = store::pg::CopyTable(db, rows); !s.ok()) return s;
          return batch;
        });
    if (!id.ok()) return id.status();
    int64_t out = 0;
    std::from_chars(id->data(), id->data() + id->size(), out);
    return out;
  }

  Result<ImportBatch> Get(int64_t id) override {
    return store::pg::ReadOne(*pool_, kById, "no such import batch", ReadBatch, id);
  }

  Result<ImportBatch> FindByClientId(const std::string& principal,
                                     const std::string& client_id) override {
    return store::pg::ReadOne(*pool_, kByClient, "no such batch id", ReadBatch, principal,
                              client_id);
  }

  Result<std::vector<ImportBatch>> List(int64_t before, size_t limit) override {
    return store::pg::Read(*pool_, kList, "list import batches", ReadBatch,
                           before > 0 ? before : INT64_MAX,
                           static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<std::optional<ValueSource>> SourceOf(const std::string& mn, Period period,
                                              const std::string& factor,
                                              UnixSeconds time) override {
    auto got = store::pg::Read(
        *pool_, kSource, "source of a value",
        [](const Rows& q, int i) {
          return ValueSource{ReadBatchAt(q, i, 2), static_cast<int>(q.Int(i, 0)), Str(q, i, 1)};
        },
        mn, static_cast<int64_t>(period), factor, time);
    if (!got.ok()) return got.status();
    if (got->empty()) return std::optional<ValueSource>();
    return std::optional<ValueSource>(std::move(got->front()));
  }

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("imports");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }

 private:
  std::unique_ptr<Pool> pool_;
};

}  // namespace

Result<std::unique_ptr<ImportBatchStore>> OpenPostgresBatchStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub imports", "imports", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<ImportBatchStore>(std::make_unique<PgBatchStore>(std::move(*pool)));
}

}  // namespace ecohub::ingest
