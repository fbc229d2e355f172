// What every route file of the platform API shares: the context its handlers read
// through (ApiContext), JSON answers, the mapping of a Status to its problem, the
// audit log, and the dataset and policy target of a site's rows.
//
// A handler reads and writes only through the interfaces in ApiContext.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/api.h"
#include "api/router.h"
#include "api/site_directory.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "store/audit_queue.h"
#include "store/latest_cache.h"
#include "store/store.h"

namespace ecohub::ingest {
class DeviceStatusBoard;
class ImportBatchStore;
}  // namespace ecohub::ingest

namespace ecohub::auth::oidc {
class Client;
}

namespace ecohub::review {
class ReviewStore;
}

namespace ecohub::notify {
class NotifyStore;
struct Subscription;
struct Event;
}  // namespace ecohub::notify

namespace ecohub::declare {
class DeclarationStore;
}

namespace ecohub::casework {
class ComplaintStore;
class TaskStore;
class EnforcementStore;
}  // namespace ecohub::casework

namespace ecohub::crypto {
class Sealer;
}  // namespace ecohub::crypto

namespace ecohub::samples {
class SampleStore;
}

namespace ecohub::permit {
class PermitStore;
}

namespace ecohub::control {
class CommandStore;
struct Command;
}  // namespace ecohub::control

namespace ecohub::api {

// A JSON document (nlohmann json or ordered_json) as a response; invalid UTF-8 in
// it is replaced, never thrown.
template <class Json = nlohmann::json>
Response JsonResponse(const Json& j, int status = 200) {
  Response r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

// The `kind` query parameter of a site listing as a test of a site's kind: every
// kind passes when the parameter is empty, none when it names no kind (listings
// have always answered an unknown kind with no rows, not with a 400).
std::function<bool(registry::SiteKind)> SiteKindFilter(const std::string& name);

// The dataset a site's readings belong to: air-station-readings (also dust and
// noise stations), water-section-readings (also groundwater wells and drinking-water
// sources) or enterprise-emissions.
const char* ReadingsDataset(const store::Site& site);
// The policy target of a site's rows in `tags`' dataset.
auth::Target SiteTarget(const store::Site& site, const auth::DatasetTags* tags);
// Whether `who` may read rows of `dataset` about `site` at the clock's time (grants
// expire).
bool SiteVisible(const Api& api, const auth::Principal& who, const std::string& dataset,
                 const store::Site& site, const Clock& clock = RealClock());

struct ApiContext {
  // Where handlers read the time (token and grant expiry, "now" of a report).
  const Clock* clock = &RealClock();
  store::Store* store = nullptr;
  std::shared_ptr<SiteDirectory> sites;
  // The Api the routes are added to, for the datasets' tags (Api::Tags); set by
  // AddAllRoutes.
  const Api* api = nullptr;
  auth::Accounts* accounts = nullptr;
  // The pollutant discharge permits (permits.db); null: the permit routes answer 503.
  permit::PermitStore* permits = nullptr;
  // The record of imports (imports.db); null: the import routes answer 503.
  ingest::ImportBatchStore* imports = nullptr;
  // Called after readings were written outside the gateway (an import over HTTP, a
  // review), with what was written: the server's after-commit work (latest values,
  // derivation), as for the gateway's.
  std::function<void(const store::Batch&)> readings_written;
  // The record of reviews (reviews.db); null: the review routes answer 503.
  review::ReviewStore* reviews = nullptr;
  // Commands to devices (commands.db); null: the command routes answer 503.
  control::CommandStore* commands = nullptr;
  // Called after a command was queued: the gateway sends it at once when the device
  // is connected to this node (otherwise its sweep does, from the node that has it).
  std::function<void(const control::Command&)> command_created;
  // The record of self-declarations (declarations.db); null: those routes answer 503.
  declare::DeclarationStore* declarations = nullptr;
  // The record of manual samples (samples.db); null: the sample routes answer 503.
  samples::SampleStore* samples = nullptr;
  // Complaints from the public (casework.db); null: the complaint routes answer 503.
  casework::ComplaintStore* complaints = nullptr;
  // Grids and grid tasks (tasks.db); null: the task and grid routes answer 503.
  casework::TaskStore* tasks = nullptr;
  // Enforcement cases (enforcement.db); null: the case routes answer 503.
  casework::EnforcementStore* cases = nullptr;
  // Subscriptions, inboxes and deliveries (notify.db); null: those routes answer 503.
  notify::NotifyStore* notify = nullptr;
  // Sends one message on a subscription now (as stored: target and secret sealed),
  // for its "send a test" button; empty: no dispatcher on this server.
  std::function<Status(const notify::Subscription&, const notify::Event&)> notify_send;
  // Seals personal data at rest (a complainant's phone) under the server's keys.
  std::shared_ptr<const crypto::Sealer> sealer;
  // Days to reply to a complaint by category; those not named have the default.
  std::map<std::string, int> complaint_reply_days;
  // Limits complaint submissions per address and city-wide (flood protection).
  std::shared_ptr<RateLimiter> complaint_limiter;
  // Where the mappings the import routes offer are (ingest/readings_file.h).
  std::string mappings_dir;
  // The unified identity provider's login (OpenID Connect); null: not configured.
  auth::oidc::Client* oidc = nullptr;
  // Called after a device is created or changed through the API (the gateway's
  // registry and the latest-value cache learn it at once).
  std::function<void(const store::Device&)> device_changed;
  // Usage rows of data reads go here, appended in batches (null: synchronously).
  store::AuditQueue* audit_queue = nullptr;
  store::LatestCache* latest = nullptr;
  Metrics* metrics = nullptr;
  // The verdict on the audit record (app/audit_verdict.h); null: not available.
  std::function<Result<nlohmann::json>()> verify_audit;
  // Extra health facts (writer queue, connections), merged into /healthz.
  std::function<std::string()> health_detail;
  // What the gateway has seen of each device (online, last packet, counts); null:
  // the device fields are null.
  const ingest::DeviceStatusBoard* device_status = nullptr;
};
// A device's live status fields (online, connected, last_packet, packets, rejected)
// added to its JSON; DeviceOnline: whether its last packet is recent enough.
void DeviceStatusJson(const ApiContext& ctx, const store::Device& d, UnixSeconds now,
                      nlohmann::ordered_json* j);
bool DeviceOnline(const ApiContext& ctx, const store::Device& d, UnixSeconds now);

// A Status as its problem: 400, 404, 409, 401, 403, else 500 (logged).
Response FromStatus(const Status& s);

// Appends to the audit log on behalf of `who` (errors are logged, not returned:
// the change itself has already been made).
void Audit(const ApiContext& ctx, const auth::Principal& who, std::string_view action,
           std::string_view object, const nlohmann::json& detail);
// The same for a read through the sharing API: queued when ctx.audit_queue is set.
void AuditRead(const ApiContext& ctx, const auth::Principal& who, std::string_view object,
               const nlohmann::json& detail);

}  // namespace ecohub::api
