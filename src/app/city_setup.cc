#include "app/city_setup.h"

#include <map>

#include "app/cli_support.h"

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
  // What an administrator set stays: a district's being disabled, and the targets.
  std::map<std::string, bool> known;  // code -> active
  for (const auto& d : *before) known[d.code] = d.active;
  CitySetup out;
  out.city = plan.city;
  if (auto old = store.GetCity(); old.ok()) {
    out.city.pm25_target = old->pm25_target;
    out.city.good_days_target = old->good_days_target;
    out.city.water_target = old->water_target;
  } else if (old.status().code() != Code::kNotFound) {
    return old.status();
  }
  for (registry::District d : plan.districts) {
    auto was = known.find(d.code);
    if (was != known.end()) d.active = was->second;
    auto id = store.PutDistrict(d);
    if (!id.ok()) return id.status();
    (was != known.end() ? out.updated : out.created)++;
  }
  if (plan.districts.empty()) SetStoredExtent(*before, &out.city);
  if (Status s = store.PutCity(out.city); !s.ok()) return s;
  return out;
}

Result<CityInit> InitCity(store::Store& store, std::string name, std::string code,
                          std::string_view geojson) {
  auto plan = registry::PlanCity(std::move(name), std::move(code), geojson);
  if (!plan.ok()) return plan.status();
  auto done = ApplyCity(store, *plan);
  if (!done.ok()) return done.status();
  const registry::City& c = done->city;
  if (!AuditCli(store, "city.init", "city:" + c.code,
                {{"name", c.name},
                 {"districts_created", done->created},
                 {"districts_updated", done->updated}}))
    return Status::Internal("the audit log did not take the change");
  return CityInit{std::move(*done), plan->districts.size()};
}

}  // namespace ecohub::app
