// Complaints as staff handle them (12369 环保举报, docs/complaints.md): the list with the
// phone masked, one with its time line, duplicates and photos, the phone in clear for
// those handling it (recorded), the steps (accept, reject, dispatch, reply, merge a
// duplicate, close) and the counts. The public's side is complaint_public_routes.cc;
// the rules are casework/complaint.h.
#include <spdlog/spdlog.h>

#include <cmath>
#include <map>

#include "api/complaint_views.h"
#include "api/handlers.h"
#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "casework/complaint_store.h"
#include "casework/photo.h"
#include "crypto/sealer.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using casework::Complaint;
using casework::ComplaintEvent;
using casework::ComplaintStatus;
using casework::Step;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

using complaint::Actor;
using complaint::ActorName;
using complaint::ApplyChanges;
using complaint::CategoryName;
using complaint::DistrictName;
using complaint::RatingJson;
using complaint::ReplyJson;
using complaint::Unavailable;

// What staff send to record a complaint: the public's fields, then how it came.
const std::vector<ParamDoc>& RecordBody() {
  static const std::vector<ParamDoc> kBody = [] {
    std::vector<ParamDoc> b = complaint::SubmissionBody();
    b.push_back(
        {"source", "string",
         "hotline (12369 电话, the default), visit (来访), letter (来信) or transfer (转办)"});
    b.push_back({"note", "string", "a remark for the record, at most 500 characters"});
    return b;
  }();
  return kBody;
}

const std::vector<ParamDoc> kNoteBody = {{"note", "string", "a remark for the record"}};
const std::vector<ParamDoc> kAcceptBody = {
    {"category", "string", "the category it really is, when the complainant chose another"},
    {"note", "string", "a remark for the record"}};
const std::vector<ParamDoc> kRejectBody = {
    {.name = "reason",
     .description = "why it is not the bureau's matter: the reply",
     .required = true}};
const std::vector<ParamDoc> kDispatchBody = {
    {"district_id", "integer", "the district to handle it (default: where it is)"},
    {"note", "string", "what to do, for the record"}};
const std::vector<ParamDoc> kReplyBody = {
    {.name = "text",
     .description = "the answer to the complainant, 5-4000 characters",
     .required = true}};
const std::vector<ParamDoc> kMergeBody = {{.name = "into",
                                           .type = "integer",
                                           .description = "the complaint it duplicates",
                                           .required = true},
                                          {"note", "string", "a remark for the record"}};

// What staff read: everything but the phone in clear (GET .../contact, recorded).
ordered_json StaffJson(const ApiContext& ctx, const Complaint& c, const registry::Snapshot& snap,
                       UnixSeconds now) {
  std::string phone;
  if (!c.phone.empty() && ctx.sealer) {
    auto open = ctx.sealer->Open(c.phone);
    phone = open.ok() ? casework::MaskPhone(*open) : "****";
  }
  return {
      {"id", c.id},
      {"tracking_code", c.tracking_code},
      {"category", c.category},
      {"category_name", CategoryName(c.category)},
      {"status", casework::StatusCode(c.status)},
      {"status_name", casework::StatusName(c.status)},
      {"description", c.description},
      {"lon", c.lon ? json(*c.lon) : json(nullptr)},
      {"lat", c.lat ? json(*c.lat) : json(nullptr)},
      {"address", c.address.empty() ? json(nullptr) : json(c.address)},
      {"observed_at", c.observed_at ? json(FormatRfc3339Beijing(*c.observed_at)) : json(nullptr)},
      {"submitted_at", FormatRfc3339Beijing(c.submitted_at)},
      {"district_id", c.district_id ? json(c.district_id) : json(nullptr)},
      {"district", DistrictName(snap, c.district_id)},
      {"deadline", FormatRfc3339Beijing(c.deadline)},
      {"overdue", casework::IsOverdue(c, now)},
      {"phone_masked", phone.empty() ? json(nullptr) : json(phone)},
      {"reply", ReplyJson(c)},
      {"rating", RatingJson(c)},
      {"reopened", c.reopened},
      {"merged_into", c.merged_into ? json(c.merged_into) : json(nullptr)},
      {"source", c.source}};
}

auth::Target TargetOf(const Complaint& c) { return {Area::kComplaints, nullptr, c.district_id}; }

// The complaint of the path's id that `who` may `action`, or the problem.
Result<Complaint> Reach(const ApiContext& ctx, const Request& req, const Principal& who,
                        Action action, Response* problem) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) {
    *problem = *bad;
    return Status::InvalidInput("");
  }
  auto c = ctx.complaints->Get(id);
  if (!c.ok()) {
    *problem = FromStatus(c.status());
    return c.status();
  }
  if (auto denied = Check(who, action, TargetOf(*c), ctx.clock->WallSeconds())) {
    *problem = *denied;
    return Status(Code::kPermissionDenied, "");
  }
  return c;
}

// GET /complaints/{id}/photos/{n}: the picture itself, for those who read the complaint.
Response GetPhoto(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints) return Unavailable();
  Response problem;
  auto c = Reach(ctx, req, who, Action::kRead, &problem);
  if (!c.ok()) return problem;
  int64_t n = 0;
  auto it = req.params.find("n");
  if (it == req.params.end() || !ParseId(it->second, &n) || n > casework::kMaxPhotos)
    return Problem(404, "not-found", "No such photo");
  auto photo = ctx.complaints->Photo(c->id, static_cast<int>(n));
  if (!photo.ok()) return FromStatus(photo.status());
  Response r;
  r.content_type = photo->media_type;
  r.body = std::move(photo->bytes);
  return r;
}

// Near a located complaint (its box of kDuplicateMetres), the open ones of its
// category submitted within kDuplicateSeconds of it.
std::vector<Complaint> Duplicates(const ApiContext& ctx, const Complaint& c, const Principal& who,
                                  UnixSeconds now) {
  std::vector<Complaint> out;
  if (!c.lon || !casework::IsOpen(c.status)) return out;
  double dlat = casework::kDuplicateMetres / 111000.0;
  double dlon = dlat / std::max(0.1, std::cos(*c.lat * 3.14159265358979323846 / 180));
  const double box[4] = {*c.lon - dlon, *c.lat - dlat, *c.lon + dlon, *c.lat + dlat};
  auto near = ctx.complaints->Near(c.category, c.submitted_at - casework::kDuplicateSeconds,
                                   c.submitted_at + casework::kDuplicateSeconds + 1, box, 50);
  if (!near.ok()) return out;
  for (Complaint& o : *near)
    if (o.id != c.id && casework::IsOpen(o.status) && casework::LikelyDuplicates(c, o) &&
        !Check(who, Action::kRead, TargetOf(o), now))
      out.push_back(std::move(o));
  return out;
}

Response ComplaintDetail(const ApiContext& ctx, const Complaint& c, const Principal& who) {
  UnixSeconds now = ctx.clock->WallSeconds();
  auto snap = ctx.sites->Get();
  auto events = ctx.complaints->Events(c.id);
  if (!events.ok()) return StoreError(events.status());
  ordered_json j = StaffJson(ctx, c, *snap, now);
  ordered_json timeline = ordered_json::array();
  std::map<std::string, json> names;  // actor -> who that is, for people to read
  for (const auto& e : *events)
    timeline.push_back({{"time", FormatRfc3339Beijing(e.at)},
                        {"event", casework::StepCode(e.step)},
                        {"event_name", casework::StepName(e.step)},
                        {"actor", e.actor},
                        {"actor_name", ActorName(ctx, e.actor, &names)},
                        {"text", e.text.empty() ? json(nullptr) : json(e.text)},
                        {"public", casework::IsPublicStep(e.step)}});
  j["timeline"] = std::move(timeline);
  ordered_json dups = ordered_json::array();
  for (const auto& d : Duplicates(ctx, c, who, now)) dups.push_back(StaffJson(ctx, d, *snap, now));
  j["duplicates"] = std::move(dups);
  auto photos = ctx.complaints->Photos(c.id);
  if (!photos.ok()) return StoreError(photos.status());
  ordered_json pics = ordered_json::array();
  for (const auto& p : *photos)
    pics.push_back({{"n", p.ord},
                    {"media_type", p.media_type},
                    {"size", p.size},
                    {"time", FormatRfc3339Beijing(p.at)},
                    {"url", "/api/v1/complaints/" + std::to_string(c.id) + "/photos/" +
                                std::to_string(p.ord)}});
  j["photos"] = std::move(pics);
  return JsonResponse(j);
}

Response GetComplaint(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints) return Unavailable();
  Response problem;
  auto c = Reach(ctx, req, who, Action::kRead, &problem);
  if (!c.ok()) return problem;
  return ComplaintDetail(ctx, *c, who);
}

// POST /complaints: staff record a complaint they received on the 12369 line, at the
// counter, by letter or from another office. Whoever handles complaints in their own
// scope may record one; it goes where its place is, like the public's, and to the
// recorder's district when neither the place nor the address names one.
Response RecordComplaint(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints || !ctx.sealer) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kWrite, {Area::kComplaints, nullptr, who.district_id}, now))
    return *denied;
  json body;
  auto sub = complaint::ReadSubmission(req, &body);
  std::string source = "hotline", note;
  Status ok = sub.status();
  if (ok.ok()) {
    auto given = complaint::BodyText(body, "source");
    ok = given.status();
    if (ok.ok() && !given->empty()) {
      if (!casework::FindSource(*given))
        ok = Status::InvalidInput("source: hotline, visit, letter or transfer");
      source = std::move(*given);
    }
  }
  if (ok.ok()) {
    auto given = complaint::BodyText(body, "note", 0, 500);
    ok = given.status();
    if (ok.ok()) note = std::move(*given);
  }
  if (ok.ok()) ok = casework::CheckSubmission(*sub, now);
  if (!ok.ok()) {
    spdlog::info("complaint recorded by user {} refused: {}", who.user_id, ok.message());
    return Problem(400, "bad-field", "The complaint is not complete", ok.message());
  }
  std::string text(casework::FindSource(source)->name);
  if (!note.empty()) text += ": " + note;
  auto added =
      complaint::File(ctx, ctx.sites->Get(), *sub, source, Actor(who), text, who.district_id, now);
  if (!added.ok()) return StoreError(added.status());
  Audit(ctx, who, "complaints.record", "complaint:" + std::to_string(added->id),
        {{"source", source}, {"category", added->category}, {"district_id", added->district_id}});
  spdlog::info("complaint {} ({}, {}) recorded by user {}, to district {}", added->id,
               added->category, source, who.user_id, added->district_id);
  Response r = ComplaintDetail(ctx, *added, who);
  if (r.status == 200) r.status = 201;
  return r;
}

Response GetContact(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints || !ctx.sealer) return Unavailable();
  Response problem;
  // Personal data: those who handle the complaint, not every reader.
  auto c = Reach(ctx, req, who, Action::kWrite, &problem);
  if (!c.ok()) return problem;
  std::string phone;
  if (!c->phone.empty()) {
    auto open = ctx.sealer->Open(c->phone);
    if (!open.ok()) return StoreError(open.status());
    phone = std::move(*open);
  }
  Audit(ctx, who, "complaints.contact_read", "complaint:" + std::to_string(c->id),
        {{"had_phone", !phone.empty()}});
  Response r = JsonResponse(ordered_json{{"phone", phone.empty() ? json(nullptr) : json(phone)}});
  return r;
}

// POST /complaints/{id}/erase-contact: the complainant asks for their phone to be
// deleted (个人信息保护法 art. 47) before the keeping time has passed. Those handling the
// complaint do it, with the request as reason; the complaint itself stays.
Response EraseContact(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints) return Unavailable();
  Response problem;
  auto c = Reach(ctx, req, who, Action::kWrite, &problem);
  if (!c.ok()) return problem;
  json body = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
  if (!body.is_object()) return Problem(400, "bad-body", "The body is not a JSON object");
  auto reason = complaint::BodyText(body, "reason", 2, 500);
  if (!reason.ok()) return Problem(400, "bad-field", "Say why", reason.status().message());
  if (c->phone.empty())
    return Problem(409, "nothing-to-erase", "The complaint keeps no phone", "没有可删除的联系方式");
  UnixSeconds now = ctx.clock->WallSeconds();
  casework::ComplaintChange change{
      *c, {{c->id, now, Step::kNote, Actor(who), "应本人要求删除联系方式：" + *reason}}};
  change.after.phone.clear();
  if (auto failed = ApplyChanges(ctx, {&change, 1})) return *failed;
  Audit(ctx, who, "complaints.contact_erased", "complaint:" + std::to_string(c->id),
        {{"reason", *reason}});
  auto after = ctx.complaints->Get(c->id);
  if (!after.ok()) return StoreError(after.status());
  return ComplaintDetail(ctx, *after, who);
}

// POST /complaints/personal-data: every complaint that carries a phone number, for a
// person who asks what the bureau holds about them (个人信息保护法 art. 45), once their
// identity is checked. The city's complaint staff and administrators; recorded.
Response PersonalData(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints || !ctx.sealer) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kWrite, {Area::kComplaints, nullptr, 0}, now))
    return *denied;
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) return Problem(400, "bad-body", "The body is not a JSON object");
  auto phone = complaint::BodyText(body, "phone", 1, 40);
  Status ok = phone.ok() ? casework::CheckPhone(*phone) : phone.status();
  if (!ok.ok()) return Problem(400, "bad-field", "Give the phone number", ok.message());
  const std::string wanted = casework::NormalisePhone(*phone);
  auto snap = ctx.sites->Get();
  ordered_json items = ordered_json::array();
  casework::ComplaintFilter f;
  f.limit = 500;
  for (;;) {
    auto page = ctx.complaints->List(f);
    if (!page.ok()) return StoreError(page.status());
    for (const Complaint& c : *page) {
      if (c.phone.empty()) continue;
      auto open = ctx.sealer->Open(c.phone);
      if (!open.ok() || casework::NationalNumber(*open) != casework::NationalNumber(wanted))
        continue;
      ordered_json j = StaffJson(ctx, c, *snap, now);
      auto photos = ctx.complaints->Photos(c.id);
      j["photos"] = photos.ok() ? photos->size() : 0;
      items.push_back(std::move(j));
    }
    if (page->size() < f.limit) break;
    f.before = page->back().id;
  }
  const std::string masked = casework::MaskPhone(casework::NationalNumber(wanted));
  Audit(ctx, who, "complaints.personal_data", "phone:" + masked, {{"found", items.size()}});
  Response r = JsonResponse(ordered_json{{"phone_masked", masked}, {"items", std::move(items)}});
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response ListComplaints(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  casework::ComplaintFilter f;
  std::string status = Param(req, "status", "");
  if (!status.empty()) {
    f.status = casework::StatusFromCode(status);
    if (!f.status) return Problem(400, "bad-parameter", "status names no status", status);
  }
  f.category = Param(req, "category", "");
  if (!f.category.empty() && !casework::FindCategory(f.category))
    return Problem(400, "bad-parameter", "category names no category", f.category);
  std::string district = Param(req, "district", "");
  if (!district.empty()) {
    int64_t id = 0;
    if (!ParseId(district, &id) && district != "0")
      return Problem(400, "bad-parameter", "district is a district's id (0: the city's)", district);
    f.district_id = id;
  }
  // Staff of a district see their district's complaints.
  if (who.role == auth::Role::kStaff && who.district_id != 0) {
    if (f.district_id && *f.district_id != who.district_id)
      return Problem(403, "forbidden", "Forbidden", "staff of a district see their district's");
    f.district_id = who.district_id;
  }
  if (auto denied =
          Check(who, Action::kRead, {Area::kComplaints, nullptr, f.district_id.value_or(0)}, now))
    return *denied;
  std::string overdue = Param(req, "overdue", "false");
  if (overdue != "true" && overdue != "false")
    return Problem(400, "bad-parameter", "overdue must be true or false", overdue);
  if (overdue == "true") f.overdue_at = now;
  if (auto bad = ReadListWindow(req, 500, &f)) return *bad;
  auto rows = ctx.complaints->List(f);
  if (!rows.ok()) return StoreError(rows.status());
  auto snap = ctx.sites->Get();
  ordered_json items = ordered_json::array();
  for (const auto& c : *rows) items.push_back(StaffJson(ctx, c, *snap, now));
  json next = rows->size() == f.limit ? json(CursorAfter(rows->back().id)) : json(nullptr);
  return JsonResponse<ordered_json>({{"items", std::move(items)}, {"next_cursor", next}});
}

// One staff step on the complaint of the path: its body read, the step checked
// against the status, the change applied with its time line and audit record.
Response TakeStep(const ApiContext& ctx, const Request& req, const Principal& who, Step step,
                  const std::vector<ParamDoc>& fields) {
  if (!ctx.complaints) return Unavailable();
  json b;
  if (auto bad = ParseBody(req, fields, &b)) return *bad;
  Response problem;
  auto c = Reach(ctx, req, who, Action::kWrite, &problem);
  if (!c.ok()) return problem;
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto why = casework::RefuseStep(*c, step, now))
    return Problem(409, "bad-transition", "This step is not possible now", *why);
  Complaint after = *c;
  std::string text = b.value("note", "");
  std::vector<casework::ComplaintChange> changes;
  json detail = {{"from", casework::StatusCode(c->status)}};
  switch (step) {
    case Step::kAccept: {
      std::string category = b.value("category", c->category);
      if (!casework::FindCategory(category))
        return Problem(400, "bad-field", "category names no category", category);
      after.category = category;
      after.status = ComplaintStatus::kAccepted;
      if (category != c->category) {
        // Its deadline is the new category's, counted from when it was filed.
        after.deadline = complaint::DeadlineOf(ctx, category, c->submitted_at);
        detail["category"] = category;
      }
      break;
    }
    case Step::kReject:
    case Step::kReply: {
      text = b.value(step == Step::kReject ? "reason" : "text", "");
      if (casework::Characters(text) < 5 || casework::Characters(text) > 4000)
        return Problem(400, "bad-field", "The answer is 5 to 4000 characters");
      after.status = step == Step::kReject ? ComplaintStatus::kRejected : ComplaintStatus::kReplied;
      after.reply = text;
      after.replied_at = now;
      // Those merged into it get the same answer: each complainant is told, and may
      // rate or reopen their own.
      auto merged = ctx.complaints->List({.merged_into = c->id, .limit = 1000});
      if (!merged.ok()) return StoreError(merged.status());
      for (Complaint m : *merged) {
        if (m.status != ComplaintStatus::kMerged) continue;
        m.status = after.status;
        m.reply = text;
        m.replied_at = now;
        changes.push_back({m, {{m.id, now, step, Actor(who), text}}});
      }
      if (!changes.empty()) detail["merged_answered"] = changes.size();
      break;
    }
    case Step::kDispatch: {
      if (b.contains("district_id")) {
        int64_t to = b["district_id"].get<int64_t>();
        const registry::District* d = ctx.sites->Get()->DistrictById(to);
        if (!d || !d->active)
          return Problem(400, "bad-field", "district_id names no active district");
        // Handing it to another district needs the right to handle it there too.
        if (auto denied = Check(who, Action::kWrite, {Area::kComplaints, nullptr, to}, now))
          return *denied;
        after.district_id = to;
        detail["district_id"] = to;
      }
      after.status = ComplaintStatus::kDispatched;
      break;
    }
    case Step::kMerge: {
      int64_t into = b["into"].get<int64_t>();
      auto target = ctx.complaints->Get(into);
      if (!target.ok() || into == c->id)
        return Problem(400, "bad-field", "into names no other complaint");
      if (auto denied = Check(who, Action::kWrite, TargetOf(*target), now)) return *denied;
      if (!casework::IsOpen(target->status) || target->category != c->category)
        return Problem(409, "bad-transition", "Only into an open complaint of the same category");
      after.status = ComplaintStatus::kMerged;
      after.merged_into = into;
      changes.push_back({*target, {{into, now, Step::kMergedIn, Actor(who), c->tracking_code}}});
      detail["into"] = into;
      break;
    }
    case Step::kClose:
      after.status = ComplaintStatus::kClosed;
      break;
    default:
      return Problem(400, "bad-step", "Not a staff step");
  }
  changes.insert(changes.begin(), {after, {{c->id, now, step, Actor(who), text}}});
  if (auto refused = ApplyChanges(ctx, changes)) return *refused;
  detail["to"] = casework::StatusCode(after.status);
  Audit(ctx, who, "complaints." + std::string(casework::StepCode(step)),
        "complaint:" + std::to_string(c->id), detail);
  auto got = ctx.complaints->Get(c->id);
  if (!got.ok()) return StoreError(got.status());
  return ComplaintDetail(ctx, *got, who);
}

Response ComplaintStats(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.complaints) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  int64_t scope = who.role == auth::Role::kStaff ? who.district_id : 0;
  if (auto denied = Check(who, Action::kRead, {Area::kComplaints, nullptr, scope}, now))
    return *denied;
  std::string bad;
  UnixSeconds to = TimeParam(req, "to", now + 1, &bad);
  UnixSeconds from = TimeParam(req, "from", to - 366 * kDay, &bad);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  std::string by = Param(req, "by", "district");
  if (by != "district" && by != "category" && by != "month")
    return Problem(400, "bad-parameter", "by is district, category or month", by);
  auto counts = ctx.complaints->Counts(from, to, now);
  if (!counts.ok()) return StoreError(counts.status());
  auto snap = ctx.sites->Get();
  struct Sum {
    json name;
    int64_t total = 0, open = 0, replied = 0, closed = 0, overdue = 0;
  };
  std::map<std::string, Sum> sums;
  for (const auto& n : *counts) {
    if (scope != 0 && n.district_id != scope) continue;
    std::string key = by == "district"   ? std::to_string(n.district_id)
                      : by == "category" ? n.category
                                         : n.month;
    Sum& s = sums[key];
    if (by == "district")
      s.name = n.district_id ? DistrictName(*snap, n.district_id) : json("市级（未分派）");
    else if (by == "category")
      s.name = CategoryName(n.category);
    else
      s.name = n.month;
    s.total += n.count;
    s.overdue += n.overdue;
    if (casework::IsOpen(n.status)) s.open += n.count;
    if (n.status == ComplaintStatus::kReplied) s.replied += n.count;
    if (n.status == ComplaintStatus::kClosed || n.status == ComplaintStatus::kRejected ||
        n.status == ComplaintStatus::kMerged)
      s.closed += n.count;
  }
  // Months in order; districts and categories with the most complaints first.
  std::vector<std::pair<std::string, Sum>> rows(sums.begin(), sums.end());
  if (by != "month")
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.second.total > b.second.total; });
  ordered_json items = ordered_json::array();
  for (const auto& [key, s] : rows)
    items.push_back({{"key", key},
                     {"name", s.name},
                     {"total", s.total},
                     {"open", s.open},
                     {"replied", s.replied},
                     {"closed", s.closed},
                     {"overdue", s.overdue}});
  return JsonResponse<ordered_json>({{"by", by},
                                     {"from", FormatRfc3339Beijing(from)},
                                     {"to", FormatRfc3339Beijing(to)},
                                     {"items", std::move(items)}});
}

const char* kStaffAnswer =
    "the complaint with its time line and duplicates, as GET /complaints/{id}; 409 "
    "bad-transition when its status does not allow the step, changed-meanwhile when another "
    "change came first";

}  // namespace

void AddComplaintRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/complaints",
          {.summary = "Complaints, newest first, the phone masked; administrators, leaders and "
                      "staff (of their district)",
           .tag = "Casework",
           .query = {{"status", "string",
                      "submitted, accepted, dispatched, replied, closed, "
                      "rejected or merged"},
                     {"category", "string", "a category's code"},
                     {"district", "integer", "a district's id; 0: not routed (the city's)"},
                     {"overdue", "boolean", "true: open ones past their deadline"},
                     {"from", "time", "submitted at or after"},
                     {"to", "time", "submitted before"},
                     {"cursor", "string", "next_cursor of the previous page"},
                     {"limit", "integer", "1..500, default 100"}},
           .id = "listComplaints",
           .list = true},
          Bind(ctx, ListComplaints));
  api.Add("POST", "/api/v1/complaints",
          {.summary = "Record a complaint taken on the 12369 line, at the counter, by letter or "
                      "from another office; administrators and staff",
           .tag = "Casework",
           .body = RecordBody(),
           .response = "the complaint as GET /complaints/{id} gives it (201)",
           .id = "recordComplaint"},
          Bind(ctx, RecordComplaint));
  api.Add("POST", "/api/v1/complaints/personal-data",
          {.summary = "Every complaint that carries a phone number, for a person asking what "
                      "the bureau holds about them (PIPL); the city's staff and "
                      "administrators, recorded",
           .tag = "Casework",
           .body = {{.name = "phone",
                     .description = "the person's number, 7-20 digits",
                     .required = true}},
           .response = "{phone_masked, items[complaint as staff read it, photos]}",
           .id = "complaintPersonalData"},
          Bind(ctx, PersonalData));
  api.Add("POST", "/api/v1/complaints/{id}/erase-contact",
          {.summary = "Delete the complainant's phone at their request (PIPL); those handling "
                      "the complaint",
           .tag = "Casework",
           .body = {{.name = "reason",
                     .description = "the request, 2-500 characters",
                     .required = true}},
           .response = "the complaint as GET /complaints/{id} gives it",
           .id = "eraseComplaintContact"},
          Bind(ctx, EraseContact));
  api.Add("GET", "/api/v1/complaints/stats",
          {.summary = "Complaints counted by district, category or month: total, open, "
                      "replied, closed, overdue",
           .tag = "Casework",
           .query = {{"by", "string", "district (default), category or month"},
                     {"from", "time", "submitted at or after (default: a year back)"},
                     {"to", "time", "submitted before (default: now)"}},
           .response = "{by, from, to, items[{key, name, total, open, replied, closed, overdue}]}",
           .id = "complaintStats"},
          Bind(ctx, ComplaintStats));
  api.Add("GET", "/api/v1/complaints/{id}",
          {.summary = "One complaint with its whole time line and its likely duplicates",
           .tag = "Casework",
           .response = "{id, tracking_code, category, status, description, lon, lat, address, "
                       "district_id, district, deadline, overdue, phone_masked, reply, rating, "
                       "timeline[{time, event, event_name, actor, text, public}], duplicates[]}",
           .id = "getComplaint"},
          Bind(ctx, GetComplaint));
  api.Add("GET", "/api/v1/complaints/{id}/photos/{n}",
          {.summary = "A photo of a complaint (image/jpeg or image/png), as kept",
           .tag = "Casework",
           .response = "the picture",
           .id = "getComplaintPhoto",
           .media_type = "image/jpeg"},
          Bind(ctx, GetPhoto));
  api.Add("GET", "/api/v1/complaints/{id}/contact",
          {.summary = "The complainant's phone in clear, for those handling the complaint; "
                      "every read is on the audit record",
           .tag = "Casework",
           .response = "{phone}",
           .id = "getComplaintContact"},
          Bind(ctx, GetContact));
  struct StepRoute {
    const char* path;
    const char* summary;
    Step step;
    const std::vector<ParamDoc>* body;
    const char* id;
  };
  const StepRoute steps[] = {
      {"/api/v1/complaints/{id}/accept", "Accept (受理) a complaint, perhaps as another category",
       Step::kAccept, &kAcceptBody, "acceptComplaint"},
      {"/api/v1/complaints/{id}/reject",
       "Refuse (不予受理) a complaint that is not the bureau's matter; the reason is the reply",
       Step::kReject, &kRejectBody, "rejectComplaint"},
      {"/api/v1/complaints/{id}/dispatch", "Dispatch (派发) a complaint to a district to handle",
       Step::kDispatch, &kDispatchBody, "dispatchComplaint"},
      {"/api/v1/complaints/{id}/reply",
       "Reply (答复) to the complainant, and to those whose complaints were merged into it",
       Step::kReply, &kReplyBody, "replyComplaint"},
      {"/api/v1/complaints/{id}/merge", "Merge a duplicate into the complaint it repeats",
       Step::kMerge, &kMergeBody, "mergeComplaint"},
      {"/api/v1/complaints/{id}/close", "Close (办结) a replied complaint", Step::kClose,
       &kNoteBody, "closeComplaint"},
  };
  for (const StepRoute& s : steps)
    api.Add("POST", s.path,
            {.summary = s.summary,
             .tag = "Casework",
             .body = *s.body,
             .response = kStaffAnswer,
             .id = s.id},
            [ctx, step = s.step, body = s.body](const Request& req, const Principal& who) {
              return TakeStep(ctx, req, who, step, *body);
            });
}

}  // namespace ecohub::api
