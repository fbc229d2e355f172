// The city and its districts from a boundary file: a GeoJSON FeatureCollection
// (RFC 7946, longitude/latitude degrees) with one feature per district, as
// `ecohub city init --districts FILE` and `POST /api/v1/districts` take them.
// Geometry is read and measured by GEOS (the library GIS software on Debian uses):
// each district's label point lies inside it (point on surface), the city's
// extent is the union of the districts' envelopes.
//
// Pure: no I/O; the caller reads the file and writes the store.
#pragma once

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "registry/types.h"

namespace ecohub::registry {

// A box [west, south, east, north] in degrees, grown by points and boxes.
struct Extent {
  bool empty = true;
  double west = 0, south = 0, east = 0, north = 0;
  void Add(double w, double s, double e, double n) {
    west = empty ? w : std::min(west, w);
    south = empty ? s : std::min(south, s);
    east = empty ? e : std::max(east, e);
    north = empty ? n : std::max(north, n);
    empty = false;
  }
  void Add(double lon, double lat) { Add(lon, lat, lon, lat); }
  // Gives `c` this extent and its middle as the centre; nothing when empty.
  void SetOn(City* c) const {
    if (empty) return;
    c->west = west, c->south = south, c->east = east, c->north = north;
    c->lon = (west + east) / 2;
    c->lat = (south + north) / 2;
  }
};

// A GB/T 2260 administrative division code: six digits.
bool IsAreaCode(std::string_view code);

// One district's geometry (a GeoJSON Polygon or MultiPolygon object, as text) checked
// and measured into `d`: d->geojson keeps it, d->lon/lat its point on surface, and
// *bbox its envelope [west, south, east, north]. kInvalidInput when it does not parse,
// is not polygonal, is empty or lies outside longitude/latitude degrees. A geometry
// that parses but is invalid (a ring crossing itself, common in simplified boundary
// files) is measured on its repaired form and kept as given.
Status MeasureDistrict(std::string_view geometry_json, District* d, double bbox[4]);

struct CityPlan {
  City city;
  std::vector<District> districts;  // ids 0: the store assigns them (upsert by code)
};

// The city `name` (`code`: six digits) and, from `geojson` (empty: none), one district
// per feature: name from properties.name, code from properties.adcode or
// properties.code (digits, as a string or a number), otherwise the city code's first
// four digits and the next free two-digit number. The city's centre and extent come
// from the districts; without districts they stay 0 (the caller may fill them from
// stored ones). kInvalidInput naming the feature (its number from 1, and its name)
// for a feature without a name or geometry, a bad code, a code used twice, or a
// geometry MeasureDistrict refuses; nothing is planned then.
Result<CityPlan> PlanCity(std::string name, std::string code, std::string_view geojson);

// A polygonal area with an id: a district, a grid.
struct Shape {
  int64_t id = 0;
  std::string geojson;  // a GeoJSON Polygon or MultiPolygon object
};

// Which area a point lies in (a complaint's location, a task's place): the shapes'
// polygons prepared by GEOS behind an STR tree of their envelopes. Shapes that do not
// parse are left out. Build one per set of shapes; Find may be called from any thread
// (GEOS prepared geometries build their own index on first use, so calls take turns).
class AreaLocator {
 public:
  explicit AreaLocator(const std::vector<Shape>& shapes);
  ~AreaLocator();
  AreaLocator(const AreaLocator&) = delete;
  AreaLocator& operator=(const AreaLocator&) = delete;

  // The id of the area covering (lon, lat), its boundary included; where two cover
  // it (a shared border), the lower id. 0 when none does.
  int64_t Find(double lon, double lat) const;
  // How many areas have a usable geometry.
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  mutable std::mutex mu_;
};

// The active districts' areas.
class DistrictLocator : public AreaLocator {
 public:
  explicit DistrictLocator(const std::vector<District>& districts);
};

}  // namespace ecohub::registry
