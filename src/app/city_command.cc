// `ecohub city init`: sets up the city a deployment serves from its name, its
// GB/T 2260 code and, optionally, a GeoJSON file of its districts' boundaries
// (docs/city-setup.md). Idempotent; a bad file changes nothing.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "app/city_setup.h"
#include "app/cli_support.h"
#include "app/commands.h"

namespace ecohub::app {

namespace {

struct CityArgs {
  std::string data_dir, name, code, districts;
};

int CityInit(const CityArgs& a) {
  const char* what = "city init";
  std::string geojson;
  if (!a.districts.empty()) {
    std::ifstream in(a.districts, std::ios::binary);
    if (!in)
      return std::fprintf(stderr, "ecohub %s: cannot read %s\n", what, a.districts.c_str()), 2;
    std::ostringstream text;
    text << in.rdbuf();
    geojson = text.str();
  }
  auto plan = registry::PlanCity(a.name, a.code, geojson);
  if (!plan.ok())
    return std::fprintf(stderr, "ecohub %s: %s%s%s\n", what, a.districts.c_str(),
                        a.districts.empty() ? "" : ": ", plan.status().message().c_str()),
           2;
  auto store = OpenStore(what, a.data_dir, /*read_only=*/false);
  if (!store) return 1;
  auto done = ApplyCity(*store, *plan);
  if (!done.ok())
    return std::fprintf(stderr, "ecohub %s: %s\n", what, done.status().ToString().c_str()), 1;
  const registry::City& c = done->city;
  if (!AuditCli(*store, "city.init", "city:" + c.code,
                {{"name", c.name},
                 {"districts_created", done->created},
                 {"districts_updated", done->updated}}))
    return 1;
  std::printf("city %s (%s): %zu districts from the file (%d new, %d updated)", c.name.c_str(),
              c.code.c_str(), plan->districts.size(), done->created, done->updated);
  if (c.west != c.east)
    std::printf("; extent %.3f,%.3f - %.3f,%.3f", c.west, c.south, c.east, c.north);
  std::printf("\n");
  return 0;
}

}  // namespace

void AddCityCommand(CLI::App& app) {
  auto a = std::make_shared<CityArgs>();
  auto* cityc = AddGroup(app, "city", "The city this deployment serves");
  auto* init = cityc->add_subcommand(
      "init",
      "Set the city's name and code and create or update its districts from a GeoJSON "
      "file (one feature per district; running it again updates)");
  AddDataOption(init, a->data_dir);
  init->add_option("--name", a->name, "The city's name, e.g. 咸阳市")->required();
  init->add_option("--code", a->code, "Its six-digit GB/T 2260 code, e.g. 610400")->required();
  init->add_option("--districts", a->districts,
                   "GeoJSON FeatureCollection of the districts: properties.name, "
                   "properties.adcode or .code, Polygon or MultiPolygon in lon/lat degrees");
  init->callback([a] { ExitWith(CityInit(*a)); });
}

}  // namespace ecohub::app
