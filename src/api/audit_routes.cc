// The audit log and usage record (使用日志): every change to data or rights and every
// read through the sharing API, hash-chained by the store, read newest first by
// administrators and leaders.
#include "api/handlers.h"
#include "api/params.h"
#include "api/routes.h"
#include "core/time.h"

namespace ecohub::api {

using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

Response ListAudit(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (auto denied = Check(who, auth::Action::kRead, {auth::Area::kAudit}, ctx.clock->WallSeconds()))
    return *denied;
  std::string bad;
  auto page = PageParams(req, 1000, &bad);
  if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  std::string action = Param(req, "action", ""), actor = Param(req, "actor", ""),
              object = Param(req, "object", "");
  // The chain is scanned oldest first; the newest `limit` matches are kept.
  std::vector<store::AuditEntry> rows;
  Status s = ctx.store->ScanAudit([&](const store::AuditEntry& e) {
    if ((action.empty() || e.action == action) && (actor.empty() || e.actor == actor) &&
        (object.empty() || e.object.starts_with(object))) {
      rows.push_back(e);
      if (rows.size() > page->limit) rows.erase(rows.begin());
    }
    return true;
  });
  if (!s.ok()) return FromStatus(s);
  ordered_json items = ordered_json::array();
  for (auto it = rows.rbegin(); it != rows.rend(); ++it)
    items.push_back({{"id", it->id},
                     {"time", FormatRfc3339Beijing(it->time / 1000)},
                     {"actor", it->actor},
                     {"action", it->action},
                     {"object", it->object},
                     {"detail", json::parse(it->detail, nullptr, false)},
                     {"hash", it->hash}});
  return JsonResponse<ordered_json>({{"items", items}});
}

}  // namespace

void AddAuditRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/audit",
          {.summary =
               "The audit log and usage record (使用日志), newest first (administrators, leaders)",
           .tag = "Operations",
           .query = {{"action", "string", "e.g. export, data.read, device.update"},
                     {"actor", "string", "user:NAME or key:ID"},
                     {"object", "string", "prefix of the object, e.g. dataset:air-aqi"},
                     {"limit", "integer", "1..1000 (default 100)"}},
           .id = "listAuditEntries",
           .list = true},
          Bind(ctx, ListAudit));
}

}  // namespace ecohub::api
