// `ecohub import beijing`: loads the Beijing multi-site hourly dataset (12 national
// stations, 2013-03 .. 2017-02) into a data directory as the hourly readings of the
// demo city's 12 real stations, then derives their hourly/daily AQI, the districts'
// and the city's, and the quality rates: the historical path a bureau uses to bring
// an old system's data in.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace ecohub::app {

struct ImportSummary {
  int64_t rows = 0, readings = 0, missing_values = 0, bad_values = 0;
  int64_t rows_taken = 0;                 // rows whose hour is in [from, to)
  int64_t first_hour = 0, last_hour = 0;  // of the rows taken; 0 when none
};

// Reads PRSA_Data_<Station>_20130301-20170228.csv.gz from `dataset_dir`. The `hour`
// column is taken as the START of the hour in Beijing time (the dataset does not say;
// digest §8.9). CO is converted exactly from ug/m3 to mg/m3. "NA" is a gap, not a
// zero. Values that are not plain decimals are counted in bad_values and skipped.
// `progress(stage, done, total)` reports long work.
// Only hours in [from, to) are imported (UTC seconds; the whole dataset by default).
// `ecohub import beijing --from D1 --to D2` passes [D1 00:00, D2 + 1 day): its --to
// names the last day taken, like every date range a user types.
Result<ImportSummary> ImportBeijing(
    store::Store& store, const std::string& dataset_dir, UnixSeconds from = INT64_MIN,
    UnixSeconds to = INT64_MAX, const std::function<void(const char*, int, int)>& progress = {});

}  // namespace ecohub::app
