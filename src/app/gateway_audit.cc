#include "app/gateway_audit.h"

#include <nlohmann/json.hpp>

namespace ecohub::app {
namespace {

store::AuditEntry GatewayEntry(const Clock& clock, std::string action, std::string object,
                               const nlohmann::json& detail) {
  store::AuditEntry e;
  e.time = clock.WallMillis();
  e.actor = "gateway";
  e.action = std::move(action);
  e.object = std::move(object);
  e.detail = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return e;
}

}  // namespace

void GatewayAudit::DeviceAuthFailed(const ingest::DeviceAuthFailures& f) {
  queue_.Add(GatewayEntry(clock_, "device.auth_failed", "device:" + f.mn,
                          {{"address", f.address},
                           {"count", f.count},
                           {"registered", f.registered},
                           {"first", f.first},
                           {"last", f.last}}));
}

void GatewayAudit::AddressBlocked(const std::string& address, int64_t seconds, int failures) {
  queue_.Add(GatewayEntry(clock_, "gateway.address_blocked", "address:" + address,
                          {{"seconds", seconds}, {"failures", failures}}));
}

void GatewayAudit::CommandEnded(const std::string& mn, int64_t command_id, const std::string& cn,
                                const std::string& status, const std::string& code) {
  queue_.Add(GatewayEntry(clock_, "device.command_result", "command:" + std::to_string(command_id),
                          {{"mn", mn}, {"cn", cn}, {"status", status}, {"code", code}}));
}

}  // namespace ecohub::app
