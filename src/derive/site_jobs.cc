#include "derive/site_jobs.h"

#include <nlohmann/json.hpp>

#include "quality/aggregate.h"
#include "quality/anomaly.h"
#include "quality/rates.h"

namespace ecohub::derive {
namespace {

using nlohmann::ordered_json;
constexpr UnixSeconds kHour = 3600, kDay = 86400;

// The hourly series a site has: its devices' (factor, "Avg") of period hour.
Result<std::vector<std::string>> HourlyFactors(store::Store& store, const SiteInfo& site) {
  auto latest = store.LatestForSite(site.id);
  if (!latest.ok()) return latest.status();
  std::vector<std::string> out;
  for (const auto& l : *latest)
    if (l.period == Period::kHour && l.field == "Avg" && l.mn == site.mn) out.push_back(l.factor);
  return out;
}

std::optional<double> Opt(const std::optional<double>& v) { return v; }

ordered_json RatesJson(const quality::Rates& r) {
  auto num = [](const std::optional<double>& v) {
    return v ? ordered_json(*v) : ordered_json(nullptr);
  };
  return ordered_json{{"expected", r.counts.expected},
                      {"received", r.counts.received},
                      {"valid", r.counts.valid},
                      {"transmission", num(r.transmission)},
                      {"validity", num(r.validity)},
                      {"transmission_validity", num(r.transmission_validity)},
                      {"completeness", num(r.completeness)},
                      // Per-reading arrival times are not recorded yet (only the raw
                      // packets carry them): no timeliness rate rather than a guess.
                      {"timeliness", nullptr}};
}

}  // namespace

Status RunSiteJobs(store::Store& store, const SiteInfo& site, const std::set<UnixSeconds>& hours,
                   std::vector<store::DerivedRow>* rows, DeriveStats* stats, UnixSeconds now) {
  if (hours.empty() || site.mn.empty()) return Status::Ok();
  std::set<UnixSeconds> days;
  for (UnixSeconds h : hours) days.insert(FloorBeijing(h, kDay));
  auto factors = HourlyFactors(store, site);
  if (!factors.ok()) return factors.status();
  if (factors->empty()) return Status::Ok();  // nothing reported yet: no rates to give
  UnixSeconds from = *days.begin(), to = *days.rbegin() + kDay;

  // day -> factor -> body
  std::map<UnixSeconds, ordered_json> bodies;
  std::map<UnixSeconds, std::vector<quality::RateCounts>> totals;
  quality::AnomalyOptions anomaly_options = quality::DefaultAnomalyOptions(Period::kHour);
  for (const std::string& factor : *factors) {
    auto got = store.Range(site.mn, Period::kHour, factor, "Avg", from, to);
    if (!got.ok()) return got.status();
    std::map<UnixSeconds, std::vector<quality::Sample>> samples;
    std::map<UnixSeconds, std::vector<quality::Arrival>> arrivals;
    for (const Reading& r : *got) {
      UnixSeconds d = FloorBeijing(r.time, kDay);
      if (!days.count(d)) continue;
      arrivals[d].push_back({r.time, r.time, r.flag});
      if (auto v = Decimal::Parse(r.value)) samples[d].push_back({r.time, *v, r.flag});
    }
    for (UnixSeconds d : days) {
      // Today can only have had the hours that have ended.
      int64_t expected = std::clamp<int64_t>((now - d) / kHour, 0, 24);
      quality::RateCounts c = quality::CountArrivals(expected, arrivals[d], {});
      quality::Rates r = quality::ComputeRates(c);
      ordered_json f = RatesJson(r);
      ordered_json anomalies = ordered_json::array();
      auto found = quality::DetectAnomalies(samples[d], anomaly_options,
                                            d + kDay > now ? std::optional(now) : std::nullopt);
      for (const auto& a : found)
        anomalies.push_back({{"kind", quality::AnomalyKindName(a.kind)},
                             {"start", a.start},
                             {"end", a.end},
                             {"count", a.count},
                             {"detail", a.detail}});
      f["anomalies"] = std::move(anomalies);
      bodies[d]["factors"][factor] = std::move(f);
      totals[d].push_back(c);
    }
  }
  for (UnixSeconds d : days) {
    // A day with no value of any factor is left out: offline days show in the
    // transmission rates of the days around them and in the offline anomaly.
    if (!bodies.count(d) || totals[d].empty()) continue;
    bool any = false;
    for (const auto& c : totals[d]) any |= c.received > 0;
    if (!any) continue;
    ordered_json body = bodies[d];
    if (!body.contains("factors")) body["factors"] = ordered_json::object();
    quality::Rates all = quality::RollUp(std::span<const quality::RateCounts>(totals[d]));
    body["site_kind"] = site.kind;
    body["district"] = site.district_code;
    body["totals"] = RatesJson(all);
    rows->push_back({"quality_day", "site:" + site.code, d, Opt(all.transmission_validity),
                     body.dump()});
    ++stats->quality_days;
  }
  return Status::Ok();
}

}  // namespace ecohub::derive
