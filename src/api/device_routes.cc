// Devices: the data loggers (by MN) of the registry, their live status and the raw
// packets they sent. A device is shown and changed within its site's rights, and
// its password is never shown.
#include <algorithm>

#include "api/api.h"
#include "api/params.h"
#include "api/registry_rows.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "hj212/packet.h"

namespace ecohub::api {
namespace {

using auth::Action;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;
using Snapshot = SiteDirectory::Snapshot;

// A device as the API shows it: never its password.
ordered_json DeviceJson(const store::Device& d) {
  return {{"mn", d.mn},
          {"site_id", d.site_id},
          {"protocol_version", d.protocol_version},
          {"charset", d.charset},
          {"enabled", d.enabled},
          {"crc_variant", d.crc_variant},
          {"password_set", !d.password.empty()}};
}

// A device is reference data of its site; one without a site is everyone's
// reference data (within what the role may see at all).
auth::Target DeviceTarget(const SiteDirectory::Snapshot& snap, const store::Device& d) {
  const store::Site* s = snap.Site(d.site_id);
  return s ? SiteTarget(*s, nullptr) : auth::Target{auth::Area::kReference};
}

Response ListDevices(const ApiContext& ctx, const Request& req, const Principal& who) {
  auto snap = ctx.sites->Get();
  std::string site = Param(req, "site", ""), status = Param(req, "status", "");
  if (!status.empty() && status != "online" && status != "offline")
    return Problem(400, "bad-parameter", "status must be online or offline", status);
  UnixSeconds now = ctx.clock->WallSeconds();
  ordered_json items = ordered_json::array();
  for (const auto& d : snap->devices) {
    if (!site.empty() && std::to_string(d.site_id) != site) continue;
    if (!auth::Authorize(who, Action::kRead, DeviceTarget(*snap, d), now)) continue;
    if (!status.empty() && DeviceOnline(ctx, d, now) != (status == "online")) continue;
    ordered_json j = DeviceJson(d);
    DeviceStatusJson(ctx, d, now, &j);
    items.push_back(std::move(j));
  }
  return JsonResponse<ordered_json>({{"items", std::move(items)}});
}

const std::vector<ParamDoc>& DeviceFields() {
  static const auto* fields = new std::vector<ParamDoc>{
      {"mn", "string", "the logger's MN (HJ 212)"},
      {"site_id", "integer", "the site it measures"},
      {"password", "string", "the HJ 212 access password (PW)"},
      {"protocol_version", "integer", "0: HJ/T 212-2005, 1: HJ 212-2017, 2: HJ 212-2025"},
      {"charset", "string", "utf-8 or gbk"},
      {"crc_variant", "string", "hj212 (default)"},
      {"enabled", "boolean", "false: the gateway refuses it"}};
  return *fields;
}

// The 400 problem of a device that cannot be stored; nullopt when it can.
std::optional<Response> BadDevice(const store::Device& d) {
  if (d.protocol_version < 0 || d.protocol_version > 2)
    return Problem(400, "bad-field", "protocol_version must be 0, 1 or 2");
  if (d.charset != "utf-8" && d.charset != "gbk")
    return Problem(400, "bad-field", "charset must be utf-8 or gbk");
  if (d.password.empty() || d.password.size() > 64)
    return Problem(400, "bad-field", "password must be 1-64 bytes");
  return std::nullopt;
}

// The 400 problem of an MN that is not 1-32 letters and digits; nullopt otherwise.
std::optional<Response> BadMn(const std::string& mn) {
  if (mn.empty() || mn.size() > 32 || !std::all_of(mn.begin(), mn.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c));
      }))
    return Problem(400, "bad-field", "mn must be 1-32 letters and digits");
  return std::nullopt;
}

// Sets `*d` to device `old` (null when new; its MN from the body) with the fields of
// checked body `b`, and checks it: its fields, its site (existing; active when the
// device is enabled), and the write right on its site and, when it moves, on the
// site it leaves.
std::optional<Response> ApplyDevice(const ApiContext& ctx, const Principal& who,
                                    const Snapshot& snap, const json& b, const store::Device* old,
                                    store::Device* d) {
  *d = old ? *old : store::Device{};
  if (!old) d->mn = b.value("mn", "");
  Assign(b, "site_id", &d->site_id);
  Assign(b, "password", &d->password);
  Assign(b, "protocol_version", &d->protocol_version);
  Assign(b, "charset", &d->charset);
  Assign(b, "crc_variant", &d->crc_variant);
  Assign(b, "enabled", &d->enabled);
  if (auto bad = BadDevice(*d)) return bad;
  const store::Site* s = snap.Site(d->site_id);
  if (!s) return Problem(400, "bad-field", "site_id names no site");
  UnixSeconds now = ctx.clock->WallSeconds();
  if (old)  // changing or moving a device needs the right on its current site too
    if (const store::Site* was = snap.Site(old->site_id))
      if (auto denied = Check(who, Action::kWrite, SiteTarget(*was, nullptr), now)) return denied;
  if (auto denied = Check(who, Action::kWrite, SiteTarget(*s, nullptr), now)) return denied;
  if (d->enabled && !s->active && (!old || !old->enabled || old->site_id != d->site_id))
    return Problem(409, "site-disabled", "The device's site is disabled; enable the site first",
                   s->code);
  return std::nullopt;
}

// Creates a device (mn from the body; 409 when it exists) or changes one (mn from
// the path; 404 when it does not exist). The caller needs the write right on the
// device's site, and on its current site too when it moves. The gateway and the
// latest-value cache learn the change through ctx.device_changed.
Response PutDevice(const ApiContext& ctx, const Request& req, const Principal& who,
                   std::optional<std::string> mn_path) {
  json b;
  if (auto bad = ParseBody(req, DeviceFields(), &b)) return *bad;
  auto snap = ctx.sites->Get();
  std::string mn = mn_path ? *mn_path : b.value("mn", std::string());
  if (auto bad = BadMn(mn)) return *bad;
  const store::Device* old = snap->DeviceByMn(mn);
  if (mn_path && !old) return Problem(404, "not-found", "No such device", mn);
  if (!mn_path && old) return Problem(409, "conflict", "Device exists; use PATCH", mn);
  store::Device d;
  if (auto bad = ApplyDevice(ctx, who, *snap, b, old, &d)) return *bad;
  Status st = ctx.store->PutDevice(d);
  if (!st.ok()) return StoreError(st);
  ctx.sites->Invalidate();
  if (ctx.device_changed) ctx.device_changed(d);
  ordered_json detail = DeviceJson(d);
  if (b.contains("password")) detail["password_changed"] = true;
  Audit(ctx, who, old ? "device.update" : "device.create", "device:" + d.mn, detail);
  return JsonResponse(DeviceJson(d), old ? 200 : 201);
}

Response CreateDevice(const ApiContext& ctx, const Request& req, const Principal& who) {
  return PutDevice(ctx, req, who, std::nullopt);
}

Response UpdateDevice(const ApiContext& ctx, const Request& req, const Principal& who) {
  return PutDevice(ctx, req, who, req.params.at("mn"));
}

// Raw packets show what a device sent: its site's data, and (before redaction) its
// access password. So they are for those who administer the device (the write right
// on its site: admins, staff of its district; never an API key) and who may read the
// site's data; the password is masked, and the read is on the usage record.
Response ListDevicePackets(const ApiContext& ctx, const Request& req, const Principal& who) {
  auto snap = ctx.sites->Get();
  const std::string& mn = req.params.at("mn");
  const store::Device* dev = snap->DeviceByMn(mn);
  if (!dev) return Problem(404, "not-found", "No such device", mn);
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kWrite, DeviceTarget(*snap, *dev), now)) return *denied;
  if (const store::Site* site = snap->Site(dev->site_id)) {
    auto tags = ctx.api->Tags(ReadingsDataset(*site));
    if (auto denied = Check(who, Action::kRead, SiteTarget(*site, tags ? &*tags : nullptr), now))
      return *denied;
  }
  std::string bad;
  UnixSeconds to = TimeParam(req, "to", now + 60, &bad);
  UnixSeconds from = TimeParam(req, "from", to - 3600, &bad);
  auto page = PageParams(req, 1000, &bad);
  if (!bad.empty() || !page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  if (from > to || to - from > 7 * kDay)
    return Problem(400, "bad-range", "from..to must be ordered and at most 7 days");
  auto rows = ctx.store->RawPackets(mn, from * 1000, to * 1000, page->limit);
  if (!rows.ok()) return StoreError(rows.status());
  ordered_json items = ordered_json::array();
  for (const auto& r : *rows)
    items.push_back({{"received", FormatRfc3339Beijing(r.received / 1000)},
                     {"peer", r.peer},
                     {"verdict", r.verdict},
                     {"bytes", hj212::RedactPassword(r.bytes)}});
  AuditRead(ctx, who, "device:" + mn + ":packets",
            {{"from", from}, {"to", to}, {"rows", items.size()}});
  return JsonResponse<ordered_json>({{"mn", mn}, {"items", std::move(items)}});
}

}  // namespace

std::optional<Response> PrepareDeviceRow(const ApiContext& ctx, const Principal& who,
                                         const Snapshot& snap, const json& body, store::Device* out,
                                         const store::Device** old) {
  std::string mn = body.value("mn", "");
  if (auto bad = BadMn(mn)) return bad;
  *old = snap.DeviceByMn(mn);
  return ApplyDevice(ctx, who, snap, body, *old, out);
}

void AddDeviceRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/devices",
          {.summary = "Data loggers (by MN) of the sites the caller may see, with their live "
                      "status (online, connected, last_packet, packets and rejected since "
                      "start-up); passwords are never shown",
           .tag = "Registry",
           .query = {{"site", "integer", "site id"},
                     {"status", "string", "online or offline (last packet older than 30 minutes)"}},
           .id = "listDevices"},
          Bind(ctx, ListDevices));
  api.Add("POST", "/api/v1/devices",
          {.summary = "Register a data logger",
           .tag = "Registry",
           .body = DeviceFields(),
           .response = "the device",
           .id = "createDevice"},
          Bind(ctx, CreateDevice));
  api.Add("PATCH", "/api/v1/devices/{mn}",
          {.summary = "Change a data logger: site, password, protocol, enable or disable",
           .tag = "Registry",
           .body = DeviceFields(),
           .id = "updateDevice"},
          Bind(ctx, UpdateDevice));
  api.Add("GET", "/api/v1/devices/{mn}/packets",
          {.summary = "Raw packets a logger sent, with the gateway's verdict, newest first; "
                      "for those who administer the device and may read its site's data; "
                      "the access password (PW) is masked",
           .tag = "Registry",
           .query = {{"from", "time", "default: 1 hour before `to`"},
                     {"to", "time", "default: now"},
                     {"limit", "integer", "1..1000 (default 100)"}},
           .id = "listDevicePackets"},
          Bind(ctx, ListDevicePackets));
}

}  // namespace ecohub::api
