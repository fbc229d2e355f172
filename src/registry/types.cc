#include "registry/types.h"

namespace ecohub::registry {

const char* SiteKindName(SiteKind kind) {
  switch (kind) {  // no default: the compiler names a kind left out
    case SiteKind::kAir:
      return "air";
    case SiteKind::kWater:
      return "water";
    case SiteKind::kOutletGas:
      return "outlet_gas";
    case SiteKind::kOutletWater:
      return "outlet_water";
  }
  return "air";  // unreachable for a valid enumerator
}

std::optional<SiteKind> ParseSiteKind(std::string_view name) {
  for (SiteKind k :
       {SiteKind::kAir, SiteKind::kWater, SiteKind::kOutletGas, SiteKind::kOutletWater})
    if (name == SiteKindName(k)) return k;
  return std::nullopt;
}

bool IsOutlet(SiteKind kind) {
  return kind == SiteKind::kOutletGas || kind == SiteKind::kOutletWater;
}

bool IsAmbient(SiteKind kind) { return kind == SiteKind::kAir || kind == SiteKind::kWater; }

}  // namespace ecohub::registry
