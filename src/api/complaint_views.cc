#include "api/complaint_views.h"

#include "api/route_util.h"
#include "core/time.h"

namespace ecohub::api::complaint {

using casework::Complaint;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

json TimeOrNull(UnixSeconds t) { return t ? json(FormatRfc3339Beijing(t)) : json(nullptr); }

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
