// Units of measurement an import converts between: a partner's hPa to the kPa of
// HJ 212's a01006, µg/m³ of CO to mg/m³, km/h to m/s. A conversion by a power of ten
// is exact (the decimal point moves: 1023.5 hPa is 102.35 kPa); any other (km/h,
// kelvin, °F) is computed and written with one decimal more than the source had.
// Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/reading.h"
#include "core/status.h"

namespace ecohub::ingest {

struct Unit;

class UnitConversion {
 public:
  // From `from` to `to` ("hPa", "kPa", "µg/m³", "ug/m3", "°C", "℃"...); an error
  // names a unit EcoHub does not know or two that do not measure the same thing.
  static Result<UnitConversion> Between(std::string_view from, std::string_view to);
  // `d` in the target unit; nullopt when it does not fit a decimal.
  std::optional<std::string> Apply(const Decimal& d) const;

 private:
  const Unit* from_ = nullptr;
  const Unit* to_ = nullptr;
};

// The unit EcoHub keeps a factor in: the factor table's, the stations' where the
// table names two ("µg/m³ (stations), mg/m³ (outlets)"); "" for a factor not in it.
std::string DefaultUnit(std::string_view factor_code);

// `v` with `decimals` places, no "-0".
std::string FormatFixed(double v, int decimals);

}  // namespace ecohub::ingest
