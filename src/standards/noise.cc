#include "standards/noise.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "standards/exact.h"

namespace ecohub::standards {
namespace {

struct ZoneRow {
  NoiseZone zone;
  const char* name;
  NoiseLimits limits;
};

// GB 3096-2008 Table 1 环境噪声限值, dB(A): 昼间 / 夜间.
constexpr ZoneRow kTable1[] = {
    {NoiseZone::k0, "0", {50, 40}},   {NoiseZone::k1, "1", {55, 45}},
    {NoiseZone::k2, "2", {60, 50}},   {NoiseZone::k3, "3", {65, 55}},
    {NoiseZone::k4a, "4a", {70, 55}}, {NoiseZone::k4b, "4b", {70, 60}},
};

// No environmental level is outside this; a value outside it is a unit or device error.
constexpr int kMaxLevel = 200;

// 10·lg of the power mean, rounded to 0.1 dB per GB/T 8170. The level is first taken
// to 9 decimals, which absorbs the error of the long double arithmetic (about 1e-15
// dB) so that a level exactly on a half (every hour at 55.05) rounds to the even
// neighbour as the standard says, instead of by the sign of that error.
Decimal RoundLevel(long double level) {
  return RoundGbt8170(MakeDecimal(std::llround(level * 1e9L), 9), 1);
}

// v − limit (exact, v's scale).
Decimal Minus(const Decimal& v, int limit) {
  return MakeDecimal(static_cast<int64_t>(ScaledTo(v, v.scale) - limit * Pow10(v.scale)), v.scale);
}

Status CheckLevels(std::span<const std::optional<Decimal>> levels, const char* what) {
  if (levels.size() != 24)
    return Status::InvalidInput(std::string(what) + ": 24 hourly values expected, got " +
                                std::to_string(levels.size()));
  for (size_t h = 0; h < levels.size(); ++h)
    if (levels[h] && (Compare(*levels[h], MakeDecimal(0, 0)) < 0 ||
                      Compare(*levels[h], MakeDecimal(kMaxLevel, 0)) > 0))
      return Status::InvalidInput(std::string(what) + " of hour " + std::to_string(h) + " (" +
                                  levels[h]->ToString() + ") is outside 0-200 dB");
  return Status::Ok();
}

// The energy average of the hours of one period, judged against `limit`.
NoisePeriodResult EvaluatePeriod(const std::vector<std::optional<Decimal>>& hours, int limit,
                                 int min_hours, std::optional<long double>* unrounded) {
  NoisePeriodResult r;
  r.limit = limit;
  r.hours_expected = static_cast<int>(hours.size());
  r.hours_present = static_cast<int>(
      std::count_if(hours.begin(), hours.end(), [](const auto& v) { return v.has_value(); }));
  r.complete = r.hours_present >= min_hours;
  *unrounded = EnergyAverage(hours);
  if (!*unrounded) return r;
  r.value = RoundLevel(**unrounded);
  if (!r.complete) return r;
  r.meets = Compare(*r.value, MakeDecimal(limit, 0)) <= 0;
  if (!*r.meets) r.exceedance = Minus(*r.value, limit);
  return r;
}

}  // namespace

const char* NoiseZoneName(NoiseZone z) { return kTable1[static_cast<int>(z)].name; }

std::optional<NoiseZone> NoiseZoneFromName(std::string_view name) {
  for (const ZoneRow& row : kTable1) {
    std::string_view n = row.name;
    if (name == n) return row.zone;
    // "4A" / "4B", as the standard prints them.
    if (n.size() == 2 && name.size() == 2 && name[0] == n[0] && name[1] == n[1] - 'a' + 'A')
      return row.zone;
  }
  return std::nullopt;
}

NoiseLimits Gb3096Limits(NoiseZone z) { return kTable1[static_cast<int>(z)].limits; }

std::optional<long double> EnergyAverage(std::span<const std::optional<Decimal>> levels) {
  // Factor out the loudest level so that 10^(0.1·L) cannot overflow or lose the quiet
  // hours: 10·lg(mean 10^(0.1·Li)) = Lmax + 10·lg(mean 10^(0.1·(Li − Lmax))).
  std::optional<long double> top;
  for (const auto& l : levels)
    if (l) top = std::max(top.value_or(l->ToDouble()), static_cast<long double>(l->ToDouble()));
  if (!top) return std::nullopt;
  long double sum = 0;
  int n = 0;
  for (const auto& l : levels)
    if (l) {
      sum += std::pow(10.0L, 0.1L * (static_cast<long double>(l->ToDouble()) - *top));
      ++n;
    }
  return *top + 10.0L * std::log10(sum / n);
}

Status NoiseOptions::Validate() const {
  if (day_start_hour < 0 || day_end_hour > 24 || day_start_hour >= day_end_hour ||
      day_end_hour - day_start_hour >= 24)
    return Status::InvalidInput(
        "day_start_hour and day_end_hour must satisfy 0 <= start < end <= 24, with a night");
  int day = day_end_hour - day_start_hour;
  if (min_day_hours && (*min_day_hours < 0 || *min_day_hours > day))
    return Status::InvalidInput("min_day_hours must be 0.." + std::to_string(day));
  if (min_night_hours && (*min_night_hours < 0 || *min_night_hours > 24 - day))
    return Status::InvalidInput("min_night_hours must be 0.." + std::to_string(24 - day));
  return Status::Ok();
}

Result<NoiseEvaluation> EvaluateNoiseDay(NoiseZone zone,
                                         std::span<const std::optional<Decimal>> leq,
                                         std::span<const std::optional<Decimal>> lmax,
                                         const NoiseOptions& options) {
  if (Status s = options.Validate(); !s.ok()) return s;
  if (Status s = CheckLevels(leq, "Leq"); !s.ok()) return s;
  if (!lmax.empty())
    if (Status s = CheckLevels(lmax, "Lmax"); !s.ok()) return s;

  NoiseEvaluation out;
  out.zone = zone;
  out.limits = options.railway_trunk_background && zone == NoiseZone::k4b
                   ? kRailwayTrunkBackgroundLimits
                   : Gb3096Limits(zone);
  auto is_day = [&](int h) { return h >= options.day_start_hour && h < options.day_end_hour; };
  std::vector<std::optional<Decimal>> day, night;
  for (int h = 0; h < 24; ++h) (is_day(h) ? day : night).push_back(leq[h]);
  std::optional<long double> ld, ln;
  out.day = EvaluatePeriod(day, out.limits.day,
                           options.min_day_hours.value_or(static_cast<int>(day.size())), &ld);
  out.night = EvaluatePeriod(night, out.limits.night,
                             options.min_night_hours.value_or(static_cast<int>(night.size())), &ln);
  if (ld && ln) {
    // Night levels weighted by +10 dB, each period by its hours.
    long double top = std::max(*ld, *ln + 10);
    long double sum = day.size() * std::pow(10.0L, 0.1L * (*ld - top)) +
                      night.size() * std::pow(10.0L, 0.1L * (*ln + 10 - top));
    out.ldn = RoundLevel(top + 10.0L * std::log10(sum / 24));
  }

  std::optional<Decimal> loudest;
  for (int h = 0; h < static_cast<int>(lmax.size()); ++h)
    if (!is_day(h) && lmax[h] && (!loudest || Compare(*lmax[h], *loudest) > 0)) loudest = lmax[h];
  if (loudest) {
    NightMaxResult m;
    m.lmax = *loudest;
    m.allowed = out.limits.night + kNightSuddenAllowance;
    m.meets = Compare(m.lmax, MakeDecimal(m.allowed, 0)) <= 0;
    if (!m.meets) m.exceedance = Minus(m.lmax, m.allowed);
    out.night_max = m;
  }
  return out;
}

}  // namespace ecohub::standards
