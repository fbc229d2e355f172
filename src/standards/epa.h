// US EPA Air Quality Index, May 2024 revision (EPA-454/B-24-002, in force 2024-05-06),
// for comparison with the Chinese AQI. Computed exactly: the concentration is
// truncated to the decimals of its pollutant, interpolated on the (gapped) breakpoint
// table and rounded to the nearest integer, half up, on integers, never in doubles.
// The breakpoint table is a constexpr array in epa.cc.
//
// Pure functions, no I/O, thread-compatible.
// Digest: ../shared/reference/standards.md §4.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/reading.h"

namespace ecohub::standards {

// EpaSubindex keys and units: "O3_8h_ppm", "O3_1h_ppm", "PM2.5_24h" (µg/m3),
// "PM10_24h" (µg/m3), "CO_8h_ppm", "SO2_1h_ppb", "NO2_1h_ppb"; also "SO2_24h_ppb" for
// the SO2 rows from 305 ppb up (the TAD uses 24-h SO2 there).
bool IsEpaKey(std::string_view key);

// The sub-index (AQI of one pollutant), or nullopt when the key is unknown, the
// concentration negative, or the TAD defines no index:
// - truncation first: O3 3 decimals (ppm), PM2.5 1, PM10 0, CO 1, SO2/NO2 0 (ppb);
// - linear interpolation I = (Ihi − Ilo)/(BPhi − BPlo)·(C − BPlo) + Ilo on the band
//   holding C, rounded to the nearest integer (x.5 up);
// - above the top breakpoint the 301–500 band's slope continues (PM2.5 400 → 649);
// - O3 8-h above 0.200 ppm: none (8-h O3 does not define AQI ≥ 301: use 1-h O3);
// - O3 1-h below 0.125 ppm: none (1-h O3 only defines AQI ≥ 101);
// - "SO2_1h_ppb" at or above 305 ppb continues on the 24-h rows (201–300: 305–604,
//   301–500: 605–1004) as if the 1-h value were the 24-h one; callers that have the
//   24-h mean use EpaSo2Subindex, which applies the TAD's rule;
// - "SO2_24h_ppb" below 305: none (24-h SO2 is used only from 305 up).
std::optional<int> EpaSubindex(std::string_view key, const Decimal& conc);
// The same for a double, read as its shortest decimal (35.9 is 35.9, not 35.8999...).
std::optional<int> EpaSubindex(std::string_view key, double conc);

// SO2 with both averages (TAD footnote): a 1-h value below 305 ppb gives the 1-h
// sub-index; from 305 ppb the 24-h value is used on the 305+ rows, and when the 24-h
// value is below 305 the sub-index is 200. Nullopt when the 1-h value is 305 or more
// and no 24-h value is given, or a value is negative.
std::optional<int> EpaSo2Subindex(const Decimal& one_hour, std::optional<Decimal> day);

// AQI categories 1..6 (0–50, 51–100, 101–150, 151–200, 201–300, 301+).
struct EpaCategory {
  int index;          // 1..6
  const char* name;   // "Good" "Moderate" "Unhealthy for Sensitive Groups" ...
  const char* color;  // "Green" ... "Purple" "Maroon"
  uint8_t rgb[3];     // 0,228,0; 255,255,0; 255,126,0; 255,0,0; 143,63,151; 126,0,35
};
// The category of an AQI value (values above 500 are Hazardous; negative values are
// treated as 0).
const EpaCategory& EpaCategoryOf(int aqi);

}  // namespace ecohub::standards
