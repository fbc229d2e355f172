// Recording samples (sample.h) as the console's form, the CSV upload and
// `ecohub import samples` all do: every sample checked (its site known and allowed,
// Validate), then all of them or none stored, first in the SampleStore, then their
// values in the readings store under each site's manual device (registry::ManualMn),
// which is created, disabled, for a site that has none yet.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "registry/snapshot.h"
#include "samples/sample_store.h"
#include "store/store.h"

namespace ecohub::samples {

struct SampleError {
  size_t index = 0;  // in the samples given
  std::string field, reason;
};

struct RecordOutcome {
  std::vector<int64_t> ids;  // empty when not stored (errors, dry run)
  std::vector<SampleError> errors;
  std::vector<std::string> devices_created;  // "manual:<code>"
  size_t values = 0;
  UnixSeconds first = 0, last = 0;  // sampling times
};

// Checks `in` (site_id and site_code resolved from the code by `snapshot`; entered_by
// and entered_at set here); unless a sample is bad or `dry_run`, stores them all.
// `may_write(site)` says whether the caller may enter samples of that site (a sample
// of another is an error of that sample). A store failure is an error Status and
// leaves nothing recorded (the samples recorded are taken back when the readings
// cannot be written).
Result<RecordOutcome> RecordSamples(store::Store& store, SampleStore& samples,
                                    const registry::Snapshot& snapshot, std::vector<Sample> in,
                                    const std::string& by, UnixSeconds now, bool dry_run,
                                    const std::function<bool(const registry::Site&)>& may_write);

}  // namespace ecohub::samples
