// The bodies of the derived rows (store::DerivedRow::body), one struct per kind of
// derive/kinds.h, with their JSON form in one place: the Deriver writes them with
// ToJson(...).dump(), the alarm sync and the API read them with Parse*.
//
// The JSON is the stored format: ToJson writes the keys in the order the rows have
// always had, so re-writing a parsed row gives the same bytes (bodies_test.cc reads
// rows as stored). The parsers are lenient and never throw: a field that is absent
// or of another type reads as absent (nullopt, empty, 0, false); only what a reader
// cannot do without makes a body unreadable (see each Parse*).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"

namespace ecohub::derive {

// Values by name, in the order they are written (a JSON object that keeps its order).
template <class T>
using Named = std::vector<std::pair<std::string, T>>;

// The value named `name`, or null.
template <class T>
const T* Find(const Named<T>& values, std::string_view name) {
  for (const auto& [k, v] : values)
    if (k == name) return &v;
  return nullptr;
}

// How much of what was expected went into a value.
struct Coverage {
  std::string unit;  // "pollutants", "stations"
  int expected = 0, present = 0;
  // Districts and the city: the stations an indicator needs (75 % of `expected`,
  // rounded up; docs/standards-air.md). Written only when set.
  std::optional<int> required;
};

// A value before its rounding: exactly sum / n (standards::Unrounded as the rows keep
// it; the sum as the decimal its shortest text reads, n >= 1).
struct UnroundedValue {
  double sum = 0;
  int64_t n = 1;
};

// An AQI result as EcoHub shows it everywhere (derive/aqi_json.h makes one). aqi,
// level, category, color, level_name, category_en are null when nothing could be
// computed, health_effect and advice then absent.
struct AqiResultBody {
  std::optional<int> aqi, level;
  std::optional<std::string> category;
  std::vector<std::string> primary;  // pollutant labels ("PM2.5")
  Named<int> iaqi;                   // by indicator name ("PM2_5_1h")
  bool published = false;
  std::optional<std::string> color;
  std::string edition, mode;  // "HJ633-2012"..., "hourly" or "daily"
  std::optional<std::string> level_name, category_en;
  std::vector<std::string> missing, not_monitored;        // indicator names
  std::optional<std::vector<std::string>> over_standard;  // HJ 633-2012 only
  std::optional<std::string> health_effect, advice;
};

// "aqi_hour" and "aqi_day" of a station, a district or the city: the AQI result and
// what it was computed from.
struct AqiBody : AqiResultBody {
  // Concentrations by pollutant name ("SO2" ... "PM2.5"; CO in mg/m³, the others in
  // µg/m³), plus "O3_8h" (sliding or daily max 8-h) and, for a day, "O3_1h".
  Named<double> conc;
  // Stations: the concentrations of `conc` that are rounded statistics (daily means,
  // O3 8-h means and maxima) before their rounding, written [sum, n]. District and
  // city means take these so that a value is rounded once (GB/T 8170); a `conc` with
  // no entry here is its own exact value. Absent from rows written before.
  Named<UnroundedValue> unrounded;
  std::optional<std::string> time_label;  // hourly: "start" (CNEMC labels by the end)
  std::optional<Coverage> coverage;       // hours, and the days of areas
  // Districts and the city: the stations whose value of each indicator went into the
  // mean ("PM2.5": 11); an indicator with fewer than coverage.required has no value.
  Named<int> stations;
  // A station-day's validity per pollutant: values (hours) or, for "O3_8h", 8-h
  // windows counted. Empty for hours and areas.
  struct Validity {
    int count = 0;
    bool valid = false;
    bool windows = false;  // written as "windows" instead of "hours"
  };
  Named<Validity> validity;
  std::optional<std::string> standard;       // days: the GB 3095 stage
  std::optional<std::string> district_name;  // districts

  const double* Conc(std::string_view name) const { return Find(conc, name); }
  const UnroundedValue* UnroundedOf(std::string_view name) const { return Find(unrounded, name); }
};

// "water_day" of a water section: its GB 3838 class from the day's item means.
struct WaterDayBody {
  std::optional<std::string> water_class;   // "I".."劣V"; null when none
  std::optional<std::string> grade, color;  // with a class
  std::optional<bool> meets_target;         // with a class and a target
  std::optional<std::string> target_class;
  Named<std::string> item_class;  // class per item ("CODMn": "III")
  std::vector<std::string> exceeding;
  Named<std::optional<double>> exceed_multiple;
  Named<double> values;  // the day's mean per item
  std::string site_type, items_used, standard;
  std::string coverage_unit;      // "hourly values"
  Named<int64_t> coverage_items;  // values per item
};

// "exceedance": one event of an outlet's factor above its limit (hourly means).
// Absent fields of an odd row read as nullopt or empty; `start` is required.
struct ExceedanceBody {
  std::string site, site_name, district, factor;
  UnixSeconds start = 0;
  std::optional<UnixSeconds> end;  // start of the last hour over the limit
  std::optional<int64_t> hours;
  std::optional<double> peak;
  std::optional<UnixSeconds> peak_hour;
  std::optional<double> multiple;  // peak / limit - 1
  std::optional<double> limit;
  std::string unit, basis, compared;  // basis "permit"/"standard"; compared "Avg"/"ZsAvg"
  bool ongoing = false;               // still over the limit at the last hour seen
};

// Transmission and validity counts and rates (quality/rates.h); the rates are null
// when their denominator is 0.
struct RatesBody {
  int64_t expected = 0, received = 0, valid = 0;
  std::optional<double> transmission, validity, transmission_validity, completeness;
};

// One anomaly found in a factor's day (quality/anomaly.h).
struct AnomalyBody {
  std::string kind;  // quality::AnomalyKindName
  UnixSeconds start = 0;
  std::optional<UnixSeconds> end;
  std::optional<int64_t> count;
  std::optional<std::string> detail;
};

// "quality_day" of a site: rates and anomalies per factor, and the site's totals.
struct QualityDayBody {
  struct Factor {
    RatesBody rates;
    std::vector<AnomalyBody> anomalies;
  };
  Named<Factor> factors;  // by factor code
  std::string site_kind, district;
  RatesBody totals;
};

nlohmann::ordered_json ToJson(const AqiResultBody& b);
nlohmann::ordered_json ToJson(const AqiBody& b);
nlohmann::ordered_json ToJson(const WaterDayBody& b);
nlohmann::ordered_json ToJson(const ExceedanceBody& b);
nlohmann::ordered_json ToJson(const RatesBody& b);
nlohmann::ordered_json ToJson(const QualityDayBody& b);

// nullopt when the text is not a JSON object.
std::optional<AqiBody> ParseAqiBody(std::string_view text);
std::optional<WaterDayBody> ParseWaterDayBody(std::string_view text);
// nullopt when the text is not a JSON object or has no integer "start".
std::optional<ExceedanceBody> ParseExceedanceBody(std::string_view text);
// nullopt when the text is not a JSON object. A "factors" that is not an object
// reads as none. An anomaly list that is not an array, and an anomaly that is not an
// object or lacks a kind or an integer start, are left out and counted in *bad.
std::optional<QualityDayBody> ParseQualityDayBody(std::string_view text, int64_t* bad = nullptr);

}  // namespace ecohub::derive
