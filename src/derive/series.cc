#include "derive/series.h"

#include <map>

#include "quality/aggregate.h"

namespace ecohub::derive {

SeriesWindow::SeriesWindow(UnixSeconds from, UnixSeconds to, size_t factors)
    : from_(from), to_(to) {
  size_t n = to > from ? static_cast<size_t>((to - from) / 3600) : 0;
  v_.assign(factors, std::vector<std::optional<Decimal>>(n));
  seen_.assign(factors, std::vector<bool>(n));
}

namespace {
std::string Key(std::string_view mn, std::string_view factor, std::string_view field) {
  std::string k;
  k.append(mn).push_back('\x1f');
  k.append(factor).push_back('\x1f');
  k.append(field);
  return k;
}
}  // namespace

Status HourSource::Prefetch(UnixSeconds from, UnixSeconds to, std::vector<std::string> mns) {
  by_series_.clear();
  have_ = false;
  minutes_.clear();
  have_minutes_ = false;
  if (mns.empty()) return Status::Ok();
  mns_ = mns;
  Status s = store_.ScanWindow(Period::kHour, from, to, mns, [&](const Reading& r) {
    by_series_[Key(r.mn, r.factor, r.field)].push_back(r);
    return true;
  });
  if (!s.ok()) return s;
  have_ = true;
  from_ = from;
  to_ = to;
  return s;
}

Result<std::vector<Reading>> HourSource::Range(const std::string& mn, const std::string& factor,
                                               const std::string& field, UnixSeconds from,
                                               UnixSeconds to) {
  std::vector<Reading> out;
  if (!have_ || from < from_ || to > to_) {
    auto got = store_.Range(mn, Period::kHour, factor, field, from, to);
    if (!got.ok()) return got;
    out = std::move(*got);
  } else if (auto it = by_series_.find(Key(mn, factor, field)); it != by_series_.end()) {
    for (const Reading& r : it->second)
      if (r.time >= from && r.time < to) out.push_back(r);
  }
  if (!out.empty()) return out;
  return FromMinutes(mn, factor, field, from, to);
}

Result<std::vector<Reading>> HourSource::FromMinutes(const std::string& mn,
                                                     const std::string& factor,
                                                     const std::string& field, UnixSeconds from,
                                                     UnixSeconds to) {
  Result<std::vector<Reading>> minutes = std::vector<Reading>{};
  if (have_ && from >= from_ && to <= to_) {
    // Minute rows are not indexed by series (migration 4): read the window's once
    // for every device of the pass, the first time a series needs them.
    if (!have_minutes_) {
      Status s = store_.ScanWindow(Period::kMinute, from_, to_, mns_, [&](const Reading& r) {
        minutes_[Key(r.mn, r.factor, r.field)].push_back(r);
        return true;
      });
      if (!s.ok()) return s;
      have_minutes_ = true;
    }
    if (auto it = minutes_.find(Key(mn, factor, field)); it != minutes_.end())
      for (const Reading& r : it->second)
        if (r.time >= from && r.time < to) minutes->push_back(r);
  } else {
    minutes = store_.Range(mn, Period::kMinute, factor, field, from, to);
    if (!minutes.ok()) return minutes.status();
  }
  std::vector<Reading> out;
  if (minutes->empty()) return out;
  // The upload interval: the most common gap between consecutive values (60 s for
  // 1-minute loggers, 600 s for the usual 10-minute "minute data").
  std::map<int64_t, int> gaps;
  for (size_t i = 1; i < minutes->size(); ++i) {
    int64_t g = (*minutes)[i].time - (*minutes)[i - 1].time;
    if (g >= 60 && g <= 3600 && 3600 % g == 0) ++gaps[g];
  }
  int64_t step = 600;
  int best = 0;
  for (auto [g, n] : gaps)
    if (n > best) best = n, step = g;
  quality::SiteKind site = kind_ == registry::SiteKind::kOutletGas ? quality::SiteKind::kFlueGas
                           : kind_ == registry::SiteKind::kOutletWater
                               ? quality::SiteKind::kWasteWater
                               : quality::SiteKind::kAirStation;
  auto rule = quality::ScaleRule(quality::kAirHourRule, static_cast<int>(3600 / step));
  std::vector<quality::Sample> samples;
  int digits = 0;
  for (const Reading& r : *minutes)
    if (auto d = Decimal::Parse(r.value)) {
      samples.push_back({r.time, *d, r.flag});
      digits = std::max<int>(digits, d->scale);
    }
  for (const auto& a : quality::AggregateSeries(samples, 3600, rule, site)) {
    if (!a.valid) continue;  // short of 45 minutes of the hour: no hourly value
    auto mean = a.Mean(digits);
    if (!mean) continue;
    out.push_back({mn, Period::kHour, a.start, factor, field, mean->ToString(), a.flag});
    ++hours_from_minutes_;
  }
  return out;
}

Status SeriesWindow::Load(HourSource& source, const std::string& mn, size_t k,
                          const std::string& factor, const std::string& field) {
  auto rows = source.Range(mn, factor, field, from_, to_);
  if (!rows.ok()) return rows.status();
  for (const Reading& r : *rows) {
    if (r.time < from_ || r.time >= to_) continue;
    size_t i = static_cast<size_t>((r.time - from_) / 3600);
    seen_[k][i] = true;
    auto d = Decimal::Parse(r.value);
    if (!d || !quality::IsValidFlag(r.flag)) {
      ++rejected;
      continue;
    }
    v_[k][i] = *d;
  }
  return Status::Ok();
}

std::optional<Decimal> SeriesWindow::At(size_t k, UnixSeconds h) const {
  if (h < from_ || h >= to_) return std::nullopt;
  return v_[k][static_cast<size_t>((h - from_) / 3600)];
}

std::vector<std::optional<Decimal>> SeriesWindow::Hours(size_t k, UnixSeconds start, int n) const {
  std::vector<std::optional<Decimal>> out(n);
  for (int i = 0; i < n; ++i) out[i] = At(k, start + i * 3600);
  return out;
}

bool SeriesWindow::HasAnyAt(UnixSeconds h) const {
  for (size_t k = 0; k < v_.size(); ++k)
    if (At(k, h)) return true;
  return false;
}

bool SeriesWindow::SeenAnyAt(UnixSeconds h) const {
  if (h < from_ || h >= to_) return false;
  for (const auto& s : seen_)
    if (s[static_cast<size_t>((h - from_) / 3600)]) return true;
  return false;
}

int SeriesWindow::received(size_t k, UnixSeconds from, UnixSeconds to) const {
  int n = 0;
  for (UnixSeconds h = std::max(from, from_); h < std::min(to, to_); h += 3600)
    n += seen_[k][static_cast<size_t>((h - from_) / 3600)];
  return n;
}

}  // namespace ecohub::derive
