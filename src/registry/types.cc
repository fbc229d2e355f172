#include "registry/types.h"

#include <algorithm>
#include <iterator>

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
