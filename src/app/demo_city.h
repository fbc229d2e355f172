// The demo city: Beijing's 16 districts, the 12 national stations of the shipped
// hourly dataset at their real places, and simulated stations, river sections,
// enterprises and outlets (marked simulated). Deterministic: the server seeding a
// data directory and the simulator driving devices derive the same sites, MNs and
// passwords from the device index, so `sim --devices N` drives exactly the devices
// `serve --demo --demo-devices N` registered.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
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
  store::Site site;
  std::string district_code;
  std::string enterprise_credit_code;  // outlets only
  std::string st;                      // HJ 212 system code of its logger
  std::vector<DemoFactor> factors;
  std::string dataset_station;  // Beijing dataset file name, real stations only
};

struct DemoCity {
  std::vector<store::District> districts;
  std::vector<store::Enterprise> enterprises;
  std::vector<DemoSite> sites;
};

// The demo city; the same every call.
const DemoCity& GetDemoCity();

// Device i (0-based) of a demo deployment: its MN (24 hex chars, HJ 212-2017 EPC
// form), password and the demo site it reports for (sites are reused cyclically
// when there are more devices than sites).
std::string DemoMn(int index);
std::string DemoPassword(int index);
const DemoSite& DemoSiteOfDevice(int index);
int DemoDefaultDevices();  // one per station and outlet

// Seeds a store: districts, enterprises, sites, `devices` devices, and `history_days`
// of hourly data ending at the last full hour before `now` (replaying the Beijing
// dataset from `dataset_dir` for the real stations when present, simulated values
// otherwise). Idempotent on the reference tables.
Status SeedDemo(store::Store& store, int devices, int history_days, int64_t now,
                const std::string& dataset_dir);

// Deterministic simulated value of a factor at time t for device `mn` (diurnal cycle
// plus noise), formatted with the factor's decimals.
std::string SimulatedValue(const DemoFactor& f, const std::string& mn, int64_t t, uint64_t seed);

}  // namespace ecohub::app
