#include "ingest/admission.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/factors.h"

namespace ecohub::ingest {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Hard limits the factor table does not carry (yet).
struct HardLimit {
  std::string_view code;
  double min, max;
};
constexpr HardLimit kHardLimits[] = {
    {"w01001", 0, 14},          // pH: the scale
    {"a19001", 0, 100},         // O2 content, %
    {"a01012", -273.15, kInf},  // flue-gas temperature, °C: absolute zero
    // Meteorological factors (HJ 212-2017 table B.2), not in the pollutant table.
    {"a01001", -273.15, kInf},  // air temperature, °C
    {"a01002", 0, 100},         // humidity, %
    {"a01006", 0, kInf},        // pressure, kPa
    {"a01007", 0, kInf},        // wind speed, m/s
    {"a01008", 0, 360},         // wind direction, degrees
    {"a01014", 0, 100},         // flue-gas humidity, %
};

// Fields carrying a concentration (or pH, temperature...) of the factor.
bool RangeField(std::string_view field) {
  if (field.starts_with("Zs")) field.remove_prefix(2);
  return field == "Rtd" || field == "Avg" || field == "Min" || field == "Max";
}

// The number in `text`; nullopt when it is not one (text is judged elsewhere),
// +infinity for "inf", "1e999" and the like, NaN for "nan".
std::optional<double> Number(std::string_view text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (end != text.data() + text.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Overflow is not finite; underflow ("1e-999") is a tiny number.
    bool underflow =
        text.find("e-") != std::string_view::npos || text.find("E-") != std::string_view::npos;
    return underflow ? 0.0 : kInf;
  }
  if (ec != std::errc()) return std::nullopt;
  return v;
}

}  // namespace

std::string_view AdmissionName(Admission a) {
  switch (a) {
    case Admission::kAdmitted:
      return "admitted";
    case Admission::kFuture:
      return "future";
    case Admission::kTooOld:
      return "too_old";
    case Admission::kNotFinite:
      return "not_finite";
    case Admission::kImpossible:
      return "impossible";
  }
  return "unknown";
}

PhysicalRange PhysicalRangeOf(std::string_view code, const AdmissionPolicy& policy) {
  PhysicalRange range;
  double scale = 0;
  if (const Factor* f = FindFactor(code)) {
    for (const auto& typical : {f->station, f->outlet}) {
      if (!typical) continue;
      scale = std::max(scale, typical->max);
      // A typical range starting at 0 is a quantity that cannot be negative.
      if (typical->min == 0) range.min = 0;
    }
  }
  for (const HardLimit& h : kHardLimits) {
    if (h.code != code) continue;
    range.min = h.min;
    if (std::isfinite(h.max)) {
      range.max = h.max;
      scale = std::max(scale, h.max);
    }
  }
  range.slack = policy.below_zero_fraction * scale;
  return range;
}

Admission CheckReading(const Reading& r, UnixMillis now, const AdmissionPolicy& policy) {
  UnixSeconds now_s = now / 1000;
  if (r.time > now_s + policy.future_tolerance_seconds) return Admission::kFuture;
  if (r.time < now_s - policy.horizon_days * 86400) return Admission::kTooOld;
  auto v = Number(r.value);
  if (!v) return Admission::kAdmitted;
  if (!std::isfinite(*v)) return Admission::kNotFinite;
  if (!RangeField(r.field)) return Admission::kAdmitted;
  PhysicalRange range = PhysicalRangeOf(r.factor, policy);
  if (range.min && *v < *range.min - range.slack) return Admission::kImpossible;
  if (range.max && *v > *range.max + range.slack) return Admission::kImpossible;
  return Admission::kAdmitted;
}

}  // namespace ecohub::ingest
