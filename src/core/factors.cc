#include "core/factors.h"

#include <algorithm>
#include <iterator>

namespace ecohub {
namespace {

constexpr std::optional<FactorRange> kNone = std::nullopt;
// Sound levels at noise stations (see below): equivalent and instantaneous.
constexpr std::optional<FactorRange> kLevel = FactorRange{20, 140, 15};
constexpr std::optional<FactorRange> kInstant = FactorRange{20, 140, 40};

// The typical ranges bound the anomaly checks' out-of-range and jump tests
// (derive/site_jobs.cc reads them here; a site's attrs.ranges overrides them):
// - ambient gases reach to the top of HJ 633-2012 table 1 (SO2 24-h 2620 µg/m³,
//   NO2 1-h 3840 µg/m³, CO 1-h 150 mg/m³, O3 1-h 1200 µg/m³); particles reach
//   twice that table's top of 500 µg/m³, as real episodes go past the scale;
// - pH spans its scale 0-14; dissolved oxygen stays below 20 mg/L (saturation is
//   14.6 mg/L at 0 °C; algal supersaturation adds a little);
// - outlets reach well above their emission limits (GB 13223, GB 8978), so that an
//   exceedance is evaluated, not flagged as an instrument fault;
// - TSP at construction-site dust monitors (扬尘) reaches several mg/m³ near the
//   works, so its range runs to 5000 µg/m³;
// - sound levels (HJ 212-2017 Table B.3) span what an environmental sound level
//   meter measures, 20-140 dB(A) (a quiet rural night is about 25, a horn close by
//   about 120). A change of an hourly equivalent level under 15 dB is never a jump;
//   instantaneous levels (LA, LMx, LMn) swing with every passing vehicle, so only a
//   40 dB change is. Ld, Ln and Ldn are whole-period levels: 15 dB, like Leq.
// A factor without a known range has none: a site's attrs.ranges can give one, and
// an invented bound would raise out-of-range anomalies on good data.
constexpr Factor kFactors[] = {
    // Ambient air (HJ 633 pollutants).
    {"a21026", "SO2", "二氧化硫", "µg/m³ (stations), mg/m³ (outlets)", Medium::kAir,
     FactorRange{0, 2620, 50}, FactorRange{0, 2000, 20}},
    {"a21004", "NO2", "二氧化氮", "µg/m³", Medium::kAir, FactorRange{0, 3840, 50}, kNone},
    {"a21005", "CO", "一氧化碳", "mg/m³", Medium::kAir, FactorRange{0, 150, 1}, kNone},
    {"a05024", "O3", "臭氧", "µg/m³", Medium::kAir, FactorRange{0, 1200, 50}, kNone},
    {"a34002", "PM10", "可吸入颗粒物", "µg/m³", Medium::kAir, FactorRange{0, 1000, 50}, kNone},
    {"a34004", "PM2.5", "细颗粒物", "µg/m³", Medium::kAir, FactorRange{0, 1000, 50}, kNone},
    // Dust monitors on construction sites (PM10 above).
    {"a34001", "TSP", "总悬浮颗粒物", "µg/m³", Medium::kAir, FactorRange{0, 5000, 100}, kNone},
    // Flue gas.
    {"a21002", "NOx", "氮氧化物", "mg/m³", Medium::kAir, kNone, FactorRange{0, 2000, 20}},
    {"a34013", "烟尘 (particulate matter)", "烟尘", "mg/m³", Medium::kAir, kNone,
     FactorRange{0, 200, 10}},
    {"a19001", "O2 含量", "氧含量", "%", Medium::kAir, kNone, kNone},
    {"a01012", "烟气温度", "烟气温度", "°C", Medium::kAir, kNone, kNone},
    {"a00000", "废气流量", "废气流量", "m³/s", Medium::kAir, kNone, kNone},
    {"a20057", "汞及其化合物", "汞及其化合物", "mg/m³", Medium::kAir, kNone, kNone},
    {"a24088", "非甲烷总烃", "非甲烷总烃", "mg/m³", Medium::kAir, kNone, kNone},
    // Meteorology at air stations (HJ 212-2017 Table B.2), imported from the weather
    // service or measured on site: it explains the concentrations (calm, inversions,
    // rain). A wind direction swings through north (350 -> 10), so it never "jumps".
    {"a01001", "温度", "气温", "°C", Medium::kAir, FactorRange{-60, 60, 10}, kNone},
    {"a01002", "湿度", "相对湿度", "%", Medium::kAir, FactorRange{0, 100, 40}, kNone},
    {"a01006", "气压", "气压", "kPa", Medium::kAir, FactorRange{50, 110, 2}, kNone},
    {"a01007", "风速", "风速", "m/s", Medium::kAir, FactorRange{0, 75, 15}, kNone},
    {"a01008", "风向", "风向", "°", Medium::kAir, FactorRange{0, 360, 360}, kNone},
    // Water: surface-water sections (GB 3838) and waste-water outlets.
    {"w01001", "pH", "pH值", "", Medium::kWater, FactorRange{0, 14, 1}, FactorRange{0, 14, 1}},
    {"w01009", "溶解氧 DO", "溶解氧", "mg/L", Medium::kWater, FactorRange{0, 20, 2}, kNone},
    {"w01019", "高锰酸盐指数 CODMn", "高锰酸盐指数", "mg/L", Medium::kWater, FactorRange{0, 50, 5},
     kNone},
    {"w01018", "化学需氧量 COD", "化学需氧量", "mg/L", Medium::kWater, kNone,
     FactorRange{0, 1000, 20}},
    {"w21003", "氨氮 NH3-N", "氨氮", "mg/L", Medium::kWater, FactorRange{0, 50, 1},
     FactorRange{0, 100, 2}},
    {"w21011", "总磷 TP", "总磷", "mg/L", Medium::kWater, FactorRange{0, 5, 0.2},
     FactorRange{0, 20, 0.5}},
    {"w21001", "总氮 TN", "总氮", "mg/L", Medium::kWater, kNone, kNone},
    {"w00000", "污水流量", "污水流量", "L/s", Medium::kWater, kNone, kNone},
    // Noise stations (GB 3096), HJ 212-2017 Table B.3, in dB(A).
    {"Leq", "Leq", "等效声级", "dB(A)", Medium::kNoise, kLevel, kNone},
    {"LA", "LA", "A权声级", "dB(A)", Medium::kNoise, kInstant, kNone},
    {"L5", "L5", "累计百分声级L5", "dB(A)", Medium::kNoise, kLevel, kNone},
    {"L10", "L10", "累计百分声级L10", "dB(A)", Medium::kNoise, kLevel, kNone},
    {"L50", "L50", "累计百分声级L50", "dB(A)", Medium::kNoise, kLevel, kNone},
    {"L90", "L90", "累计百分声级L90", "dB(A)", Medium::kNoise, kLevel, kNone},
    {"L95", "L95", "累计百分声级L95", "dB(A)", Medium::kNoise, kLevel, kNone},
    {"Ld", "Ld", "昼间等效声级", "dB(A)", Medium::kNoise, kLevel, kNone},
    {"Ln", "Ln", "夜间等效声级", "dB(A)", Medium::kNoise, kLevel, kNone},
    {"Ldn", "Ldn", "昼夜等效声级", "dB(A)", Medium::kNoise, kLevel, kNone},
    {"LMx", "Lmax", "最大的瞬时声级", "dB(A)", Medium::kNoise, kInstant, kNone},
    {"LMn", "Lmin", "最小的瞬时声级", "dB(A)", Medium::kNoise, kInstant, kNone},
};

}  // namespace

const char* MediumName(Medium medium) {
  constexpr const char* kNames[] = {"air", "water", "noise"};  // in the enum's order
  return kNames[static_cast<int>(medium)];
}

std::span<const Factor> Factors() { return kFactors; }

const Factor* FindFactor(std::string_view code) {
  auto it = std::find_if(std::begin(kFactors), std::end(kFactors),
                         [code](const Factor& f) { return f.code == code; });
  return it == std::end(kFactors) ? nullptr : &*it;
}

}  // namespace ecohub
