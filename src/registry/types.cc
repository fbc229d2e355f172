#include "registry/types.h"

#include <algorithm>
#include <iterator>

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

std::optional<std::string> NormalizeKeyMedia(std::string_view list, std::string* bad) {
  bool on[std::size(kEnterpriseMedia)] = {};
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) continue;
    auto it = std::find(std::begin(kEnterpriseMedia), std::end(kEnterpriseMedia), name);
    if (it == std::end(kEnterpriseMedia)) {
      *bad = std::string(name);
      return std::nullopt;
    }
    on[it - std::begin(kEnterpriseMedia)] = true;
  }
  std::string out;
  for (size_t i = 0; i < std::size(kEnterpriseMedia); ++i)
    if (on[i]) out += (out.empty() ? "" : ",") + std::string(kEnterpriseMedia[i]);
  return out;
}

bool IsEnterpriseStatus(std::string_view name) {
  return std::find(std::begin(kEnterpriseStatuses), std::end(kEnterpriseStatuses), name) !=
         std::end(kEnterpriseStatuses);
}

}  // namespace ecohub::registry
