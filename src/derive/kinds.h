// The kinds and scopes of the derived rows (store::DerivedRow) the Deriver writes
// and the alarm sync and the API read. A row is (kind, scope, time): its body's
// shape per kind is in derive/bodies.h.
//
//   kind           scope                          time (start of)  value
//   aqi_hour       site:<code>, district:<code>,  hour             AQI (null: none)
//                  city
//   aqi_day        the same                       Beijing day      AQI (null: none)
//   water_day      site:<code>                    Beijing day      GB 3838 class 1..6
//   exceedance     <site code>/<factor code>      event start      peak
//   quality_day    site:<code>                    Beijing day      transmission × validity
#pragma once

#include <string>
#include <string_view>

namespace ecohub::derive {

inline constexpr char kKindAqiHour[] = "aqi_hour";
inline constexpr char kKindAqiDay[] = "aqi_day";
inline constexpr char kKindWaterDay[] = "water_day";
inline constexpr char kKindExceedance[] = "exceedance";
inline constexpr char kKindQualityDay[] = "quality_day";

inline constexpr char kScopeCity[] = "city";
inline constexpr char kScopeSitePrefix[] = "site:";
inline constexpr char kScopeDistrictPrefix[] = "district:";

inline std::string SiteScope(std::string_view code) {
  return std::string(kScopeSitePrefix).append(code);
}
inline std::string DistrictScope(std::string_view code) {
  return std::string(kScopeDistrictPrefix).append(code);
}
// An outlet's exceedance events of one factor.
inline std::string ExceedanceScope(std::string_view site, std::string_view factor) {
  return std::string(site).append("/").append(factor);
}

}  // namespace ecohub::derive
