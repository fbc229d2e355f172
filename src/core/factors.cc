#include "core/factors.h"

#include <algorithm>
#include <iterator>

namespace ecohub {
namespace {

constexpr std::optional<FactorRange> kNone = std::nullopt;

// The typical ranges bound the anomaly checks' out-of-range and jump tests
// (derive/site_jobs.cc reads them here; a site's attrs.ranges overrides them):
// - ambient gases reach to the top of HJ 633-2012 table 1 (SO2 24-h 2620 µg/m³,
//   NO2 1-h 3840 µg/m³, CO 1-h 150 mg/m³, O3 1-h 1200 µg/m³); particles reach
//   twice that table's top of 500 µg/m³, as real episodes go past the scale;
// - pH spans its scale 0-14; dissolved oxygen stays below 20 mg/L (saturation is
//   14.6 mg/L at 0 °C; algal supersaturation adds a little);
// - outlets reach well above their emission limits (GB 13223, GB 8978), so that an
//   exceedance is evaluated, not flagged as an instrument fault.
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
    // Flue gas.
    {"a21002", "NOx", "氮氧化物", "mg/m³", Medium::kAir, kNone, FactorRange{0, 2000, 20}},
    {"a34013", "烟尘 (particulate matter)", "烟尘", "mg/m³", Medium::kAir, kNone,
     FactorRange{0, 200, 10}},
    {"a19001", "O2 含量", "氧含量", "%", Medium::kAir, kNone, kNone},
    {"a01012", "烟气温度", "烟气温度", "°C", Medium::kAir, kNone, kNone},
    {"a00000", "废气流量", "废气流量", "m³/s", Medium::kAir, kNone, kNone},
    {"a20057", "汞及其化合物", "汞及其化合物", "mg/m³", Medium::kAir, kNone, kNone},
    {"a24088", "非甲烷总烃", "非甲烷总烃", "mg/m³", Medium::kAir, kNone, kNone},
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
};

}  // namespace

const char* MediumName(Medium medium) { return medium == Medium::kWater ? "water" : "air"; }

std::span<const Factor> Factors() { return kFactors; }

const Factor* FindFactor(std::string_view code) {
  auto it = std::find_if(std::begin(kFactors), std::end(kFactors),
                         [code](const Factor& f) { return f.code == code; });
  return it == std::end(kFactors) ? nullptr : &*it;
}

}  // namespace ecohub
