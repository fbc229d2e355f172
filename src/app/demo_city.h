// A demo city: a directory of the files a bureau would set its city up from
// (demo/<city>/: city.json with its name and GB/T 2260 code, districts.geojson,
// enterprises.csv and sites.csv in the registry import's template format; see
// demo/README.md), and what the demo makes of them. Seeding takes the public paths:
// the city set up as `city init` does, the registry registered as `registry import`
// does, with every check they make. Nothing about any one city is in this code.
//
// Deterministic: the server seeding a data directory and the simulator driving
// devices read the same sites and derive the same MNs and passwords from the device
// index, so `sim --devices N` drives exactly the devices `serve --demo --demo-devices
// N` registered: device i reports for site i of sites.csv (modulo their number).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "permit/permit_store.h"
#include "registry/types.h"
#include "store/store.h"

namespace ecohub::app {

struct DemoFactor {
  const char* code;  // HJ 212-2017 code
  const char* name;
  double base;       // typical level
  double amplitude;  // diurnal swing, fraction of base
  int decimals;
};

struct DemoSite {
  std::string code;
  registry::SiteKind kind = registry::SiteKind::kAir;
  std::string st;  // HJ 212 system code of its logger
  std::vector<DemoFactor> factors;
  std::string dataset_station;  // attrs.dataset: a station of the Beijing dataset
};

struct DemoCity {
  std::string dir;         // where its files are
  std::string name, code;  // 北京市, 110000
  // The targets an administrator would set (PUT /api/v1/city/targets).
  std::optional<double> pm25_target, good_days_target, water_target;
  std::vector<DemoSite> sites;  // in the order of sites.csv
};

// The directory of demo city `city`: a name (letters, digits, - and _) is one of the
// cities shipped in demo/; anything with a '/' is a directory of one's own.
std::string DemoCityDir(const std::string& city);

// Reads the demo city in `DemoCityDir(city)`: kInvalidInput naming the file and what
// is wrong when a file is missing or a site is of a kind the simulator cannot drive.
Result<DemoCity> LoadDemoCity(const std::string& city);

// Device i (0-based) of a demo deployment: its MN (24 hex chars, HJ 212-2017 EPC
// form), password and the demo site it reports for.
std::string DemoMn(int index);
std::string DemoPassword(int index);
const DemoSite& DemoSiteOfDevice(const DemoCity& city, int index);

// Seeds a store with `city`: the city and its districts, its enterprises and sites,
// `devices` devices, its permits (permits.json, into `permits` unless null), and
// `history_days` of hourly data ending at the last full hour before `now` (replaying
// the Beijing dataset from `dataset_dir` for the sites whose attrs name a dataset
// station when the files are there, simulated values otherwise). Idempotent on the
// registry. A file the registry import or the permit route refuses fails the seeding
// with the first errors.
Status SeedDemo(store::Store& store, permit::PermitStore* permits, const DemoCity& city,
                int devices, int history_days, int64_t now, const std::string& dataset_dir);

// Deterministic simulated value of a factor at time t for device `mn` (diurnal cycle
// plus noise), formatted with the factor's decimals.
std::string SimulatedValue(const DemoFactor& f, const std::string& mn, int64_t t, uint64_t seed);

}  // namespace ecohub::app
