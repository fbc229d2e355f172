// Imported readings into the store: the values of a file (readings_file.h) checked
// against the registry, compared with what is stored, and written in one transaction
// only when every value passed. Used by `ecohub import readings` and by the HTTP push
// of partner systems (POST /api/v1/imports/readings).
//
// A site's readings are kept under the device that reports for it (registry/snapshot.h):
// its first enabled device in MN order, else its first device. A site that has no
// device at all gets one for its imported data, MN "import:<site code>", disabled (the
// gateway refuses it and no offline alarm is raised for it); the deriver reads it like
// any other.
//
// Idempotent: a value equal to the stored one (same text and flag) is counted
// unchanged and not written, so the same file twice changes nothing. A value for a
// key that holds another value replaces it (like a device's retransmission) and is
// counted as replaced.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "ingest/readings_file.h"
#include "registry/snapshot.h"
#include "store/store.h"

namespace ecohub::ingest {

struct ImportScope {
  // When not empty, only these sites (codes) and factors may be imported; a value
  // outside is a row error. A partner's API key sets them.
  std::set<std::string> sites, factors;
};

struct ImportResult {
  int rows = 0;           // data rows of the file
  int64_t values = 0;     // values read (after missing cells and repeats)
  int64_t created = 0;    // keys new to the store
  int64_t replaced = 0;   // keys that held another value
  int64_t unchanged = 0;  // equal to what is stored: not written
  int64_t missing = 0, skipped = 0;
  std::set<std::string> sites;               // site codes with values in the file
  UnixSeconds first = 0, last = 0;           // the first and last period start of the values
  UnixSeconds last_end = 0;                  // the end of the last period (for recomputation)
  std::vector<std::string> devices_created;  // "import:<code>" devices made for sites
  std::vector<RowError> errors;
  bool committed = false;
  // What was written (created and replaced values; empty on a dry run or an error),
  // and the file row of each reading, for the batch's record and the after-commit
  // work (latest values, derivation) of a server.
  store::Batch written;
  std::vector<int> written_rows;
};

// Checks `file` against `snapshot` and `scope`; unless there is an error or
// `dry_run`, stores it. Errors in the values are in the result (nothing stored); a
// store failure is an error Status and leaves nothing written. `progress(done,
// total)` reports the comparison with the store, series by series.
Result<ImportResult> ImportValues(store::Store& store, const registry::Snapshot& snapshot,
                                  FileValues file, const ImportScope& scope, bool dry_run,
                                  const std::function<void(size_t, size_t)>& progress = {});

// The MN imported readings of a site without devices are kept under.
std::string ImportMn(std::string_view site_code);

}  // namespace ecohub::ingest
