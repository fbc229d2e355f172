#include "app/audit_verdict.h"

#include "store/audit.h"

namespace ecohub::app {

Result<nlohmann::json> AuditVerdict(store::Store& store, const crypto::KeyRing& keys,
                                    const std::string& anchors_path) {
  auto anchors = store::AuditAnchorLog::Read(anchors_path, keys);
  if (!anchors.ok() && anchors.status().code() != Code::kCorruption) return anchors.status();
  if (!anchors.ok())  // altered or forged anchors are a verdict on the record
    return nlohmann::json{
        {"ok", false}, {"first_broken_row", 0}, {"reason", anchors.status().message()}};
  store::AuditVerifyOptions options;
  options.keys = &keys;
  options.anchors = std::move(anchors).value();
  auto c = store::VerifyAuditChain(store, options);
  if (!c.ok()) return c.status();
  nlohmann::json out = {
      {"ok", c->ok}, {"rows", c->rows}, {"keyed_from", c->keyed_from}, {"anchors", c->anchors}};
  if (c->ok) {
    out["head"] = c->head;
  } else {
    out["first_broken_row"] = c->first_broken_id;
    out["reason"] = c->reason;
  }
  return out;
}

}  // namespace ecohub::app
