// Reading the times people, files and partner systems write (beside core/time.h,
// which holds the formats EcoHub itself speaks).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/time.h"

namespace ecohub {

// A time as people and partner systems write it, the one parser behind query
// parameters, imported files and JSON uploads:
//   date        "2026-03-01", "2026/3/1" or "20260301"
//   time        optional: 'T', 't' or ' ', then "HH", "HH:MM" or "HH:MM:SS", the hour
//               one or two digits, a fraction of a second (up to 9 digits) truncated
//   offset      optional after a time: "Z", "z" or "+HH:MM" / "-HH:MM" (a space stands
//               for "+", as a query string decodes an unencoded "+")
// Without an offset the text is local time at `default_offset`; when that is
// nullopt an offset is required (RFC 3339 proper). Years 1970..9999; impossible
// dates and times (Feb 30, hour 24, second 60) are refused.
std::optional<UnixSeconds> ParseDateTime(std::string_view text,
                                         std::optional<int64_t> default_offset);
// A UTC offset: "Z", "z" or "+HH:MM" / "-HH:MM" (hours up to 23), in seconds.
std::optional<int64_t> ParseUtcOffset(std::string_view text);

}  // namespace ecohub
