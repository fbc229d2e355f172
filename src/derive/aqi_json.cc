#include "derive/aqi_json.h"

namespace ecohub::derive {

using nlohmann::ordered_json;
using namespace ecohub::standards;

namespace {

ordered_json Labels(uint16_t mask, bool indicator_names) {
  ordered_json out = ordered_json::array();
  for (int k = 0; k < kIndicatorCount; ++k)
    if (mask & (1u << k)) {
      auto i = static_cast<Indicator>(k);
      out.push_back(indicator_names ? IndicatorName(i) : PollutantLabel(i));
    }
  return out;
}

}  // namespace

ordered_json AqiJson(const AqiInput& in, const AqiResult& r) {
  ordered_json o;
  bool has = r.has_aqi();
  const AqiLevelInfo* info = has ? &LevelInfo(in.edition, r.level) : nullptr;
  o["aqi"] = has ? ordered_json(r.aqi) : ordered_json(nullptr);
  o["level"] = has ? ordered_json(r.level) : ordered_json(nullptr);
  o["category"] = has ? ordered_json(info->category) : ordered_json(nullptr);
  o["primary"] = Labels(r.primary, false);
  ordered_json iaqi = ordered_json::object();
  for (int k = 0; k < kIndicatorCount; ++k)
    if (r.iaqi[k] >= 0) iaqi[IndicatorName(static_cast<Indicator>(k))] = r.iaqi[k];
  o["iaqi"] = std::move(iaqi);
  o["published"] = r.published;
  o["color"] = has ? ordered_json(info->color) : ordered_json(nullptr);
  o["edition"] = EditionName(in.edition);
  o["mode"] = in.mode == AqiMode::kDaily ? "daily" : "hourly";
  o["level_name"] = has ? ordered_json(info->level_name) : ordered_json(nullptr);
  o["category_en"] = has ? ordered_json(info->category_en) : ordered_json(nullptr);
  o["missing"] = Labels(r.missing, true);
  uint16_t not_monitored = 0;
  for (int k = 0; k < kIndicatorCount; ++k)
    if (InReport(in.edition, in.mode, in.o3_8h_in_hourly, static_cast<Indicator>(k)) &&
        in.conc[k].state == AqiValue::State::kNotMonitored)
      not_monitored |= static_cast<uint16_t>(1u << k);
  o["not_monitored"] = Labels(not_monitored, true);
  // 超标污染物 exists only in HJ 633-2012 (removed in 2026).
  if (in.edition == Edition::k2012) o["over_standard"] = Labels(r.over_standard, false);
  if (has) {
    o["health_effect"] = info->health_effect;
    o["advice"] = info->advice;
  }
  return o;
}

}  // namespace ecohub::derive
