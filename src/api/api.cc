#include "api/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>

#include "api/export.h"
#include "api/params.h"

namespace ecohub::api {

using auth::Principal;

// --- rate limits: token buckets ----------------------------------------------

bool RateLimiter::TakeFrom(std::unordered_map<std::string, Bucket>& m, const std::string& k,
                           double rate, double burst, double now, double* remaining,
                           double* reset) {
  if (m.size() > 50000) m.clear();  // an address sweep must not grow memory without end
  auto [it, fresh] = m.try_emplace(k, Bucket{burst, now});
  Bucket& b = it->second;
  if (!fresh) b.tokens = std::min(burst, b.tokens + (now - b.updated) * rate);
  b.updated = now;
  bool ok = b.tokens >= 1;
  if (ok) b.tokens -= 1;
  *remaining = std::floor(b.tokens);
  *reset = ok ? (burst - b.tokens) / rate : (1 - b.tokens) / rate;
  return ok;
}

RateLimiter::Verdict RateLimiter::Take(const std::string& key, const std::string& address,
                                       double now) {
  Verdict v;
  std::lock_guard lock(mu_);
  double r1 = 0, t1 = 0, r2 = 0, t2 = 0;
  bool a = TakeFrom(by_address_, address, options_.per_address_per_second,
                    options_.per_address_burst, now, &r2, &t2);
  bool k = a && TakeFrom(by_key_, key, options_.per_second, options_.burst, now, &r1, &t1);
  v.allowed = a && k;
  v.limit = options_.burst;
  v.remaining = a ? r1 : 0;
  v.reset_seconds = std::max(a ? t1 : 0.0, v.allowed ? 0.0 : t2);
  if (!a) v.reset_seconds = t2;
  return v;
}

// --- the guard -----------------------------------------------------------------

std::string BearerOf(std::string_view h) {
  constexpr std::string_view kScheme = "Bearer ";
  if (h.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(h[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i])))
      return {};
  h.remove_prefix(kScheme.size());
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  return std::string(h);
}

Response Denied(const Principal& who, const auth::Decision& d) {
  if (who.role == auth::Role::kPublic) {
    Response r = Problem(401, "unauthenticated", "Login required",
                         "send Authorization: Bearer <token or API key>");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"ecohub\"");
    return r;
  }
  return Problem(403, "forbidden", "Not allowed", d.reason);
}

std::optional<Response> Check(const Principal& who, auth::Action action,
                              const auth::Target& target) {
  auto d = auth::Authorize(who, action, target, WallSeconds());
  if (d) return std::nullopt;
  return Denied(who, d);
}

namespace {

// Checks one query value against its documented type.
bool TypeOk(const std::string& type, const std::string& v) {
  if (type == "integer") {
    int64_t x;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    return ec == std::errc() && p == v.data() + v.size();
  }
  if (type == "number") {
    double x;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    return ec == std::errc() && p == v.data() + v.size() && std::isfinite(x);
  }
  if (type == "boolean") return v == "true" || v == "false" || v == "1" || v == "0";
  if (type == "time") return ParseTime(v).has_value();
  return true;
}

}  // namespace

std::optional<auth::DatasetTags> Api::Tags(const std::string& id) const {
  static const std::unordered_map<std::string, auth::DatasetTags> kBuiltin = [] {
    std::unordered_map<std::string, auth::DatasetTags> m;
    for (const auto& d : auth::BuiltinDatasets()) m[d.id] = d.tags;
    return m;
  }();
  if (auto it = kBuiltin.find(id); it != kBuiltin.end()) return it->second;
  if (!accounts_) return std::nullopt;
  auto d = accounts_->GetDataset(id);
  if (!d.ok()) return std::nullopt;
  return d->tags;
}

void Api::Add(std::string method, std::string pattern, RouteDoc doc, SecureHandler handler) {
  entries_.push_back({method, pattern, doc, handler});
  auto run = [this, doc = std::move(doc), handler = std::move(handler)](const Request& req) {
    Principal who;
    std::string bearer = BearerOf(req.authorization);
    if (!req.authorization.empty() && bearer.empty())
      return Problem(401, "unauthenticated", "Unsupported authorization",
                     "use Authorization: Bearer <token or API key>");
    if (!bearer.empty()) {
      if (!accounts_) return Problem(401, "unauthenticated", "Accounts are not enabled");
      auto p = accounts_->Authenticate(bearer, WallSeconds());
      if (!p.ok()) {
        Response r =
            Problem(401, "unauthenticated", "Invalid or expired credentials", p.status().message());
        r.headers.emplace_back("WWW-Authenticate",
                               "Bearer realm=\"ecohub\", error=\"invalid_token\"");
        return r;
      }
      who = std::move(*p);
    }
    RateLimiter::Verdict v;
    if (limiter_) {
      double now =
          std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
              .count();
      v = limiter_->Take(who.user_id ? who.name : "addr:" + req.peer, req.peer, now);
      if (!v.allowed) {
        Response r =
            Problem(429, "rate-limited", "Too many requests", "slow down; see Retry-After");
        r.headers.emplace_back("Retry-After",
                               std::to_string(static_cast<int>(std::ceil(v.reset_seconds))));
        r.headers.emplace_back("RateLimit-Limit", std::to_string(static_cast<int>(v.limit)));
        r.headers.emplace_back("RateLimit-Remaining", "0");
        r.headers.emplace_back("RateLimit-Reset",
                               std::to_string(static_cast<int>(std::ceil(v.reset_seconds))));
        return r;
      }
    }
    for (const auto& entry : req.query) {
      const std::string& k = entry.first;
      const std::string& val = entry.second;
      auto it = std::find_if(doc.query.begin(), doc.query.end(),
                             [&](const ParamDoc& p) { return p.name == k; });
      bool is_format = doc.exportable && k == "format";
      if (it == doc.query.end() && !is_format)
        return Problem(400, "unknown-parameter", "Unknown query parameter", k);
      if (is_format && !(val == "json" || val == "csv" || val == "xlsx"))
        return Problem(400, "bad-parameter", "format must be json, csv or xlsx", val);
      if (it != doc.query.end() && !TypeOk(it->type, val))
        return Problem(400, "bad-parameter", "Bad query parameter",
                       k + " must be of type " + it->type);
    }
    for (const auto& p : doc.query)
      if (p.required && !req.query.count(p.name))
        return Problem(400, "missing-parameter", "Missing query parameter", p.name);
    if (!doc.dataset.empty()) {
      auto tags = Tags(doc.dataset);
      if (!tags) return Problem(500, "internal", "Route names an unknown dataset", doc.dataset);
      bool exporting = req.query.count("format") && req.query.at("format") != "json";
      // The dataset as a whole: an enterprise asks for its own rows (the handler
      // filters them), a district account for its district's or city-level ones.
      if (auto denied = Check(who, exporting ? auth::Action::kExport : auth::Action::kRead,
                              {auth::Area::kData, &*tags, 0, who.enterprise_id}))
        return *denied;
    } else if (doc.login && who.role == auth::Role::kPublic) {
      return Denied(who, {});
    }
    Response r;
    try {
      r = handler(req, who);
    } catch (const std::exception& e) {
      spdlog::error("{} {}: {}", req.method, req.path, e.what());
      r = Problem(500, "internal", "Internal error");
    }
    // An exportable route whose handler answered JSON: its items become the file,
    // with the same filters and rights as the JSON had.
    if (doc.exportable && r.status == 200 && !r.stream && req.query.count("format") &&
        req.query.at("format") != "json") {
      std::string stem = req.path.substr(req.path.rfind('/') + 1);
      std::string format = req.query.at("format");
      std::string object = doc.dataset.empty() ? "list:" + stem : "dataset:" + doc.dataset;
      auto audit = audit_;
      nlohmann::json filters = req.query;
      r = ItemsAsExport(r, format, stem, [audit, who, object, filters](int64_t rows) {
        if (audit) audit(who, "export", object, {{"filters", filters}, {"rows", rows}});
      });
    }
    // What the public may read, caches and proxies may keep for a minute; anything
    // read with credentials stays private.
    if (r.status == 200 && who.role == auth::Role::kPublic && !doc.login)
      r.headers.emplace_back("Cache-Control", "public, max-age=60");
    else if (who.role != auth::Role::kPublic)
      r.headers.emplace_back("Cache-Control", "private, no-store");
    if (limiter_) {
      r.headers.emplace_back("RateLimit-Limit", std::to_string(static_cast<int>(v.limit)));
      r.headers.emplace_back("RateLimit-Remaining", std::to_string(static_cast<int>(v.remaining)));
      r.headers.emplace_back("RateLimit-Reset",
                             std::to_string(static_cast<int>(std::ceil(v.reset_seconds))));
    }
    return r;
  };
  router_.Add(std::move(method), std::move(pattern), std::move(run));
}

void Api::Alias(const std::string& method, const std::string& pattern, const std::string& of,
                const std::string& id, const std::string& tag, const std::string& summary) {
  for (const auto& e : entries_) {
    if (e.method != method || e.pattern != of) continue;
    RouteDoc doc = e.doc;
    doc.id = id;
    doc.tag = tag;
    doc.summary = summary;
    SecureHandler h = e.handler;
    Add(method, pattern, std::move(doc), std::move(h));
    return;
  }
}

std::optional<Response> ParseBody(const Request& req, const std::vector<ParamDoc>& fields,
                                  nlohmann::json* out) {
  if (req.body.empty()) return Problem(400, "bad-body", "A JSON body is required");
  try {
    *out = nlohmann::json::parse(req.body);  // throws on invalid UTF-8 as well
  } catch (const std::exception& e) {
    return Problem(400, "bad-body", "Body is not valid JSON", e.what());
  }
  if (!out->is_object()) return Problem(400, "bad-body", "Body must be a JSON object");
  for (const auto& item : out->items()) {
    const std::string& k = item.key();
    const auto& v = item.value();
    auto it =
        std::find_if(fields.begin(), fields.end(), [&](const ParamDoc& p) { return p.name == k; });
    if (it == fields.end()) return Problem(400, "unknown-field", "Unknown field in body", k);
    if (v.is_null()) continue;
    const std::string& t = it->type;
    bool ok = t == "string" || t == "time" ? v.is_string()
              : t == "integer"             ? v.is_number_integer()
              : t == "number"              ? v.is_number()
              : t == "boolean"             ? v.is_boolean()
              : t == "array"               ? v.is_array()
              : t == "object"              ? v.is_object()
                                           : true;
    if (!ok) return Problem(400, "bad-field", "Wrong type in body", k + " must be " + t);
    if (v.is_string() && v.get_ref<const std::string&>().size() > 4000)
      return Problem(400, "bad-field", "Field too long", k + " is over 4000 bytes");
    if (t == "time" && !ParseTime(v.get<std::string>()))
      return Problem(400, "bad-field", "Bad time", k + ": use 2026-03-01 or 2026-03-01T08:00");
  }
  for (const auto& p : fields)
    if (p.required && (!out->contains(p.name) || (*out)[p.name].is_null()))
      return Problem(400, "missing-field", "Missing field in body", p.name);
  return std::nullopt;
}

Response ItemsAsExport(const Response& answer, const std::string& format, const std::string& stem,
                       std::function<void(int64_t)> on_done) {
  auto doc = nlohmann::ordered_json::parse(answer.body, nullptr, false);
  if (doc.is_discarded() || !doc.contains("items") || !doc["items"].is_array())
    return Problem(400, "not-exportable", "This answer has no list to export");
  // Columns: every key met, in order of first appearance.
  auto rows =
      std::make_shared<std::vector<std::vector<std::pair<std::string, nlohmann::ordered_json>>>>();
  std::vector<std::string> names;
  std::map<std::string, bool> numeric;
  for (const auto& item : doc["items"]) {
    std::vector<std::pair<std::string, nlohmann::ordered_json>> flat;
    auto add = [&](const std::string& k, const nlohmann::ordered_json& v) {
      if (!numeric.count(k)) {
        names.push_back(k);
        numeric[k] = true;
      }
      if (!v.is_null() && !v.is_number()) numeric[k] = false;
      flat.emplace_back(k, v);
    };
    if (!item.is_object()) {
      add("value", item);
    } else {
      for (const auto& [k, v] : item.items()) {
        if (v.is_object())
          for (const auto& [k2, v2] : v.items()) add(k + "." + k2, v2);
        else
          add(k, v);
      }
    }
    rows->push_back(std::move(flat));
  }
  std::vector<ExportColumn> columns;
  for (const auto& n : names)
    columns.push_back({n, "", numeric[n] ? ExportColumn::kNumber : ExportColumn::kText});
  size_t i = 0;
  return ExportResponse(
      *ParseExportFormat(format), stem, std::move(columns),
      [rows, names, i](std::vector<std::optional<std::string>>* out) mutable {
        if (i >= rows->size()) return false;
        out->assign(names.size(), std::nullopt);
        for (const auto& [k, v] : (*rows)[i]) {
          size_t c = std::find(names.begin(), names.end(), k) - names.begin();
          if (v.is_null()) continue;
          (*out)[c] = v.is_string()
                          ? v.get<std::string>()
                          : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        ++i;
        return true;
      },
      std::move(on_done));
}

// --- OpenAPI -------------------------------------------------------------------

namespace {
nlohmann::ordered_json Schema(const std::string& type) {
  if (type == "integer" || type == "number" || type == "boolean" || type == "array" ||
      type == "object")
    return {{"type", type}};
  if (type == "time")
    return {{"type", "string"},
            {"description", "2026-03-01, 2026-03-01T08:00 (Beijing time) or UTC seconds"}};
  return {{"type", "string"}};
}
}  // namespace

nlohmann::ordered_json Api::OpenApi() const {
  using oj = nlohmann::ordered_json;
  oj paths = oj::object();
  for (const auto& e : entries_) {
    oj op;
    op["summary"] = e.doc.summary;
    op["tags"] = {e.doc.tag};
    op["operationId"] = e.doc.id.empty() ? e.method + " " + e.pattern : e.doc.id;
    oj params = oj::array();
    size_t pos = 0;
    while ((pos = e.pattern.find('{', pos)) != std::string::npos) {
      size_t end = e.pattern.find('}', pos);
      params.push_back({{"name", e.pattern.substr(pos + 1, end - pos - 1)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}}}});
      pos = end;
    }
    for (const auto& p : e.doc.query)
      params.push_back({{"name", p.name},
                        {"in", "query"},
                        {"required", p.required},
                        {"description", p.description},
                        {"schema", Schema(p.type)}});
    if (e.doc.exportable)
      params.push_back({{"name", "format"},
                        {"in", "query"},
                        {"required", false},
                        {"description", "json (default), csv or xlsx: a streamed download"},
                        {"schema", {{"type", "string"}, {"enum", {"json", "csv", "xlsx"}}}}});
    op["parameters"] = params;
    if (!e.doc.body.empty()) {
      oj props = oj::object();
      oj required = oj::array();
      for (const auto& p : e.doc.body) {
        props[p.name] = Schema(p.type);
        if (!p.description.empty()) props[p.name]["description"] = p.description;
        if (p.required) required.push_back(p.name);
      }
      oj schema = {{"type", "object"}, {"additionalProperties", false}, {"properties", props}};
      if (!required.empty()) schema["required"] = required;
      op["requestBody"] = {{"required", true},
                           {"content", {{"application/json", {{"schema", schema}}}}}};
    }
    oj responses = oj::object();
    responses["200"] = {{"description", e.doc.response.empty() ? "OK" : e.doc.response}};
    responses["400"] = {{"$ref", "#/components/responses/Problem"}};
    if (e.doc.login || !e.doc.dataset.empty()) {
      responses["401"] = {{"$ref", "#/components/responses/Problem"}};
      responses["403"] = {{"$ref", "#/components/responses/Problem"}};
    }
    responses["429"] = {{"$ref", "#/components/responses/Problem"}};
    op["responses"] = responses;
    if (!e.doc.login && e.doc.dataset.empty()) op["security"] = oj::array();
    if (!e.doc.dataset.empty()) op["x-dataset"] = e.doc.dataset;
    std::string m = e.method;
    for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[e.pattern][m] = op;
  }
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "EcoHub platform API"},
            {"version", "1"},
            {"description",
             "Environmental monitoring data, derived values, the resource catalog and data "
             "sharing. Times are RFC 3339 with +08:00; values label the start of their period."}}},
          {"servers", {{{"url", "/"}}}},
          {"security", {{{"bearer", oj::array()}}}},
          {"components",
           {{"securitySchemes",
             {{"bearer",
               {{"type", "http"},
                {"scheme", "bearer"},
                {"description", "a login token (eht_...) or an API key (ehk_...)"}}}}},
            {"responses",
             {{"Problem",
               {{
                    "description",
                    "RFC 7807 problem",
                },
                {"content",
                 {{"application/problem+json",
                   {{"schema",
                     {{"type", "object"},
                      {"properties",
                       {{"type", {{"type", "string"}}},
                        {"title", {{"type", "string"}}},
                        {"status", {{"type", "integer"}}},
                        {"detail", {{"type", "string"}}}}}}}}}}}}}}}}},
          {"paths", paths}};
}

}  // namespace ecohub::api
