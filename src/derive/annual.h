// Period reports from the derived daily rows: the excellent-and-good day ratio
// (优良天数比例), days per AQI level, the HJ 663 period statistic of each pollutant
// (means; CO 95th and O3 90th percentiles), their validity and the composite index.
// What the bureau's monthly and yearly reports and the cockpit show.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace ecohub::derive {

// Report over Beijing natural days [from, to) for one scope ("city",
// "district:<code>", "site:<code>") from its "aqi_day" rows. `year` selects the
// annual validity rule (>= 324 days, >= 27 a month), else the monthly one. Its
// "warnings" (an array, empty when none) are PeriodWarnings of the report.
Result<nlohmann::ordered_json> PeriodReport(store::Store& store, const std::string& scope,
                                            UnixSeconds from, UnixSeconds to, bool year);

// What a reader of a report must know: fewer days with a daily AQI than days in the
// period, and pollutants with fewer daily values than days (each a sentence).
std::vector<std::string> PeriodWarnings(const nlohmann::ordered_json& report);

// The Beijing calendar year / month as [from, to).
std::pair<UnixSeconds, UnixSeconds> BeijingYear(int year);
std::pair<UnixSeconds, UnixSeconds> BeijingMonth(int year, int month);

}  // namespace ecohub::derive
