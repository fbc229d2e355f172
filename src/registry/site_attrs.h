// What a site's attributes (Site::attrs_json) must say for its kind, and the parts of
// them that the evaluation of its values reads. The site API checks every site it is
// given with CheckSiteAttrs; the deriver reads a noise station's zone and hours with
// NoiseAttrsOf.
//
// Keys not named here are free (limits, ranges, maintenance, river, dataset ...) and
// are not checked. The keys per kind:
// - air:            level?        "national" | "provincial" | "city" | "micro"
//                                 (国控, 省控, 市控, 微型站)
// - water:          water_type?   "river" | "lake" | "reservoir" (GB 3838 TP column)
//                   target_class? "I".."V" (水质目标)
// - drinking_water: water_type?   "river" | "lake" | "reservoir" | "groundwater"
//                   target_class? "I".."V"
// - groundwater:    target_class? "I".."V" (GB/T 14848-2017 classes)
// - noise:          zone          "0" | "1" | "2" | "3" | "4a" | "4b" (GB 3096), required
//                   day_start?, day_end?  local hours of 昼间 (default 6, 22)
//                   railway_trunk_background?  bool (GB 3096-2008 §5.3, zone 4b)
// - dust, outlets:  nothing checked.
// ("?" marks an optional key.) Pure, no I/O, thread-safe.
#pragma once

#include <string_view>

#include "core/status.h"
#include "registry/types.h"
#include "standards/noise.h"

namespace ecohub::registry {

// Ok when `attrs_json` (empty = {}) is a JSON object whose keys above hold what
// they must for `kind`; kInvalidInput naming the key and what it may be otherwise.
Status CheckSiteAttrs(SiteKind kind, std::string_view attrs_json);

// A noise station's functional zone and evaluation options, from its attributes.
struct NoiseSiteAttrs {
  standards::NoiseZone zone = standards::NoiseZone::k0;
  standards::NoiseOptions options;
};
// Fails (kInvalidInput, as CheckSiteAttrs) when the zone is missing or a key is bad.
Result<NoiseSiteAttrs> NoiseAttrsOf(std::string_view attrs_json);

}  // namespace ecohub::registry
