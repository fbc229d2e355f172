// The use of a permit's annual quantities in one year: for each outlet and for the
// whole permit, per factor with a permitted quantity, the tonnes emitted
// (quantity.h: flow × concentration, hour by hour), the share of the permitted
// quantity, and the hours with data, stopped and missing.
//
// The window is the Beijing calendar year, cut to the permit's validity and to the
// last hour that has ended. The readings come through a HourReader, so this code
// does no I/O of its own. Thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/factors.h"
#include "core/reading.h"
#include "core/status.h"
#include "permit/quantity.h"
#include "permit/types.h"

namespace ecohub::permit {

// The hourly `field` readings ("Avg", "Cou") of `factor` at outlet `site_id` in
// [from, to), ordered by time.
using HourReader = std::function<Result<std::vector<Reading>>(
    int64_t site_id, const std::string& factor, const std::string& field, UnixSeconds from,
    UnixSeconds to)>;

struct FactorUsage {
  std::string factor;
  double permitted_tonnes = 0;  // the permit's annual quantity (of the whole permit)
  Emitted emitted;
  // emitted / permitted; for an outlet, its part of the permit's share.
  std::optional<double> share;
};

struct OutletUsage {
  int64_t site_id = 0;
  Medium medium = Medium::kAir;
  std::vector<FactorUsage> factors;  // the permit's quantities of the outlet's medium
};

struct Usage {
  int year = 0;
  UnixSeconds from = 0, to = 0;  // the window: [from, to), empty when from == to
  std::vector<OutletUsage> outlets;
  std::vector<FactorUsage> total;  // one per quantity of the permit, in its order
};

// The permit's usage in `year` as of `now`. `outlet_medium` gives the medium of each
// outlet's site (outlet_water: water, outlet_gas: air); outlets missing from it are
// left out. A quantity of a factor not in the factor table has no outlet part and
// counts nothing. Fails only when `read` fails.
Result<Usage> ComputeUsage(const Permit& permit, int year, UnixSeconds now,
                           const std::map<int64_t, Medium>& outlet_medium, const HourReader& read);

}  // namespace ecohub::permit
