// Setting up the city a deployment serves: the one path `ecohub city init`, the
// demo and the registry API share (registry/boundaries.h plans, this writes).
#pragma once

#include <string>

#include "core/status.h"
#include "registry/boundaries.h"
#include "store/store.h"

namespace ecohub::app {

struct CitySetup {
  registry::City city;
  int created = 0, updated = 0;  // districts
};

// Writes the planned city and its districts (upserts by code: running it again
// updates, never duplicates). A plan without districts keeps the stored ones and
// takes the city's extent from their boundaries, when they have some. The plan was
// checked whole before anything is written.
Result<CitySetup> ApplyCity(store::Store& store, const registry::CityPlan& plan);

// `city init`: the city named `name` with GB/T 2260 code `code` planned from its
// districts' boundaries `geojson` ("" for none; registry::PlanCity), applied, and
// recorded in the audit log ("city.init", actor "cli"). A bad file is kInvalidInput
// naming the feature, and nothing is changed.
struct CityInit {
  CitySetup setup;
  size_t districts_in_file = 0;
};
Result<CityInit> InitCity(store::Store& store, std::string name, std::string code,
                          std::string_view geojson);

}  // namespace ecohub::app
