// The JSON form of an AQI result, shared by `ecohub aqi`, the derived rows and the
// API so that every place says the same thing the same way.
#pragma once

#include <nlohmann/json.hpp>

#include "standards/aqi.h"

namespace ecohub::derive {

// {"aqi","level","category","primary","iaqi","published","color","edition","mode",
//  "level_name","category_en","missing","not_monitored","over_standard" (2012 only),
//  "health_effect","advice"}; aqi/level/category/color null when nothing could be
// computed.
nlohmann::ordered_json AqiJson(const standards::AqiInput& in, const standards::AqiResult& r);

}  // namespace ecohub::derive
