// The daily GB 3096 evaluation of noise stations (registry::SiteKind::kNoise): for
// each Beijing day touched, Ld, Ln, Ldn and the night Lmax against the limits of the
// station's functional zone (attrs.zone, registry/site_attrs.h), by
// standards::EvaluateNoiseDay. Called by the Deriver beside RunSiteJobs.
//
//   kind       scope          time (start of)  value
//   noise_day  site:<code>    Beijing day      Ld in dB(A) (null: no day hour)
//
// The body is NoiseEvaluationJson's object.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "derive/deriver.h"
#include "standards/noise.h"
#include "store/store.h"

namespace ecohub::derive {

inline constexpr char kKindNoiseDay[] = "noise_day";

// The evaluation as the API and `ecohub noise` write it, keys in this order:
// zone, limits {day, night}, day and night {value, limit, hours_present,
// hours_expected, complete, meets?, exceedance?}, ldn (null when either period has no
// value), night_max {lmax, allowed, meets, exceedance?} (only when a night Lmax was
// given). Levels are numbers with one decimal; a key marked "?" is absent when the
// evaluation has no such value (an incomplete period has no verdict).
nlohmann::ordered_json NoiseEvaluationJson(const standards::NoiseEvaluation& e);

// Appends a noise_day row per day touched by `hours` that has a valid hourly Leq,
// from the site's hourly Leq and LMx values (HJ 212 field "Data", else "Avg"; values
// with a flag that does not count as valid data are left out). Hours are read as
// sent: minute values are not averaged into hours here (a logger sending only minute
// data gets no evaluation). A site whose attributes give no valid zone gets no rows
// and a warning: the site API refuses such a site, so it came from elsewhere.
Status NoiseDays(store::Store& store, const SiteInfo& site, const std::set<UnixSeconds>& hours,
                 std::vector<store::DerivedRow>* rows);

}  // namespace ecohub::derive
