#include "registry/site_attrs.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

namespace ecohub::registry {
namespace {

using nlohmann::json;

Result<json> ParseObject(std::string_view attrs_json) {
  json attrs =
      json::parse(attrs_json.empty() ? std::string_view("{}") : attrs_json, nullptr, false);
  if (!attrs.is_object()) return Status::InvalidInput("attrs must be a JSON object");
  return attrs;
}

// Ok when attrs[key] is absent or one of `allowed`.
Status OneOf(const json& attrs, const char* key, std::initializer_list<std::string_view> allowed) {
  auto it = attrs.find(key);
  if (it == attrs.end()) return Status::Ok();
  if (it->is_string() &&
      std::find(allowed.begin(), allowed.end(), it->get<std::string>()) != allowed.end())
    return Status::Ok();
  std::string names;
  for (std::string_view a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
  return Status::InvalidInput("attrs." + std::string(key) + " must be one of " + names);
}

// A target class is I..V: 劣V is an outcome, never a target.
Status TargetClass(const json& attrs) {
  return OneOf(attrs, "target_class", {"I", "II", "III", "IV", "V"});
}

Status FirstError(std::initializer_list<Status> checks) {
  for (const Status& s : checks)
    if (!s.ok()) return s;
  return Status::Ok();
}

Result<NoiseSiteAttrs> NoiseOf(const json& attrs) {
  NoiseSiteAttrs out;
  auto zone = attrs.find("zone");
  std::optional<standards::NoiseZone> parsed;
  if (zone != attrs.end() && zone->is_string())
    parsed = standards::NoiseZoneFromName(zone->get<std::string>());
  if (!parsed)
    return Status::InvalidInput(
        "attrs.zone is required for a noise station: its GB 3096 functional zone, one of 0, 1, "
        "2, 3, 4a, 4b");
  out.zone = *parsed;
  for (auto [key, hour] : {std::pair{"day_start", &out.options.day_start_hour},
                           std::pair{"day_end", &out.options.day_end_hour}}) {
    auto it = attrs.find(key);
    if (it == attrs.end()) continue;
    // Range-checked as int64 first: a huge number must not wrap into an hour.
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 24)
      return Status::InvalidInput("attrs." + std::string(key) + " must be an hour 0-24");
    *hour = static_cast<int>(it->get<int64_t>());
  }
  if (Status s = out.options.Validate(); !s.ok())
    return Status::InvalidInput("attrs.day_start and attrs.day_end: " + s.message());
  if (auto it = attrs.find("railway_trunk_background"); it != attrs.end()) {
    if (!it->is_boolean())
      return Status::InvalidInput("attrs.railway_trunk_background must be true or false");
    out.options.railway_trunk_background = it->get<bool>();
  }
  return out;
}

}  // namespace

Status CheckSiteAttrs(SiteKind kind, std::string_view attrs_json) {
  auto attrs = ParseObject(attrs_json);
  if (!attrs.ok()) return attrs.status();
  switch (kind) {  // no default: a new kind says what its attributes must be
    case SiteKind::kAir:
      return OneOf(*attrs, "level", {"national", "provincial", "city", "micro"});
    case SiteKind::kWater:
      return FirstError(
          {OneOf(*attrs, "water_type", {"river", "lake", "reservoir"}), TargetClass(*attrs)});
    case SiteKind::kDrinkingWater:
      return FirstError({OneOf(*attrs, "water_type", {"river", "lake", "reservoir", "groundwater"}),
                         TargetClass(*attrs)});
    case SiteKind::kGroundwater:
      return TargetClass(*attrs);
    case SiteKind::kNoise:
      return NoiseOf(*attrs).status();
    case SiteKind::kDust:
    case SiteKind::kOutletGas:
    case SiteKind::kOutletWater:
      return Status::Ok();
  }
  return Status::Ok();
}

Result<NoiseSiteAttrs> NoiseAttrsOf(std::string_view attrs_json) {
  auto attrs = ParseObject(attrs_json);
  if (!attrs.ok()) return attrs.status();
  return NoiseOf(*attrs);
}

}  // namespace ecohub::registry
