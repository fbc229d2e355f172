#include "derive/noise_jobs.h"

#include <spdlog/spdlog.h>

#include <array>
#include <map>
#include <string>

#include "derive/kinds.h"
#include "quality/aggregate.h"
#include "registry/site_attrs.h"

namespace ecohub::derive {
namespace {

using nlohmann::ordered_json;
using Day = std::array<std::optional<Decimal>, 24>;
constexpr UnixSeconds kHour = 3600, kDay = 86400;

ordered_json Level(const std::optional<Decimal>& d) {
  return d ? ordered_json(d->ToDouble()) : ordered_json(nullptr);
}

ordered_json PeriodJson(const standards::NoisePeriodResult& p) {
  ordered_json o = {{"value", Level(p.value)},
                    {"limit", p.limit},
                    {"hours_present", p.hours_present},
                    {"hours_expected", p.hours_expected},
                    {"complete", p.complete}};
  if (p.meets) o["meets"] = *p.meets;
  if (p.exceedance) o["exceedance"] = p.exceedance->ToDouble();
  return o;
}

// The valid hourly values of `factor` per Beijing day in [from, to): "Data" (HJ 212's
// noise field) where sent, else "Avg".
Result<std::map<UnixSeconds, Day>> ReadDays(store::Store& store, const std::string& mn,
                                            const char* factor, UnixSeconds from, UnixSeconds to) {
  std::map<UnixSeconds, Day> days;
  for (const char* field : {"Avg", "Data"}) {  // "Data" last: it wins
    auto got = store.Range(mn, Period::kHour, factor, field, from, to);
    if (!got.ok()) return got.status();
    for (const Reading& r : *got) {
      auto v = Decimal::Parse(r.value);
      if (!v || !quality::IsValidFlag(r.flag)) continue;
      UnixSeconds day = FloorBeijing(r.time, kDay);
      days[day][static_cast<size_t>((r.time - day) / kHour)] = *v;
    }
  }
  return days;
}

}  // namespace

ordered_json NoiseEvaluationJson(const standards::NoiseEvaluation& e) {
  ordered_json o = {{"zone", standards::NoiseZoneName(e.zone)},
                    {"limits", {{"day", e.limits.day}, {"night", e.limits.night}}},
                    {"day", PeriodJson(e.day)},
                    {"night", PeriodJson(e.night)},
                    {"ldn", Level(e.ldn)}};
  if (e.night_max) {
    ordered_json m = {{"lmax", e.night_max->lmax.ToDouble()},
                      {"allowed", e.night_max->allowed},
                      {"meets", e.night_max->meets}};
    if (e.night_max->exceedance) m["exceedance"] = e.night_max->exceedance->ToDouble();
    o["night_max"] = std::move(m);
  }
  return o;
}

Status NoiseDays(store::Store& store, const SiteInfo& site, const std::set<UnixSeconds>& hours,
                 std::vector<store::DerivedRow>* rows) {
  if (hours.empty() || site.mn.empty()) return Status::Ok();
  auto attrs = registry::NoiseAttrsOf(site.attrs_json);
  if (!attrs.ok()) {
    spdlog::warn("[site {}] noise station without a valid zone, not evaluated: {}", site.code,
                 attrs.status().message());
    return Status::Ok();
  }
  std::set<UnixSeconds> days;
  for (UnixSeconds h : hours) days.insert(FloorBeijing(h, kDay));
  UnixSeconds from = *days.begin(), to = *days.rbegin() + kDay;
  auto leq = ReadDays(store, site.mn, "Leq", from, to);
  if (!leq.ok()) return leq.status();
  auto lmax = ReadDays(store, site.mn, "LMx", from, to);
  if (!lmax.ok()) return lmax.status();
  for (UnixSeconds d : days) {
    auto it = leq->find(d);
    if (it == leq->end()) continue;
    auto m = lmax->find(d);
    auto e = standards::EvaluateNoiseDay(
        attrs->zone, it->second,
        m == lmax->end() ? std::span<const std::optional<Decimal>>() : m->second, attrs->options);
    if (!e.ok()) {  // a level outside 0-200 dB: a device or unit fault, not a noise level
      spdlog::warn("[site {}] noise day {} not evaluated: {}", site.code, d, e.status().message());
      continue;
    }
    std::optional<double> ld;
    if (e->day.value) ld = e->day.value->ToDouble();
    rows->push_back({kKindNoiseDay, SiteScope(site.code), d, ld, NoiseEvaluationJson(*e).dump()});
  }
  return Status::Ok();
}

}  // namespace ecohub::derive
