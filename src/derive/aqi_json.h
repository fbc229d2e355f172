// The JSON form of an AQI result, shared by `ecohub aqi`, the derived rows and the
// API so that every place says the same thing the same way.
#pragma once

#include <nlohmann/json.hpp>

#include "derive/bodies.h"
#include "standards/aqi.h"

namespace ecohub::derive {

// The result as the derived rows keep it (derive/bodies.h, AqiResultBody).
AqiResultBody AqiResultOf(const standards::AqiInput& in, const standards::AqiResult& r);

// ToJson(AqiResultOf(in, r)): {"aqi","level","category","primary","iaqi","published",
// "color","edition","mode","level_name","category_en","missing","not_monitored",
// "over_standard" (2012 only),"health_effect","advice"}.
nlohmann::ordered_json AqiJson(const standards::AqiInput& in, const standards::AqiResult& r);

}  // namespace ecohub::derive
