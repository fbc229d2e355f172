// Manual samples in the same evaluation as the automatic data: the GB 3838-2002 class
// of a water section per day from its manual day values (sample.h, ToReadings), by
// the single-factor method of the 2011 evaluation method (standards/water.h), over
// the routine items the factor table knows (pH, DO, CODMn, COD, NH3-N, TP; TN a
// reference item of lakes). A value below detection enters at half its detection
// limit, as it was stored.
//
// Pure: no I/O, thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/reading.h"
#include "standards/water.h"

namespace ecohub::samples {

struct WaterDay {
  UnixSeconds day = 0;  // the start of the Beijing day
  std::optional<standards::WaterClass> site_class;
  // Per evaluated item: (HJ 212 code, value, class), in GB 3838 Table 1 order.
  struct Item {
    std::string factor;
    std::string value;
    standards::WaterClass cls;
  };
  std::vector<Item> items;
  std::vector<std::string> exceeding;  // factor codes worse than class III
};

// The HJ 212 code's GB 3838 item, for the codes whose unit is the table's (mg/L);
// nullopt for the others.
std::optional<standards::WaterItem> WaterItemOfFactor(std::string_view code);

// One WaterDay per day that has a value of a GB 3838 item in `values` (day values of
// the manual device; other factors, and values with an invalid flag, are left out).
// kInvalidInput when a value is negative.
Result<std::vector<WaterDay>> EvaluateWaterDays(const std::vector<Reading>& values,
                                                standards::WaterBody body);

}  // namespace ecohub::samples
