#include "api/handlers.h"

#include <spdlog/spdlog.h>

namespace ecohub::api {

using auth::Principal;
using nlohmann::json;

std::function<bool(registry::SiteKind)> SiteKindFilter(const std::string& name) {
  if (name.empty()) return [](registry::SiteKind) { return true; };
  auto kind = registry::ParseSiteKind(name);
  return [kind](registry::SiteKind k) { return kind == k; };
}

const char* ReadingsDataset(const store::Site& s) {
  switch (s.kind) {
    case registry::SiteKind::kAir:
      return "air-station-readings";
    case registry::SiteKind::kWater:
      return "water-section-readings";
    case registry::SiteKind::kDrinkingWater:
      return "drinking-water-readings";
    case registry::SiteKind::kGroundwater:
      return "groundwater-readings";
    case registry::SiteKind::kNoise:
      return "noise-station-readings";
    case registry::SiteKind::kDust:
      return "dust-monitor-readings";
    case registry::SiteKind::kOutletGas:
    case registry::SiteKind::kOutletWater:
      return "enterprise-emissions";
  }
  return "enterprise-emissions";
}

auth::Target SiteTarget(const store::Site& s, const auth::DatasetTags* tags) {
  return {tags ? auth::Area::kData : auth::Area::kReference, tags, s.district_id, s.enterprise_id};
}

bool SiteVisible(const Api& api, const Principal& who, const std::string& dataset,
                 const store::Site& site, const Clock& clock) {
  auto tags = api.Tags(dataset);
  return tags &&
         auth::Authorize(who, auth::Action::kRead, SiteTarget(site, &*tags), clock.WallSeconds());
}

Response FromStatus(const Status& s) {
  switch (s.code()) {
    case Code::kInvalidInput:
      return Problem(400, "bad-input", "Bad input", s.message());
    case Code::kNotFound:
      return Problem(404, "not-found", "Not found", s.message());
    case Code::kConflict:
      return Problem(409, "conflict", "Conflict", s.message());
    case Code::kUnauthenticated:
      return Problem(401, "unauthenticated", "Unauthenticated", s.message());
    case Code::kPermissionDenied:
      return Problem(403, "forbidden", "Not allowed", s.message());
    default:
      spdlog::error("api: {}", s.ToString());
      return Problem(500, "internal", "Internal error", s.message());
  }
}

namespace {

store::AuditEntry EntryOf(const ApiContext& ctx, const Principal& who, std::string_view action,
                          std::string_view object, const json& detail) {
  store::AuditEntry e;
  e.time = ctx.clock->WallMillis();
  e.actor = who.name;
  e.action = std::string(action);
  e.object = std::string(object);
  e.detail = detail.dump(-1, ' ', false, json::error_handler_t::replace);
  return e;
}

}  // namespace

void Audit(const ApiContext& ctx, const Principal& who, std::string_view action,
           std::string_view object, const json& detail) {
  auto r = ctx.store->AppendAudit(EntryOf(ctx, who, action, object, detail));
  if (!r.ok()) spdlog::error("audit log: {} ({} {})", r.status().ToString(), action, object);
}

void AuditRead(const ApiContext& ctx, const Principal& who, std::string_view object,
               const json& detail) {
  if (!ctx.audit_queue) return Audit(ctx, who, "data.read", object, detail);
  ctx.audit_queue->Add(EntryOf(ctx, who, "data.read", object, detail));
}

}  // namespace ecohub::api
