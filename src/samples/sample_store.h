// SampleStore: the record of manual and laboratory samples (sample.h) and their
// values. Behind one small interface, every backend running the same contract suite
// (sample_test.cc); the SQLite backend keeps its own file, samples.db.
//
// Thread-safety: every method may be called from any thread.
// Errors: kNotFound for an id that does not exist, kIoError when the backend fails.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/table_rows.h"
#include "samples/sample.h"

namespace ecohub::samples {

struct SampleFilter {
  std::string site_code;                         // "" for every site
  UnixSeconds from = INT64_MIN, to = INT64_MAX;  // sampled_at in [from, to)
  int64_t before = 0;                            // ids below this (0: from the newest)
  size_t limit = 100;
};

class SampleStore {
 public:
  virtual ~SampleStore() = default;
  // Records every sample with its values in one transaction (ids ignored): all or
  // none. The ids given, in order.
  virtual Result<std::vector<int64_t>> Add(std::span<const Sample> samples) = 0;
  // Takes back what Add recorded, when the readings it gave could not be stored.
  virtual Status Remove(std::span<const int64_t> ids) = 0;
  virtual Result<Sample> Get(int64_t id) = 0;
  // Newest first (by id), with their values.
  virtual Result<std::vector<Sample>> List(const SampleFilter& f) = 0;
  // The newest sample of the site with a value of `factor` sampled in [from, to):
  // where a manual day value came from. nullopt when none.
  virtual Result<std::optional<Sample>> LatestFor(const std::string& site_code,
                                                  const std::string& factor, UnixSeconds from,
                                                  UnixSeconds to) = 0;

  // For `ecohub db migrate`, as the other modules' stores.
  virtual Result<std::vector<TableRows>> ExportTables() = 0;
  virtual Status ImportTables(const std::vector<TableRows>& tables) = 0;
};

// Opens or creates `data_dir`/samples.db.
Result<std::unique_ptr<SampleStore>> OpenSqliteSampleStore(const std::string& data_dir);
// The tables in the PostgreSQL database at `url`.
Result<std::unique_ptr<SampleStore>> OpenPostgresSampleStore(const std::string& url);

}  // namespace ecohub::samples
