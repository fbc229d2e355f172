#include "ingest/units.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/factors.h"

namespace ecohub::ingest {

// A unit as a multiple of its dimension's base: value_in_base = value * 10^exp10
// (exact, a decimal shift) or, when exp10 is kInexact, value * ratio + offset.
namespace {
constexpr int kInexact = 100;
}  // namespace

struct Unit {
  const char* name;  // normalised: ASCII lower case, no spaces, "u" for µ, "3" for ³
  const char* dimension;
  int exp10;
  double ratio = 1, offset = 0;
};
namespace {

constexpr Unit kUnits[] = {
    {"ng/m3", "mass/volume", -3},
    {"ug/m3", "mass/volume", 0},
    {"mg/m3", "mass/volume", 3},
    {"g/m3", "mass/volume", 6},
    {"ng/l", "mass/liquid", -3},
    {"ug/l", "mass/liquid", 0},
    {"mg/l", "mass/liquid", 3},
    {"g/l", "mass/liquid", 6},
    {"pa", "pressure", 0},
    {"hpa", "pressure", 2},
    {"kpa", "pressure", 3},
    {"mpa", "pressure", 6},
    {"mbar", "pressure", 2},
    {"m/s", "speed", 0},
    {"km/h", "speed", kInexact, 1 / 3.6},
    {"l/s", "flow", 0},
    {"m3/s", "flow", 3},
    {"m3/h", "flow", kInexact, 1 / 3.6},
    {"mm", "length", 0},
    {"cm", "length", 1},
    {"m", "length", 3},
    {"c", "temperature", 0},
    {"k", "temperature", kInexact, 1, -273.15},
    {"f", "temperature", kInexact, 5.0 / 9, -160.0 / 9},
    {"%", "percent", 0},
    {"deg", "angle", 0},
    {"db", "sound", 0},
    {"db(a)", "sound", 0},
};

std::string NormaliseUnit(std::string_view u) {
  std::string out;
  for (size_t i = 0; i < u.size(); ++i) {
    auto c = static_cast<unsigned char>(u[i]);
    std::string_view rest = u.substr(i);
    if (c == ' ') continue;
    if (rest.starts_with("\xC2\xB5") || rest.starts_with("\xCE\xBC")) {  // µ, μ
      out += 'u';
      ++i;
    } else if (rest.starts_with("\xC2\xB3")) {  // ³
      out += '3';
      ++i;
    } else if (rest.starts_with("\xE2\x84\x83")) {  // ℃
      out += 'c';
      i += 2;
    } else if (rest.starts_with("\xC2\xB0")) {  // °: °C, °F, ° alone
      ++i;
      if (i + 1 == u.size()) out += "deg";
    } else {
      out += static_cast<char>(std::tolower(c));
    }
  }
  if (out == "degc" || out == "celsius") return "c";
  if (out == "degf") return "f";
  if (out == "degree" || out == "degrees") return "deg";
  return out;
}

const Unit* FindUnit(std::string_view name) {
  std::string n = NormaliseUnit(name);
  for (const Unit& u : kUnits)
    if (n == u.name) return &u;
  return nullptr;
}

// value * 10^k, exactly; nullopt when it does not fit a Decimal.
std::optional<Decimal> Shift(Decimal d, int k) {
  if (k < 0) {
    if (d.scale - k > 15) return std::nullopt;
    d.scale = static_cast<uint8_t>(d.scale - k);
    return d;
  }
  int drop = std::min<int>(k, d.scale);
  d.scale = static_cast<uint8_t>(d.scale - drop);
  for (int i = drop; i < k; ++i) {
    if (d.mantissa > INT64_MAX / 10) return std::nullopt;
    d.mantissa *= 10;
  }
  return d;
}

}  // namespace

// The unit EcoHub stores a factor in: the table's, the station one where the table
// names two ("µg/m³ (stations), mg/m³ (outlets)").
std::string DefaultUnit(std::string_view code) {
  const Factor* f = FindFactor(code);
  if (!f) return "";
  std::string_view u = f->unit;
  if (auto p = u.find(" ("); p != std::string_view::npos) u = u.substr(0, p);
  return std::string(u);
}

std::string FormatFixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.starts_with("-") && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

Result<UnitConversion> UnitConversion::Between(std::string_view from, std::string_view to) {
  const Unit* a = FindUnit(from);
  const Unit* b = FindUnit(to);
  if (!a)
    return Status::InvalidInput("\"" + std::string(from) + "\" is a unit EcoHub does not convert");
  if (!b) return Status::InvalidInput("\"" + std::string(to) + "\" is a unit EcoHub does not know");
  if (std::string_view(a->dimension) != b->dimension)
    return Status::InvalidInput("cannot convert " + std::string(from) + " to " + std::string(to));
  UnitConversion c;
  c.from_ = a;
  c.to_ = b;
  return c;
}

std::optional<std::string> UnitConversion::Apply(const Decimal& d) const {
  if (from_ == to_) return d.ToString();
  if (from_->exp10 != kInexact && to_->exp10 != kInexact) {
    auto shifted = Shift(d, from_->exp10 - to_->exp10);
    if (!shifted) return std::nullopt;
    return shifted->ToString();
  }
  auto base = [](const Unit* u, double v) {
    return u->exp10 == kInexact ? v * u->ratio + u->offset : v * std::pow(10.0, u->exp10);
  };
  auto from_base = [](const Unit* u, double v) {
    return u->exp10 == kInexact ? (v - u->offset) / u->ratio : v / std::pow(10.0, u->exp10);
  };
  // One more decimal than the source had: a conversion by a ratio that is not a
  // power of ten should not invent precision, nor lose what was measured.
  return FormatFixed(from_base(to_, base(from_, d.ToDouble())), std::min(d.scale + 1, 6));
}

}  // namespace ecohub::ingest
