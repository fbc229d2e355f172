#include "api/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "api/export.h"
#include "api/handlers.h"  // ApiContext, copied by Bind
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

std::optional<Response> Check(const Principal& who, auth::Action action, const auth::Target& target,
                              UnixSeconds now) {
  auto d = auth::Authorize(who, action, target, now);
  if (d) return std::nullopt;
  return Denied(who, d);
}

SecureHandler Bind(const ApiContext& ctx,
                   Response (*fn)(const ApiContext&, const Request&, const Principal&)) {
  return [ctx, fn](const Request& req, const Principal& who) { return fn(ctx, req, who); };
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

// Whether the request asks for a file (format=csv|xlsx) rather than JSON.
bool Exporting(const Request& req) {
  auto f = req.query.find("format");
  return f != req.query.end() && f->second != "json";
}

}  // namespace

std::optional<auth::DatasetTags> TagsOf(auth::Accounts* accounts, const std::string& id) {
  static const std::unordered_map<std::string, auth::DatasetTags> kBuiltin = [] {
    std::unordered_map<std::string, auth::DatasetTags> m;
    for (const auto& d : auth::BuiltinDatasets()) m[d.id] = d.tags;
    return m;
  }();
  if (auto it = kBuiltin.find(id); it != kBuiltin.end()) return it->second;
  if (!accounts) return std::nullopt;
  auto d = accounts->GetDataset(id);
  if (!d.ok()) return std::nullopt;
  return d->tags;
}

std::optional<auth::DatasetTags> Api::Tags(const std::string& id) const {
  return TagsOf(accounts_, id);
}

void Api::Add(std::string method, std::string pattern, RouteDoc doc, SecureHandler handler) {
  const Entry& route =
      entries_.emplace_back(Entry{method, pattern, std::move(doc), std::move(handler)});
  router_.Add(std::move(method), std::move(pattern),
              [this, &route](const Request& req) { return Serve(route, req); });
}

namespace {

// A session that must first change its password or enrol a second factor may do
// only that, see who it is and log out (Accounts decides when: accounts.h).
std::optional<Response> Unfinished(const RouteDoc& doc, const Principal& who) {
  if (!who.must_change_password && !who.must_enroll_second_factor) return std::nullopt;
  static const std::set<std::string_view> kAlways = {"getMe", "logout", "changePassword"};
  static const std::set<std::string_view> kEnrol = {"enrolSecondFactor", "confirmSecondFactor"};
  if (kAlways.contains(doc.id)) return std::nullopt;
  if (who.must_change_password)
    return Problem(403, "password-change-required", "Change your password first",
                   "POST /api/v1/auth/password");
  if (kEnrol.contains(doc.id)) return std::nullopt;
  return Problem(403, "second-factor-required", "Enrol a second factor first",
                 "POST /api/v1/me/totp, then /api/v1/me/totp/confirm");
}

}  // namespace

Response Api::Serve(const Entry& route, const Request& req) const {
  Principal who;
  if (auto refused = Authenticate(req, &who)) return *refused;
  if (auto refused = Unfinished(route.doc, who)) return *refused;
  RateLimiter::Verdict quota;
  if (auto refused = RateLimit(req, who, &quota)) return *refused;
  if (auto refused = CheckQuery(route.doc, req)) return *refused;
  // A signed-in principal refused by the policy, here or in the handler, is on the
  // record (the public's 401s are not: they are anyone's).
  auto denied = [&](const Response& r) {
    if (r.status == 403 && audit_)
      audit_(who, "access.denied", req.method + " " + route.pattern,
             {{"path", req.path}, {"peer", req.peer}});
  };
  if (auto refused = Authorize(route.doc, req, who)) {
    denied(*refused);
    return *refused;
  }
  bool once =
      idempotency_ && !req.idempotency_key.empty() && req.method != "GET" && req.method != "HEAD";
  Response r = once ? RunOnce(route, req, who) : Run(route, req, who);
  denied(r);
  if (route.doc.exportable && r.status == 200 && !r.stream && !r.deferred && Exporting(req))
    r = Export(route.doc, req, who, r);
  if (r.status == 200 && audit_ && SharedRead(route.doc, who)) {
    nlohmann::json query = nlohmann::json::object();
    for (const auto& [k, v] : req.query) query[k] = v;
    audit_(who, "data.read",
           route.doc.dataset.empty() ? req.method + " " + route.pattern
                                     : "dataset:" + route.doc.dataset,
           {{"path", req.path}, {"query", query}});
  }
  return Finally(std::move(r), [this, &route, who, quota](Response* answer) {
    AddHeaders(route.doc, who, quota, answer);
  });
}

// Reads through the sharing API (by a partner department or an API key) of data
// that is not open to all go on the usage record (docs/access.md); routes that record
// their own reads with more detail (readings, raw packets) set neither field.
bool Api::SharedRead(const RouteDoc& doc, const Principal& who) const {
  if (who.key_id == 0 && who.role != auth::Role::kPartner) return false;
  if (doc.usage) return true;
  if (doc.dataset.empty()) return false;
  auto tags = Tags(doc.dataset);
  return tags &&
         !(tags->secrecy == auth::Secrecy::kPublic && tags->sharing == auth::Sharing::kPublic);
}

std::optional<Response> Api::Authenticate(const Request& req, Principal* who) const {
  std::string bearer = BearerOf(req.authorization);
  if (!req.authorization.empty() && bearer.empty())
    return Problem(401, "unauthenticated", "Unsupported authorization",
                   "use Authorization: Bearer <token or API key>");
  if (bearer.empty()) return std::nullopt;
  if (!accounts_) return Problem(401, "unauthenticated", "Accounts are not enabled");
  auto p = accounts_->Authenticate(bearer, clock_.WallSeconds());
  if (!p.ok()) {
    Response r =
        Problem(401, "unauthenticated", "Invalid or expired credentials", p.status().message());
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"ecohub\", error=\"invalid_token\"");
    return r;
  }
  *who = std::move(*p);
  return std::nullopt;
}

std::optional<Response> Api::RateLimit(const Request& req, const Principal& who,
                                       RateLimiter::Verdict* quota) const {
  if (!limiter_) return std::nullopt;
  *quota =
      limiter_->Take(who.user_id ? who.name : "addr:" + req.peer, req.peer, clock_.SteadySeconds());
  if (quota->allowed) return std::nullopt;
  Response r = Problem(429, "rate-limited", "Too many requests", "slow down; see Retry-After");
  std::string reset = std::to_string(static_cast<int>(std::ceil(quota->reset_seconds)));
  r.headers.emplace_back("Retry-After", reset);
  r.headers.emplace_back("RateLimit-Limit", std::to_string(static_cast<int>(quota->limit)));
  r.headers.emplace_back("RateLimit-Remaining", "0");
  r.headers.emplace_back("RateLimit-Reset", reset);
  return r;
}

std::optional<Response> Api::CheckQuery(const RouteDoc& doc, const Request& req) const {
  for (const auto& [k, val] : req.query) {
    const std::string& name = k;  // clang 14 (the fuzz build) cannot capture a binding
    auto it = std::find_if(doc.query.begin(), doc.query.end(),
                           [&](const ParamDoc& p) { return p.name == name; });
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
  return std::nullopt;
}

std::optional<Response> Api::Authorize(const RouteDoc& doc, const Request& req,
                                       const Principal& who) const {
  if (doc.dataset.empty()) {
    if (doc.login && who.role == auth::Role::kPublic) return Denied(who, {});
    return std::nullopt;
  }
  auto tags = Tags(doc.dataset);
  if (!tags) return Problem(500, "internal", "Route names an unknown dataset", doc.dataset);
  // The dataset as a whole: an enterprise asks for its own rows (the handler
  // filters them), a district account for its district's or city-level ones.
  return Check(who, Exporting(req) ? auth::Action::kExport : auth::Action::kRead,
               {auth::Area::kData, &*tags, 0, who.enterprise_id}, clock_.WallSeconds());
}

Response Api::Run(const Entry& route, const Request& req, const Principal& who) {
  try {
    return route.handler(req, who);
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", req.method, req.path, e.what());
    return Problem(500, "internal", "Internal error");
  }
}

// An exportable route whose handler answered JSON: its items become the file, with
// the same filters and rights as the JSON had.
Response Api::Export(const RouteDoc& doc, const Request& req, const Principal& who,
                     const Response& json_answer) const {
  std::string stem = req.path.substr(req.path.rfind('/') + 1);
  std::string object = doc.dataset.empty() ? "list:" + stem : "dataset:" + doc.dataset;
  nlohmann::json filters = req.query;
  return ItemsAsExport(json_answer, req.query.at("format"), stem,
                       [audit = audit_, who, object, filters](int64_t rows) {
                         if (audit)
                           audit(who, "export", object, {{"filters", filters}, {"rows", rows}});
                       });
}

void Api::AddHeaders(const RouteDoc& doc, const Principal& who, const RateLimiter::Verdict& quota,
                     Response* r) const {
  // What the public may read, caches and proxies may keep for a minute; anything
  // read with credentials stays private. A handler that said otherwise is kept (a
  // complaint's progress is the complainant's and changes).
  bool said = std::any_of(r->headers.begin(), r->headers.end(),
                          [](const auto& h) { return h.first == "Cache-Control"; });
  if (!said && r->status == 200 && who.role == auth::Role::kPublic && !doc.login)
    r->headers.emplace_back("Cache-Control", "public, max-age=60");
  else if (!said && who.role != auth::Role::kPublic)
    r->headers.emplace_back("Cache-Control", "private, no-store");
  if (limiter_) {
    r->headers.emplace_back("RateLimit-Limit", std::to_string(static_cast<int>(quota.limit)));
    r->headers.emplace_back("RateLimit-Remaining",
                            std::to_string(static_cast<int>(quota.remaining)));
    r->headers.emplace_back("RateLimit-Reset",
                            std::to_string(static_cast<int>(std::ceil(quota.reset_seconds))));
  }
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

std::vector<ParamDoc> AllOptional(std::vector<ParamDoc> fields) {
  for (ParamDoc& p : fields) p.required = false;
  return fields;
}

std::optional<Response> ParseBody(const Request& req, const std::vector<ParamDoc>& fields,
                                  nlohmann::json* out) {
  if (req.body.empty()) return Problem(400, "bad-body", "A JSON body is required");
  // No body of this API nests deeper than a few levels; a deeper one (100,000 nested
  // objects crashed a recursive dump) is refused while parsing, before it is built.
  constexpr int kMaxDepth = 32;
  auto shallow = [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxDepth) throw std::length_error("nested deeper than 32 levels");
    return true;
  };
  try {
    *out = nlohmann::json::parse(req.body, shallow);  // throws on invalid UTF-8 as well
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

std::optional<Response> PathId(const Request& req, int64_t* id) {
  auto it = req.params.find("id");
  if (it == req.params.end() || !ParseId(it->second, id)) return Problem(400, "bad-id", "Bad id");
  return std::nullopt;
}

Response NoContent() {
  Response r;
  r.status = 204;
  return r;
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

}  // namespace ecohub::api
