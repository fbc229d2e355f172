#include "derive/site_jobs.h"

#include <nlohmann/json.hpp>

#include "core/factors.h"
#include "derive/bodies.h"
#include "derive/kinds.h"
#include "permit/validity.h"
#include "quality/aggregate.h"
#include "quality/anomaly.h"
#include "quality/rates.h"
#include "standards/emission.h"
#include "standards/exact.h"
#include "standards/water.h"

namespace ecohub::derive {
namespace {

using nlohmann::json;
constexpr UnixSeconds kHour = 3600, kDay = 86400;

RatesBody RatesOf(const quality::Rates& r) {
  return {r.counts.expected, r.counts.received,       r.counts.valid, r.transmission,
          r.validity,        r.transmission_validity, r.completeness};
}

// HJ 212-2017 codes of the items the automatic water stations measure.
constexpr std::pair<const char*, standards::WaterItem> kWaterCodes[] = {
    {"w01001", standards::WaterItem::kPH},    {"w01009", standards::WaterItem::kDO},
    {"w01019", standards::WaterItem::kCODMn}, {"w21003", standards::WaterItem::kNH3N},
    {"w21011", standards::WaterItem::kTP},
};

std::optional<double> Num(const std::optional<Decimal>& d) {
  return d ? std::optional(d->ToDouble()) : std::nullopt;
}

// GB 3838 class of each touched day of a water section, from the day's mean of
// each item (the 2011 method: average the samples, then classify), with the item set
// of the automatic stations.
// Sections and surface drinking-water sources are classed by GB 3838; a groundwater
// source (GB/T 14848) is not evaluated yet.
bool IsSurfaceWater(const SiteInfo& site, const json& attrs) {
  if (site.kind == registry::SiteKind::kWater) return true;
  if (site.kind != registry::SiteKind::kDrinkingWater) return false;
  return !attrs.is_object() || attrs.value("water_type", "river") != "groundwater";
}

// `attrs`: the site's, parsed (a non-object when they are not valid JSON).
Status WaterDays(HourSource& source, const SiteInfo& site, const json& attrs,
                 const std::set<UnixSeconds>& days, std::vector<store::DerivedRow>* rows,
                 DeriveStats* stats) {
  std::string type = attrs.is_object() ? attrs.value("water_type", "river") : "river";
  auto body_type = standards::WaterBodyFromName(type).value_or(standards::WaterBody::kRiver);
  std::string target = attrs.is_object() ? attrs.value("target_class", "") : "";
  // A drinking-water source is held to class III (GB 3838-2002 §4: 集中式生活饮用水地表
  // 水源地二级保护区) unless it names its own target.
  if (target.empty() && site.kind == registry::SiteKind::kDrinkingWater) target = "III";
  UnixSeconds from = *days.begin(), to = *days.rbegin() + kDay;
  std::map<UnixSeconds, std::array<std::vector<Decimal>, 5>> values;
  for (size_t k = 0; k < 5; ++k) {
    auto got = source.Range(site.mn, kWaterCodes[k].first, "Avg", from, to);
    if (!got.ok()) return got.status();
    for (const Reading& r : *got) {
      auto v = Decimal::Parse(r.value);
      if (!v || !quality::IsValidFlag(r.flag)) continue;
      values[FloorBeijing(r.time, kDay)][k].push_back(*v);
    }
  }
  for (UnixSeconds d : days) {
    auto it = values.find(d);
    if (it == values.end()) continue;
    standards::WaterSample sample;
    WaterDayBody body;
    for (size_t k = 0; k < 5; ++k) {
      auto mean = standards::MeanValue(it->second[k]);
      const char* name = standards::WaterItemName(kWaterCodes[k].second);
      body.coverage_items.emplace_back(name, it->second[k].size());
      if (!mean) continue;
      sample.Set(kWaterCodes[k].second, *mean);
      body.values.emplace_back(name, mean->ToDouble());
    }
    auto r = standards::ClassifySite(sample, body_type, standards::WaterItemSet::AutoStation());
    if (!r.ok()) continue;
    std::optional<double> v;
    if (r->site_class) {
      auto c = *r->site_class;
      body.water_class = standards::WaterClassName(c);
      body.grade = standards::WaterGradeName(standards::GradeOfClass(c));
      body.color = standards::WaterClassColor(c);
      v = static_cast<int>(c);
      if (auto t = standards::WaterClassFromName(target))
        body.meets_target = static_cast<int>(c) <= static_cast<int>(*t);
    }
    if (!target.empty()) body.target_class = target;
    for (const auto& ir : r->items)
      body.item_class.emplace_back(standards::WaterItemName(ir.item),
                                   standards::WaterClassName(ir.cls));
    for (auto item : r->exceeding) {
      body.exceeding.push_back(standards::WaterItemName(item));
      const auto* ir = r->Find(item);
      body.exceed_multiple.emplace_back(standards::WaterItemName(item),
                                        ir ? Num(ir->multiple) : std::nullopt);
    }
    body.site_type = standards::WaterBodyName(body_type);
    body.items_used = "auto_station: pH DO CODMn NH3N TP";
    body.standard = "GB3838-2002";
    body.coverage_unit = "hourly values";
    rows->push_back({kKindWaterDay, SiteScope(site.code), d, v, ToJson(body).dump()});
    ++stats->water_days;
  }
  return Status::Ok();
}

// The limit in an outlet's attributes
// ({"limits":{"a21026":{"value":35,"unit":"mg/m3","basis":"permit","lower":6}}});
// nullopt when `l` is not such a limit.
std::optional<standards::EmissionLimit> AttrsLimit(const std::string& factor, const json& l) {
  if (!l.is_object() || !l.contains("value") || !l["value"].is_number()) return std::nullopt;
  auto value = standards::DecimalFromDouble(l["value"].get<double>());
  if (!value) return std::nullopt;
  std::optional<Decimal> lower;
  if (l.contains("lower") && l["lower"].is_number())
    lower = standards::DecimalFromDouble(l["lower"].get<double>());
  auto basis = l.value("basis", "standard") == "permit" ? standards::EmissionLimit::kPermit
                                                        : standards::EmissionLimit::kStandard;
  return standards::MakeEmissionLimit(factor, *value, l.value("unit", ""), l.value("source", ""),
                                      basis, lower);
}

// The limit a permit sets, its number as the source.
std::optional<standards::EmissionLimit> PermitLimit(const permit::LimitInForce& in_force) {
  const permit::Limit& l = *in_force.limit;
  auto value = standards::DecimalFromDouble(l.value);
  if (!value) return std::nullopt;
  std::optional<Decimal> lower;
  if (l.lower) lower = standards::DecimalFromDouble(*l.lower);
  return standards::MakeEmissionLimit(l.factor, *value, l.unit, in_force.permit->number,
                                      standards::EmissionLimit::kPermit, lower);
}

store::DerivedRow EventRow(const SiteInfo& site, const standards::EmissionLimit& limit,
                           const standards::ExceedanceEvent& e, bool ongoing) {
  ExceedanceBody b{
      .site = site.code,
      .site_name = site.name,
      .district = site.district_code,
      .factor = e.factor,
      .start = e.start,
      .end = e.end,
      .hours = e.hours,
      .peak = e.peak.ToDouble(),
      .peak_hour = e.peak_hour,
      .multiple = Num(e.multiple),
      .limit = e.limit.ToDouble(),
      .unit = limit.unit,
      .basis = limit.basis == standards::EmissionLimit::kPermit ? "permit" : "standard",
      .compared = limit.use_converted && !e.measured_fallback ? "ZsAvg" : "Avg",
      .ongoing = ongoing};
  return {kKindExceedance, ExceedanceScope(site.code, e.factor), e.start, e.peak.ToDouble(),
          ToJson(b).dump()};
}

// Exceedance events of an outlet, recomputed over the touched days and a day either
// side; the events found replace those stored for that window. Each hour is judged
// by the limit of the permit in force for (outlet, factor) at that hour
// (permit/validity.h), else by the limit in the outlet's attributes; an hour with
// neither is not judged. A run of hours under one limit is judged apart from the
// next, so an event ends where the permit in force changes.
Status OutletEvents(HourSource& source, const SiteInfo& site, const json& attrs,
                    std::span<const permit::Permit> permits, const std::set<UnixSeconds>& days,
                    DeriveStats* stats) {
  std::map<std::string, standards::EmissionLimit> own;
  if (attrs.is_object() && attrs.contains("limits") && attrs["limits"].is_object())
    for (auto& [factor, l] : attrs["limits"].items())
      if (auto limit = AttrsLimit(factor, l)) own.emplace(factor, *limit);
  std::set<std::string> factors;
  for (const auto& [factor, l] : own) factors.insert(factor);
  for (const permit::Permit& p : permits)
    for (const permit::Outlet& o : p.outlets)
      if (o.site_id == site.id)
        for (const permit::Limit& l : o.limits) factors.insert(l.factor);
  if (factors.empty()) return Status::Ok();
  UnixSeconds from = *days.begin() - kDay, to = *days.rbegin() + 2 * kDay;
  for (const std::string& factor : factors) {
    std::map<UnixSeconds, standards::HourValue> hours;
    for (const char* field : {"Avg", "ZsAvg"}) {
      auto got = source.Range(site.mn, factor, field, from, to);
      if (!got.ok()) return got.status();
      for (const Reading& r : *got) {
        auto v = Decimal::Parse(r.value);
        auto& h = hours[r.time];
        h.hour_start = r.time;
        if (field[0] == 'A') {
          h.avg = v;
          h.flag = r.flag;
        } else {
          h.zs_avg = v;
        }
      }
    }
    std::vector<standards::HourValue> series;
    for (auto& [t, h] : hours) series.push_back(h);
    auto own_limit = own.find(factor);
    std::vector<store::DerivedRow> rows;
    for (size_t i = 0, j = 0; i < series.size(); i = j) {
      auto in_force = permit::LimitAt(permits, site.id, factor, series[i].hour_start);
      const permit::Limit* run = in_force ? in_force->limit : nullptr;
      for (j = i + 1; j < series.size(); ++j) {
        auto next = permit::LimitAt(permits, site.id, factor, series[j].hour_start);
        if ((next ? next->limit : nullptr) != run) break;
      }
      std::optional<standards::EmissionLimit> limit = in_force ? PermitLimit(*in_force)
                                                      : own_limit != own.end()
                                                          ? std::optional(own_limit->second)
                                                          : std::nullopt;
      if (!limit) continue;
      auto part = std::span<const standards::HourValue>(series).subspan(i, j - i);
      for (const auto& e : standards::FindExceedances(*limit, part))
        rows.push_back(EventRow(site, *limit, e, e.ongoing && j == series.size()));
    }
    Status s = source.store().ReplaceDerived(kKindExceedance, ExceedanceScope(site.code, factor),
                                             from, to, rows);
    if (!s.ok()) return s;
    stats->rows_written += rows.size();
  }
  stats->outlet_days += static_cast<int64_t>(days.size());
  return Status::Ok();
}

// Anomaly options for one factor of a site: typical analyser ranges and jump floors
// of the factors EcoHub knows (in each factor's HJ 212 unit), overridden by the
// site's attributes {"ranges":{"a34004":[0,1000]}, "maintenance":[{"start":t,"end":t}]}
// (UTC seconds; declared stops and maintenance).
quality::AnomalyOptions AnomalyOptionsFor(const SiteInfo& site, const std::string& factor,
                                          const json& attrs) {
  quality::AnomalyOptions o = quality::DefaultAnomalyOptions(Period::kHour);
  // The factor table's typical range at this kind of site (core/factors.h).
  if (const Factor* f = FindFactor(factor))
    if (const auto& typical = registry::IsOutlet(site.kind) ? f->outlet : f->station) {
      o.range_min = standards::DecimalNear(typical->min);
      o.range_max = standards::DecimalNear(typical->max);
      o.jump_floor = typical->jump_floor;
    }
  if (!attrs.is_object()) return o;
  if (auto r = attrs.find("ranges"); r != attrs.end() && r->is_object() && r->contains(factor)) {
    const json& range = (*r)[factor];
    if (range.is_array() && range.size() == 2 && range[0].is_number() && range[1].is_number()) {
      o.range_min = standards::DecimalNear(range[0].get<double>());
      o.range_max = standards::DecimalNear(range[1].get<double>());
    }
  }
  if (auto m = attrs.find("maintenance"); m != attrs.end() && m->is_array())
    for (const json& w : *m)
      if (w.is_object() && w.value("start", json()).is_number_integer() &&
          w.value("end", json()).is_number_integer() && w["start"] < w["end"])
        o.maintenance.push_back({w["start"].get<UnixSeconds>(), w["end"].get<UnixSeconds>()});
  if (!o.Validate().ok()) return quality::DefaultAnomalyOptions(Period::kHour);
  return o;
}

}  // namespace

Status RunSiteJobs(HourSource& source, const SiteInfo& site, const std::set<std::string>& factors,
                   std::span<const permit::Permit> permits, const std::set<UnixSeconds>& hours,
                   std::vector<store::DerivedRow>* rows, DeriveStats* stats, UnixSeconds now) {
  if (hours.empty() || site.mn.empty()) return Status::Ok();
  std::set<UnixSeconds> days;
  for (UnixSeconds h : hours) days.insert(FloorBeijing(h, kDay));
  if (factors.empty()) return Status::Ok();  // nothing reported yet: no rates to give
  json attrs = json::parse(site.attrs_json.empty() ? "{}" : site.attrs_json, nullptr, false);
  if (IsSurfaceWater(site, attrs)) {
    Status s = WaterDays(source, site, attrs, days, rows, stats);
    if (!s.ok()) return s;
  } else if (registry::IsOutlet(site.kind)) {
    Status s = OutletEvents(source, site, attrs, permits, days, stats);
    if (!s.ok()) return s;
  }
  UnixSeconds from = *days.begin(), to = *days.rbegin() + kDay;

  std::map<UnixSeconds, QualityDayBody> bodies;
  std::map<UnixSeconds, std::vector<quality::RateCounts>> totals;
  for (const std::string& factor : factors) {
    quality::AnomalyOptions anomaly_options = AnomalyOptionsFor(site, factor, attrs);
    auto got = source.Range(site.mn, factor, "Avg", from, to);
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
      QualityDayBody::Factor f{RatesOf(quality::ComputeRates(c)), {}};
      auto found = quality::DetectAnomalies(samples[d], anomaly_options,
                                            d + kDay > now ? std::optional(now) : std::nullopt);
      for (const auto& a : found)
        f.anomalies.push_back(
            {quality::AnomalyKindName(a.kind), a.start, a.end, a.count, a.detail});
      bodies[d].factors.emplace_back(factor, std::move(f));
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
    QualityDayBody& body = bodies[d];
    quality::Rates all = quality::RollUp(std::span<const quality::RateCounts>(totals[d]));
    body.site_kind = registry::SiteKindName(site.kind);
    body.district = site.district_code;
    body.totals = RatesOf(all);
    rows->push_back(
        {kKindQualityDay, SiteScope(site.code), d, all.transmission_validity, ToJson(body).dump()});
    ++stats->quality_days;
  }
  return Status::Ok();
}

}  // namespace ecohub::derive
