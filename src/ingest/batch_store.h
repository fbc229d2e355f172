// ImportBatchStore: the record of every import (who, how, what it did) and of each
// value it wrote, so that a stored value can be traced to the batch and the file row
// it came from, and a client's batch id answered again rather than applied twice.
// Behind one small interface, every backend running the same contract suite
// (batch_store_test.cc). The SQLite backend keeps its own file, imports.db.
//
// Thread-safety: every method may be called from any thread.
// Errors: kConflict when a principal's client batch id is already recorded,
// kNotFound for an id that does not exist, kIoError when the backend fails.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/reading.h"
#include "core/status.h"
#include "core/table_rows.h"

namespace ecohub::ingest {

struct ImportBatch {
  int64_t id = 0;
  std::string principal;  // "cli", "user:3", "key:5"
  std::string client_id;  // the client's batch id, "" when it gave none
  std::string via;        // "cli", "console", "push"
  std::string file_name, mapping, format;
  UnixSeconds created = 0;
  std::string report;  // the import's summary as answered (JSON)
  bool operator==(const ImportBatch&) const = default;
};

// One value a batch wrote: its key in the readings, the value and the file's row.
struct ImportedValue {
  std::string mn;
  Period period = Period::kHour;
  std::string factor;
  UnixSeconds time = 0;
  std::string value;
  int row = 0;
};

struct ValueSource {
  ImportBatch batch;
  int row = 0;
  std::string value;  // what the batch wrote (the reading may have changed since)
};

class ImportBatchStore {
 public:
  virtual ~ImportBatchStore() = default;
  // Records `batch` (its id ignored) and the values it wrote, in one transaction;
  // returns the new id. kConflict when batch.client_id is not empty and the same
  // principal already recorded it.
  virtual Result<int64_t> Record(const ImportBatch& batch,
                                 std::span<const ImportedValue> values) = 0;
  virtual Result<ImportBatch> Get(int64_t id) = 0;
  // kNotFound when the principal has no batch with that client id.
  virtual Result<ImportBatch> FindByClientId(const std::string& principal,
                                             const std::string& client_id) = 0;
  // Newest first: the batches with an id below `before` (0: from the newest).
  virtual Result<std::vector<ImportBatch>> List(int64_t before, size_t limit) = 0;
  // The newest batch that wrote this key, or nullopt when none did.
  virtual Result<std::optional<ValueSource>> SourceOf(const std::string& mn, Period period,
                                                      const std::string& factor,
                                                      UnixSeconds time) = 0;

  // For `ecohub db migrate`, as the other modules' stores.
  virtual Result<std::vector<TableRows>> ExportTables() = 0;
  virtual Status ImportTables(const std::vector<TableRows>& tables) = 0;
};

// Opens or creates `data_dir`/imports.db.
Result<std::unique_ptr<ImportBatchStore>> OpenSqliteBatchStore(const std::string& data_dir);
// The tables in the PostgreSQL database at `url`.
Result<std::unique_ptr<ImportBatchStore>> OpenPostgresBatchStore(const std::string& url);

}  // namespace ecohub::ingest
