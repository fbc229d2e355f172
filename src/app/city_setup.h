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

// The demo's boundary file (ECOHUB_DEMO_DIR/beijing-districts.geojson, from the
// source tree), or "" when this build has none.
std::string DemoBoundaryFile();

}  // namespace ecohub::app
