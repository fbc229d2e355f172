#include "app/city_setup.h"

#include <filesystem>
#include <set>

namespace ecohub::app {

namespace {

// The extent of the stored districts' boundaries, given to `c` when they have some.
void SetStoredExtent(const std::vector<store::District>& districts, registry::City* c) {
  registry::Extent extent;
  for (const auto& d : districts) {
    store::District measured;
    double box[4];
    if (!d.geojson.empty() && registry::MeasureDistrict(d.geojson, &measured, box).ok())
      extent.Add(box[0], box[1], box[2], box[3]);
  }
  extent.SetOn(c);
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
  if (plan.districts.empty()) SetStoredExtent(*before, &out.city);
  if (Status s = store.PutCity(out.city); !s.ok()) return s;
  return out;
}

std::string DemoBoundaryFile() {
  std::string f = std::string(ECOHUB_DEMO_DIR) + "/beijing-districts.geojson";
  return std::filesystem::exists(f) ? f : "";
}

}  // namespace ecohub::app
