// Manual and laboratory samples (手工监测, docs/manual-samples.md): one entered from
// the console's form, many imported from a CSV, the list and one sample, and the
// GB 3838 class of a water section from its samples. Recording is samples/record.h,
// the same as `ecohub import samples`.
#include <spdlog/spdlog.h>

#include "api/handlers.h"
#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "core/parse_time.h"
#include "core/time.h"
#include "samples/evaluate.h"
#include "samples/record.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

const std::vector<ParamDoc> kSampleBody = {
    {.name = "site", .description = "the site's code", .required = true},
    {.name = "sampled_at",
     .description = "the sampling time (Beijing unless an offset is given)",
     .required = true},
    {"sampled_end", "string", "a composite sample's end"},
    {"kind", "string", "water (default), air, soil, noise or other"},
    {.name = "method",
     .description = "the analysis method's standard, e.g. HJ 535-2009",
     .required = true},
    {.name = "lab", .description = "the laboratory", .required = true},
    {"sampler", "string", "who took the sample"},
    {"report_no", "string", "the laboratory's report number"},
    {.name = "values",
     .type = "array",
     .description = "[{factor (HJ 212 code), value (a decimal, \"ND\" or \"<limit\"), "
                    "detection_limit}]",
     .required = true},
};

std::string PrincipalName(const Principal& who) { return "user:" + std::to_string(who.user_id); }

ordered_json SampleJson(const samples::Sample& s) {
  ordered_json values = ordered_json::array();
  for (const auto& v : s.values)
    values.push_back(
        {{"factor", v.factor},
         {"value", v.below_detection ? json("ND") : json(v.value)},
         {"below_detection", v.below_detection},
         {"detection_limit", v.detection_limit.empty() ? json(nullptr) : json(v.detection_limit)},
         {"evaluated_value", samples::EvaluatedValue(v)}});
  return {
      {"id", s.id},
      {"site", s.site_code},
      {"sampled_at", FormatRfc3339Beijing(s.sampled_at)},
      {"sampled_end", s.sampled_end ? json(FormatRfc3339Beijing(s.sampled_end)) : json(nullptr)},
      {"kind", s.kind},
      {"method", s.method},
      {"lab", s.lab},
      {"sampler", s.sampler},
      {"report_no", s.report_no},
      {"entered_by", s.entered_by},
      {"entered_at", FormatRfc3339Beijing(s.entered_at)},
      {"source", "manual"},
      {"mn", registry::ManualMn(s.site_code)},
      {"values", std::move(values)}};
}

std::optional<UnixSeconds> SampleTime(const std::string& text) {
  if (auto t = ParseDateTime(text, kBeijingOffsetSeconds)) return t;
  return ParseTime(text);
}

// A value cell of the JSON body: a string as entered, or a number.
std::string Cell(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  return "";
}

// The caller may enter samples of the site: administrators, staff of its district.
std::function<bool(const registry::Site&)> MayWrite(const ApiContext& ctx, const Principal& who) {
  UnixSeconds now = ctx.clock->WallSeconds();
  return [&ctx, &who, now](const registry::Site& s) {
    (void)ctx;
    return !Check(who, Action::kWrite, {Area::kSamples, nullptr, s.district_id}, now);
  };
}

// After samples were recorded: the registry learns the manual devices made.
void Recorded(const ApiContext& ctx, const samples::RecordOutcome& out) {
  if (!out.devices_created.empty()) ctx.sites->Invalidate();
}

Response PostSample(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.samples) return Problem(503, "unavailable", "Samples are not set up on this server");
  json b;
  if (auto bad = ParseBody(req, kSampleBody, &b)) return *bad;
  UnixSeconds now = ctx.clock->WallSeconds();
  auto snap = ctx.sites->Get();
  std::string code = b["site"].get<std::string>();
  const store::Site* site = snap->SiteByCode(code);
  if (!site) return Problem(400, "bad-field", "site names no site", code);
  if (auto denied = Check(who, Action::kWrite, {Area::kSamples, nullptr, site->district_id}, now))
    return *denied;
  samples::Sample s;
  s.site_code = code;
  auto at = SampleTime(b["sampled_at"].get<std::string>());
  if (!at) return Problem(400, "bad-field", "sampled_at is not a time", b["sampled_at"].dump());
  s.sampled_at = *at;
  if (b.contains("sampled_end") && !b["sampled_end"].is_null()) {
    auto end = SampleTime(b["sampled_end"].get<std::string>());
    if (!end) return Problem(400, "bad-field", "sampled_end is not a time");
    s.sampled_end = *end;
  }
  s.kind = b.value("kind", "water");
  s.method = b["method"];
  s.lab = b["lab"];
  s.sampler = b.value("sampler", "");
  s.report_no = b.value("report_no", "");
  for (const json& v : b["values"]) {
    if (!v.is_object() || !v.contains("factor") || !v["factor"].is_string() || !v.contains("value"))
      return Problem(400, "bad-field", "each value is {factor, value[, detection_limit]}");
    auto parsed = samples::ParseValue(
        v["factor"].get<std::string>(), Cell(v["value"]),
        v.contains("detection_limit") ? Cell(v["detection_limit"]) : std::string());
    if (!parsed.ok())
      return Problem(400, "bad-field", "A value cannot be read",
                     v["factor"].get<std::string>() + ": " + parsed.status().message());
    s.values.push_back(std::move(*parsed));
  }
  auto out = samples::RecordSamples(*ctx.store, *ctx.samples, *snap, {s}, PrincipalName(who), now,
                                    false, MayWrite(ctx, who));
  if (!out.ok()) return StoreError(out.status());
  if (!out->errors.empty()) {
    spdlog::info("sample by {} refused: {}", who.name, out->errors.front().reason);
    return Problem(400, "bad-field", "The sample is not valid", out->errors.front().reason);
  }
  Recorded(ctx, *out);
  auto got = ctx.samples->Get(out->ids.front());
  if (!got.ok()) return StoreError(got.status());
  ordered_json j = SampleJson(*got);
  Audit(ctx, who, "samples.create", "sample:" + std::to_string(got->id),
        {{"site", got->site_code},
         {"sampled_at", j["sampled_at"]},
         {"method", got->method},
         {"lab", got->lab},
         {"report_no", got->report_no},
         {"values", got->values.size()}});
  return JsonResponse(j, 201);
}

// POST /samples/import?dry_run=: a CSV of samples in the body; 200 with a report when
// every row passed (stored unless dry_run), 422 with every bad row (nothing stored).
Response ImportSamples(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.samples) return Problem(503, "unavailable", "Samples are not set up on this server");
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kWrite, {Area::kSamples, nullptr, who.district_id}, now))
    return *denied;
  std::string dry = Param(req, "dry_run", "false");
  if (dry != "true" && dry != "false")
    return Problem(400, "bad-parameter", "dry_run must be true or false", dry);
  if (req.body.empty()) return Problem(400, "bad-body", "The file is empty");
  auto csv = samples::ReadSamplesCsv(req.body);
  if (!csv.ok()) return Problem(400, "bad-file", "The file cannot be read", csv.status().message());
  auto snap = ctx.sites->Get();
  // The rows that read well are checked too (sites, rights), so that the report names
  // every bad row; nothing is stored when any is bad.
  auto rec =
      samples::RecordSamples(*ctx.store, *ctx.samples, *snap, csv->samples, PrincipalName(who), now,
                             dry == "true" || !csv->errors.empty(), MayWrite(ctx, who));
  if (!rec.ok()) return StoreError(rec.status());
  samples::RecordOutcome out = std::move(*rec);
  ordered_json errors = ordered_json::array();
  for (const auto& e : csv->errors)
    errors.push_back({{"row", e.row}, {"column", e.column}, {"reason", e.reason}});
  for (const auto& e : out.errors)
    errors.push_back({{"row", e.index < csv->first_rows.size() ? csv->first_rows[e.index] : 0},
                      {"column", e.field},
                      {"reason", e.reason}});
  bool bad = !errors.empty();
  ordered_json report = {{"rows", csv->rows},
                         {"samples", csv->samples.size()},
                         {"values", out.values},
                         {"stored", !out.ids.empty()},
                         {"ids", out.ids},
                         {"dry_run", dry == "true"},
                         {"errors", std::move(errors)}};
  if (!out.ids.empty()) {
    Recorded(ctx, out);
    Audit(ctx, who, "samples.import", "samples:" + std::to_string(out.ids.front()),
          {{"via", "console"},
           {"file", Param(req, "file_name", "upload")},
           {"samples", out.ids.size()},
           {"values", out.values},
           {"first", FormatRfc3339Beijing(out.first)},
           {"last", FormatRfc3339Beijing(out.last)}});
  }
  if (bad) spdlog::info("sample import by {}: bad rows, nothing stored", who.name);
  return JsonResponse(report, bad ? 422 : 200);
}

Response ListSamples(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.samples) return Problem(503, "unavailable", "Samples are not set up on this server");
  UnixSeconds now = ctx.clock->WallSeconds();
  auto snap = ctx.sites->Get();
  samples::SampleFilter f;
  f.site_code = Param(req, "site", "");
  int64_t district = who.role == auth::Role::kStaff ? who.district_id : 0;
  if (!f.site_code.empty()) {
    const store::Site* site = snap->SiteByCode(f.site_code);
    if (!site) return Problem(404, "not-found", "No such site", f.site_code);
    district = site->district_id;
  }
  if (auto denied = Check(who, Action::kRead, {Area::kSamples, nullptr, district}, now))
    return *denied;
  if (auto bad = ReadListWindow(req, 500, &f)) return *bad;
  auto rows = ctx.samples->List(f);
  if (!rows.ok()) return StoreError(rows.status());
  ordered_json items = ordered_json::array();
  for (const auto& s : *rows) {
    // Staff of a district see the samples of its sites (the page may be shorter).
    const store::Site* site = snap->SiteByCode(s.site_code);
    if (Check(who, Action::kRead, {Area::kSamples, nullptr, site ? site->district_id : -1}, now))
      continue;
    items.push_back(SampleJson(s));
  }
  json next = rows->size() == f.limit ? json(CursorAfter(rows->back().id)) : json(nullptr);
  return JsonResponse<ordered_json>({{"items", std::move(items)}, {"next_cursor", next}});
}

Response GetSample(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.samples) return Problem(503, "unavailable", "Samples are not set up on this server");
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  auto s = ctx.samples->Get(id);
  if (!s.ok()) return FromStatus(s.status());
  auto snap = ctx.sites->Get();
  const store::Site* site = snap->SiteByCode(s->site_code);
  if (auto denied =
          Check(who, Action::kRead, {Area::kSamples, nullptr, site ? site->district_id : -1},
                ctx.clock->WallSeconds()))
    return *denied;
  return JsonResponse(SampleJson(*s));
}

}  // namespace

// GET /water/history?section=&source=manual: the GB 3838 class of the section on each
// day it was sampled, from its manual samples' day values (samples/evaluate.h).
Response ManualWaterHistory(const ApiContext& ctx, const Request& req, const Principal& who,
                            const store::Site& site) {
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kRead, {Area::kSamples, nullptr, site.district_id}, now))
    return *denied;
  std::string bad;
  UnixSeconds to = TimeParam(req, "to", now, &bad);
  UnixSeconds from = TimeParam(req, "from", to - 30 * kDay, &bad);
  if (!bad.empty()) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  if (from >= to || to - from > 367 * kDay)
    return Problem(400, "bad-parameter", "from must be before to, at most 367 days apart");
  std::vector<Reading> values;
  std::string mn = registry::ManualMn(site.code);
  for (const auto& f : {"w01001", "w01009", "w01019", "w01018", "w21003", "w21011", "w21001"}) {
    auto got = ctx.store->Range(mn, Period::kDay, f, "Avg", FloorBeijing(from, kDay), to);
    if (!got.ok()) return StoreError(got.status());
    values.insert(values.end(), got->begin(), got->end());
  }
  auto attrs = json::parse(site.attrs_json.empty() ? "{}" : site.attrs_json, nullptr, false);
  std::string type = attrs.is_object() ? attrs.value("water_type", "river") : "river";
  auto body = standards::WaterBodyFromName(type).value_or(standards::WaterBody::kRiver);
  auto days = samples::EvaluateWaterDays(values, body);
  if (!days.ok())
    return Problem(422, "bad-values", "The samples cannot be classed", days.status().message());
  ordered_json items = ordered_json::array();
  for (const auto& d : *days) {
    ordered_json its = ordered_json::array();
    for (const auto& i : d.items)
      its.push_back(
          {{"factor", i.factor}, {"value", i.value}, {"class", standards::WaterClassName(i.cls)}});
    ordered_json j = {{"time", d.day}, {"time_text", FormatRfc3339Beijing(d.day)}};
    if (d.site_class) {
      j["water_class"] = standards::WaterClassName(*d.site_class);
      j["grade"] = standards::WaterGradeName(standards::GradeOfClass(*d.site_class));
      j["color"] = standards::WaterClassColor(*d.site_class);
    } else {
      j["water_class"] = nullptr;
    }
    j["items"] = std::move(its);
    j["exceeding"] = d.exceeding;
    items.push_back(std::move(j));
  }
  return JsonResponse<ordered_json>(
      {{"section", site.code},
       {"name", site.name},
       {"source", "manual"},
       {"standard",
        "GB3838-2002, single-factor, routine items sampled; below detection at half the limit"},
       {"site_type", standards::WaterBodyName(body)},
       {"time_label", "the sampling day's start; *_text in Beijing time"},
       {"items", std::move(items)}});
}

void AddSampleRoutes(Api& api, const ApiContext& ctx) {
  api.Add("POST", "/api/v1/samples",
          {.summary = "Enter a manual or laboratory sample (手工监测) with its values, all or "
                      "nothing: kept under the site's manual device, apart from its automatic "
                      "data; administrators and staff of the site's district",
           .tag = "Samples",
           .body = kSampleBody,
           .response = "201 {id, site, sampled_at, sampled_end, kind, method, lab, sampler, "
                       "report_no, entered_by, entered_at, source: manual, mn, values[{factor, "
                       "value, below_detection, detection_limit, evaluated_value}]}",
           .id = "createSample"},
          Bind(ctx, PostSample));
  api.Add("POST", "/api/v1/samples/import",
          {.summary = "Import samples from a CSV (the request body): site, sampled_at, method, "
                      "lab, factor, value[, detection_limit, report_no, sampler, kind, "
                      "sampled_end], one row per value; all or nothing",
           .tag = "Samples",
           .query = {{"dry_run", "boolean", "true: check only, store nothing"},
                     {"file_name", "string", "the file's name, for the record"}},
           .response = "{rows, samples, values, stored, ids, dry_run, errors[{row, column, "
                       "reason}]}; 422 with every bad row (nothing stored)",
           .id = "importSamples"},
          Bind(ctx, ImportSamples));
  api.Add("GET", "/api/v1/samples",
          {.summary = "Manual and laboratory samples, newest first; administrators, leaders and "
                      "staff (of their district's sites)",
           .tag = "Samples",
           .query = {{"site", "string", "a site's code"},
                     {"from", "time", "sampled at or after"},
                     {"to", "time", "sampled before"},
                     {"cursor", "string", "next_cursor of the previous page"},
                     {"limit", "integer", "1..500, default 100"}},
           .id = "listSamples",
           .list = true},
          Bind(ctx, ListSamples));
  api.Add("GET", "/api/v1/samples/{id}",
          {.summary = "One manual or laboratory sample with its values",
           .tag = "Samples",
           .id = "getSample"},
          Bind(ctx, GetSample));
}

}  // namespace ecohub::api
