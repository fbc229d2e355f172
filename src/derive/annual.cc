#include "derive/annual.h"

#include "derive/bodies.h"
#include "derive/kinds.h"
#include "standards/air.h"
#include "standards/exact.h"

namespace ecohub::derive {

using nlohmann::ordered_json;
using namespace ecohub::standards;

std::pair<UnixSeconds, UnixSeconds> BeijingYear(int year) {
  return {DaysFromCivil(year, 1, 1) * 86400 - kBeijingOffsetSeconds,
          DaysFromCivil(year + 1, 1, 1) * 86400 - kBeijingOffsetSeconds};
}

std::pair<UnixSeconds, UnixSeconds> BeijingMonth(int year, int month) {
  int ny = month == 12 ? year + 1 : year, nm = month == 12 ? 1 : month + 1;
  return {DaysFromCivil(year, month, 1) * 86400 - kBeijingOffsetSeconds,
          DaysFromCivil(ny, nm, 1) * 86400 - kBeijingOffsetSeconds};
}

std::vector<std::string> PeriodWarnings(const ordered_json& report) {
  std::vector<std::string> out;
  int64_t days = report.value("days_in_period", int64_t{0});
  int64_t with_aqi = report.value("days_with_aqi", int64_t{0});
  if (with_aqi < days)
    out.push_back(std::to_string(with_aqi) + " of the period's " + std::to_string(days) +
                  " days have a daily AQI: the day counts and the ratio cover those days only");
  std::string short_of;
  if (auto it = report.find("statistics"); it != report.end() && it->is_object())
    for (const auto& [name, s] : it->items()) {
      int64_t n = s.value("days", int64_t{0});
      if (n < days) short_of += (short_of.empty() ? "" : ", ") + name + " " + std::to_string(n);
    }
  if (!short_of.empty())
    out.push_back("daily values fewer than the " + std::to_string(days) + " days: " + short_of);
  return out;
}

Result<ordered_json> PeriodReport(store::Store& store, const std::string& scope, UnixSeconds from,
                                  UnixSeconds to, bool year) {
  auto rows = store.QueryDerived(kKindAqiDay, scope, from, to, 1000);
  if (!rows.ok()) return rows.status();
  std::array<int, 7> levels{};
  int days_with_aqi = 0;
  std::array<std::vector<DailyValue>, kPollutantCount> daily;
  std::string edition_first, edition_last;
  for (const auto& r : *rows) {
    auto b = ParseAqiBody(r.body);
    if (!b) continue;
    if (b->level && *b->level >= 1 && *b->level <= 6) {
      ++levels[*b->level];
      ++days_with_aqi;
    }
    if (edition_first.empty()) edition_first = b->edition;
    edition_last = b->edition;
    for (int k = 0; k < kPollutantCount; ++k) {
      auto p = static_cast<Pollutant>(k);
      const double* c = b->Conc(p == Pollutant::kO3 ? "O3_8h" : PollutantName(p));
      if (!c) continue;
      if (auto d = DecimalFromDouble(*c)) daily[k].push_back({r.time, *d});
    }
  }
  ordered_json out;
  out["scope"] = scope;
  out["from"] = FormatRfc3339Beijing(from);
  out["to"] = FormatRfc3339Beijing(to);
  out["days_in_period"] = (to - from) / 86400;
  out["days_with_aqi"] = days_with_aqi;
  ordered_json lv = ordered_json::object();
  for (int l = 1; l <= 6; ++l) lv[std::to_string(l)] = levels[l];
  out["days_by_level"] = lv;
  int good = levels[1] + levels[2];
  out["excellent_good_days"] = good;
  out["excellent_good_ratio"] = days_with_aqi
                                    ? ordered_json(static_cast<double>(good) / days_with_aqi)
                                    : ordered_json(nullptr);
  out["polluted_days"] = days_with_aqi - good;
  out["heavily_polluted_days"] = levels[5] + levels[6];
  ordered_json stats = ordered_json::object();
  std::array<std::optional<Decimal>, kPollutantCount> composite_in;
  for (int k = 0; k < kPollutantCount; ++k) {
    auto p = static_cast<Pollutant>(k);
    PeriodStat s = PeriodStatistic(p, daily[k], year);
    ordered_json o;
    o["statistic"] = p == Pollutant::kCO   ? "p95 of daily means"
                     : p == Pollutant::kO3 ? "p90 of daily max 8-h"
                                           : "mean of daily means";
    o["value"] = s.value.value ? ordered_json(s.value.value->ToDouble()) : ordered_json(nullptr);
    o["days"] = s.days;
    o["valid"] = s.value.valid;
    if (s.p98) o["p98"] = s.p98->ToDouble();
    stats[PollutantName(p)] = std::move(o);
    composite_in[k] = s.value.value;
  }
  out["statistics"] = std::move(stats);
  CompositeIndex ci = ComputeComposite(composite_in);
  ordered_json comp;
  comp["sum"] = ci.count ? ordered_json(ci.sum.ToDouble()) : ordered_json(nullptr);
  ordered_json single = ordered_json::object();
  for (int k = 0; k < kPollutantCount; ++k)
    if (ci.single[k]) single[PollutantName(static_cast<Pollutant>(k))] = ci.single[k]->ToDouble();
  comp["single"] = std::move(single);
  ordered_json primary = ordered_json::array();
  for (Pollutant p : ci.primary) primary.push_back(PollutantName(p));
  comp["primary"] = std::move(primary);
  comp["limits"] = "GB3095-2012 grade II (ranking rule; 2026 basis unconfirmed)";
  out["composite_index"] = std::move(comp);
  out["edition"] = edition_first == edition_last ? ordered_json(edition_first)
                                                 : ordered_json({edition_first, edition_last});
  out["warnings"] = PeriodWarnings(out);
  return out;
}

}  // namespace ecohub::derive
