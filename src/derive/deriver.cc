#include "derive/deriver.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "core/threads.h"
#include "derive/aqi_json.h"
#include "derive/bodies.h"
#include "derive/kinds.h"
#include "derive/noise_jobs.h"
#include "derive/series.h"
#include "derive/site_jobs.h"
#include "standards/air.h"
#include "standards/aqi.h"
#include "standards/exact.h"

namespace ecohub::derive {

using namespace ecohub::standards;

namespace {

constexpr UnixSeconds kHour = 3600, kDay = 86400;

UnixSeconds DayOf(UnixSeconds t) { return FloorBeijing(t, kDay); }

// A station's (or an area's) concentrations at one hour, as the AQI takes them.
struct HourConc {
  std::array<std::optional<Decimal>, kPollutantCount> c;  // 1-h values
  std::optional<Decimal> o3_8h;                           // sliding, valid only
  std::optional<Unrounded> o3_8h_exact;                   // a station's, before rounding
};

// 1-h indicator of a pollutant.
Indicator HourIndicator(Pollutant p) {
  static constexpr Indicator k[] = {Indicator::kSO2_1h, Indicator::kNO2_1h, Indicator::kPM10_1h,
                                    Indicator::kCO_1h,  Indicator::kO3_1h,  Indicator::kPM25_1h};
  return k[static_cast<int>(p)];
}
Indicator DayIndicator(Pollutant p) {
  static constexpr Indicator k[] = {Indicator::kSO2_24h, Indicator::kNO2_24h, Indicator::kPM10_24h,
                                    Indicator::kCO_24h,  Indicator::kO3_8h,   Indicator::kPM25_24h};
  return k[static_cast<int>(p)];
}

double Num(const Decimal& d) { return d.ToDouble(); }

Named<double> ConcOf(const std::array<std::optional<Decimal>, kPollutantCount>& c) {
  Named<double> out;
  for (int k = 0; k < kPollutantCount; ++k)
    if (c[k]) out.emplace_back(PollutantName(static_cast<Pollutant>(k)), Num(*c[k]));
  return out;
}

// The AQI part of a row's body.
AqiBody WithResult(const AqiInput& in) {
  AqiBody body;
  static_cast<AqiResultBody&>(body) = AqiResultOf(in, ComputeAqi(in));
  return body;
}

store::DerivedRow AqiRow(const char* kind, std::string scope, UnixSeconds t, const AqiBody& b) {
  std::optional<double> v;
  if (b.aqi) v = *b.aqi;
  return {kind, std::move(scope), t, v, ToJson(b).dump()};
}

UnroundedValue ToRow(const Unrounded& u) { return {Num(u.sum), u.n}; }

// A station's value `key` before rounding: its "unrounded" entry, else its
// concentration (a 1-h value, or a row written before stations kept them).
std::optional<Unrounded> ExactOf(const AqiBody& b, std::string_view key) {
  if (const UnroundedValue* u = b.UnroundedOf(key))
    if (auto d = DecimalFromDouble(u->sum); d && u->n <= kMaxUnroundedN) return Unrounded{*d, u->n};
  if (const double* c = b.Conc(key))
    if (auto d = DecimalFromDouble(*c)) return Unrounded{*d, 1};
  return std::nullopt;
}

// The stations an area's value needs: 75 % of those expected, rounded up (EcoHub's
// rule where HJ 663 is silent; docs/standards-air.md), at least one.
int RequiredStations(int expected) { return std::max(1, (3 * expected + 3) / 4); }

// The mean of the stations' values `key`, from their unrounded values and rounded
// once to `decimals` (GB/T 8170: no successive rounding). None with fewer than
// `required` stations; `*count` says how many had a value.
std::optional<Decimal> MeanOf(const std::vector<const AqiBody*>& stations, std::string_view key,
                              int decimals, int required, int* count) {
  std::vector<Unrounded> v;
  for (const AqiBody* b : stations)
    if (auto u = ExactOf(*b, key)) v.push_back(*u);
  *count = static_cast<int>(v.size());
  if (*count < required) return std::nullopt;
  return MeanOfUnrounded(v, decimals);
}

// Hourly AQI of one set of concentrations.
AqiBody HourAqiBody(const HourConc& h, UnixSeconds hour, bool o3_8h_in_hourly, int present,
                    int expected, const char* coverage_unit) {
  AqiInput in;
  in.edition = EditionForHourStart(hour);
  in.mode = AqiMode::kHourly;
  in.o3_8h_in_hourly = o3_8h_in_hourly;
  for (int k = 0; k < kPollutantCount; ++k)
    if (h.c[k]) in.Set(HourIndicator(static_cast<Pollutant>(k)), *h.c[k]);
  if (h.o3_8h) in.Set(Indicator::kO3_8h, *h.o3_8h);
  AqiBody body = WithResult(in);
  body.conc = ConcOf(h.c);
  if (h.o3_8h) body.conc.emplace_back("O3_8h", Num(*h.o3_8h));
  if (h.o3_8h && h.o3_8h_exact) body.unrounded.emplace_back("O3_8h", ToRow(*h.o3_8h_exact));
  body.time_label = "start";  // the hour [time, time+1h); CNEMC labels it by its end
  body.coverage = Coverage{coverage_unit, expected, present};
  return body;
}

}  // namespace

Deriver::Deriver(store::Store& store, const registry::Registry& registry, DeriveOptions options,
                 Metrics* metrics, const Clock& clock)
    : store_(store), registry_(registry), options_(options), metrics_(metrics), clock_(clock) {}

Deriver::Deriver(store::Store& store, DeriveOptions options, Metrics* metrics, const Clock& clock)
    : store_(store),
      own_registry_(std::make_unique<registry::Registry>()),
      registry_(*own_registry_),
      options_(options),
      metrics_(metrics),
      clock_(clock) {}

Deriver::~Deriver() { Stop(); }

Status Deriver::Reload() {
  if (own_registry_)
    if (Status s = store::PublishRegistry(store_, *own_registry_); !s.ok()) return s;
  std::shared_ptr<const registry::Snapshot> snapshot = registry_.Current();
  std::unordered_map<int64_t, std::string> district_code;
  district_names_.clear();
  for (const auto& d : snapshot->districts) {
    district_code[d.id] = d.code;
    district_names_[d.code] = d.name;
  }
  std::vector<SiteInfo> out;
  std::unordered_map<int64_t, size_t> by_id;
  for (const auto& s : snapshot->sites) {
    by_id[s.id] = out.size();
    out.push_back(SiteInfo{s.id, s.code, s.name, s.kind, district_code[s.district_id], "",
                           s.attrs_json, s.active});
  }
  std::unordered_map<std::string, size_t> by_mn;
  for (const auto& d : snapshot->devices) {
    auto it = by_id.find(d.site_id);
    if (it == by_id.end()) continue;
    by_mn[d.mn] = it->second;
    if (out[it->second].mn.empty() && d.enabled) out[it->second].mn = d.mn;
  }
  // A site with no enabled device is still evaluated from its first device: a site
  // disabled with its devices keeps its history, and imported data of a site without
  // a data logger is kept under a disabled device (ingest/readings_import.h).
  // Never its manual device: manual samples stay apart from the automatic series
  // (registry::ManualMn).
  for (const auto& d : snapshot->devices)
    if (auto it = by_id.find(d.site_id);
        it != by_id.end() && out[it->second].mn.empty() && !registry::IsManualMn(d.mn))
      out[it->second].mn = d.mn;
  auto latest = store_.LatestAll();
  if (!latest.ok()) return latest.status();
  std::unordered_map<int64_t, std::set<std::string>> factors;
  for (const auto& l : *latest) {
    if ((l.period != Period::kHour && l.period != Period::kMinute) || l.field != "Avg") continue;
    auto it = by_mn.find(l.mn);
    if (it != by_mn.end() && out[it->second].mn == l.mn)
      factors[out[it->second].id].insert(l.factor);
  }
  std::lock_guard lock(mu_);
  sites_ = std::move(out);
  site_by_id_ = std::move(by_id);
  site_by_mn_ = std::move(by_mn);
  hourly_factors_ = std::move(factors);
  // Hours a device sent before this snapshot named it (the gateway learns a new device
  // before the deriver does): derived now rather than never.
  for (auto& [mn, hours] : unmapped_) {
    auto it = site_by_mn_.find(mn);
    if (it == site_by_mn_.end() || sites_[it->second].mn != mn) continue;
    pending_[sites_[it->second].id].insert(hours.begin(), hours.end());
  }
  unmapped_.clear();
  unmapped_hours_ = 0;
  if (!pending_.empty()) cv_.notify_one();
  return Status::Ok();
}

void Deriver::Touch(const std::vector<store::Batch>& batches) {
  std::lock_guard lock(mu_);
  bool any = false;
  std::string_view last_mn;
  size_t site_index = SIZE_MAX;
  for (const auto& b : batches)
    for (const auto& r : b.readings) {
      // Real-time values feed nothing derived (hours come from 2061, or from 2051).
      if (r.period != Period::kHour && r.period != Period::kMinute) continue;
      if (r.mn != last_mn) {  // a batch is mostly one device's packet: look it up once
        auto it = site_by_mn_.find(r.mn);
        site_index = it == site_by_mn_.end() ? SIZE_MAX : it->second;
        last_mn = r.mn;
      }
      if (site_index == SIZE_MAX) {
        if (unmapped_hours_ < kMaxUnmappedHours &&
            unmapped_[r.mn].insert(FloorBeijing(r.time, kHour)).second)
          ++unmapped_hours_;
        continue;
      }
      const SiteInfo& site = sites_[site_index];
      if (r.mn != site.mn) continue;  // a site's values come from its first device
      pending_[site.id].insert(FloorBeijing(r.time, kHour));
      if ((r.period == Period::kHour || r.period == Period::kMinute) && r.field == "Avg" &&
          r.mn == site.mn)
        hourly_factors_[site.id].insert(r.factor);
      any = true;
    }
  if (any) cv_.notify_one();
}

void Deriver::RequestReload() {
  std::lock_guard lock(mu_);
  reload_ = true;
  cv_.notify_one();
}

void Deriver::TouchSiteHour(int64_t site_id, UnixSeconds hour) {
  std::lock_guard lock(mu_);
  pending_[site_id].insert(FloorBeijing(hour, kHour));
  cv_.notify_one();
}

Result<DeriveStats> Deriver::Flush() {
  std::map<int64_t, std::set<UnixSeconds>> work;
  {
    std::lock_guard lock(mu_);
    work.swap(pending_);
  }
  if (work.empty()) return DeriveStats{};
  return Run(std::move(work));
}

namespace {

void AddStats(DeriveStats* a, const DeriveStats& b) {
  a->station_hours += b.station_hours;
  a->area_hours += b.area_hours;
  a->station_days += b.station_days;
  a->area_days += b.area_days;
  a->water_days += b.water_days;
  a->outlet_days += b.outlet_days;
  a->quality_days += b.quality_days;
  a->rows_written += b.rows_written;
}

}  // namespace

Result<DeriveStats> Deriver::RecomputeRange(UnixSeconds from, UnixSeconds to,
                                            const std::function<void(int, int)>& progress) {
  DeriveStats total;
  std::vector<int64_t> ids;
  for (const auto& s : sites_) ids.push_back(s.id);
  std::set<UnixSeconds> area_hours, area_days;
  // Three days at a time across every site: each block is one window scan of the
  // store (see RunSites), and memory stays bounded; districts and the city once at
  // the end.
  constexpr UnixSeconds kBlock = 3 * kDay;
  UnixSeconds start = FloorBeijing(from, kHour);
  int blocks = static_cast<int>((to - start + kBlock - 1) / kBlock), done = 0;
  for (UnixSeconds b = start; b < to; b += kBlock) {
    std::map<int64_t, std::set<UnixSeconds>> block;
    for (int64_t id : ids) {
      auto& hours = block[id];
      for (UnixSeconds h = b; h < std::min(to, b + kBlock); h += kHour) hours.insert(h);
    }
    auto r = RunSites(block, /*follow_8h=*/false, &area_hours, &area_days);
    if (!r.ok()) return r.status();
    AddStats(&total, *r);
    if (progress) progress(++done, blocks);
  }
  auto a = RunAreas(area_hours, area_days);
  if (!a.ok()) return a.status();
  AddStats(&total, *a);
  return total;
}

Result<DeriveStats> Deriver::Run(std::map<int64_t, std::set<UnixSeconds>> hours) {
  std::set<UnixSeconds> area_hours, area_days;
  auto s = RunSites(hours, /*follow_8h=*/true, &area_hours, &area_days);
  if (!s.ok()) return s;
  auto a = RunAreas(area_hours, area_days);
  if (!a.ok()) return a.status();
  DeriveStats out = *s;
  AddStats(&out, *a);
  if (metrics_) {
    metrics_->counter("ecohub_derive_station_hours_total", "Station hours whose AQI was recomputed")
        ->Add(out.station_hours);
    metrics_->counter("ecohub_derive_rows_written_total", "Derived rows written")
        ->Add(out.rows_written);
  }
  return out;
}

namespace {

// Daily statistics and AQI of one station-day (HJ 663, GB 3095 Table 4).
store::DerivedRow StationDayRow(const SiteInfo& site, const SeriesWindow& w, UnixSeconds day) {
  AqiInput in;
  in.edition = EditionForDayStart(day);
  in.mode = AqiMode::kDaily;
  Named<double> conc;
  Named<UnroundedValue> unrounded;
  Named<AqiBody::Validity> validity;
  for (int k = 0; k < kPollutantCount; ++k) {
    auto p = static_cast<Pollutant>(k);
    auto hours = w.Hours(k, day, 24);
    if (p == Pollutant::kO3) {
      O3Max8h m = DailyMax8hO3(hours);
      validity.emplace_back("O3_8h", AqiBody::Validity{m.windows, m.valid, true});
      if (m.value && m.valid) {
        in.Set(Indicator::kO3_8h, *m.value);
        conc.emplace_back("O3_8h", Num(*m.value));
        if (m.exact) unrounded.emplace_back("O3_8h", ToRow(*m.exact));
      }
      // 2012 daily report: O3 daily maximum 1-h as well (needs the day valid too).
      std::optional<Decimal> max1;
      int n = 0;
      for (const auto& h : hours)
        if (h) {
          ++n;
          if (!max1 || Compare(*h, *max1) > 0) max1 = *h;
        }
      bool valid = n >= ValidityMinimum::kHourlyValuesPerDay;
      validity.emplace_back("O3_1h", AqiBody::Validity{n, valid});
      if (max1 && valid) {
        in.Set(Indicator::kO3_1h, *max1);
        conc.emplace_back("O3_1h", Num(*max1));
      }
      continue;
    }
    Stat m = DailyMean(hours, ReportDecimals(p));
    validity.emplace_back(PollutantName(p), AqiBody::Validity{m.n, m.valid});
    if (m.value && m.valid) {
      in.Set(DayIndicator(p), *m.value);
      conc.emplace_back(PollutantName(p), Num(*m.value));
      if (m.exact) unrounded.emplace_back(PollutantName(p), ToRow(*m.exact));
    }
  }
  AqiBody body = WithResult(in);
  body.conc = std::move(conc);
  body.unrounded = std::move(unrounded);
  body.validity = std::move(validity);
  body.standard = StageName(StageForDayStart(day));
  return AqiRow(kKindAqiDay, SiteScope(site.code), day, body);
}

// Daily AQI of an area from its stations' valid daily values: per indicator the
// mean of the stations' unrounded values, rounded once, when at least `required`
// stations have one.
AqiBody AreaDayBody(const std::vector<const AqiBody*>& stations, UnixSeconds day, int expected) {
  AqiInput in;
  in.edition = EditionForDayStart(day);
  in.mode = AqiMode::kDaily;
  Named<double> conc;
  Named<int> counts;
  static const std::pair<const char*, Indicator> kKeys[] = {
      {"SO2", Indicator::kSO2_24h},   {"NO2", Indicator::kNO2_24h}, {"PM10", Indicator::kPM10_24h},
      {"CO", Indicator::kCO_24h},     {"O3_1h", Indicator::kO3_1h}, {"O3_8h", Indicator::kO3_8h},
      {"PM2.5", Indicator::kPM25_24h}};
  int present = 0;
  for (const AqiBody* b : stations) present += b->aqi.has_value();
  int required = RequiredStations(expected);
  for (auto [key, ind] : kKeys) {
    int count = 0;
    auto mean = MeanOf(stations, key, InputDecimals(ind), required, &count);
    if (count > 0) counts.emplace_back(key, count);
    if (!mean) continue;
    in.Set(ind, *mean);
    conc.emplace_back(key, Num(*mean));
  }
  AqiBody body = WithResult(in);
  body.conc = std::move(conc);
  body.coverage = Coverage{"stations", expected, present, required};
  body.stations = std::move(counts);
  body.standard = StageName(StageForDayStart(day));
  return body;
}

// Hourly concentrations of an area, as AreaDayBody; `counts` gets the stations per
// indicator.
HourConc AreaHourConc(const std::vector<const AqiBody*>& stations, int required,
                      Named<int>* counts) {
  HourConc h;
  int count = 0;
  for (int k = 0; k < kPollutantCount; ++k) {
    auto p = static_cast<Pollutant>(k);
    h.c[k] = MeanOf(stations, PollutantName(p), ReportDecimals(p), required, &count);
    if (count > 0) counts->emplace_back(PollutantName(p), count);
  }
  h.o3_8h = MeanOf(stations, "O3_8h", 0, required, &count);
  if (count > 0) counts->emplace_back("O3_8h", count);
  return h;
}

// Derived rows go to the store in small transactions: the store has one write lock,
// and the Writer's group commits (which devices wait on for their acks) must not
// queue behind a pass's thousands of rows.
Status PutInSlices(store::Store& store, const std::vector<store::DerivedRow>& rows) {
  constexpr size_t kSlice = 200;
  for (size_t i = 0; i < rows.size(); i += kSlice) {
    Status s = store.PutDerived(
        std::span<const store::DerivedRow>(rows).subspan(i, std::min(kSlice, rows.size() - i)));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// Contiguous runs of a sorted set of times `step` apart: [first, last + step).
std::vector<std::pair<UnixSeconds, UnixSeconds>> Spans(const std::set<UnixSeconds>& t,
                                                       UnixSeconds step) {
  std::vector<std::pair<UnixSeconds, UnixSeconds>> out;
  for (UnixSeconds x : t) {
    if (!out.empty() && out.back().second == x)
      out.back().second = x + step;
    else
      out.push_back({x, x + step});
  }
  return out;
}

}  // namespace

Result<DeriveStats> Deriver::RunSites(const std::map<int64_t, std::set<UnixSeconds>>& hours,
                                      bool follow_8h, std::set<UnixSeconds>* area_hours,
                                      std::set<UnixSeconds>* area_days) {
  DeriveStats st;
  std::vector<store::DerivedRow> rows;
  HourSource source(store_);
  // Many sites over a few days (the live pass): read the window once.
  UnixSeconds lo = INT64_MAX, hi = INT64_MIN;
  for (const auto& [id, set] : hours)
    if (!set.empty()) {
      lo = std::min(lo, *set.begin());
      hi = std::max(hi, *set.rbegin());
    }
  if (static_cast<int>(hours.size()) >= options_.prefetch_min_sites && lo <= hi &&
      hi - lo <= 4 * kDay) {
    std::vector<std::string> mns;
    for (const auto& [id, set] : hours)
      if (auto it = site_by_id_.find(id); it != site_by_id_.end() && !sites_[it->second].mn.empty())
        mns.push_back(sites_[it->second].mn);
    std::sort(mns.begin(), mns.end());
    mns.erase(std::unique(mns.begin(), mns.end()), mns.end());
    Status s = source.Prefetch(DayOf(lo) - kDay, DayOf(hi) + 2 * kDay, std::move(mns));
    if (!s.ok()) return s;
  }
  std::vector<permit::Permit> permits;
  if (permits_) {
    auto got = permits_->List();
    if (!got.ok()) return got.status();
    permits = std::move(got).value();
  }
  std::unordered_map<int64_t, std::set<std::string>> factors;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, set] : hours) factors[id] = hourly_factors_[id];
  }
  auto flush = [&]() -> Status {
    Status s = PutInSlices(store_, rows);
    if (s.ok()) st.rows_written += rows.size();
    rows.clear();
    return s;
  };
  for (const auto& [site_id, set] : hours) {
    if (set.empty()) continue;
    auto it = site_by_id_.find(site_id);
    if (it == site_by_id_.end()) continue;
    const SiteInfo& site = sites_[it->second];
    if (site.mn.empty()) continue;
    source.set_site_kind(site.kind);
    if (site.kind != registry::SiteKind::kAir) {
      Status s = RunSiteJobs(source, site, factors[site_id], permits, set, &rows, &st,
                             clock_.WallSeconds());
      if (!s.ok()) return s;
      if (site.kind == registry::SiteKind::kNoise &&
          !(s = NoiseDays(store_, site, set, &rows)).ok())
        return s;
      if (rows.size() > 5000 && !(s = flush()).ok()) return s;
      continue;
    }
    UnixSeconds first_day = DayOf(*set.begin()), last_day = DayOf(*set.rbegin());
    // One read per pollutant covering whole days plus 7 hours either side: the 8-h
    // windows before a day's first hour and the 8-h means that include a changed hour.
    SeriesWindow w(first_day - 7 * kHour, last_day + kDay + 7 * kHour, kPollutantCount);
    for (int k = 0; k < kPollutantCount; ++k) {
      Status s = w.Load(source, site.mn, k, PollutantFactor(static_cast<Pollutant>(k)));
      if (!s.ok()) return s;
    }
    // An hour gets a row when it has a value, or when it received readings that
    // no longer count (a late correction to a fault flag must clear its AQI).
    std::set<UnixSeconds> todo;
    for (UnixSeconds h : set)
      for (int k = 0; k < (follow_8h ? 8 : 1); ++k) {
        UnixSeconds t = h + k * kHour;
        if (w.HasAnyAt(t) || (k == 0 && w.SeenAnyAt(t))) todo.insert(t);
      }
    for (UnixSeconds h : todo) {
      HourConc hc;
      int present = 0;
      for (int k = 0; k < kPollutantCount; ++k) {
        hc.c[k] = w.At(k, h);
        present += hc.c[k].has_value();
      }
      Stat o3 = SlidingMean8h(w.Hours(static_cast<int>(Pollutant::kO3), h - 7 * kHour, 8));
      if (o3.valid) {
        hc.o3_8h = o3.value;
        hc.o3_8h_exact = o3.exact;
      }
      AqiBody body =
          HourAqiBody(hc, h, options_.o3_8h_in_hourly_2012, present, kPollutantCount, "pollutants");
      rows.push_back(AqiRow(kKindAqiHour, SiteScope(site.code), h, body));
      area_hours->insert(h);
      ++st.station_hours;
    }
    std::set<UnixSeconds> days;
    for (UnixSeconds h : todo) days.insert(DayOf(h));
    for (UnixSeconds d : days) {
      rows.push_back(StationDayRow(site, w, d));
      area_days->insert(d);
      ++st.station_days;
    }
    Status s = RunSiteJobs(source, site, factors[site_id], permits, set, &rows, &st,
                           clock_.WallSeconds());  // quality rates
    if (!s.ok()) return s;
    if (rows.size() > 5000 && !(s = flush()).ok()) return s;
  }
  Status s = flush();
  if (!s.ok()) return s;
  return st;
}

Result<DeriveStats> Deriver::RunAreas(const std::set<UnixSeconds>& area_hours,
                                      const std::set<UnixSeconds>& area_days) {
  DeriveStats st;
  // The air stations by area; a station is expected in a period when it exists then:
  // active and reporting since before the period's end, or reporting in it.
  struct Station {
    std::string scope, district;
    bool active;
  };
  std::vector<Station> air;
  std::unordered_map<std::string, std::string> district_of;  // "site:CODE" -> district
  for (const auto& s : sites_)
    if (s.kind == registry::SiteKind::kAir) {
      air.push_back({SiteScope(s.code), s.district_code, s.active});
      district_of[air.back().scope] = s.district_code;
    }
  for (const Station& s : air) {
    if (first_hour_.count(s.scope)) continue;
    auto first = store_.QueryDerived(kKindAqiHour, s.scope, std::numeric_limits<UnixSeconds>::min(),
                                     std::numeric_limits<UnixSeconds>::max(), 1);
    if (!first.ok()) return first.status();
    first_hour_[s.scope] =
        first->empty() ? std::numeric_limits<UnixSeconds>::max() : first->front().time;
  }
  std::vector<store::DerivedRow> rows;
  for (int pass = 0; pass < 2; ++pass) {
    bool daily = pass == 1;
    const char* kind = daily ? kKindAqiDay : kKindAqiHour;
    UnixSeconds step = daily ? kDay : kHour;
    for (auto [from, to] : Spans(daily ? area_days : area_hours, step)) {
      // Page through the stations' rows of the span, a few thousand at a time.
      for (UnixSeconds a = from; a < to;) {
        UnixSeconds b = std::min(to, a + (daily ? 30 * kDay : 7 * kDay));
        auto got = store_.QueryDerived(kind, std::string(kScopeSitePrefix) + "*", a, b, SIZE_MAX);
        if (!got.ok()) return got.status();
        std::vector<std::optional<AqiBody>> bodies(got->size());
        std::map<UnixSeconds, std::map<std::string, std::vector<const AqiBody*>>> by_time;
        std::map<UnixSeconds, std::set<std::string_view>> reported;
        for (size_t i = 0; i < got->size(); ++i) {
          const auto& r = (*got)[i];
          auto d = district_of.find(r.scope);
          if (d == district_of.end()) continue;
          // Rows written in this pass (new or late data) move a station's start back.
          if (!daily) first_hour_[r.scope] = std::min(first_hour_[r.scope], r.time);
          reported[r.time].insert(d->first);
          bodies[i] = ParseAqiBody(r.body);
          if (!bodies[i]) continue;
          by_time[r.time][d->second].push_back(&*bodies[i]);
          by_time[r.time][""].push_back(&*bodies[i]);  // the city
        }
        for (auto& [t, areas] : by_time) {
          // Stations that exist in [t, t + step), per district ("" the city).
          std::map<std::string, int> expected;
          for (const Station& s : air)
            if ((s.active && first_hour_[s.scope] < t + step) || reported[t].count(s.scope)) {
              ++expected[s.district];
              ++expected[""];
            }
          for (auto& [code, stations] : areas) {
            int exp = expected[code];
            AqiBody body;
            if (daily) {
              body = AreaDayBody(stations, t, exp);
            } else {
              Named<int> counts;
              HourConc hc = AreaHourConc(stations, RequiredStations(exp), &counts);
              body = HourAqiBody(hc, t, options_.o3_8h_in_hourly_2012,
                                 static_cast<int>(stations.size()), exp, "stations");
              body.coverage->required = RequiredStations(exp);
              body.stations = std::move(counts);
            }
            if (!code.empty()) body.district_name = district_names_[code];
            rows.push_back(AqiRow(
                kind, code.empty() ? std::string(kScopeCity) : DistrictScope(code), t, body));
            ++(daily ? st.area_days : st.area_hours);
          }
        }
        Status s = PutInSlices(store_, rows);
        if (!s.ok()) return s;
        st.rows_written += rows.size();
        rows.clear();
        a = b;
      }
    }
  }
  return st;
}

void Deriver::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    // Recomputation yields to the network and writer threads: devices wait for acks,
    // nobody waits a second for a derived value.
    MakeThisThreadBackground("ecohub-derive");
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait(lock, [&] { return stop_ || reload_ || !pending_.empty(); });
      if (stop_) break;
      if (reload_) {
        reload_ = false;
        lock.unlock();
        if (Status s = Reload(); !s.ok()) spdlog::warn("[derive] reload failed: {}", s.ToString());
        lock.lock();
        continue;
      }
      // Let a burst of packets land, then recompute once.
      cv_.wait_for(lock, std::chrono::milliseconds(options_.debounce_ms), [&] { return stop_; });
      lock.unlock();
      double t0 = clock_.SteadySeconds();
      auto r = Flush();
      auto took = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::duration<double>(clock_.SteadySeconds() - t0));
      if (!r.ok()) {
        spdlog::warn("[derive] recomputation failed: {}", r.status().ToString());
        if (metrics_)
          metrics_->counter("ecohub_derive_errors_total", "Failed recomputations")->Add();
      }
      if (r.ok())
        spdlog::debug(
            "[derive] pass {} ms: {} station hours, {} station days, {} area hours, "
            "{} quality days, {} rows",
            took.count() / 1000, r->station_hours, r->station_days, r->area_hours, r->quality_days,
            r->rows_written);
      if (metrics_)
        metrics_->gauge("ecohub_derive_last_pass_micros", "Duration of the last derivation pass")
            ->Set(took.count());
      lock.lock();
      // Under continuous load, rest twice as long as the pass took: derivation uses at
      // most about a third of a core and batches more hours per pass.
      cv_.wait_for(lock,
                   std::max<std::chrono::microseconds>(
                       2 * took, std::chrono::milliseconds(options_.min_pass_interval_ms)),
                   [&] { return stop_; });
    }
  });
}

void Deriver::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ecohub::derive
