#include "registry/boundaries.h"

#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

namespace ecohub::registry {

using nlohmann::json;

namespace {

// GEOS reports through handlers; the last message is kept for the error we return.
void KeepMessage(const char* message, void* out) { *static_cast<std::string*>(out) = message; }

// One GEOS context for the calls of one measurement.
class Geos {
 public:
  Geos() : h_(GEOS_init_r()) {
    GEOSContext_setErrorMessageHandler_r(h_, KeepMessage, &error_);
    GEOSContext_setNoticeMessageHandler_r(h_, KeepMessage, &notice_);
  }
  ~Geos() { GEOS_finish_r(h_); }
  Geos(const Geos&) = delete;
  Geos& operator=(const Geos&) = delete;

  GEOSContextHandle_t h() const { return h_; }
  const std::string& error() const { return error_; }

  struct Free {
    GEOSContextHandle_t h;
    void operator()(GEOSGeometry* g) const { GEOSGeom_destroy_r(h, g); }
  };
  using Geometry = std::unique_ptr<GEOSGeometry, Free>;
  Geometry Own(GEOSGeometry* g) const { return Geometry(g, Free{h_}); }

 private:
  GEOSContextHandle_t h_;
  std::string error_, notice_;
};

// The district code a feature gives: adcode, else code; digits as text or a number.
std::string FeatureCode(const json& props) {
  for (const char* key : {"adcode", "code"}) {
    if (!props.contains(key)) continue;
    const json& v = props[key];
    if (v.is_string() && !v.get<std::string>().empty()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  }
  return "";
}

Status FeatureError(size_t i, const std::string& name, const std::string& why) {
  return Status::InvalidInput("feature " + std::to_string(i + 1) +
                              (name.empty() ? "" : " (" + name + ")") + ": " + why);
}

}  // namespace

bool IsAreaCode(std::string_view code) {
  return code.size() == 6 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status MeasureDistrict(std::string_view geometry_json, District* d, double bbox[4]) {
  Geos geos;
  GEOSGeoJSONReader* reader = GEOSGeoJSONReader_create_r(geos.h());
  std::string text(geometry_json);
  auto g = geos.Own(GEOSGeoJSONReader_readGeometry_r(geos.h(), reader, text.c_str()));
  GEOSGeoJSONReader_destroy_r(geos.h(), reader);
  if (!g) return Status::InvalidInput("the geometry does not parse: " + geos.error());
  int type = GEOSGeomTypeId_r(geos.h(), g.get());
  if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
    return Status::InvalidInput("the geometry is not a Polygon or MultiPolygon");
  if (GEOSisEmpty_r(geos.h(), g.get())) return Status::InvalidInput("the geometry is empty");
  GEOSGeom_getXMin_r(geos.h(), g.get(), &bbox[0]);
  GEOSGeom_getYMin_r(geos.h(), g.get(), &bbox[1]);
  GEOSGeom_getXMax_r(geos.h(), g.get(), &bbox[2]);
  GEOSGeom_getYMax_r(geos.h(), g.get(), &bbox[3]);
  if (bbox[0] < -180 || bbox[2] > 180 || bbox[1] < -90 || bbox[3] > 90)
    return Status::InvalidInput(
        "the coordinates are not longitude/latitude degrees (WGS 84, as GeoJSON has them)");
  Geos::Geometry repaired;
  const GEOSGeometry* measured = g.get();
  if (GEOSisValid_r(geos.h(), g.get()) != 1) {
    repaired = geos.Own(GEOSMakeValid_r(geos.h(), g.get()));
    if (repaired) measured = repaired.get();
  }
  auto point = geos.Own(GEOSPointOnSurface_r(geos.h(), measured));
  if (!point || GEOSisEmpty_r(geos.h(), point.get()))
    return Status::InvalidInput("the geometry has no inside");
  GEOSGeomGetX_r(geos.h(), point.get(), &d->lon);
  GEOSGeomGetY_r(geos.h(), point.get(), &d->lat);
  d->geojson = std::move(text);
  return Status::Ok();
}

Result<CityPlan> PlanCity(std::string name, std::string code, std::string_view geojson) {
  if (name.empty() || name.size() > 64)
    return Status::InvalidInput("the city's name is 1-64 bytes");
  if (!IsAreaCode(code))
    return Status::InvalidInput("the city's code is its six-digit GB/T 2260 code, not '" + code +
                                "'");
  CityPlan plan;
  plan.city.name = std::move(name);
  plan.city.code = std::move(code);
  if (geojson.empty()) return plan;
  json doc = json::parse(geojson, nullptr, false);
  if (!doc.is_object() || doc.value("type", "") != "FeatureCollection" ||
      !doc["features"].is_array() || doc["features"].empty())
    return Status::InvalidInput(
        "the boundary file is not a GeoJSON FeatureCollection with features");
  const json& features = doc["features"];
  std::set<std::string> used;
  for (const auto& f : features)
    if (f.is_object() && f["properties"].is_object()) used.insert(FeatureCode(f["properties"]));
  Extent extent;
  int next = 1;
  for (size_t i = 0; i < features.size(); ++i) {
    const json& f = features[i];
    const json& props = f.is_object() && f.contains("properties") ? f["properties"] : json();
    District d;
    d.name = props.is_object() && props["name"].is_string() ? props["name"].get<std::string>() : "";
    if (d.name.empty() || d.name.size() > 64)
      return FeatureError(i, "", "properties.name must be the district's name (1-64 bytes)");
    d.code = props.is_object() ? FeatureCode(props) : "";
    if (d.code.empty()) {
      // Derived: the city's prefix and the next two digits no feature names.
      do d.code = plan.city.code.substr(0, 4) + (next < 10 ? "0" : "") + std::to_string(next);
      while (used.count(d.code) && ++next < 100);
      ++next;
      used.insert(d.code);
    }
    if (!IsAreaCode(d.code))
      return FeatureError(i, d.name, "its code '" + d.code + "' is not six digits (GB/T 2260)");
    for (const auto& other : plan.districts)
      if (other.code == d.code)
        return FeatureError(i, d.name, "its code " + d.code + " is " + other.name + "'s too");
    if (!f.is_object() || !f.contains("geometry") || !f["geometry"].is_object())
      return FeatureError(i, d.name, "it has no geometry");
    double box[4];
    if (Status s = MeasureDistrict(f["geometry"].dump(), &d, box); !s.ok())
      return FeatureError(i, d.name, s.message());
    extent.Add(box[0], box[1], box[2], box[3]);
    plan.districts.push_back(std::move(d));
  }
  extent.SetOn(&plan.city);
  return plan;
}

}  // namespace ecohub::registry

namespace ecohub::registry {

struct AreaLocator::Impl {
  struct Entry {
    int64_t id;
    Geos::Geometry geometry;
    const GEOSPreparedGeometry* prepared;
  };
  Geos geos;
  std::vector<Entry> entries;
  GEOSSTRtree* tree = nullptr;

  ~Impl() {
    if (tree) GEOSSTRtree_destroy_r(geos.h(), tree);
    for (Entry& e : entries) GEOSPreparedGeom_destroy_r(geos.h(), e.prepared);
  }
};

namespace {
std::vector<Shape> ActiveShapes(const std::vector<District>& districts) {
  std::vector<Shape> out;
  for (const District& d : districts)
    if (d.active) out.push_back({d.id, d.geojson});
  return out;
}
}  // namespace

DistrictLocator::DistrictLocator(const std::vector<District>& districts)
    : AreaLocator(ActiveShapes(districts)) {}

AreaLocator::AreaLocator(const std::vector<Shape>& shapes) : impl_(std::make_unique<Impl>()) {
  GEOSContextHandle_t h = impl_->geos.h();
  GEOSGeoJSONReader* reader = GEOSGeoJSONReader_create_r(h);
  for (const Shape& d : shapes) {
    if (d.geojson.empty()) continue;
    auto g = impl_->geos.Own(GEOSGeoJSONReader_readGeometry_r(h, reader, d.geojson.c_str()));
    if (!g || GEOSisEmpty_r(h, g.get())) continue;
    // A ring crossing itself (simplified boundary files) answers on its repaired form.
    if (GEOSisValid_r(h, g.get()) != 1) {
      auto fixed = impl_->geos.Own(GEOSMakeValid_r(h, g.get()));
      if (!fixed) continue;
      g = std::move(fixed);
    }
    const GEOSPreparedGeometry* prepared = GEOSPrepare_r(h, g.get());
    if (!prepared) continue;
    impl_->entries.push_back({d.id, std::move(g), prepared});
  }
  GEOSGeoJSONReader_destroy_r(h, reader);
  impl_->tree = GEOSSTRtree_create_r(h, 10);
  // The tree keeps pointers to the entries: the vector is not touched after this.
  for (Impl::Entry& e : impl_->entries) GEOSSTRtree_insert_r(h, impl_->tree, e.geometry.get(), &e);
}

AreaLocator::~AreaLocator() = default;

size_t AreaLocator::size() const { return impl_->entries.size(); }

int64_t AreaLocator::Find(double lon, double lat) const {
  if (!std::isfinite(lon) || !std::isfinite(lat) || impl_->entries.empty()) return 0;
  std::lock_guard lock(mu_);
  GEOSContextHandle_t h = impl_->geos.h();
  auto point = impl_->geos.Own(GEOSGeom_createPointFromXY_r(h, lon, lat));
  if (!point) return 0;
  std::vector<const Impl::Entry*> near;
  GEOSSTRtree_query_r(
      h, impl_->tree, point.get(),
      [](void* item, void* out) {
        static_cast<std::vector<const Impl::Entry*>*>(out)->push_back(
            static_cast<const Impl::Entry*>(item));
      },
      &near);
  int64_t found = 0;
  for (const Impl::Entry* e : near)
    if ((found == 0 || e->id < found) && GEOSPreparedCovers_r(h, e->prepared, point.get()) == 1)
      found = e->id;
  return found;
}

}  // namespace ecohub::registry
