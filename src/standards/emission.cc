#include "standards/emission.h"

#include <algorithm>
#include <utility>

#include "standards/exact.h"

namespace ecohub::standards {
namespace {

constexpr int64_t kHour = 3600;

// HJ 212-2017 codes of the flue-gas factors that GB 13223-2011 and GB 13271-2014
// limit at a reference oxygen content (see the header).
constexpr std::string_view kConvertedFactors[] = {"a34013", "a21026", "a21002", "a20057"};

// a − b exactly, as a decimal of the larger scale.
Decimal Minus(const Decimal& a, const Decimal& b) {
  int s = std::max(a.scale, b.scale);
  return MakeDecimal(static_cast<int64_t>(ScaledTo(a, s) - ScaledTo(b, s)), s);
}

// How one hour compares with the limit.
struct HourCheck {
  Decimal value;
  Decimal bound;   // the bound it is beyond
  Decimal excess;  // how far beyond it (> 0)
  bool above = true;
  bool fallback = false;
};

std::optional<HourCheck> Check(const EmissionLimit& limit, const HourValue& h) {
  if (!IsValidEmissionFlag(h.flag)) return std::nullopt;
  HourCheck c;
  if (limit.use_converted && h.zs_avg) {
    c.value = *h.zs_avg;
  } else if (h.avg) {
    c.value = *h.avg;
    c.fallback = limit.use_converted;
  } else {
    return std::nullopt;
  }
  // Equal to a limit complies: the standards say "不得超过" / within 6~9.
  if (Compare(c.value, limit.value) > 0) {
    c.bound = limit.value;
    c.excess = Minus(c.value, limit.value);
    return c;
  }
  if (limit.lower && Compare(c.value, *limit.lower) < 0) {
    c.above = false;
    c.bound = *limit.lower;
    c.excess = Minus(*limit.lower, c.value);
    return c;
  }
  return std::nullopt;
}

}  // namespace

bool UsesConvertedValue(std::string_view factor) {
  return std::find(std::begin(kConvertedFactors), std::end(kConvertedFactors), factor) !=
         std::end(kConvertedFactors);
}

EmissionLimit MakeEmissionLimit(std::string factor, Decimal value, std::string unit,
                                std::string source, EmissionLimit::LimitBasis basis,
                                std::optional<Decimal> lower) {
  EmissionLimit l;
  l.use_converted = UsesConvertedValue(factor);
  l.factor = std::move(factor);
  l.value = value;
  l.lower = lower;
  l.unit = std::move(unit);
  l.basis = basis;
  l.source = std::move(source);
  return l;
}

bool IsValidEmissionFlag(char flag) { return flag == 0 || flag == 'N'; }

std::vector<ExceedanceEvent> FindExceedances(const EmissionLimit& limit,
                                             std::span<const HourValue> hours) {
  std::vector<ExceedanceEvent> events;
  std::optional<ExceedanceEvent> cur;
  Decimal peak_excess;
  bool peak_above = true;
  auto close = [&] {
    if (!cur) return;
    if (peak_above && limit.value.mantissa != 0) {
      int s = std::max(cur->peak.scale, limit.value.scale);
      cur->multiple = RoundRatio(ScaledTo(cur->peak, s) - ScaledTo(limit.value, s),
                                 ScaledTo(limit.value, s), 2);
    }
    events.push_back(std::move(*cur));
    cur.reset();
  };
  for (size_t i = 0; i < hours.size(); ++i) {
    const HourValue& h = hours[i];
    if (cur && h.hour_start != cur->end) close();  // a gap or an out-of-order hour
    std::optional<HourCheck> c = Check(limit, h);
    if (!c) {
      close();
      continue;
    }
    if (!cur) {
      cur.emplace();
      cur->factor = limit.factor;
      cur->start = h.hour_start;
      cur->basis = limit.basis;
      cur->peak = c->value;
      cur->peak_hour = h.hour_start;
      cur->limit = c->bound;
      peak_excess = c->excess;
      peak_above = c->above;
    } else if (Compare(c->excess, peak_excess) > 0) {
      cur->peak = c->value;
      cur->peak_hour = h.hour_start;
      cur->limit = c->bound;
      peak_excess = c->excess;
      peak_above = c->above;
    }
    cur->end = h.hour_start + kHour;
    ++cur->hours;
    cur->measured_fallback = cur->measured_fallback || c->fallback;
    cur->ongoing = i + 1 == hours.size();
  }
  close();
  return events;
}

}  // namespace ecohub::standards
