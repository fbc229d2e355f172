#include "permit/quantity.h"

#include <cmath>

#include "standards/emission.h"

namespace ecohub::permit {

namespace {
constexpr UnixSeconds kHour = 3600;

std::optional<double> Usable(std::optional<double> v) {
  if (!v || !std::isfinite(*v) || *v < 0) return std::nullopt;
  return v;
}
}  // namespace

std::string_view FlowFactor(Medium medium) {
  return medium == Medium::kWater ? "w00000" : "a00000";
}

std::optional<double> HourVolumeM3(Medium medium, std::optional<double> cou,
                                   std::optional<double> avg) {
  if (cou) return Usable(cou);
  auto flow = Usable(avg);
  if (!flow) return std::nullopt;
  // L/s × 3600 s ÷ 1000 L/m³, or m³/s × 3600 s.
  return medium == Medium::kWater ? *flow * 3.6 : *flow * 3600;
}

double MassKg(Medium medium, double concentration, double volume_m3) {
  double mass = concentration * volume_m3;  // g (water) or mg (flue gas)
  return medium == Medium::kWater ? mass / 1e3 : mass / 1e6;
}

Emitted& Emitted::operator+=(const Emitted& o) {
  tonnes += o.tonnes;
  hours_with_data += o.hours_with_data;
  hours_stopped += o.hours_stopped;
  hours_missing += o.hours_missing;
  return *this;
}

Emitted SumEmitted(Medium medium, const std::map<UnixSeconds, FlowHour>& flow,
                   const std::map<UnixSeconds, ConcentrationHour>& concentration, UnixSeconds from,
                   UnixSeconds to) {
  Emitted out;
  double kg = 0;
  for (UnixSeconds h = from; h < to; h += kHour) {
    auto f = flow.find(h);
    auto c = concentration.find(h);
    bool stopped = (f != flow.end() && f->second.flag == 'F') ||
                   (c != concentration.end() && c->second.flag == 'F');
    if (stopped) {
      ++out.hours_stopped;
      continue;
    }
    std::optional<double> volume, conc;
    if (f != flow.end() && standards::IsValidEmissionFlag(f->second.flag))
      volume = HourVolumeM3(medium, f->second.cou, f->second.avg);
    if (c != concentration.end() && standards::IsValidEmissionFlag(c->second.flag))
      conc = Usable(c->second.avg);
    if (!volume || !conc) {
      ++out.hours_missing;
      continue;
    }
    kg += MassKg(medium, *conc, *volume);
    ++out.hours_with_data;
  }
  out.tonnes = kg / 1e3;
  return out;
}

std::optional<double> ShareUsed(double emitted_tonnes, double permitted_tonnes) {
  if (!(permitted_tonnes > 0)) return std::nullopt;
  return emitted_tonnes / permitted_tonnes;
}

}  // namespace ecohub::permit
