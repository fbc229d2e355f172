// The audit log and usage record (使用日志): every change to data or rights and every
// read through the sharing API, hash-chained by the store, read newest first by the
// audit administrator (and leaders; and system administrators unless duties are
// separated), and verified on demand.
#include "api/handlers.h"
#include "api/params.h"
#include "api/routes.h"
#include "core/time.h"

namespace ecohub::api {

using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// `to` given as a bare day ("2026-03-01") includes that day.
UnixSeconds EndParam(const Request& req, std::string* bad) {
  std::string to = Param(req, "to", "");
  UnixSeconds end = TimeParam(req, "to", 0, bad);
  if (end != 0 && to.size() == 10) end += 86400;
  return end;
}

Response ListAudit(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (auto denied = Check(who, auth::Action::kRead, {auth::Area::kAudit}, ctx.clock->WallSeconds()))
    return *denied;
  std::string bad;
  auto page = PageParams(req, 1000, &bad);
  UnixSeconds from = TimeParam(req, "from", 0, &bad), to = EndParam(req, &bad);
  if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  std::string action = Param(req, "action", ""), actor = Param(req, "actor", ""),
              object = Param(req, "object", "");
  // Newest first: `cursor` is the oldest row of the previous page. The chain is
  // scanned oldest first; the newest `limit` matches below the cursor are kept.
  const int64_t before = page->after;
  std::vector<store::AuditEntry> rows;
  bool more = false;
  Status s = ctx.store->ScanAudit([&](const store::AuditEntry& e) {
    if (before != 0 && e.id >= before) return false;
    int64_t t = e.time / 1000;
    if ((action.empty() || e.action == action) && (actor.empty() || e.actor == actor) &&
        (object.empty() || e.object.starts_with(object)) && (from == 0 || t >= from) &&
        (to == 0 || t < to)) {
      rows.push_back(e);
      if (rows.size() > page->limit) {
        rows.erase(rows.begin());
        more = true;
      }
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
  json next = more && !rows.empty() ? json(CursorAfter(rows.front().id)) : json(nullptr);
  return JsonResponse<ordered_json>({{"items", items}, {"next_cursor", next}});
}

Response VerifyAudit(const ApiContext& ctx, const Request&, const Principal& who) {
  if (auto denied = Check(who, auth::Action::kRead, {auth::Area::kAudit}, ctx.clock->WallSeconds()))
    return *denied;
  if (!ctx.verify_audit) return Problem(503, "unavailable", "Audit verification is not set up");
  auto verdict = ctx.verify_audit();
  if (!verdict.ok()) return FromStatus(verdict.status());
  Audit(ctx, who, "audit.verify", "audit", {{"ok", (*verdict)["ok"]}});
  return JsonResponse(*verdict);
}

}  // namespace

void AddAuditRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/audit",
          {.summary = "The audit log and usage record (使用日志), newest first (the audit "
                      "administrator, leaders; system administrators unless duties are "
                      "separated)",
           .tag = "Operations",
           .query = {{"action", "string", "e.g. export, data.read, device.update"},
                     {"actor", "string", "user:NAME or key:ID"},
                     {"object", "string", "prefix of the object, e.g. dataset:air-aqi"},
                     {"from", "time", "from this time on"},
                     {"to", "time", "before this time (a bare day: that day included)"},
                     {.name = "cursor", .type = "cursor"},
                     {"limit", "integer", "1..1000 (default 100)"}},
           .id = "listAuditEntries",
           .list = true},
          Bind(ctx, ListAudit));
  api.Add("GET", "/api/v1/audit/verify",
          {.summary = "Verify the audit record: the keyed chain and its anchors (as "
                      "`ecohub audit verify`)",
           .tag = "Operations",
           .response = "{ok, rows, keyed_from, anchors, head | first_broken_row, reason}",
           .id = "verifyAudit"},
          Bind(ctx, VerifyAudit));
}

}  // namespace ecohub::api
