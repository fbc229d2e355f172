// Enforcement cases (执法, docs/enforcement.md): the inspection record made at an
// enterprise, and for a violation the penalty decision, its payment, the rectification
// ordered and its check, to the close. The rules are casework/enforcement.h; the store
// EnforcementStore. Staff of the enterprise's district handle cases, leaders read them,
// the enterprise reads its own.
#include <spdlog/spdlog.h>

#include <cmath>
#include <map>

#include "api/complaint_views.h"
#include "api/handlers.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "api/task_views.h"
#include "casework/complaint.h"
#include "casework/enforcement_store.h"
#include "casework/task_store.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using casework::CaseStep;
using casework::EnforcementCase;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

Response Unavailable() {
  return Problem(503, "unavailable", "Enforcement cases are not set up on this server");
}

auth::Target CaseTarget(const EnforcementCase& c) {
  return {Area::kEnforcement, nullptr, c.district_id, c.enterprise_id};
}

json Yuan(int64_t fen) { return static_cast<double>(fen) / 100; }

ordered_json CaseJson(const ApiContext& ctx, const EnforcementCase& c,
                      const registry::Snapshot& snap, UnixSeconds now,
                      std::map<std::string, json>* names) {
  const registry::Enterprise* e = snap.EnterpriseById(c.enterprise_id);
  ordered_json officers = ordered_json::array();
  for (int64_t id : c.officers)
    officers.push_back(
        {{"id", id}, {"name", complaint::ActorName(ctx, "user:" + std::to_string(id), names)}});
  ordered_json items = ordered_json::array();
  for (const auto& i : c.items)
    items.push_back({{"text", i.text}, {"compliant", i.compliant}, {"finding", i.finding}});
  ordered_json penalty = nullptr;
  if (c.decided_at)
    penalty = {{"decision_no", c.decision_no},
               {"fine_yuan", Yuan(c.fine_fen)},
               {"decided_at", FormatRfc3339Beijing(c.decided_at)},
               {"paid_at", TimeOrNull(c.paid_at)}};
  ordered_json rectification = nullptr;
  if (c.rectify_due)
    rectification = {{"text", c.rectify_text},
                     {"due_at", FormatRfc3339Beijing(c.rectify_due)},
                     {"rectified_at", TimeOrNull(c.rectified_at)},
                     {"overdue", casework::RectificationOverdue(c, now)}};
  return {{"id", c.id},
          {"enterprise_id", c.enterprise_id},
          {"enterprise", e ? json(e->name) : json(nullptr)},
          {"credit_code", e ? json(e->credit_code) : json(nullptr)},
          {"district_id", c.district_id},
          {"district", complaint::DistrictName(snap, c.district_id)},
          {"task_id", c.task_id ? json(c.task_id) : json(nullptr)},
          {"inspected_at", FormatRfc3339Beijing(c.inspected_at)},
          {"officers", std::move(officers)},
          {"items", std::move(items)},
          {"findings", c.findings},
          {"violation", c.violation},
          {"violation_text", c.violation ? json(c.violation_text) : json(nullptr)},
          {"legal_basis", c.legal_basis.empty() ? json(nullptr) : json(c.legal_basis)},
          {"penalty", std::move(penalty)},
          {"rectification", std::move(rectification)},
          {"status", casework::CaseStatusCode(c.status)},
          {"status_name", casework::CaseStatusName(c.status)},
          {"created_at", FormatRfc3339Beijing(c.created_at)},
          {"version", c.version}};
}

Response CaseDetail(const ApiContext& ctx, const EnforcementCase& c, int status = 200) {
  auto events = ctx.cases->Events(c.id);
  if (!events.ok()) return StoreError(events.status());
  std::map<std::string, json> names;
  UnixSeconds now = ctx.clock->WallSeconds();
  ordered_json j = CaseJson(ctx, c, *ctx.sites->Get(), now, &names);
  ordered_json timeline = ordered_json::array();
  for (const auto& e : *events)
    timeline.push_back({{"time", FormatRfc3339Beijing(e.at)},
                        {"event", casework::CaseStepCode(e.step)},
                        {"event_name", casework::CaseStepName(e.step)},
                        {"actor", e.actor},
                        {"actor_name", complaint::ActorName(ctx, e.actor, &names)},
                        {"text", e.text.empty() ? json(nullptr) : json(e.text)}});
  j["timeline"] = std::move(timeline);
  return JsonResponse(j, status);
}

Result<EnforcementCase> Reach(const ApiContext& ctx, const Request& req, const Principal& who,
                              Action action, Response* problem) {
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) {
    *problem = *bad;
    return Status::InvalidInput("");
  }
  auto c = ctx.cases->Get(id);
  if (!c.ok()) {
    *problem = FromStatus(c.status());
    return c.status();
  }
  if (auto denied = Check(who, action, CaseTarget(*c), ctx.clock->WallSeconds())) {
    *problem = *denied;
    return Status(Code::kPermissionDenied, "");
  }
  return c;
}

Response GetCase(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.cases) return Unavailable();
  Response problem;
  auto c = Reach(ctx, req, who, Action::kRead, &problem);
  if (!c.ok()) return problem;
  return CaseDetail(ctx, *c);
}

Response ListCases(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.cases) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  casework::CaseFilter f;
  for (auto [name, field] : {std::pair{"enterprise", &f.enterprise_id}, {"task", &f.task_id}}) {
    std::string v = Param(req, name, "");
    if (!v.empty() && !ParseId(v, field))
      return Problem(400, "bad-parameter", std::string(name) + " is an id", v);
  }
  std::string district = Param(req, "district", "");
  int64_t d = 0;
  if (!district.empty()) {
    if (!ParseId(district, &d))
      return Problem(400, "bad-parameter", "district is a district's id", district);
    f.district_id = d;
  }
  std::string status = Param(req, "status", "");
  if (!status.empty()) {
    f.status = casework::CaseStatusFromCode(status);
    if (!f.status)
      return Problem(400, "bad-parameter", "status: compliant, violation, rectifying or closed",
                     status);
  }
  f.open_only = Param(req, "open", "false") == "true";
  // An enterprise sees its own; a district's staff and leaders their district's.
  if (who.role == auth::Role::kEnterprise) {
    if (f.enterprise_id && f.enterprise_id != who.enterprise_id)
      return Problem(403, "forbidden", "Forbidden", "not your enterprise's cases");
    f.enterprise_id = who.enterprise_id;
  } else if (who.district_id != 0 && who.role != auth::Role::kAdmin) {
    if (f.district_id && *f.district_id != who.district_id)
      return Problem(403, "forbidden", "Forbidden", "outside your district");
    f.district_id = who.district_id;
  }
  if (auto denied = Check(who, Action::kRead,
                          {Area::kEnforcement, nullptr, f.district_id.value_or(0),
                           who.role == auth::Role::kEnterprise ? who.enterprise_id : 0},
                          now))
    return *denied;
  auto snap = ctx.sites->Get();
  std::map<std::string, json> names;
  return NewestFirstPage(
      req, 500,
      [&](int64_t before, size_t limit) {
        f.before = before;
        f.limit = limit;
        return ctx.cases->List(f);
      },
      [&](const EnforcementCase& c) { return CaseJson(ctx, c, *snap, now, &names); });
}

const std::vector<ParamDoc> kRecordBody = {
    {.name = "enterprise_id",
     .type = "integer",
     .description = "the enterprise inspected",
     .required = true},
    {.name = "inspected_at", .type = "time", .description = "when", .required = true},
    {.name = "officers",
     .type = "array",
     .description = "user ids of the officers, at least two (active staff or inspectors)",
     .required = true},
    {.name = "items",
     .type = "array",
     .description = "the checklist: [{text, compliant, finding?}], 1-100 lines",
     .required = true},
    {.name = "findings", .description = "检查情况, 2-4000 characters", .required = true},
    {"violation", "boolean", "true: a violation was found"},
    {"violation_text", "string", "违法事实 (with a violation)"},
    {"legal_basis", "string", "法律依据 (with a violation)"},
    {"task_id", "integer", "the grid task it was done for"},
};

// The body's checklist; kInvalidInput naming what is wrong.
Result<std::vector<casework::CaseItem>> ReadItems(const json& items) {
  std::vector<casework::CaseItem> out;
  for (const auto& i : items) {
    if (!i.is_object() || !i.contains("text") || !i["text"].is_string() ||
        (i.contains("compliant") && !i["compliant"].is_boolean()) ||
        (i.contains("finding") && !i["finding"].is_null() && !i["finding"].is_string()))
      return Status::InvalidInput("items: each {text, compliant, finding?}");
    out.push_back(
        {i["text"].get<std::string>(), i.value("compliant", true),
         i.contains("finding") && i["finding"].is_string() ? i["finding"].get<std::string>() : ""});
  }
  return out;
}

Response RecordCase(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.cases) return Unavailable();
  json b;
  if (auto bad = ParseBody(req, kRecordBody, &b)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  auto snap = ctx.sites->Get();
  EnforcementCase c;
  c.enterprise_id = b["enterprise_id"].get<int64_t>();
  const registry::Enterprise* e = snap->EnterpriseById(c.enterprise_id);
  if (!e)
    return Problem(400, "bad-field", "enterprise_id: a registered enterprise",
                   std::to_string(c.enterprise_id));
  c.district_id = e->district_id;
  if (auto denied = Check(who, Action::kWrite, CaseTarget(c), now)) return *denied;
  c.inspected_at = *ParseTime(b["inspected_at"].get<std::string>());
  for (const auto& id : b["officers"]) {
    if (!id.is_number_integer()) return Problem(400, "bad-field", "officers: user ids");
    int64_t officer = id.get<int64_t>();
    if (!task::CanTake(ctx, officer, c.district_id))
      return Problem(400, "bad-field",
                     "officers: active staff or inspectors of the district or the city",
                     std::to_string(officer));
    c.officers.push_back(officer);
  }
  auto items = ReadItems(b["items"]);
  if (!items.ok())
    return Problem(400, "bad-field", "The record is not complete", items.status().message());
  c.items = std::move(*items);
  Assign(b, "findings", &c.findings);
  Assign(b, "violation", &c.violation);
  Assign(b, "violation_text", &c.violation_text);
  Assign(b, "legal_basis", &c.legal_basis);
  Assign(b, "task_id", &c.task_id);
  if (c.task_id) {
    if (!ctx.tasks) return Problem(400, "bad-field", "task_id: no tasks on this server");
    auto t = ctx.tasks->Get(c.task_id);
    if (!t.ok() || t->district_id != c.district_id)
      return Problem(400, "bad-field", "task_id: a task of the enterprise's district",
                     std::to_string(c.task_id));
  }
  if (Status ok = casework::CheckRecord(c, now); !ok.ok())
    return Problem(400, "bad-field", "The record is not complete", ok.message());
  c.status = casework::OpeningStatus(c);
  c.created_at = now;
  auto added = ctx.cases->Add(c, {0, now, CaseStep::kRecord, complaint::Actor(who),
                                  c.violation ? "发现违法：" + c.violation_text : "未发现问题"});
  if (!added.ok()) return StoreError(added.status());
  Audit(ctx, who, "cases.record", "case:" + std::to_string(added->id),
        {{"enterprise_id", c.enterprise_id}, {"violation", c.violation}, {"task_id", c.task_id}});
  spdlog::info("case {} recorded by user {} for enterprise {}{}", added->id, who.user_id,
               c.enterprise_id, c.violation ? " (violation)" : "");
  return CaseDetail(ctx, *added, 201);
}

const std::vector<ParamDoc> kPenaltyBody = {
    {.name = "decision_no", .description = "处罚决定书文号", .required = true},
    {.name = "fine_yuan",
     .type = "number",
     .description = "罚款 in yuan, 0 for a warning",
     .required = true},
    {"legal_basis", "string", "处罚依据, when other than the violation's"},
};
const std::vector<ParamDoc> kPaymentBody = {{"paid_at", "time", "when it was paid; default now"}};
const std::vector<ParamDoc> kOrderBody = {
    {.name = "text", .description = "what to rectify", .required = true},
    {.name = "due_at", .type = "time", .description = "the deadline", .required = true}};
const std::vector<ParamDoc> kCheckBody = {
    {.name = "passed",
     .type = "boolean",
     .description = "the rectification is done",
     .required = true},
    {.name = "text", .description = "what the check found", .required = true}};
const std::vector<ParamDoc> kCloseBody = {{"text", "string", "a closing remark"}};
const std::vector<ParamDoc> kCaseNoteBody = {
    {.name = "text", .description = "the remark, 1-500 characters", .required = true}};

// The step's input from its body; the 400 when the body is unusable.
std::optional<Response> ReadStep(CaseStep step, const json& b, UnixSeconds now,
                                 casework::CaseStepInput* in) {
  Assign(b, "decision_no", &in->decision_no);
  Assign(b, "legal_basis", &in->legal_basis);
  Assign(b, "text", &in->text);
  Assign(b, "passed", &in->passed);
  if (step == CaseStep::kPenalty) {
    double yuan = b["fine_yuan"].get<double>();
    double fen = std::round(yuan * 100);
    if (!std::isfinite(yuan) || std::abs(yuan * 100 - fen) > 1e-6)
      return Problem(400, "bad-field", "fine_yuan: yuan with at most two decimals");
    in->fine_fen = static_cast<int64_t>(std::clamp(fen, -1.0, 1e15));
  }
  for (const char* key : {"paid_at", "due_at"})
    if (b.contains(key) && !b[key].is_null()) in->at = *ParseTime(b[key].get<std::string>());
  if (step == CaseStep::kPayment && !in->at) in->at = now;
  return std::nullopt;
}

std::string StepText(CaseStep step, const casework::CaseStepInput& in) {
  switch (step) {
    case CaseStep::kPenalty:
      return in.decision_no + "，罚款 " + Num(static_cast<double>(in.fine_fen) / 100) + " 元";
    case CaseStep::kPayment:
      return "罚款已缴纳";
    case CaseStep::kOrder:
      return in.text + "（期限 " + FormatRfc3339Beijing(in.at).substr(0, 10) + "）";
    case CaseStep::kCheck:
      return std::string(in.passed ? "复查通过：" : "复查未通过：") + in.text;
    default:
      return in.text;
  }
}

Response TakeCaseStep(const ApiContext& ctx, const Request& req, const Principal& who,
                      CaseStep step, const std::vector<ParamDoc>& body) {
  if (!ctx.cases) return Unavailable();
  json b;
  if (auto bad = ParseBody(req, body, &b)) return *bad;
  Response problem;
  auto c = Reach(ctx, req, who, Action::kWrite, &problem);
  if (!c.ok()) return problem;
  UnixSeconds now = ctx.clock->WallSeconds();
  casework::CaseStepInput in;
  if (auto bad = ReadStep(step, b, now, &in)) return *bad;
  if (auto refused = casework::RefuseCaseStep(*c, step, in, now))
    return Problem(409, "bad-transition", "This step cannot be taken now", *refused);
  casework::CaseChange ch{casework::AfterCaseStep(*c, step, in, now),
                          {{c->id, now, step, complaint::Actor(who), StepText(step, in)}}};
  Status s = ctx.cases->Apply({&ch, 1});
  if (s.code() == Code::kConflict)
    return Problem(409, "conflict", "The case was changed meanwhile", s.message());
  if (!s.ok()) return StoreError(s);
  Audit(ctx, who, "cases." + std::string(casework::CaseStepCode(step)),
        "case:" + std::to_string(c->id), {{"text", StepText(step, in)}});
  auto after = ctx.cases->Get(c->id);
  if (!after.ok()) return StoreError(after.status());
  return CaseDetail(ctx, *after);
}

}  // namespace

void AddCaseRoutes(Api& api, const ApiContext& ctx) {
  const char* detail =
      "{id, enterprise, credit_code, district, task_id, inspected_at, officers[{id, name}], "
      "items[{text, compliant, finding}], findings, violation, violation_text, legal_basis, "
      "penalty{decision_no, fine_yuan, decided_at, paid_at}, rectification{text, due_at, "
      "rectified_at, overdue}, status, status_name, timeline[]}";
  api.Add("GET", "/api/v1/cases",
          {.summary = "Enforcement cases, newest first: the bureau by district, an enterprise "
                      "its own",
           .tag = "Casework",
           .query = {{"enterprise", "integer", "an enterprise's id"},
                     {"district", "integer", "a district's id"},
                     {"status", "string", "compliant, violation, rectifying or closed"},
                     {"open", "boolean", "true: not closed"},
                     {"task", "integer", "recorded for this task"},
                     {"cursor", "string", "next_cursor of the previous page"},
                     {"limit", "integer", "1..500, default 100"}},
           .id = "listCases",
           .list = true},
          Bind(ctx, ListCases));
  api.Add("POST", "/api/v1/cases",
          {.summary = "Record an inspection (现场检查记录); a violation opens the case",
           .tag = "Casework",
           .body = kRecordBody,
           .response = std::string(detail) + " (201)",
           .id = "recordCase"},
          Bind(ctx, RecordCase));
  api.Add("GET", "/api/v1/cases/{id}",
          {.summary = "One case with its time line",
           .tag = "Casework",
           .response = detail,
           .id = "getCase"},
          Bind(ctx, GetCase));
  struct StepRoute {
    const char* path;
    const char* summary;
    CaseStep step;
    const std::vector<ParamDoc>* body;
    const char* id;
  };
  const StepRoute steps[] = {
      {"/api/v1/cases/{id}/penalty", "The penalty decision (处罚决定): number and fine",
       CaseStep::kPenalty, &kPenaltyBody, "decideCasePenalty"},
      {"/api/v1/cases/{id}/payment", "The fine paid", CaseStep::kPayment, &kPaymentBody,
       "payCaseFine"},
      {"/api/v1/cases/{id}/rectification", "Order a rectification (责令整改) with a deadline",
       CaseStep::kOrder, &kOrderBody, "orderCaseRectification"},
      {"/api/v1/cases/{id}/check", "The rectification's check (整改复查): passed or not",
       CaseStep::kCheck, &kCheckBody, "checkCaseRectification"},
      {"/api/v1/cases/{id}/close", "Close the case (结案): nothing pending", CaseStep::kClose,
       &kCloseBody, "closeCase"},
      {"/api/v1/cases/{id}/note", "A remark on the case's record", CaseStep::kNote, &kCaseNoteBody,
       "noteCase"},
  };
  for (const auto& s : steps)
    api.Add("POST", s.path,
            {.summary = s.summary,
             .tag = "Casework",
             .body = *s.body,
             .response = std::string(detail) + "; 409 when the step cannot be taken now",
             .id = s.id},
            [ctx, step = s.step, body = s.body](const Request& req, const Principal& who) {
              return TakeCaseStep(ctx, req, who, step, *body);
            });
}

}  // namespace ecohub::api
