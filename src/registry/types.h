// The registry's domain types: the districts, enterprises, monitoring sites and
// devices of the city (DESIGN.md, "src/registry/"). Plain copyable values with no
// behaviour; stores keep them (store/registry_store.h) and every module reads them.
// Ids are assigned by the store (0 until stored); natural keys are the district and
// site code, the enterprise's credit code and the device's MN.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ecohub::registry {

// The city (or prefecture, or county) the deployment serves: its GB/T 2260 code and
// the extent its maps open on. One per deployment.
struct City {
  std::string name, code;
  double lon = 0, lat = 0;  // centre
  // [west, south, east, north] in degrees; all 0 when nothing has a place yet.
  double west = 0, south = 0, east = 0, north = 0;
  // The city's targets for the year, as its administrators set them (nullopt: none
  // set). The annual mean PM2.5 in µg/m³, the share of days with AQI 优良 in
  // percent, and the share of surface-water sections meeting their target class in
  // percent.
  std::optional<double> pm25_target, good_days_target, water_target;
  bool operator==(const City&) const = default;
};

// A district (区) of the city, with its outline for maps.
struct District {
  int64_t id = 0;
  std::string code, name;
  double lon = 0, lat = 0;
  std::string geojson;
  // false once an administrator disables it (after an administrative change):
  // nothing new is registered in it, and its history stays.
  bool active = true;
  bool operator==(const District&) const = default;
};

// A regulated enterprise (排污单位).
struct Enterprise {
  int64_t id = 0;
  std::string name, credit_code, industry;
  int64_t district_id = 0;
  double lon = 0, lat = 0;
  bool key_unit = false;  // 重点排污单位: its emissions are disclosed to the public
  std::string permit_no;
  std::string address, contact_name, contact_phone;
  // The key-unit lists (重点排污单位名录) it is on, as EnterpriseMedia names joined
  // by commas in that order: "water,air". Empty when on none.
  std::string key_media;
  // "operating" (在产), "stopped" (停产) or "closed" (关闭): EnterpriseStatusName.
  std::string status = "operating";
  bool operator==(const Enterprise&) const = default;
};

// The media of the key-unit lists (重点排污单位名录, by the 2017 rules of the
// Ministry): water, air, noise, soil (土壤污染重点监管单位) and environmental risk
// (环境风险重点管控单位). The names are stored and published: they never change.
inline constexpr const char* kEnterpriseMedia[] = {"water", "air", "noise", "soil", "risk"};
// The lifecycle states of an enterprise, stored and published as they are written.
inline constexpr const char* kEnterpriseStatuses[] = {"operating", "stopped", "closed"};

// `list` (names separated by commas, in any order, spaces allowed) as stored: the
// known media in kEnterpriseMedia's order, without repeats. nullopt names an unknown
// medium in `*bad`.
std::optional<std::string> NormalizeKeyMedia(std::string_view list, std::string* bad);
bool IsEnterpriseStatus(std::string_view name);

// What a monitoring site measures. Decides the standard its values are judged by,
// the validity rule of its hours (HJ 818 for ambient sites, HJ 75/HJ 355 for
// outlets), what its attributes must say (registry/site_attrs.h) and who may see it.
// Sub-kinds live in the site's attributes: an air station's level (national,
// provincial, city, micro), a water section's body and target class.
enum class SiteKind {
  kAir,            // ambient air station (HJ 633, HJ 663)
  kWater,          // surface-water section (GB 3838)
  kOutletGas,      // flue-gas outlet of an enterprise
  kOutletWater,    // waste-water outlet of an enterprise
  kNoise,          // 声环境 functional-zone noise station (GB 3096)
  kDust,           // 扬尘 monitor on a construction site (TSP, PM10)
  kGroundwater,    // 地下水 monitoring well (GB/T 14848)
  kDrinkingWater,  // 集中式饮用水水源地 (GB 3838 for surface sources)
};

// Every kind, in the order above.
std::span<const SiteKind> AllSiteKinds();
// "air", "water", "outlet_gas", "outlet_water", "noise", "dust", "groundwater",
// "drinking_water": the kind's name in the database, in the API's JSON and on the
// command line. These names are stored and published: they never change.
const char* SiteKindName(SiteKind kind);
// The kind named `name` (exactly, as SiteKindName writes it); nullopt otherwise.
std::optional<SiteKind> ParseSiteKind(std::string_view name);
// "air, water, ..., drinking_water": every name, for messages and API docs.
const std::string& SiteKindList();
// An enterprise's outlet (gas or water): it has an enterprise and emission limits.
bool IsOutlet(SiteKind kind);
// An ambient site, every kind but the outlets: it measures the environment, its
// values are judged by quality standards (or none), not by emission limits, and it
// needs no enterprise. A dust monitor is ambient though it watches a construction
// site: it measures the air around it, without an emission limit.
bool IsAmbient(SiteKind kind);
// An ambient site of environmental quality whose place the public maps show
// (/api/v1/public/stations): every ambient kind but dust monitors, which belong to
// a construction site's supervision, not to the city's quality network.
bool IsPublicStation(SiteKind kind);

// A monitoring site: an ambient station (air, water, noise, dust, groundwater,
// drinking-water source) or an outlet of an enterprise.
struct Site {
  int64_t id = 0;
  std::string code, name;
  SiteKind kind = SiteKind::kAir;
  int64_t district_id = 0;
  int64_t enterprise_id = 0;  // outlets only
  double lon = 0, lat = 0;
  bool simulated = false;
  std::string attrs_json;  // limits, permit details, target water class...
  // false once disabled (撤销): it is left off the maps and lists of current sites,
  // its devices are refused, and its history stays.
  bool active = true;
  bool operator==(const Site&) const = default;
};

// A data logger speaking HJ 212, identified by its MN, reporting for one site.
struct Device {
  std::string mn;
  int64_t site_id = 0;
  std::string password;
  int protocol_version = 1;  // 0 = HJ/T 212-2005, 1 = HJ 212-2017, 2 = HJ 212-2025
  std::string charset = "utf-8";
  bool enabled = true;
  std::string crc_variant = "hj212";
  bool operator==(const Device&) const = default;
};

}  // namespace ecohub::registry
