// `ecohub noise`: GB 3096-2008 evaluation of one day of a noise station, one JSON
// object per line.
//
// In:  {"zone":"0"|"1"|"2"|"3"|"4a"|"4b","leq":[24 × number|null],
//       "lmax":[24 × number|null]?,"day_start":6?,"day_end":22?,
//       "railway_trunk_background":false?,"min_day_hours":16?,"min_night_hours":8?}
//      leq[h] is the hourly Leq in dB(A) of the hour starting at h:00 local time.
// Out: derive::NoiseEvaluationJson's object (zone, limits, day, night, ldn, night_max).
// The zone and hours are read as a noise site's attributes are (registry/site_attrs.h).
// Errors as `ecohub water-class`: {"error":"..."} in the line's place, exit code 1 at
// the end. The evaluation is described in docs/standards-noise.md.
#include <CLI/CLI.hpp>
#include <array>
#include <cstdint>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/commands.h"
#include "app/standards_cli.h"
#include "derive/noise_jobs.h"
#include "registry/site_attrs.h"
#include "standards/exact.h"

namespace ecohub::app {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using Day = std::array<std::optional<Decimal>, 24>;

// `key`'s 24 hourly levels into `day`; an error message, or "" when read.
std::string ReadHours(const json& line, const char* key, Day* day) {
  const json& v = line[key];
  if (!v.is_array() || v.size() != 24)
    return std::string(key) + " must be an array of 24 hourly levels (number or null)";
  for (size_t h = 0; h < 24; ++h) {
    if (v[h].is_null()) continue;
    std::optional<Decimal> d;
    if (v[h].is_number()) d = standards::DecimalNear(v[h].get<double>());
    if (!d) return std::string(key) + "[" + std::to_string(h) + "] is not a number";
    (*day)[h] = d;
  }
  return "";
}

std::string EvaluateLine(const json& line, ordered_json* answer) {
  if (!line.is_object()) return "a line must be a JSON object";
  auto site = registry::NoiseAttrsOf(line.dump());
  if (!site.ok()) return site.status().message();
  for (auto [key, field] : {std::pair{"min_day_hours", &site->options.min_day_hours},
                            std::pair{"min_night_hours", &site->options.min_night_hours}}) {
    if (!line.contains(key)) continue;
    if (!line[key].is_number_integer() || line[key].get<int64_t>() < 0 ||
        line[key].get<int64_t>() > 24)
      return std::string(key) + " must be a number of hours 0-24";
    *field = static_cast<int>(line[key].get<int64_t>());
  }
  Day leq, lmax;
  if (!line.contains("leq")) return "leq is required";
  if (std::string e = ReadHours(line, "leq", &leq); !e.empty()) return e;
  bool has_lmax = line.contains("lmax");
  if (has_lmax)
    if (std::string e = ReadHours(line, "lmax", &lmax); !e.empty()) return e;
  auto r = standards::EvaluateNoiseDay(site->zone, leq,
                                       has_lmax ? std::span<const std::optional<Decimal>>(lmax)
                                                : std::span<const std::optional<Decimal>>(),
                                       site->options);
  if (!r.ok()) return r.status().message();
  *answer = derive::NoiseEvaluationJson(*r);
  return "";
}

}  // namespace

void AddNoiseCommand(CLI::App& app) {
  app.add_subcommand("noise",
                     "GB 3096 noise day (Ld, Ln, Ldn, night Lmax against the zone's limits): one "
                     "JSON object per stdin line -> one result per line")
      ->callback([] { ExitWith(RunJsonLines(std::cin, std::cout, "noise", EvaluateLine)); });
}

}  // namespace ecohub::app
