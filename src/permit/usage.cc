#include "permit/usage.h"

#include <algorithm>

#include "permit/validity.h"

namespace ecohub::permit {

namespace {

constexpr UnixSeconds kHour = 3600;

std::optional<double> ValueOf(const Reading& r) {
  auto d = Decimal::Parse(r.value);
  return d ? std::optional(d->ToDouble()) : std::nullopt;
}

// The flow hours of an outlet: Cou and Avg of its flow factor, with the flag of
// either (a device sends one flag per factor).
Result<std::map<UnixSeconds, FlowHour>> ReadFlow(const HourReader& read, int64_t site,
                                                 Medium medium, UnixSeconds from, UnixSeconds to) {
  std::map<UnixSeconds, FlowHour> flow;
  std::string factor(FlowFactor(medium));
  for (const char* field : {"Cou", "Avg"}) {
    auto got = read(site, factor, field, from, to);
    if (!got.ok()) return got.status();
    for (const Reading& r : *got) {
      FlowHour& h = flow[r.time];
      (field[0] == 'C' ? h.cou : h.avg) = ValueOf(r);
      if (r.flag) h.flag = r.flag;
    }
  }
  return flow;
}

}  // namespace

Result<Usage> ComputeUsage(const Permit& permit, int year, UnixSeconds now,
                           const std::map<int64_t, Medium>& outlet_medium, const HourReader& read) {
  Usage u;
  u.year = year;
  UnixSeconds year_start = DaysFromCivil(year, 1, 1) * 86400 - kBeijingOffsetSeconds;
  UnixSeconds year_end = DaysFromCivil(year + 1, 1, 1) * 86400 - kBeijingOffsetSeconds;
  u.from = year_start;
  u.to = std::min(year_end, FloorBeijing(now, kHour));
  if (auto v = ValidityOf(permit)) {
    u.from = std::max(u.from, v->start);
    u.to = std::min(u.to, v->end);
  }
  u.to = std::max(u.to, u.from);
  for (const Quantity& q : permit.quantities)
    u.total.push_back({q.factor, q.tonnes_per_year, {}, std::nullopt});

  for (const Outlet& o : permit.outlets) {
    auto medium = outlet_medium.find(o.site_id);
    if (medium == outlet_medium.end()) continue;
    OutletUsage ou{o.site_id, medium->second, {}};
    auto flow = ReadFlow(read, o.site_id, ou.medium, u.from, u.to);
    if (!flow.ok()) return flow.status();
    for (size_t i = 0; i < permit.quantities.size(); ++i) {
      const Quantity& q = permit.quantities[i];
      const Factor* f = FindFactor(q.factor);
      if (!f || f->medium != ou.medium) continue;
      auto got = read(o.site_id, q.factor, "Avg", u.from, u.to);
      if (!got.ok()) return got.status();
      std::map<UnixSeconds, ConcentrationHour> conc;
      for (const Reading& r : *got) conc[r.time] = {ValueOf(r), r.flag};
      Emitted e = SumEmitted(ou.medium, *flow, conc, u.from, u.to);
      ou.factors.push_back(
          {q.factor, q.tonnes_per_year, e, ShareUsed(e.tonnes, q.tonnes_per_year)});
      u.total[i].emitted += e;
    }
    u.outlets.push_back(std::move(ou));
  }
  for (FactorUsage& t : u.total) t.share = ShareUsed(t.emitted.tonnes, t.permitted_tonnes);
  return u;
}

}  // namespace ecohub::permit
