#include "app/city_setup.h"

#include <algorithm>
#include <filesystem>
#include <set>

namespace ecohub::app {

namespace {

// The extent of the stored districts' boundaries; false when none has one.
bool StoredExtent(const std::vector<store::District>& districts, registry::City* c) {
  bool any = false;
  for (const auto& d : districts) {
    if (d.geojson.empty()) continue;
    store::District measured;
    double box[4];
    if (!registry::MeasureDistrict(d.geojson, &measured, box).ok()) continue;
    c->west = any ? std::min(c->west, box[0]) : box[0];
    c->south = any ? std::min(c->south, box[1]) : box[1];
    c->east = any ? std::max(c->east, box[2]) : box[2];
    c->north = any ? std::max(c->north, box[3]) : box[3];
    any = true;
  }
  if (any) {
    c->lon = (c->west + c->east) / 2;
    c->lat = (c->south + c->north) / 2;
  }
  return any;
}

}  // namespace

Result<CitySetup> ApplyCity(store::Store& store, const registry::CityPlan& plan) {
  auto before = store.Districts();
  if (!before.ok()) return before.status();
  std::set<std::string> known;
  for (const auto& d : *before) known.insert(d.code);
  CitySetup out;
  out.city = plan.city;
  for (const auto& d : plan.districts) {
    auto id = store.PutDistrict(d);
    if (!id.ok()) return id.status();
    (known.count(d.code) ? out.updated : out.created)++;
  }
  if (plan.districts.empty()) StoredExtent(*before, &out.city);
  if (Status s = store.PutCity(out.city); !s.ok()) return s;
  return out;
}

std::string DemoBoundaryFile() {
  std::string f = std::string(ECOHUB_DEMO_DIR) + "/beijing-districts.geojson";
  return std::filesystem::exists(f) ? f : "";
}

}  // namespace ecohub::app
