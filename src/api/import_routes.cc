// Imports of readings over HTTP (docs/data-import.md): the console's upload and the
// push of partner systems, the record of batches, and where a stored value came
// from. The import itself is ingest/import_run.h, the same as `ecohub import readings`.
#include <spdlog/spdlog.h>

#include <filesystem>

#include "api/handlers.h"
#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "core/file.h"
#include "ingest/import_run.h"
#include "review/review_store.h"
#include "samples/sample_store.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

namespace fs = std::filesystem;

// The mappings a server offers: mappings_dir/<name>.json or .toml.
Result<ingest::Mapping> LoadMapping(const ApiContext& ctx, const std::string& name) {
  bool plain =
      !name.empty() && name.size() <= 64 &&
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
  if (!plain) return Status::InvalidInput("mapping names are lower-case letters, digits, - and _");
  for (const char* ext : {".json", ".toml"}) {
    fs::path p = fs::path(ctx.mappings_dir) / (name + ext);
    std::error_code ec;
    if (ctx.mappings_dir.empty() || !fs::exists(p, ec)) continue;
    auto text = ReadFileBytes(p.string());
    if (!text.ok()) return text.status();
    return ingest::ParseMapping(*text, std::string_view(ext) == ".toml");
  }
  return Status::NotFound("no mapping named " + name);
}

std::string PrincipalName(const Principal& who) {
  return who.key_id ? "key:" + std::to_string(who.key_id) : "user:" + std::to_string(who.user_id);
}

// POST /imports/readings?mapping=&dry_run=&batch_id=&file_name=: the file in the body.
// 200 with the report when every value passed (stored unless dry_run, or the first
// answer again for a batch id seen before), 422 with it when any did not.
Response PostReadings(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.imports) return Problem(503, "unavailable", "Imports are not set up on this server");
  bool staff = who.key_id == 0 && who.role == auth::Role::kStaff;
  auth::Target target{Area::kImports, nullptr, staff ? who.district_id : 0};
  if (auto denied = Check(who, Action::kWrite, target, ctx.clock->WallSeconds())) return *denied;
  std::string dry = Param(req, "dry_run", "false"), mapping_name = Param(req, "mapping", "");
  if (dry != "true" && dry != "false")
    return Problem(400, "bad-parameter", "dry_run must be true or false", dry);
  std::string client_id = Param(req, "batch_id", "");
  if (client_id.size() > 128)
    return Problem(400, "bad-parameter", "batch_id is at most 128 characters");
  if (req.body.empty()) return Problem(400, "bad-body", "The file is empty");
  std::optional<ingest::Mapping> mapping;
  if (!mapping_name.empty()) {
    auto m = LoadMapping(ctx, mapping_name);
    if (!m.ok())
      return m.status().code() == Code::kNotFound
                 ? Problem(400, "bad-parameter", "No such mapping", mapping_name)
                 : Problem(400, "bad-parameter", "The mapping cannot be used",
                           m.status().message());
    mapping = std::move(*m);
  }
  auto snap = ctx.sites->Get();
  ingest::ImportRequest r;
  if (who.key_id) {
    auto push = auth::PushScopeOf(who.key_datasets);
    r.scope.sites.insert(push->sites.begin(), push->sites.end());
    r.scope.factors.insert(push->factors.begin(), push->factors.end());
  } else if (staff && who.district_id != 0) {
    for (const auto& s : snap->sites)
      if (s.district_id == who.district_id) r.scope.sites.insert(s.code);
    if (r.scope.sites.empty()) r.scope.sites.insert("");  // a district with no site: none
  }
  r.bytes = req.body;
  r.mapping = mapping ? &*mapping : nullptr;
  r.mapping_name = mapping_name;
  r.file_name = Param(req, "file_name", "upload");
  r.principal = PrincipalName(who);
  r.via = who.key_id ? "push" : "console";
  r.client_id = client_id;
  r.dry_run = dry == "true";
  r.now = ctx.clock->WallSeconds();
  auto run = ingest::RunImport(*ctx.store, *snap, ctx.imports, r);
  if (!run.ok()) {
    if (run.status().code() == Code::kInvalidInput) {
      spdlog::warn("import by {} refused: {}", who.name, run.status().message());
      return Problem(400, "bad-file", "The file cannot be read", run.status().message());
    }
    return StoreError(run.status());
  }
  const ingest::ImportResult& res = run->result;
  if (res.committed) {
    if (ctx.readings_written) ctx.readings_written(res.written);
    if (!res.devices_created.empty()) ctx.sites->Invalidate();
    Audit(ctx, who, "readings.import", "import:" + run->report["batch"].dump(),
          {{"via", r.via},
           {"file", r.file_name},
           {"mapping", mapping_name},
           {"client_batch_id", client_id},
           {"created", res.created},
           {"replaced", res.replaced},
           {"unchanged", res.unchanged},
           {"sites", res.sites},
           {"first", run->report["first"]},
           {"last", run->report["last"]}});
  }
  bool bad = !run->replayed && !res.errors.empty();
  if (bad) spdlog::info("import by {}: {} bad values, nothing stored", who.name, res.errors.size());
  return JsonResponse(run->report, bad ? 422 : 200);
}

ordered_json BatchJson(const ingest::ImportBatch& b) {
  ordered_json report = ordered_json::parse(b.report, nullptr, false);
  if (report.is_discarded()) report = ordered_json::object();
  report.erase("errors");
  return {{"id", b.id},
          {"principal", b.principal},
          {"via", b.via},
          {"client_batch_id", b.client_id.empty() ? json(nullptr) : json(b.client_id)},
          {"file", b.file_name},
          {"mapping", b.mapping.empty() ? json(nullptr) : json(b.mapping)},
          {"format", b.format},
          {"created", FormatRfc3339Beijing(b.created)},
          {"report", std::move(report)}};
}

Response ListBatches(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.imports) return Problem(503, "unavailable", "Imports are not set up on this server");
  if (auto denied = Check(who, Action::kRead, {Area::kImports}, ctx.clock->WallSeconds()))
    return *denied;
  return NewestFirstPage(
      req, 500, [&](int64_t before, size_t limit) { return ctx.imports->List(before, limit); },
      BatchJson);
}

Response GetBatch(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.imports) return Problem(503, "unavailable", "Imports are not set up on this server");
  if (auto denied = Check(who, Action::kRead, {Area::kImports}, ctx.clock->WallSeconds()))
    return *denied;
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  auto b = ctx.imports->Get(id);
  if (!b.ok()) return FromStatus(b.status());
  return JsonResponse(BatchJson(*b));
}

Response ListMappings(const ApiContext& ctx, const Request&, const Principal& who) {
  if (auto denied = Check(who, Action::kWrite, {Area::kImports, nullptr, who.district_id},
                          ctx.clock->WallSeconds()))
    return *denied;
  ordered_json items = ordered_json::array();
  std::error_code ec;
  std::vector<fs::path> files;
  if (!ctx.mappings_dir.empty())
    for (const auto& e : fs::directory_iterator(ctx.mappings_dir, ec))
      if (e.path().extension() == ".json" || e.path().extension() == ".toml")
        files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    auto m = LoadMapping(ctx, p.stem().string());
    if (!m.ok()) {
      spdlog::warn("mapping {}: {}", p.string(), m.status().message());
      continue;
    }
    items.push_back({{"name", p.stem().string()},
                     {"title", m->name},
                     {"shape", m->shape},
                     {"factors", m->factors.size()}});
  }
  return JsonResponse<ordered_json>({{"items", std::move(items)}});
}

// A value of a site's manual device: the sample that gave it (the newest of its day
// with the factor). The caller may read samples of the site.
Response ManualSource(const ApiContext& ctx, const store::Site& site, const Reading& x) {
  ordered_json j = {{"site", site.code},
                    {"factor", x.factor},
                    {"period", PeriodName(x.period)},
                    {"time", FormatRfc3339Beijing(x.time)},
                    {"value", x.value},
                    {"flag", std::string(1, x.flag ? x.flag : 'N')},
                    {"mn", x.mn},
                    {"source", "manual"},
                    {"import", nullptr},
                    {"review", nullptr},
                    {"sample", nullptr}};
  if (!ctx.samples) return JsonResponse(j);
  UnixSeconds day = FloorBeijing(x.time, 86400);
  auto s = ctx.samples->LatestFor(site.code, x.factor, day, day + 86400);
  if (!s.ok()) return StoreError(s.status());
  if (!s->has_value()) return JsonResponse(j);
  const samples::Sample& got = **s;
  ordered_json sample = {{"id", got.id},
                         {"sampled_at", FormatRfc3339Beijing(got.sampled_at)},
                         {"kind", got.kind},
                         {"method", got.method},
                         {"lab", got.lab},
                         {"sampler", got.sampler},
                         {"report_no", got.report_no},
                         {"entered_by", got.entered_by},
                         {"entered_at", FormatRfc3339Beijing(got.entered_at)}};
  for (const samples::SampleValue& v : got.values)
    if (v.factor == x.factor) {
      sample["entered_value"] = v.below_detection ? "ND" : v.value;
      sample["below_detection"] = v.below_detection;
      sample["detection_limit"] =
          v.detection_limit.empty() ? json(nullptr) : json(v.detection_limit);
    }
  j["sample"] = std::move(sample);
  return JsonResponse(j);
}

// GET /readings/source?site=&factor=&period=&time=[&source=]: the stored value and
// where it came from: the import batch and file row that wrote it, the site's
// device, or the manual sample that gave it.
Response GetSource(const ApiContext& ctx, const Request& req, const Principal& who) {
  auto snap = ctx.sites->Get();
  std::string site_text = Param(req, "site", "");
  int64_t sid = 0;
  const store::Site* site =
      ParseId(site_text, &sid) ? snap->Site(sid) : snap->SiteByCode(site_text);
  if (!site) return Problem(404, "not-found", "No such site", site_text);
  auto tags = ctx.api->Tags(ReadingsDataset(*site));
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kRead, SiteTarget(*site, &*tags), now)) return *denied;
  auto period = PeriodFromName(Param(req, "period", "hour"));
  if (!period ||
      (*period != Period::kMinute && *period != Period::kHour && *period != Period::kDay))
    return Problem(400, "bad-parameter", "period must be minute, hour or day");
  std::string factor = Param(req, "factor", ""), bad;
  UnixSeconds t = TimeParam(req, "time", INT64_MIN, &bad);
  if (factor.empty() || t == INT64_MIN || !bad.empty())
    return Problem(400, "bad-parameter", "factor and time are required", bad);
  std::string source = Param(req, "source", "");
  if (source != "" && source != "auto" && source != "manual")
    return Problem(400, "bad-parameter", "source must be auto or manual", source);
  // The automatic devices first, then the manual samples (registry::ManualMn).
  std::vector<std::string> mns = snap->MnsOf(site->id);
  std::stable_partition(mns.begin(), mns.end(),
                        [](const std::string& mn) { return !registry::IsManualMn(mn); });
  for (const std::string& mn : mns) {
    bool manual = registry::IsManualMn(mn);
    if ((source == "auto" && manual) || (source == "manual" && !manual)) continue;
    // Manual values only for those who may read samples (the public reads none).
    if (manual && Check(who, Action::kRead, {Area::kSamples, nullptr, site->district_id}, now))
      continue;
    auto got = ctx.store->Range(mn, *period, factor, "Avg", t, t + 1);
    if (!got.ok()) return StoreError(got.status());
    if (got->empty()) continue;
    const Reading& x = got->front();
    if (manual) return ManualSource(ctx, *site, x);
    ordered_json j = {{"site", site->code},
                      {"factor", factor},
                      {"period", PeriodName(*period)},
                      {"time", FormatRfc3339Beijing(t)},
                      {"value", x.value},
                      {"flag", std::string(1, x.flag ? x.flag : 'N')},
                      {"mn", mn},
                      {"source", "device"},
                      {"import", nullptr}};
    // The newest review of the key, and the value it started from.
    std::optional<std::pair<review::Review, review::ReviewedValue>> reviewed;
    if (ctx.reviews) {
      auto rev = ctx.reviews->LatestFor(mn, *period, factor, t);
      if (!rev.ok()) return StoreError(rev.status());
      reviewed = std::move(*rev);
    }
    bool by_review = reviewed && reviewed->second.new_value == x.value &&
                     (reviewed->second.new_value != reviewed->second.old_value ||
                      reviewed->second.new_flag != reviewed->second.old_flag);
    const std::string& before = by_review ? reviewed->second.old_value : x.value;
    if (by_review) j["source"] = "review";
    if (ctx.imports) {
      auto src = ctx.imports->SourceOf(mn, *period, factor, t);
      if (!src.ok()) return StoreError(src.status());
      // The newest import of the key wrote this value (or the one a review started
      // from): unless a device sent another since, it is where the value came from.
      if (src->has_value() && (*src)->value == before) {
        if (!by_review) j["source"] = "import";
        bool may = !Check(who, Action::kRead, {Area::kImports, nullptr, site->district_id}, now);
        const ingest::ImportBatch& b = (*src)->batch;
        j["import"] = may ? ordered_json{{"batch", b.id},
                                         {"via", b.via},
                                         {"principal", b.principal},
                                         {"file", b.file_name},
                                         {"row", (*src)->row},
                                         {"created", FormatRfc3339Beijing(b.created)}}
                          : ordered_json{{"batch", b.id}};
      }
    }
    j["review"] = nullptr;
    if (reviewed) {
      const auto& [r, v] = *reviewed;
      j["review"] = {{"id", r.id},
                     {"action", r.action},
                     {"reason", r.reason.empty() ? json(nullptr) : json(r.reason)},
                     {"comment", r.comment},
                     {"requested_by", r.requested_by},
                     {"decided_by", r.decided_by},
                     {"at", FormatRfc3339Beijing(r.decided_at)},
                     {"original_value", v.old_value},
                     {"original_flag", std::string(1, v.old_flag)}};
    }
    return JsonResponse(j);
  }
  return Problem(404, "not-found", "No stored value", site->code + " " + factor);
}

}  // namespace

void AddImportRoutes(Api& api, const ApiContext& ctx) {
  api.Add("POST", "/api/v1/imports/readings",
          {.summary = "Import readings from a file (the request body: EcoHub's long CSV, or "
                      "CSV, XLSX or JSON read by a named mapping): every value checked, stored "
                      "all or none, derived like the gateway's; administrators, staff of their "
                      "district and push keys of their sites",
           .tag = "Imports",
           .query = {{"mapping", "string", "a mapping the server offers (GET /imports/mappings)"},
                     {"dry_run", "boolean", "true: check only, store nothing"},
                     {"batch_id", "string",
                      "the client's id of this batch: sent again, it is answered as the first "
                      "time and applied once"},
                     {"file_name", "string", "the file's name, for the record"}},
           .response = "{batch, format, rows, values, stored, created, replaced, unchanged, "
                       "missing, skipped, bad_values, errors[{row, column, reason}], sites, "
                       "first, last, committed, dry_run, replayed}; 422 when a value is bad "
                       "(nothing stored)",
           .id = "importReadings"},
          Bind(ctx, PostReadings));
  api.Add("GET", "/api/v1/imports/mappings",
          {.summary = "The mappings this server reads files by (name, title, shape)",
           .tag = "Imports",
           .id = "listImportMappings",
           .list = true},
          Bind(ctx, ListMappings));
  api.Add("GET", "/api/v1/imports",
          {.summary = "Import batches, newest first: who, how, which file, what each did",
           .tag = "Imports",
           .query = {{"cursor", "string", "next_cursor of the previous page"},
                     {"limit", "integer", "1..500, default 100"}},
           .id = "listImports",
           .list = true},
          Bind(ctx, ListBatches));
  api.Add("GET", "/api/v1/imports/{id}",
          {.summary = "One import batch", .tag = "Imports", .id = "getImport"},
          Bind(ctx, GetBatch));
  api.Add("GET", "/api/v1/readings/source",
          {.summary = "Where a stored value came from: the import batch and file row that wrote "
                      "it, or the site's device",
           .tag = "Data",
           .query = {{"site", "string", "site code or id", true},
                     {"factor", "string", "factor code", true},
                     {"period", "string", "minute, hour (default) or day"},
                     {"time", "time", "the start of the period", true},
                     {"source", "string",
                      "auto (the site's devices) or manual (its samples); default: the devices, "
                      "then the samples"}},
           .response = "{site, factor, period, time, value, flag, mn, source: "
                       "import|review|device|manual, sample: {id, sampled_at, kind, method, lab, "
                       "sampler, report_no, entered_by, entered_at, entered_value, "
                       "below_detection, detection_limit}, "
                       "import: {batch, via, principal, file, row, created}, review: {id, action, "
                       "reason, comment, requested_by, decided_by, at, original_value, "
                       "original_flag}}",
           .id = "getReadingSource"},
          Bind(ctx, GetSource));
}

}  // namespace ecohub::api
