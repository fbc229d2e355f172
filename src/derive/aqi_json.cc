#include "derive/aqi_json.h"

namespace ecohub::derive {

using namespace ecohub::standards;

namespace {

std::vector<std::string> Labels(uint16_t mask, bool indicator_names) {
  std::vector<std::string> out;
  for (int k = 0; k < kIndicatorCount; ++k)
    if (mask & (1u << k)) {
      auto i = static_cast<Indicator>(k);
      out.push_back(indicator_names ? IndicatorName(i) : PollutantLabel(i));
    }
  return out;
}

}  // namespace

AqiResultBody AqiResultOf(const AqiInput& in, const AqiResult& r) {
  AqiResultBody o;
  o.primary = Labels(r.primary, false);
  for (int k = 0; k < kIndicatorCount; ++k)
    if (r.iaqi[k] >= 0) o.iaqi.emplace_back(IndicatorName(static_cast<Indicator>(k)), r.iaqi[k]);
  o.published = r.published;
  o.edition = EditionName(in.edition);
  o.mode = in.mode == AqiMode::kDaily ? "daily" : "hourly";
  o.missing = Labels(r.missing, true);
  uint16_t not_monitored = 0;
  for (int k = 0; k < kIndicatorCount; ++k)
    if (InReport(in.edition, in.mode, in.o3_8h_in_hourly, static_cast<Indicator>(k)) &&
        in.conc[k].state == AqiValue::State::kNotMonitored)
      not_monitored |= static_cast<uint16_t>(1u << k);
  o.not_monitored = Labels(not_monitored, true);
  // 超标污染物 exists only in HJ 633-2012 (removed in 2026).
  if (in.edition == Edition::k2012) o.over_standard = Labels(r.over_standard, false);
  if (r.has_aqi()) {
    const AqiLevelInfo& info = LevelInfo(in.edition, r.level);
    o.aqi = r.aqi;
    o.level = r.level;
    o.category = info.category;
    o.color = info.color;
    o.level_name = info.level_name;
    o.category_en = info.category_en;
    o.health_effect = info.health_effect;
    o.advice = info.advice;
  }
  return o;
}

nlohmann::ordered_json AqiJson(const AqiInput& in, const AqiResult& r) {
  return ToJson(AqiResultOf(in, r));
}

}  // namespace ecohub::derive
