#include "standards/aqi.h"

#include "standards/exact.h"

namespace ecohub::standards {
namespace {

constexpr int kIaqiPoints[] = {0, 50, 100, 150, 200, 300, 400, 500};

// One row of HJ 633 Table 1 (2012) / Table 3 (2026): concentration at each IAQI
// point, in the indicator's unit. `n` points are defined (SO2 1-h stops at 800 =
// IAQI 200, O3 8-h at 800 = IAQI 300; above them the edition's notes apply).
struct Row {
  int n;
  int bp[8];
};

constexpr Row kSO2_24h{8, {0, 50, 150, 475, 800, 1600, 2100, 2620}};
constexpr Row kSO2_1h{5, {0, 150, 500, 650, 800}};
constexpr Row kNO2_24h{8, {0, 40, 80, 180, 280, 565, 750, 940}};
constexpr Row kNO2_1h{8, {0, 100, 200, 700, 1200, 2340, 3090, 3840}};
// The editions differ only at IAQI 100 of the PM daily rows.
constexpr Row kPM10_24h_2012{8, {0, 50, 150, 250, 350, 420, 500, 600}};
constexpr Row kPM10_24h_2026{8, {0, 50, 120, 250, 350, 420, 500, 600}};
constexpr Row kCO_24h{8, {0, 2, 4, 14, 24, 36, 48, 60}};
constexpr Row kCO_1h{8, {0, 5, 10, 35, 60, 90, 120, 150}};
constexpr Row kO3_1h{8, {0, 160, 200, 300, 400, 800, 1000, 1200}};
constexpr Row kO3_8h{6, {0, 100, 160, 215, 265, 800}};
constexpr Row kPM25_24h_2012{8, {0, 35, 75, 115, 150, 250, 350, 500}};
constexpr Row kPM25_24h_2026{8, {0, 35, 60, 115, 150, 250, 350, 500}};

const Row& RowOf(Indicator i, Edition e) {
  bool y2026 = e == Edition::k2026;
  switch (i) {
    case Indicator::kSO2_24h:
      return kSO2_24h;
    case Indicator::kSO2_1h:
      return kSO2_1h;
    case Indicator::kNO2_24h:
      return kNO2_24h;
    case Indicator::kNO2_1h:
      return kNO2_1h;
    // PM 1-h values use the daily rows: 2026 formula (1); 2012 Table 4 and CNEMC.
    case Indicator::kPM10_24h:
    case Indicator::kPM10_1h:
      return y2026 ? kPM10_24h_2026 : kPM10_24h_2012;
    case Indicator::kCO_24h:
      return kCO_24h;
    case Indicator::kCO_1h:
      return kCO_1h;
    case Indicator::kO3_1h:
      return kO3_1h;
    case Indicator::kO3_8h:
      return kO3_8h;
    case Indicator::kPM25_24h:
    case Indicator::kPM25_1h:
      return y2026 ? kPM25_24h_2026 : kPM25_24h_2012;
  }
  return kSO2_24h;
}

constexpr const char* kNames[kIndicatorCount] = {"SO2_24h",  "SO2_1h",  "NO2_24h",   "NO2_1h",
                                                 "PM10_24h", "PM10_1h", "CO_24h",    "CO_1h",
                                                 "O3_1h",    "O3_8h",   "PM2.5_24h", "PM2.5_1h"};
constexpr const char* kPollutants[kIndicatorCount] = {
    "SO2", "SO2", "NO2", "NO2", "PM10", "PM10", "CO", "CO", "O3_1h", "O3_8h", "PM2.5", "PM2.5"};

constexpr uint16_t Bit(Indicator i) { return static_cast<uint16_t>(1u << static_cast<int>(i)); }

// 2026-03-01 00:00 Beijing = 2026-02-28 16:00 UTC.
const UnixSeconds kSwitch2026 = DaysFromCivil(2026, 3, 1) * 86400 - kBeijingOffsetSeconds;

// IAQI on a row for a concentration of `m` * 10^-scale (m >= 0), no special rules.
int IaqiOnRow(const Row& row, int64_t m, int scale) {
  int64_t unit = Pow10(scale);
  int last = row.n - 1;
  if (m > row.bp[last] * unit) return 500;  // above the top: convention, digest §1.2
  int k = 1;
  while (m > row.bp[k] * unit) ++k;
  int64_t lo = row.bp[k - 1] * unit;
  int d_iaqi = kIaqiPoints[k] - kIaqiPoints[k - 1];
  int64_t d_bp = (row.bp[k] - row.bp[k - 1]) * unit;
  // Integer interpolation, then the ceiling (§6.2 / §4.2.6: 全部进位取整).
  if (scale <= 6 && m < 1'000'000'000'000) {
    int64_t num = d_iaqi * (m - lo);
    return kIaqiPoints[k - 1] + static_cast<int>(num / d_bp + (num % d_bp != 0));
  }
  return kIaqiPoints[k - 1] +
         static_cast<int>(CeilDiv(static_cast<__int128>(d_iaqi) * (m - lo), d_bp));
}

Decimal Prepared(Indicator i, const Decimal& c, bool round_inputs) {
  return round_inputs ? RoundGbt8170(c, InputDecimals(i)) : c;
}

// c > limit (an integer in the indicator's unit).
bool Above(const Decimal& c, int limit) {
  return c.mantissa > static_cast<int64_t>(limit) * Pow10(c.scale);
}

}  // namespace

const char* EditionName(Edition e) { return e == Edition::k2012 ? "HJ633-2012" : "HJ633-2026"; }

std::optional<Edition> EditionFromName(std::string_view name) {
  if (name == "HJ633-2012" || name == "HJ 633-2012" || name == "2012") return Edition::k2012;
  if (name == "HJ633-2026" || name == "HJ 633-2026" || name == "2026") return Edition::k2026;
  return std::nullopt;
}

Edition EditionForHourStart(UnixSeconds hour_start) {
  return hour_start >= kSwitch2026 ? Edition::k2026 : Edition::k2012;
}

Edition EditionForDayStart(UnixSeconds day_start) {
  return day_start >= kSwitch2026 ? Edition::k2026 : Edition::k2012;
}

const char* IndicatorName(Indicator i) { return kNames[static_cast<int>(i)]; }

std::optional<Indicator> IndicatorFromName(std::string_view name) {
  for (int k = 0; k < kIndicatorCount; ++k)
    if (name == kNames[k]) return static_cast<Indicator>(k);
  return std::nullopt;
}

const char* PollutantLabel(Indicator i) { return kPollutants[static_cast<int>(i)]; }

int InputDecimals(Indicator i) {
  return (i == Indicator::kCO_24h || i == Indicator::kCO_1h) ? 1 : 0;
}

bool InReport(Edition e, AqiMode m, bool o3_8h_in_hourly, Indicator i) {
  switch (i) {
    case Indicator::kSO2_24h:
    case Indicator::kNO2_24h:
    case Indicator::kPM10_24h:
    case Indicator::kCO_24h:
    case Indicator::kPM25_24h:
      return m == AqiMode::kDaily;
    case Indicator::kSO2_1h:
    case Indicator::kNO2_1h:
    case Indicator::kPM10_1h:
    case Indicator::kCO_1h:
    case Indicator::kPM25_1h:
      return m == AqiMode::kHourly;
    case Indicator::kO3_1h:
      // 2012 daily: O3 daily max 1-h is one of the seven; 2026 note a: O3 1-h only
      // in the real-time report.
      return m == AqiMode::kHourly || e == Edition::k2012;
    case Indicator::kO3_8h:
      return m == AqiMode::kDaily || (e == Edition::k2012 && o3_8h_in_hourly);
  }
  return false;
}

int Iaqi(Indicator i, const Decimal& conc, Edition e, bool round_inputs) {
  if (conc.mantissa < 0) return -1;
  Decimal c = Prepared(i, conc, round_inputs);
  if (i == Indicator::kSO2_1h && Above(c, 800))
    return e == Edition::k2026 ? 200 : -1;  // 2026 note b; 2012 note (2) is ComputeAqi's
  if (i == Indicator::kO3_8h && Above(c, 800))
    return e == Edition::k2026 ? 300 : -1;  // 2026 note c; 2012 note (3): no 8-h IAQI
  return IaqiOnRow(RowOf(i, e), c.mantissa, c.scale);
}

namespace {

// The indicators of each report (edition x mode x O3 8-h switch), in report order:
// InReport evaluated once, not per call.
struct ReportList {
  int n = 0;
  Indicator list[kIndicatorCount];
};

const ReportList& ReportOf(Edition e, AqiMode m, bool o3_8h_in_hourly) {
  static const auto kLists = [] {
    std::array<ReportList, 8> out{};
    for (int i = 0; i < 8; ++i) {
      auto ed = static_cast<Edition>(i >> 2);
      auto mode = static_cast<AqiMode>((i >> 1) & 1);
      bool sw = i & 1;
      for (int k = 0; k < kIndicatorCount; ++k)
        if (InReport(ed, mode, sw, static_cast<Indicator>(k)))
          out[i].list[out[i].n++] = static_cast<Indicator>(k);
    }
    return out;
  }();
  return kLists[(static_cast<int>(e) << 2) | (static_cast<int>(m) << 1) |
                (o3_8h_in_hourly ? 1 : 0)];
}

}  // namespace

AqiResult ComputeAqi(const AqiInput& in) {
  AqiResult r;
  r.iaqi.fill(-1);
  bool gap = false;  // a pollutant of the report is missing (not "/")
  int best = -1;
  const ReportList& report = ReportOf(in.edition, in.mode, in.o3_8h_in_hourly);
  for (int j = 0; j < report.n; ++j) {
    Indicator i = report.list[j];
    int k = static_cast<int>(i);
    const AqiValue& v = in.conc[k];
    if (v.state == AqiValue::State::kMissing || v.conc.mantissa < 0) {
      r.missing |= Bit(i);
      gap = true;
      continue;
    }
    if (v.state == AqiValue::State::kNotMonitored) continue;
    int x = Iaqi(i, v.conc, in.edition, in.round_inputs);
    if (x < 0 && i == Indicator::kSO2_1h && in.edition == Edition::k2012) {
      // HJ 633-2012 note (2): SO2 1-h above 800 is not indexed; the SO2 IAQI is
      // reported from the 24-h average. Without one, SO2 has no IAQI (digest §8.6).
      const AqiValue& day = in.conc[static_cast<int>(Indicator::kSO2_24h)];
      if (day.state == AqiValue::State::kValue)
        x = Iaqi(Indicator::kSO2_24h, day.conc, in.edition, in.round_inputs);
    }
    r.iaqi[k] = static_cast<int16_t>(x);
    if (x > best) best = x;
  }
  if (best < 0) return r;
  // HJ 633-2026 §4.1.1: the AQI range is 1~500 (all-zero inputs: an interpretation).
  if (in.edition == Edition::k2026 && best < 1) best = 1;
  r.aqi = best;
  r.level = AqiLevel(best);
  for (int j = 0; j < report.n; ++j) {
    Indicator i = report.list[j];
    int x = r.iaqi[static_cast<int>(i)];
    if (x < 0) continue;
    // Ties are decided on the rounded-up integers (CNEMC, digest §1.4).
    if (best > 50 && x == best) r.primary |= Bit(i);
    if (in.edition == Edition::k2012 && x > 100) r.over_standard |= Bit(i);
  }
  // HJ 633-2026 §5.3.1: with a pollutant missing, publish the AQI only above 100.
  r.published = in.edition == Edition::k2012 || !gap || best > 100;
  return r;
}

int AqiLevel(int aqi) {
  if (aqi <= 50) return 1;
  if (aqi <= 100) return 2;
  if (aqi <= 150) return 3;
  if (aqi <= 200) return 4;
  if (aqi <= 300) return 5;
  return 6;
}

namespace {

// Appendix A (both editions): level names, categories, colours.
struct LevelLook {
  const char *level_name, *category, *category_en, *color;
  uint8_t rgb[3];
};
constexpr LevelLook kLooks[6] = {
    {"一级", "优", "Excellent", "#00E400", {0, 228, 0}},
    {"二级", "良", "Good", "#FFFF00", {255, 255, 0}},
    {"三级", "轻度污染", "Lightly polluted", "#FF7E00", {255, 126, 0}},
    {"四级", "中度污染", "Moderately polluted", "#FF0000", {255, 0, 0}},
    {"五级", "重度污染", "Heavily polluted", "#99004C", {153, 0, 76}},
    {"六级", "严重污染", "Severely polluted", "#7E0023", {126, 0, 35}},
};

// Health effect and advice: HJ 633-2012 Table 2; HJ 633-2026 Table 1 names the
// sensitive groups differently from level 3 on.
constexpr const char* kText2012[6][2] = {
    {"空气质量令人满意，基本无空气污染", "各类人群可正常活动"},
    {"空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响",
     "极少数异常敏感人群应减少户外活动"},
    {"易感人群症状有轻度加剧，健康人群出现刺激症状",
     "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼"},
    {"进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响",
     "儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运"
     "动"},
    {"心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
     "儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动"},
    {"健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
     "儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动"},
};
constexpr const char* kText2026[6][2] = {
    {kText2012[0][0], kText2012[0][1]},
    {kText2012[1][0], kText2012[1][1]},
    {"敏感人群症状有轻度加剧，健康人群出现刺激症状",
     "青少年儿童、老年人及心血管系统疾病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼"},
    {"进一步加剧敏感人群症状，可能对健康人群心血管、呼吸系统有影响",
     "青少年儿童、老年人及心血管系统疾病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适"
     "量减少户外运动"},
    {"心血管和呼吸系统疾病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
     "青少年儿童、老年人及心血管系统疾病、呼吸系统疾病患者应停留在室内，停止户外运动，一般人群减少"
     "户外运动"},
    {kText2012[5][0], "青少年儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动"},
};

std::array<AqiLevelInfo, 6> MakeLevels(const char* const (&text)[6][2]) {
  std::array<AqiLevelInfo, 6> out{};
  for (int i = 0; i < 6; ++i) {
    const LevelLook& l = kLooks[i];
    out[i] = {l.level_name, l.category, l.category_en, l.color, {l.rgb[0], l.rgb[1], l.rgb[2]},
              text[i][0],   text[i][1]};
  }
  return out;
}

}  // namespace

const AqiLevelInfo& LevelInfo(Edition e, int level) {
  if (level < 1) level = 1;
  if (level > 6) level = 6;
  static const auto k2012 = MakeLevels(kText2012), k2026 = MakeLevels(kText2026);
  return e == Edition::k2012 ? k2012[level - 1] : k2026[level - 1];
}

}  // namespace ecohub::standards
