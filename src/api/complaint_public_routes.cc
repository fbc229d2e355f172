// Complaints from the public (12369 环保举报, docs/complaints.md): submitted on the
// portal with no login (and photos with them), routed to the district covering the
// place, followed by tracking code, rated and reopened once by the complainant. The
// staff's side is complaint_routes.cc; the rules are casework/complaint.h.
#include <spdlog/spdlog.h>

#include <cmath>

#include "api/complaint_views.h"
#include "api/handlers.h"
#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "casework/complaint_store.h"
#include "casework/photo.h"
#include "crypto/sealer.h"

namespace ecohub::api {

using auth::Principal;
using casework::Complaint;
using casework::ComplaintEvent;
using casework::ComplaintStatus;
using casework::Step;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

using complaint::Actor;
using complaint::ApplyChanges;
using complaint::CategoryName;
using complaint::DistrictName;
using complaint::RatingJson;
using complaint::ReplyJson;
using complaint::Unavailable;

const std::vector<ParamDoc> kRatingBody = {{.name = "score",
                                            .type = "integer",
                                            .description = "1 (very dissatisfied) to 5",
                                            .required = true},
                                           {"comment", "string", "at most 500 characters"}};
const std::vector<ParamDoc> kReopenBody = {
    {.name = "reason",
     .description = "why the reply does not settle it, 5-500 characters",
     .required = true}};

// What the public reads of its complaint: progress, never personal data, the place
// or the description (which may name people).
ordered_json PublicJson(const Complaint& c, const std::vector<ComplaintEvent>& events,
                        const registry::Snapshot& snap, UnixSeconds now) {
  ordered_json timeline = ordered_json::array();
  for (const auto& e : events) {
    if (!casework::IsPublicStep(e.step)) continue;
    // Staff notes on accepting or dispatching stay inside; answers and the
    // complainant's own words are shown.
    bool shown = e.step == Step::kReply || e.step == Step::kReject || e.step == Step::kRate ||
                 e.step == Step::kReopen;
    timeline.push_back({{"time", FormatRfc3339Beijing(e.at)},
                        {"event", casework::StepCode(e.step)},
                        {"event_name", casework::StepName(e.step)},
                        {"text", shown && !e.text.empty() ? json(e.text) : json(nullptr)}});
  }
  return {
      {"tracking_code", c.tracking_code},
      {"category", c.category},
      {"category_name", CategoryName(c.category)},
      {"status", casework::StatusCode(c.status)},
      {"status_name", casework::StatusName(c.status)},
      {"district", DistrictName(snap, c.district_id)},
      {"submitted_at", FormatRfc3339Beijing(c.submitted_at)},
      {"observed_at", c.observed_at ? json(FormatRfc3339Beijing(*c.observed_at)) : json(nullptr)},
      {"deadline", FormatRfc3339Beijing(c.deadline)},
      {"overdue", casework::IsOverdue(c, now)},
      {"timeline", std::move(timeline)},
      {"reply", ReplyJson(c)},
      {"rating", RatingJson(c)},
      {"can_rate", casework::CanRate(c)},
      {"can_reopen", casework::CanReopen(c, now)}};
}

// Photos come with the submission: up to kMaxPhotos, within a day of it, while open.
bool MayAddPhoto(const Complaint& c, size_t count, UnixSeconds now) {
  return count < static_cast<size_t>(casework::kMaxPhotos) && casework::IsOpen(c.status) &&
         now - c.submitted_at <= casework::kDaySeconds;
}

Response Refused429(double retry_after) {
  Response r = Problem(429, "rate-limited", "Too many complaints from here",
                       "try again later, or call 12369; see Retry-After");
  r.headers.emplace_back("Retry-After", std::to_string(static_cast<int>(std::ceil(retry_after))));
  return r;
}

Response SubmitComplaint(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints || !ctx.sealer) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  if (ctx.complaint_limiter) {
    auto v = ctx.complaint_limiter->Take("city", req.peer, static_cast<double>(now));
    if (!v.allowed) {
      spdlog::warn("complaint from {} refused: over the submission limit", req.peer);
      return Refused429(v.reset_seconds);
    }
  }
  auto sub = complaint::ReadSubmission(req);
  Status ok = sub.ok() ? casework::CheckSubmission(*sub, now) : sub.status();
  if (!ok.ok()) {
    spdlog::info("complaint from {} refused: {}", req.peer, ok.message());
    return Problem(400, "bad-field", "The complaint is not complete", ok.message());
  }
  auto snap = ctx.sites->Get();
  auto added = complaint::File(ctx, snap, *sub, "portal", "public", "", 0, now);
  if (!added.ok()) return StoreError(added.status());
  const Complaint& c = *added;
  Audit(ctx, who, "complaints.submit", "complaint:" + std::to_string(c.id),
        {{"category", c.category},
         {"district_id", c.district_id},
         {"located", c.lon.has_value()},
         {"peer", req.peer}});
  spdlog::info("complaint {} ({}) submitted, to district {}", c.id, c.category, c.district_id);
  ordered_json j = {{"tracking_code", c.tracking_code},
                    {"status", casework::StatusCode(c.status)},
                    {"district", DistrictName(*snap, c.district_id)},
                    {"deadline", FormatRfc3339Beijing(c.deadline)}};
  Response r = JsonResponse(j, 201);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// The complaint a tracking code in the path names, or its 404.
Result<Complaint> ByCode(const ApiContext& ctx, const Request& req) {
  auto it = req.params.find("code");
  auto code = casework::NormaliseTrackingCode(it == req.params.end() ? "" : it->second);
  if (!code) return Status::NotFound("no complaint has this tracking code");
  auto c = ctx.complaints->GetByCode(*code);
  if (c.status().code() == Code::kNotFound)
    return Status::NotFound("no complaint has this tracking code");
  return c;
}

Response PublicAnswer(const ApiContext& ctx, const Complaint& c, UnixSeconds now) {
  auto events = ctx.complaints->Events(c.id);
  if (!events.ok()) return StoreError(events.status());
  auto photos = ctx.complaints->Photos(c.id);
  if (!photos.ok()) return StoreError(photos.status());
  ordered_json j = PublicJson(c, *events, *ctx.sites->Get(), now);
  j["photos"] = photos->size();
  j["can_add_photos"] = MayAddPhoto(c, photos->size(), now);
  Response r = JsonResponse(j);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// POST /public/complaints/{code}/photos: a JPEG or PNG as the body, its metadata taken
// out (casework/photo.h), while the complaint is new. Not counted against the
// submission limit: four per complaint at most, and a complaint is limited already.
Response AddPhoto(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  auto c = ByCode(ctx, req);
  if (!c.ok()) return FromStatus(c.status());
  auto photos = ctx.complaints->Photos(c->id);
  if (!photos.ok()) return StoreError(photos.status());
  if (!MayAddPhoto(*c, photos->size(), now))
    return Problem(409, "not-allowed", "No more photos can be added",
                   "up to 4, within a day of submitting, while it is open");
  auto clean = casework::CleanPhotoBytes(req.body);
  if (!clean.ok()) {
    spdlog::info("photo for complaint {} from {} refused: {}", c->id, req.peer,
                 clean.status().message());
    return Problem(400, "bad-photo", "The photo cannot be kept", clean.status().message());
  }
  auto ord =
      ctx.complaints->AddPhoto(c->id, clean->media_type, clean->bytes, now, casework::kMaxPhotos);
  if (ord.status().code() == Code::kConflict)
    return Problem(409, "not-allowed", "No more photos can be added", ord.status().message());
  if (!ord.ok()) return StoreError(ord.status());
  Audit(ctx, who, "complaints.photo", "complaint:" + std::to_string(c->id),
        {{"photo", *ord},
         {"media_type", clean->media_type},
         {"bytes", clean->bytes.size()},
         {"removed_bytes", req.body.size() - clean->bytes.size()}});
  Response r = JsonResponse(
      ordered_json{
          {"photo", *ord}, {"media_type", clean->media_type}, {"size", clean->bytes.size()}},
      201);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response TrackComplaint(const ApiContext& ctx, const Request& req, const Principal&) {
  if (!ctx.complaints) return Unavailable();
  auto c = ByCode(ctx, req);
  if (!c.ok()) return FromStatus(c.status());
  return PublicAnswer(ctx, *c, ctx.clock->WallSeconds());
}

Response RateComplaint(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints) return Unavailable();
  json b;
  if (auto bad = ParseBody(req, kRatingBody, &b)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  auto c = ByCode(ctx, req);
  if (!c.ok()) return FromStatus(c.status());
  int64_t score = b["score"].get<int64_t>();
  std::string comment = b.value("comment", "");
  if (score < 1 || score > 5) return Problem(400, "bad-field", "score is 1 to 5");
  if (casework::Characters(comment) > 500)
    return Problem(400, "bad-field", "comment: at most 500 characters");
  if (auto why = casework::RefuseStep(*c, Step::kRate, now))
    return Problem(409, "not-allowed", "The complaint cannot be rated now", *why);
  Complaint after = *c;
  after.score = static_cast<int>(score);
  after.rating_comment = comment;
  after.status = ComplaintStatus::kClosed;
  std::string text = std::to_string(score) + "分" + (comment.empty() ? "" : "：" + comment);
  casework::ComplaintChange change{after, {{c->id, now, Step::kRate, Actor(who), text}}};
  if (auto refused = ApplyChanges(ctx, {&change, 1})) return *refused;
  Audit(ctx, who, "complaints.rate", "complaint:" + std::to_string(c->id), {{"score", score}});
  auto got = ctx.complaints->Get(c->id);
  if (!got.ok()) return StoreError(got.status());
  return PublicAnswer(ctx, *got, now);
}

Response ReopenComplaint(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints) return Unavailable();
  json b;
  if (auto bad = ParseBody(req, kReopenBody, &b)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  auto c = ByCode(ctx, req);
  if (!c.ok()) return FromStatus(c.status());
  std::string reason = b["reason"];
  if (casework::Characters(reason) < 5 || casework::Characters(reason) > 500)
    return Problem(400, "bad-field", "reason: 5 to 500 characters");
  if (auto why = casework::RefuseStep(*c, Step::kReopen, now))
    return Problem(409, "not-allowed", "The complaint cannot be reopened", *why);
  Complaint after = *c;
  after.status = ComplaintStatus::kAccepted;
  after.reopened = true;
  after.reply.clear();
  // The new reply is rated afresh; the first rating stays on the time line.
  after.score = 0;
  after.rating_comment.clear();
  after.deadline = complaint::DeadlineOf(ctx, c->category, now);
  casework::ComplaintChange change{after, {{c->id, now, Step::kReopen, Actor(who), reason}}};
  if (auto refused = ApplyChanges(ctx, {&change, 1})) return *refused;
  Audit(ctx, who, "complaints.reopen", "complaint:" + std::to_string(c->id), json::object());
  auto got = ctx.complaints->Get(c->id);
  if (!got.ok()) return StoreError(got.status());
  return PublicAnswer(ctx, *got, now);
}

Response ListCategories(const ApiContext& ctx, const Request&, const Principal&) {
  ordered_json items = ordered_json::array();
  for (const auto& c : casework::Categories())
    items.push_back({{"code", c.code},
                     {"name", c.name},
                     {"name_en", c.name_en},
                     {"reply_days", complaint::ReplyDays(ctx, std::string(c.code))}});
  return JsonResponse<ordered_json>({{"items", std::move(items)}});
}

}  // namespace

void AddPublicComplaintRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/public/complaints/categories",
          {.summary = "The categories of complaints (举报类别) and their reply deadlines",
           .tag = "Public",
           .login = false,
           .id = "listComplaintCategories",
           .list = true},
          Bind(ctx, ListCategories));
  api.Add("POST", "/api/v1/public/complaints",
          {.summary = "Submit a complaint (12369 环保举报) with no login; routed to the district "
                      "covering its place (or named by its address). Limited per address",
           .tag = "Public",
           .body = complaint::SubmissionBody(),
           .login = false,
           .response = "201 {tracking_code, status, district, deadline}; 400 bad-field naming "
                       "the field; 429 with Retry-After",
           .id = "submitComplaint"},
          Bind(ctx, SubmitComplaint));
  api.Add("GET", "/api/v1/public/complaints/{code}",
          {.summary = "A complaint's progress by its tracking code: status, district, time "
                      "line, reply; never personal data",
           .tag = "Public",
           .login = false,
           .response = "{tracking_code, category, category_name, status, status_name, district, "
                       "submitted_at, observed_at, deadline, overdue, timeline[{time, event, "
                       "event_name, text}], reply, rating, can_rate, can_reopen}",
           .id = "trackComplaint"},
          Bind(ctx, TrackComplaint));
  api.Add("POST", "/api/v1/public/complaints/{code}/photos",
          {.summary = "Add a photo to a new complaint: a JPEG or PNG of at most 1 MB as the "
                      "request body; its metadata (EXIF with the place, text) is removed before "
                      "it is kept. Up to 4, within a day of submitting",
           .tag = "Public",
           .login = false,
           .response = "201 {photo, media_type, size}; 400 bad-photo saying why; 409 not-allowed",
           .id = "addComplaintPhoto"},
          Bind(ctx, AddPhoto));
  api.Add("POST", "/api/v1/public/complaints/{code}/rating",
          {.summary = "The complainant rates the reply (once); this closes the complaint",
           .tag = "Public",
           .body = kRatingBody,
           .login = false,
           .response = "the progress, as GET; 409 not-allowed before a reply or after a rating",
           .id = "rateComplaint"},
          Bind(ctx, RateComplaint));
  api.Add("POST", "/api/v1/public/complaints/{code}/reopen",
          {.summary = "The complainant asks again (once, within 30 days of the reply)",
           .tag = "Public",
           .body = kReopenBody,
           .login = false,
           .response = "the progress, as GET; 409 not-allowed",
           .id = "reopenComplaint"},
          Bind(ctx, ReopenComplaint));
}

}  // namespace ecohub::api
