// Time in EcoHub: stored instants are UTC seconds since the Unix epoch (int64).
// Beijing local time (UTC+8, no DST) is what devices speak (HJ 212 DataTime, QN)
// and what every report means by "day" and "hour". These helpers convert between
// the two; all are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ecohub {

using UnixSeconds = int64_t;
using UnixMillis = int64_t;

constexpr int64_t kBeijingOffsetSeconds = 8 * 3600;

// Civil date/time fields, no time zone attached.
struct CivilTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
};

// Days since 1970-01-01 of a proleptic Gregorian date (valid for any int year).
int64_t DaysFromCivil(int year, int month, int day);
CivilTime CivilFromSeconds(int64_t seconds_since_epoch);

// Parses "YYYYMMDDhhmmss" (14 digits) or "YYYYMMDDhhmmsszzz" (17, milliseconds,
// as QN and some devices send) as local time with the given offset. Returns the
// UTC seconds (milliseconds are dropped), or nullopt for anything else, including
// impossible dates (month 13, Feb 30, hour 24).
std::optional<UnixSeconds> ParseCompactLocal(std::string_view text,
                                             int64_t offset_seconds = kBeijingOffsetSeconds);
// The inverse: "YYYYMMDDhhmmss" of a UTC instant, in local time with the offset.
std::string FormatCompactLocal(UnixSeconds t, int64_t offset_seconds = kBeijingOffsetSeconds);
// "YYYYMMDDhhmmsszzz" (17 digits) for a QN.
std::string FormatQn(UnixMillis t, int64_t offset_seconds = kBeijingOffsetSeconds);
// RFC 3339 with the Beijing offset: "2026-11-23T08:00:00+08:00".
std::string FormatRfc3339Beijing(UnixSeconds t);

// The wall clock, for labels (receive times, QNs, "now" of a report). Intervals use
// std::chrono::steady_clock instead.
UnixMillis WallMillis();
inline UnixSeconds WallSeconds() { return WallMillis() / 1000; }

// Start of the Beijing-local hour / day containing t.
inline UnixSeconds FloorBeijing(UnixSeconds t, int64_t step) {
  int64_t local = t + kBeijingOffsetSeconds;
  int64_t r = local % step;
  if (r < 0) r += step;
  return t - r;
}

}  // namespace ecohub
