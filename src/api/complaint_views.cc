#include "api/complaint_views.h"

#include <cmath>
#include <cstdlib>
#include <mutex>

#include "api/route_util.h"
#include "core/time.h"
#include "crypto/sealer.h"
#include "crypto/sm.h"
#include "registry/boundaries.h"

namespace ecohub::api::complaint {

using casework::Complaint;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr size_t kMaxBody = 16 * 1024;

// The locator of the snapshot's districts, built once per snapshot.
std::shared_ptr<const registry::DistrictLocator> LocatorFor(
    const std::shared_ptr<const registry::Snapshot>& snap) {
  static std::mutex mu;
  static std::weak_ptr<const registry::Snapshot> built_for;
  static std::shared_ptr<const registry::DistrictLocator> locator;
  std::lock_guard lock(mu);
  if (!locator || built_for.lock() != snap) {
    locator = std::make_shared<registry::DistrictLocator>(snap->districts);
    built_for = snap;
  }
  return locator;
}

// The district a complaint goes to: the one covering its place, else the one its
// address names, else `fallback`.
int64_t RouteTo(const std::shared_ptr<const registry::Snapshot>& snap, const Complaint& c,
                int64_t fallback) {
  if (c.lon)
    if (int64_t id = LocatorFor(snap)->Find(*c.lon, *c.lat)) return id;
  std::vector<casework::NamedDistrict> named;
  for (const auto& d : snap->districts)
    if (d.active) named.push_back({d.id, d.name});
  int64_t id = casework::DistrictNamedIn(c.address, named);
  return id ? id : fallback;
}

// A number from JSON, or from a string holding one; nullopt when absent or null.
Result<std::optional<double>> Number(const json& b, const char* name) {
  if (!b.contains(name) || b[name].is_null()) return std::optional<double>();
  const json& v = b[name];
  if (v.is_number()) return std::optional<double>(v.get<double>());
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(d))
      return std::optional<double>(d);
  }
  return Status::InvalidInput(std::string(name) + ": a number");
}

}  // namespace

std::string Actor(const auth::Principal& who) {
  return who.role == auth::Role::kPublic ? "public" : "user:" + std::to_string(who.user_id);
}

json DistrictName(const registry::Snapshot& snap, int64_t id) {
  const registry::District* d = id ? snap.DistrictById(id) : nullptr;
  return d ? json(d->name) : json(nullptr);
}

json CategoryName(const std::string& code) {
  const casework::Category* c = casework::FindCategory(code);
  return c ? json(std::string(c->name)) : json(code);
}

ordered_json ReplyJson(const Complaint& c) {
  if (c.reply.empty()) return nullptr;
  return {{"text", c.reply}, {"time", TimeOrNull(c.replied_at)}};
}

ordered_json RatingJson(const Complaint& c) {
  if (!c.score) return nullptr;
  return {{"score", c.score}, {"comment", c.rating_comment}};
}

int ReplyDays(const ApiContext& ctx, const std::string& category) {
  auto it = ctx.complaint_reply_days.find(category);
  return it == ctx.complaint_reply_days.end() ? casework::kReplyDays : it->second;
}

UnixSeconds DeadlineOf(const ApiContext& ctx, const std::string& category, UnixSeconds from) {
  return casework::ReplyDeadline(from, ReplyDays(ctx, category));
}

Result<std::string> BodyText(const json& body, const char* name, size_t min, size_t max) {
  std::string v;
  if (body.contains(name) && !body[name].is_null()) {
    if (!body[name].is_string()) return Status::InvalidInput(std::string(name) + ": a string");
    v = body[name].get<std::string>();
  }
  if (min == 0 && max == SIZE_MAX) return v;
  size_t n = casework::Characters(v);
  if (n < min || n > max)
    return Status::InvalidInput(std::string(name) + ": " + std::to_string(min) + "-" +
                                std::to_string(max) + " characters");
  return v;
}

const std::vector<ParamDoc>& SubmissionBody() {
  static const std::vector<ParamDoc> kBody = {
      {.name = "category",
       .description = "air, water, noise, solid_waste, radiation, ecology or other",
       .required = true},
      {.name = "description", .description = "what was seen, 5-2000 characters", .required = true},
      {"lon", "number", "where it was seen: longitude (WGS 84 degrees)"},
      {"lat", "number", "where it was seen: latitude"},
      {"address", "string", "where it was seen, in words (needed without lon/lat)"},
      {"observed_at", "time", "when it was seen (Beijing unless an offset is given)"},
      {"phone", "string",
       "a number to call back; kept encrypted, shown only to the handling staff"},
  };
  return kBody;
}

Result<casework::Submission> ReadSubmission(const Request& req, json* body) {
  if (req.body.size() > kMaxBody) return Status::InvalidInput("the body is larger than 16 KB");
  json b = json::parse(req.body, nullptr, false);
  if (!b.is_object()) return Status::InvalidInput("the body is not a JSON object");
  casework::Submission s;
  for (auto [name, field] :
       {std::pair{"category", &s.category}, std::pair{"description", &s.description},
        std::pair{"address", &s.address}, std::pair{"phone", &s.phone}}) {
    auto v = BodyText(b, name);
    if (!v.ok()) return v.status();
    *field = std::move(*v);
  }
  auto lon = Number(b, "lon");
  if (!lon.ok()) return lon.status();
  auto lat = Number(b, "lat");
  if (!lat.ok()) return lat.status();
  s.lon = *lon;
  s.lat = *lat;
  if (b.contains("observed_at") && !b["observed_at"].is_null()) {
    const json& v = b["observed_at"];
    std::optional<UnixSeconds> t;
    if (v.is_string()) t = ParseTime(v.get<std::string>());
    if (v.is_number_integer()) t = v.get<int64_t>();
    if (!t)
      return Status::InvalidInput("observed_at: a time (RFC 3339, or YYYY-MM-DD HH:MM in Beijing)");
    s.observed_at = t;
  }
  if (body) *body = std::move(b);
  return s;
}

Result<Complaint> File(const ApiContext& ctx, const std::shared_ptr<const registry::Snapshot>& snap,
                       const casework::Submission& s, const std::string& source,
                       const std::string& actor, const std::string& text, int64_t fallback_district,
                       UnixSeconds now) {
  Complaint c;
  c.category = s.category;
  c.description = s.description;
  c.lon = s.lon;
  c.lat = s.lat;
  c.address = s.address;
  c.observed_at = s.observed_at;
  c.submitted_at = now;
  c.deadline = DeadlineOf(ctx, c.category, now);
  c.month = casework::BeijingMonth(now);
  c.source = source;
  if (!s.phone.empty()) {
    auto sealed = ctx.sealer->Seal(casework::NormalisePhone(s.phone));
    if (!sealed.ok()) return sealed.status();
    c.phone = std::move(*sealed);
  }
  c.district_id = RouteTo(snap, c, fallback_district);
  Result<Complaint> added = Status(Code::kConflict, "");
  // A taken code (one in 2^60 per stored complaint) is drawn again.
  for (int i = 0; i < 3 && added.status().code() == Code::kConflict; ++i) {
    auto random = crypto::RandomBytes(8);
    if (!random.ok()) return random.status();
    c.tracking_code = casework::TrackingCode(*random);
    added = ctx.complaints->Add(c, {0, now, casework::Step::kSubmit, actor, text});
  }
  return added;
}

json ActorName(const ApiContext& ctx, const std::string& actor, std::map<std::string, json>* seen) {
  if (actor == "public") return "公众";
  if (actor == "system") return "系统";
  if (!actor.starts_with("user:")) return actor;  // "demo", "cli"
  auto [it, fresh] = seen->try_emplace(actor, nullptr);
  int64_t id = 0;
  if (fresh && ctx.accounts && actor.starts_with("user:") && ParseId(actor.substr(5), &id))
    if (auto u = ctx.accounts->GetUser(id); u.ok())
      it->second = u->display_name.empty() ? u->username : u->display_name;
  return it->second;
}

Response Unavailable() {
  return Problem(503, "unavailable", "Complaints are not set up on this server");
}

std::optional<Response> ApplyChanges(const ApiContext& ctx,
                                     std::span<const casework::ComplaintChange> changes) {
  Status s = ctx.complaints->Apply(changes);
  if (s.code() == Code::kConflict)
    return Problem(409, "changed-meanwhile", "The complaint was changed meanwhile",
                   "read it again and retry");
  if (!s.ok()) return StoreError(s);
  return std::nullopt;
}

}  // namespace ecohub::api::complaint
