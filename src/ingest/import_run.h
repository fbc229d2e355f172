// One import of readings from start to finish, as the command line, the console's
// upload and a partner's push all run it: a client's batch id answered again if it
// was seen, the file read, its values checked against the registry and the caller's
// scope, stored all or none, the batch and every value it wrote put on record
// (batch_store.h), and a report that says what happened.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ingest/batch_store.h"
#include "ingest/readings_import.h"

namespace ecohub::ingest {

struct ImportRequest {
  std::string_view bytes;
  const Mapping* mapping = nullptr;  // null: EcoHub's long CSV
  std::string mapping_name;          // as recorded ("" for none)
  std::string file_name;
  std::string principal;  // "cli", "user:3", "key:5"
  std::string via;        // "cli", "console", "push"
  std::string client_id;  // the client's batch id; "" for none
  ImportScope scope;
  bool dry_run = false;
  size_t max_rows = 50000;
  UnixSeconds now = 0;  // the batch's time
};

struct ImportOutcome {
  // {batch, file, format, rows, values, stored, created, replaced, unchanged, missing,
  //  skipped, bad_values, errors[{row, column, reason}] (the first 1,000), sites,
  //  first, last, committed, dry_run, replayed}
  nlohmann::ordered_json report;
  ImportResult result;  // empty when replayed
  bool replayed = false;
};

// kInvalidInput: the file or mapping cannot be read at all (nothing stored); another
// error: the store failed (nothing stored). Bad values are in the report, with
// nothing stored. `batches` may be null (nothing recorded, no batch id honoured).
Result<ImportOutcome> RunImport(store::Store& store, const registry::Snapshot& snapshot,
                                ImportBatchStore* batches, const ImportRequest& request,
                                const std::function<void(size_t, size_t)>& progress = {});

}  // namespace ecohub::ingest
