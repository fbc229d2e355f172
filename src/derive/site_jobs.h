// Per-site derived values other than the air stations' AQI: data-quality rates and
// anomalies for every site, the GB 3838 class of water sections, exceedance events
// of outlets. Called by the Deriver with the hours that changed at one site.
#pragma once

#include <set>
#include <span>
#include <vector>

#include "derive/deriver.h"
#include "derive/series.h"
#include "permit/types.h"

namespace ecohub::derive {

// Appends the rows recomputed for the days touched by `hours` to `rows`:
// "quality_day" (every site), "water_day" (water sections); exceedance events
// (outlets, against the permit in force or their own limits) are replaced in the
// store directly, window by window. `now` bounds how many values today could have had.
// `factors`: the site's hourly series (factor codes with an Avg).
// `permits`: those whose limits in force judge an outlet's hours before its own
// limits (all of them: those not covering the site are passed over).
Status RunSiteJobs(HourSource& source, const SiteInfo& site, const std::set<std::string>& factors,
                   std::span<const permit::Permit> permits, const std::set<UnixSeconds>& hours,
                   std::vector<store::DerivedRow>* rows, DeriveStats* stats, UnixSeconds now);

}  // namespace ecohub::derive
