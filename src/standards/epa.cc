#include "standards/epa.h"

#include <climits>

#include "standards/exact.h"

namespace ecohub::standards {
namespace {

// One band of the EPA-454/B-24-002 breakpoint table: concentrations lo..hi (integers at the key's
// decimals) map to AQI ilo..ihi.
struct Band {
  int lo, hi, ilo, ihi;
};

// A pollutant's row. The concentration is truncated to `decimals` first, which also
// closes the gaps between bands (9.0 | 9.1).
struct Key {
  std::string_view name;
  int decimals;
  int n;
  Band bands[6];
  // Above the last band: extend its slope (TAD 2024: AQI > 500 continues the 301–500
  // slope), or no index (8-h O3 defines no AQI above 300).
  bool extrapolate;
};

// EPA-454/B-24-002 breakpoints (digest §4). Band ends are integers at the key's decimals
// (PM2.5 91 = 9.1 µg/m3, O3 55 = 0.055 ppm).
// clang-format off
constexpr Key kKeys[] = {
    //                         AQI: 0–50             51–100               101–150               151–200               201–300                301–500
    {"O3_8h_ppm",   3, 5, {{0, 54, 0, 50},     {55, 70, 51, 100},   {71, 85, 101, 150},   {86, 105, 151, 200},  {106, 200, 201, 300}},                          false},
    // 1-h O3 starts at AQI 101; below 0.125 ppm there is no 1-h index.
    {"O3_1h_ppm",   3, 4, {                                         {125, 164, 101, 150}, {165, 204, 151, 200}, {205, 404, 201, 300},  {405, 604, 301, 500}},   true},
    // 2024 revision: Good ends at 9.0, Hazardous is one band 225.5–325.4.
    {"PM2.5_24h",   1, 6, {{0, 90, 0, 50},     {91, 354, 51, 100},  {355, 554, 101, 150}, {555, 1254, 151, 200}, {1255, 2254, 201, 300}, {2255, 3254, 301, 500}}, true},
    {"PM10_24h",    0, 6, {{0, 54, 0, 50},     {55, 154, 51, 100},  {155, 254, 101, 150}, {255, 354, 151, 200}, {355, 424, 201, 300},  {425, 604, 301, 500}},   true},
    {"CO_8h_ppm",   1, 6, {{0, 44, 0, 50},     {45, 94, 51, 100},   {95, 124, 101, 150},  {125, 154, 151, 200}, {155, 304, 201, 300},  {305, 504, 301, 500}},   true},
    // From 305 ppb the TAD's rows are 24-h values (see EpaSubindex in the header).
    {"SO2_1h_ppb",  0, 6, {{0, 35, 0, 50},     {36, 75, 51, 100},   {76, 185, 101, 150},  {186, 304, 151, 200}, {305, 604, 201, 300},  {605, 1004, 301, 500}},  true},
    {"SO2_24h_ppb", 0, 2, {                                                                                     {305, 604, 201, 300},  {605, 1004, 301, 500}},  true},
    {"NO2_1h_ppb",  0, 6, {{0, 53, 0, 50},     {54, 100, 51, 100},  {101, 360, 101, 150}, {361, 649, 151, 200}, {650, 1249, 201, 300}, {1250, 2049, 301, 500}}, true},
};
// clang-format on

const Key* FindKey(std::string_view name) {
  for (const Key& k : kKeys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

constexpr EpaCategory kCategories[] = {
    {1, "Good", "Green", {0, 228, 0}},
    {2, "Moderate", "Yellow", {255, 255, 0}},
    {3, "Unhealthy for Sensitive Groups", "Orange", {255, 126, 0}},
    {4, "Unhealthy", "Red", {255, 0, 0}},
    {5, "Very Unhealthy", "Purple", {143, 63, 151}},
    {6, "Hazardous", "Maroon", {126, 0, 35}},
};

}  // namespace

bool IsEpaKey(std::string_view key) { return FindKey(key) != nullptr; }

std::optional<int> EpaSubindex(std::string_view key, const Decimal& conc) {
  const Key* k = FindKey(key);
  if (k == nullptr || conc.mantissa < 0) return std::nullopt;
  // Truncate (TAD step 1), never round: 0.07853333 ppm is 0.078.
  __int128 c = conc.scale > k->decimals
                   ? static_cast<__int128>(conc.mantissa) / Pow10(conc.scale - k->decimals)
                   : ScaledTo(conc, k->decimals);
  if (c < k->bands[0].lo) return std::nullopt;
  const Band* b = &k->bands[k->n - 1];
  if (c > b->hi && !k->extrapolate) return std::nullopt;
  for (int i = 0; i < k->n; ++i) {
    if (c <= k->bands[i].hi) {
      b = &k->bands[i];
      break;
    }
  }
  // Ilo + (Ihi − Ilo)(C − BPlo)/(BPhi − BPlo), rounded half up on integers.
  __int128 num = static_cast<__int128>(b->ihi - b->ilo) * (c - b->lo);
  __int128 den = b->hi - b->lo;
  __int128 aqi = b->ilo + (2 * num + den) / (2 * den);
  if (aqi > INT_MAX) return std::nullopt;
  return static_cast<int>(aqi);
}

std::optional<int> EpaSubindex(std::string_view key, double conc) {
  std::optional<Decimal> d = DecimalFromDouble(conc);
  if (!d) return std::nullopt;
  return EpaSubindex(key, *d);
}

std::optional<int> EpaSo2Subindex(const Decimal& one_hour, std::optional<Decimal> day) {
  if (one_hour.mantissa < 0 || (day && day->mantissa < 0)) return std::nullopt;
  constexpr Decimal k305{305, 0, false};
  if (Compare(one_hour, k305) < 0) return EpaSubindex("SO2_1h_ppb", one_hour);
  if (!day) return std::nullopt;
  // TAD footnote: 1-h SO2 ≥ 305 ppb but 24-h < 305 ppb → AQI 200.
  if (Compare(*day, k305) < 0) return 200;
  return EpaSubindex("SO2_24h_ppb", *day);
}

const EpaCategory& EpaCategoryOf(int aqi) {
  if (aqi <= 50) return kCategories[0];
  if (aqi <= 100) return kCategories[1];
  if (aqi <= 150) return kCategories[2];
  if (aqi <= 200) return kCategories[3];
  if (aqi <= 300) return kCategories[4];
  return kCategories[5];
}

}  // namespace ecohub::standards
