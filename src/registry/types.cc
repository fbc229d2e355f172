#include "registry/types.h"

namespace ecohub::registry {

namespace {
constexpr SiteKind kAllKinds[] = {
    SiteKind::kAir,   SiteKind::kWater, SiteKind::kOutletGas,   SiteKind::kOutletWater,
    SiteKind::kNoise, SiteKind::kDust,  SiteKind::kGroundwater, SiteKind::kDrinkingWater};
}  // namespace

std::span<const SiteKind> AllSiteKinds() { return kAllKinds; }

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
    case SiteKind::kNoise:
      return "noise";
    case SiteKind::kDust:
      return "dust";
    case SiteKind::kGroundwater:
      return "groundwater";
    case SiteKind::kDrinkingWater:
      return "drinking_water";
  }
  return "air";  // unreachable for a valid enumerator
}

std::optional<SiteKind> ParseSiteKind(std::string_view name) {
  for (SiteKind k : kAllKinds)
    if (name == SiteKindName(k)) return k;
  return std::nullopt;
}

const std::string& SiteKindList() {
  static const std::string* list = [] {
    auto* s = new std::string;
    for (SiteKind k : kAllKinds) *s += (s->empty() ? "" : ", ") + std::string(SiteKindName(k));
    return s;
  }();
  return *list;
}

bool IsOutlet(SiteKind kind) {
  switch (kind) {  // no default: a new kind is classified on purpose
    case SiteKind::kOutletGas:
    case SiteKind::kOutletWater:
      return true;
    case SiteKind::kAir:
    case SiteKind::kWater:
    case SiteKind::kNoise:
    case SiteKind::kDust:
    case SiteKind::kGroundwater:
    case SiteKind::kDrinkingWater:
      return false;
  }
  return false;  // unreachable for a valid enumerator
}

bool IsAmbient(SiteKind kind) { return !IsOutlet(kind); }

bool IsPublicStation(SiteKind kind) { return IsAmbient(kind) && kind != SiteKind::kDust; }

}  // namespace ecohub::registry
