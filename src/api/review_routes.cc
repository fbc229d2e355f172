// Review (审核) over HTTP (docs/data-review.md): staff confirm, invalidate or correct
// stored values; the readings take the result, the record keeps what they were, the
// derived values are computed again, and every change is in the audit log. A day
// closed as reviewed (审核完成) takes a change only with a second person's approval.
#include "api/handlers.h"
#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "review/review_store.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

const std::vector<ParamDoc> kReviewBody = {
    {.name = "action", .description = "confirm, invalidate or correct", .required = true},
    {.name = "site", .description = "the site's code", .required = true},
    {.name = "factor", .description = "the factor's code", .required = true},
    {"period", "string", "minute, hour (default) or day"},
    {.name = "from", .description = "the first period's start (a time)", .required = true},
    {"to", "string", "the end (default: one period after from)"},
    {"value", "string", "correct: the new value"},
    {"reason", "string",
     "invalidate: calibration, maintenance, fault, power, stopped, event or other"},
    {"comment", "string", "why, in words (required to correct)"},
};
const std::vector<ParamDoc> kDayBody = {
    {.name = "day", .description = "YYYY-MM-DD (Beijing)", .required = true},
};
const std::vector<ParamDoc> kDecideBody = {
    {"comment", "string", "a word on the decision"},
};

std::string Who(const Principal& p) { return "user:" + std::to_string(p.user_id); }

ordered_json ReviewJson(const review::Review& r) {
  return {{"id", r.id},
          {"action", r.action},
          {"site", r.site_code},
          {"factor", r.factor},
          {"period", PeriodName(r.period)},
          {"from", FormatRfc3339Beijing(r.from)},
          {"to", FormatRfc3339Beijing(r.to)},
          {"value", r.value.empty() ? json(nullptr) : json(r.value)},
          {"reason", r.reason.empty() ? json(nullptr) : json(r.reason)},
          {"comment", r.comment},
          {"status", r.status},
          {"requested_by", r.requested_by},
          {"requested_at", FormatRfc3339Beijing(r.requested_at)},
          {"decided_by", r.decided_by.empty() ? json(nullptr) : json(r.decided_by)},
          {"decided_at", r.decided_at ? json(FormatRfc3339Beijing(r.decided_at)) : json(nullptr)}};
}

ordered_json ValueJson(const review::ReviewedValue& v) {
  return {{"mn", v.mn},
          {"time", FormatRfc3339Beijing(v.time)},
          {"old_value", v.old_value},
          {"old_flag", std::string(1, v.old_flag)},
          {"new_value", v.new_value},
          {"new_flag", std::string(1, v.new_flag)}};
}

// The closed days a review's span touches.
Result<std::vector<review::ClosedDay>> ClosedIn(const ApiContext& ctx, const review::Review& r) {
  return ctx.reviews->ClosedDays(FloorBeijing(r.from, kDay), r.to);
}

// Applies `r` to the stored values now: the readings take the result (those that
// change, in one transaction), the derived values are computed again. Returns what
// it did to each value.
Result<std::vector<review::ReviewedValue>> Apply(const ApiContext& ctx, const review::Review& r) {
  auto snap = ctx.sites->Get();
  std::vector<Reading> stored;
  for (const std::string& mn : snap->MnsOf(r.site_id)) {
    if (registry::IsManualMn(mn)) continue;  // manual samples are not the automatic data
    auto got = ctx.store->Range(mn, r.period, r.factor, "Avg", r.from, r.to);
    if (!got.ok()) return got.status();
    stored.insert(stored.end(), got->begin(), got->end());
  }
  std::vector<review::ReviewedValue> plan = review::Plan(r, stored);
  store::Batch batch;
  for (const auto& v : plan)
    if (v.new_value != v.old_value || v.new_flag != v.old_flag)
      batch.readings.push_back({v.mn, v.period, v.time, v.factor, "Avg", v.new_value, v.new_flag});
  if (!batch.readings.empty()) {
    const store::Batch* one = &batch;
    if (Status s = ctx.store->Append(std::span<const store::Batch* const>(&one, 1)); !s.ok())
      return s;
    if (ctx.readings_written) ctx.readings_written(batch);
  }
  return plan;
}

Response Applied(const ApiContext& ctx, const Principal& who, const review::Review& r,
                 const std::vector<review::ReviewedValue>& plan, const char* action, int status) {
  int changed = 0;
  for (const auto& v : plan) changed += v.new_value != v.old_value || v.new_flag != v.old_flag;
  ordered_json j = ReviewJson(r);
  j["values"] = plan.size();
  j["changed"] = changed;
  Audit(ctx, who, action, "review:" + std::to_string(r.id),
        {{"action", r.action},
         {"site", r.site_code},
         {"factor", r.factor},
         {"from", j["from"]},
         {"to", j["to"]},
         {"value", r.value},
         {"reason", r.reason},
         {"comment", r.comment},
         {"requested_by", r.requested_by},
         {"values", plan.size()},
         {"changed", changed}});
  return JsonResponse(j, status);
}

Response PostReview(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.reviews) return Problem(503, "unavailable", "Reviews are not set up on this server");
  json b;
  if (auto bad = ParseBody(req, kReviewBody, &b)) return *bad;
  auto snap = ctx.sites->Get();
  const store::Site* site = snap->SiteByCode(b["site"].get<std::string>());
  if (!site) return Problem(400, "bad-field", "site names no site", b["site"].dump());
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kWrite, {Area::kReviews, nullptr, site->district_id}, now))
    return *denied;
  review::Review r;
  r.action = b["action"];
  r.site_id = site->id;
  r.site_code = site->code;
  r.factor = b["factor"];
  auto period = PeriodFromName(b.value("period", "hour"));
  if (!period) return Problem(400, "bad-field", "period must be minute, hour or day");
  r.period = *period;
  auto from = ParseTime(b["from"].get<std::string>());
  int64_t step = r.period == Period::kMinute ? 60 : r.period == Period::kHour ? 3600 : kDay;
  auto to = b.contains("to") ? ParseTime(b["to"].get<std::string>())
                             : (from ? std::optional<UnixSeconds>(*from + step) : std::nullopt);
  if (!from || !to) return Problem(400, "bad-field", "from and to are times");
  r.from = *from;
  r.to = *to;
  r.value = b.value("value", "");
  r.reason = b.value("reason", "");
  r.comment = b.value("comment", "");
  if (Status s = review::Validate(r); !s.ok()) return Problem(400, "bad-field", s.message());
  r.requested_by = Who(who);
  r.requested_at = now;
  auto closed = ClosedIn(ctx, r);
  if (!closed.ok()) return StoreError(closed.status());
  if (!closed->empty()) {
    // A reviewed day changes only with a second person's approval.
    r.status = "pending";
    auto id = ctx.reviews->Add(r, {});
    if (!id.ok()) return StoreError(id.status());
    r.id = *id;
    Audit(ctx, who, "review.request", "review:" + std::to_string(r.id), ReviewJson(r));
    ordered_json j = ReviewJson(r);
    j["closed_day"] = FormatRfc3339Beijing(closed->front().day);
    return JsonResponse(j, 202);
  }
  auto plan = Apply(ctx, r);
  if (!plan.ok()) return StoreError(plan.status());
  r.status = "applied";
  r.decided_by = r.requested_by;
  r.decided_at = now;
  auto id = ctx.reviews->Add(r, *plan);
  if (!id.ok()) return StoreError(id.status());
  r.id = *id;
  return Applied(ctx, who, r, *plan, "review.apply", 201);
}

// POST /reviews/{id}/approve and /refuse: a pending review decided by a second person.
Response Decide(const ApiContext& ctx, const Request& req, const Principal& who, bool approve) {
  if (!ctx.reviews) return Problem(503, "unavailable", "Reviews are not set up on this server");
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  json b;
  if (!req.body.empty())
    if (auto bad = ParseBody(req, kDecideBody, &b)) return *bad;
  auto r = ctx.reviews->Get(id);
  if (!r.ok()) return FromStatus(r.status());
  auto snap = ctx.sites->Get();
  const store::Site* site = snap->Site(r->site_id);
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied =
          Check(who, Action::kDecide, {Area::kReviews, nullptr, site ? site->district_id : 0}, now))
    return *denied;
  if (r->status != "pending")
    return Problem(409, "conflict", "This review is not pending", r->status);
  if (r->requested_by == Who(who))
    return Problem(403, "forbidden", "A second person decides",
                   "the day is closed as reviewed: someone other than the requester approves");
  std::vector<review::ReviewedValue> plan;
  if (approve) {
    auto applied = Apply(ctx, *r);
    if (!applied.ok()) return StoreError(applied.status());
    plan = std::move(*applied);
  }
  Status s = ctx.reviews->Decide(id, approve ? "applied" : "refused", Who(who), now, plan);
  if (!s.ok()) return FromStatus(s);
  r->status = approve ? "applied" : "refused";
  r->decided_by = Who(who);
  r->decided_at = now;
  return Applied(ctx, who, *r, plan, approve ? "review.approve" : "review.refuse", 200);
}

Response Approve(const ApiContext& ctx, const Request& req, const Principal& who) {
  return Decide(ctx, req, who, true);
}
Response Refuse(const ApiContext& ctx, const Request& req, const Principal& who) {
  return Decide(ctx, req, who, false);
}

Response ListReviews(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.reviews) return Problem(503, "unavailable", "Reviews are not set up on this server");
  if (auto denied = Check(who, Action::kRead, {Area::kReviews}, ctx.clock->WallSeconds()))
    return *denied;
  return NewestFirstPage(
      req, 500, [&](int64_t before, size_t limit) { return ctx.reviews->List(before, limit); },
      ReviewJson);
}

Response GetReview(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.reviews) return Problem(503, "unavailable", "Reviews are not set up on this server");
  if (auto denied = Check(who, Action::kRead, {Area::kReviews}, ctx.clock->WallSeconds()))
    return *denied;
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  auto r = ctx.reviews->Get(id);
  if (!r.ok()) return FromStatus(r.status());
  auto values = ctx.reviews->Values(id);
  if (!values.ok()) return StoreError(values.status());
  ordered_json j = ReviewJson(*r);
  j["values"] = ordered_json::array();
  for (const auto& v : *values) j["values"].push_back(ValueJson(v));
  return JsonResponse(j);
}

// POST /review-days {day}: the city's day closed as reviewed (审核完成), by an
// administrator or city-level staff.
Response CloseDay(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.reviews) return Problem(503, "unavailable", "Reviews are not set up on this server");
  json b;
  if (auto bad = ParseBody(req, kDayBody, &b)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kWrite, {Area::kReviews}, now)) return *denied;
  if (who.district_id != 0)
    return Problem(403, "forbidden", "Not allowed", "the city's day is closed by city staff");
  std::string text = b["day"];
  auto day = text.size() == 10 ? ParseTime(text) : std::nullopt;
  if (!day || FloorBeijing(*day, kDay) != *day)
    return Problem(400, "bad-field", "day is YYYY-MM-DD", text);
  if (*day >= FloorBeijing(now, kDay))
    return Problem(400, "bad-field", "only a day that has ended is closed", text);
  Status s = ctx.reviews->CloseDay({*day, Who(who), now});
  if (s.code() == Code::kConflict) return Problem(409, "conflict", "The day is closed already");
  if (!s.ok()) return StoreError(s);
  Audit(ctx, who, "review.close_day", "day:" + text, {{"day", text}});
  return JsonResponse<ordered_json>(
      {{"day", text}, {"closed_by", Who(who)}, {"closed_at", FormatRfc3339Beijing(now)}}, 201);
}

Response ListDays(const ApiContext& ctx, const Request& req, const Principal&) {
  if (!ctx.reviews) return Problem(503, "unavailable", "Reviews are not set up on this server");
  std::string bad;
  UnixSeconds to = TimeParam(req, "to", ctx.clock->WallSeconds() + kDay, &bad);
  UnixSeconds from = TimeParam(req, "from", to - 62 * kDay, &bad);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  auto days = ctx.reviews->ClosedDays(from, to);
  if (!days.ok()) return StoreError(days.status());
  ordered_json items = ordered_json::array();
  for (const auto& d : *days)
    items.push_back({{"day", FormatRfc3339Beijing(d.day).substr(0, 10)},
                     {"closed_at", FormatRfc3339Beijing(d.closed_at)}});
  return JsonResponse<ordered_json>({{"items", std::move(items)}});
}

}  // namespace

void AddReviewRoutes(Api& api, const ApiContext& ctx) {
  api.Add("POST", "/api/v1/reviews",
          {.summary = "Review stored values: confirm, invalidate (with a reason) or correct; the "
                      "original is kept, derived values are computed again. 201 applied; 202 "
                      "pending when a day it touches is closed (a second person approves)",
           .tag = "Review",
           .body = kReviewBody,
           .id = "createReview"},
          Bind(ctx, PostReview));
  api.Add("GET", "/api/v1/reviews",
          {.summary = "Reviews, newest first",
           .tag = "Review",
           .query = {{"cursor", "string", "next_cursor of the previous page"},
                     {"limit", "integer", "1..500, default 100"}},
           .id = "listReviews",
           .list = true},
          Bind(ctx, ListReviews));
  api.Add("GET", "/api/v1/reviews/{id}",
          {.summary = "One review with every value it changed, before and after",
           .tag = "Review",
           .id = "getReview"},
          Bind(ctx, GetReview));
  api.Add("POST", "/api/v1/reviews/{id}/approve",
          {.summary = "A pending review approved by a second person, and applied",
           .tag = "Review",
           .body = kDecideBody,
           .id = "approveReview"},
          Bind(ctx, Approve));
  api.Add("POST", "/api/v1/reviews/{id}/refuse",
          {.summary = "A pending review refused",
           .tag = "Review",
           .body = kDecideBody,
           .id = "refuseReview"},
          Bind(ctx, Refuse));
  api.Add("POST", "/api/v1/review-days",
          {.summary = "Close a day of the city as reviewed (审核完成): later changes need a "
                      "second person's approval",
           .tag = "Review",
           .body = kDayBody,
           .id = "closeReviewDay"},
          Bind(ctx, CloseDay));
  api.Add(
      "GET", "/api/v1/public/review-days",
      {.summary = "The days closed as reviewed: their published figures are final",
       .tag = "Public",
       .query = {{"from", "time", "default: 62 days before to"}, {"to", "time", "default: now"}},
       .login = false,
       .id = "listReviewedDays",
       .list = true},
      Bind(ctx, ListDays));
}

}  // namespace ecohub::api
