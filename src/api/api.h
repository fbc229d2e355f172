// Api: the platform API's routes with their documentation and their guard.
//
// Every route is added with a RouteDoc (summary, tag, query parameters, body) and
// a handler that receives the authenticated Principal. The same RouteDocs produce
// /api/v1/openapi.json, so a route cannot exist undocumented, and the guard in
// front of each handler:
//   1. authenticates `Authorization: Bearer <token or API key>` (a present but
//      invalid bearer is a 401 even on public routes: a client should learn that
//      its key died, not silently get less);
//   2. applies the rate limits (per principal and per client address) with the
//      RateLimit-* headers, 429 with Retry-After when exhausted;
//   3. refuses query parameters the route does not document (400), and checks the
//      documented types of those given;
//   4. for routes that serve one dataset, asks the access policy (auth/policy.h)
//      before the handler runs; object-level checks (this site's district, this
//      outlet's enterprise) are asked by the handlers through Allowed(). A 403
//      here is put on the record (SetAudit's function, action "access.denied");
//   5. with SetIdempotency, runs a write sent with an `Idempotency-Key` header once
//      per key and principal (RunOnce): a retry gets the first answer again.
// A handler's answer may be deferred (Response::Defer): the guard's headers are
// added when it comes.
// Thread-safety: built before the server starts; Dispatch is const and reentrant.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/router.h"
#include "auth/accounts.h"
#include "auth/policy.h"
#include "core/clock.h"
#include "idempotency/idempotency_store.h"

namespace ecohub::api {

struct ParamDoc {
  std::string name;
  // "string", "integer", "number", "boolean", "time" (a date, a Beijing time or UTC
  // seconds: see ParseTime), "cursor".
  std::string type = "string";
  std::string description;
  bool required = false;
};

// Written with designated initializers, in the order of the fields:
//   {.summary = "...", .tag = "Registry", .query = {...}, .login = false,
//    .dataset = "...", .exportable = true, .response = "...", .id = "listSites",
//    .list = true}
struct RouteDoc {
  std::string summary;
  std::string tag;  // "Public", "Data", "Registry", "Accounts", "Catalog", "Operations"
  std::vector<ParamDoc> query;
  // The JSON body's fields, when the route takes one.
  std::vector<ParamDoc> body;
  bool login = true;  // false: answers the public too (within what the policy allows)
  // The dataset the route serves: the guard checks the policy for it first.
  std::string dataset;
  bool exportable = false;  // takes format=csv|xlsx
  std::string response;     // a short description of the 200 answer
  // The OpenAPI operationId: a lowerCamelCase identifier, unique across the API, that
  // client generators turn into a function name ("getCityAqi"). Last, so that
  // designated initializers name it after the rest.
  std::string id;
  // The 200 answer is a list, {items: [...], next_cursor} (next_cursor only where
  // the route pages); otherwise a JSON object. The OpenAPI document says which.
  // Exportable routes are lists.
  bool list = false;
  // The media type of the 200 answer when it is not JSON ("text/html").
  std::string media_type;
  // The route reads shared data although it names no one dataset (latest values
  // across datasets): the guard puts partners' and API keys' reads of it on the
  // usage record, as it does for routes of a dataset that is not public.
  bool usage = false;
};

struct RateLimitOptions {
  double per_second = 50;  // sustained, per principal (or per address for the public)
  double burst = 200;
  double per_address_per_second = 200;  // all principals from one address together
  double per_address_burst = 400;
  // Complaints from the public (POST /public/complaints): from one address, and from
  // everyone together (a flood, or a campaign, must not bury the staff).
  double complaints_per_address_per_hour = 10;
  double complaints_per_hour = 600;
};

class RateLimiter {
 public:
  explicit RateLimiter(const RateLimitOptions& o) : options_(o) {}
  struct Verdict {
    bool allowed = true;
    double limit = 0, remaining = 0, reset_seconds = 0;
  };
  // Takes one token from `key`'s bucket and from `address`'s bucket.
  Verdict Take(const std::string& key, const std::string& address, double now_seconds);

 private:
  struct Bucket {
    double tokens = 0, updated = 0;
  };
  bool TakeFrom(std::unordered_map<std::string, Bucket>& m, const std::string& k, double rate,
                double burst, double now, double* remaining, double* reset);
  RateLimitOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> by_key_, by_address_;
};

using SecureHandler = std::function<Response(const Request&, const auth::Principal&)>;

// What the route tables hand to their handlers (handlers.h). Cheap to copy: pointers,
// shared pointers and functions.
struct ApiContext;
// A named handler of a route table, `Response GetSite(const ApiContext& ctx, const
// Request& req, const auth::Principal& who)`, as the SecureHandler Api::Add takes:
// the handler is called with a copy of `ctx` taken now.
SecureHandler Bind(const ApiContext& ctx,
                   Response (*fn)(const ApiContext&, const Request&, const auth::Principal&));

class Api {
 public:
  Api(Router& router, auth::Accounts* accounts, RateLimiter* limiter,
      const Clock& clock = RealClock())
      : router_(router), accounts_(accounts), limiter_(limiter), clock_(clock) {}

  // Serves `handler` at `method` `pattern` behind the guard, documented by `doc`.
  void Add(std::string method, std::string pattern, RouteDoc doc, SecureHandler handler);
  // Serves an added route under a second path too (the public API's names for the
  // public datasets), documented under `tag` with `summary`.
  void Alias(const std::string& method, const std::string& pattern, const std::string& of,
             const std::string& id, const std::string& tag, const std::string& summary);
  // The OpenAPI 3.0 document of every route added so far (openapi.cc).
  nlohmann::ordered_json OpenApi() const;

  auth::Accounts* accounts() const { return accounts_; }
  // Where exports and the guard's denials are put on the record (handlers.cc: Audit).
  using AuditFn = std::function<void(const auth::Principal&, std::string_view action,
                                     std::string_view object, const nlohmann::json& detail)>;
  void SetAudit(AuditFn fn) { audit_ = std::move(fn); }
  // Where the answers of writes sent with an Idempotency-Key are kept (null: the
  // header is ignored). Set before the server starts; must outlive the Api.
  void SetIdempotency(idempotency::IdempotencyStore* store) { idempotency_ = store; }
  // The datasets' tags by id (built-in and registered), refreshed on Put: TagsOf
  // the accounts the Api was given.
  std::optional<auth::DatasetTags> Tags(const std::string& dataset) const;

 private:
  struct Entry {
    std::string method, pattern;
    RouteDoc doc;
    SecureHandler handler;
  };
  // One request through the guard: each step below either refuses (the problem to
  // answer, before the handler runs) or lets the request go on.
  Response Serve(const Entry& route, const Request& req) const;
  // Whether a 200 answer of the route to `who` goes on the usage record.
  bool SharedRead(const RouteDoc& doc, const auth::Principal& who) const;
  // The bearer's principal into *who (the public when there is none).
  std::optional<Response> Authenticate(const Request& req, auth::Principal* who) const;
  // Takes a token of the principal's and the address's buckets; *quota for the
  // RateLimit-* headers of the answer.
  std::optional<Response> RateLimit(const Request& req, const auth::Principal& who,
                                    RateLimiter::Verdict* quota) const;
  // Undocumented, mistyped and missing query parameters.
  std::optional<Response> CheckQuery(const RouteDoc& doc, const Request& req) const;
  // The dataset's policy (or a login) before the handler runs.
  std::optional<Response> Authorize(const RouteDoc& doc, const Request& req,
                                    const auth::Principal& who) const;
  // The handler's answer; a 500 problem when it throws.
  static Response Run(const Entry& route, const Request& req, const auth::Principal& who);
  // Run, once per Idempotency-Key of the principal: the first request's answer
  // again for a retry (header Idempotent-Replayed: true), 409 while the first still
  // runs, 422 for the key reused on another request. 5xx and streamed answers are
  // not kept (the key may be sent again).
  Response RunOnce(const Entry& route, const Request& req, const auth::Principal& who) const;
  // The JSON answer of an exportable route as the CSV or XLSX file asked for,
  // the export put on the record.
  Response Export(const RouteDoc& doc, const Request& req, const auth::Principal& who,
                  const Response& json_answer) const;
  // Cache-Control and RateLimit-* headers of an answer the handler gave.
  void AddHeaders(const RouteDoc& doc, const auth::Principal& who,
                  const RateLimiter::Verdict& quota, Response* r) const;

  Router& router_;
  auth::Accounts* accounts_;
  RateLimiter* limiter_;
  const Clock& clock_;
  AuditFn audit_;
  idempotency::IdempotencyStore* idempotency_ = nullptr;
  mutable std::atomic<uint64_t> begun_{0};  // RunOnce purges every 256th time
  // A deque: the router's handlers point at their entries, which must not move.
  std::deque<Entry> entries_;
};

// A dataset's tags by id: the built-in catalog's, else the registered entry's in
// `accounts` (null: built-in only); nullopt for an unknown dataset.
std::optional<auth::DatasetTags> TagsOf(auth::Accounts* accounts, const std::string& dataset);

// A JSON answer's "items" as a CSV or XLSX download: one column per key (nested
// objects flattened as "a.b", arrays as JSON text), rows in order. For exportable
// routes whose handler answers JSON only; `on_done` gets the row count.
Response ItemsAsExport(const Response& json_answer, const std::string& format,
                       const std::string& stem, std::function<void(int64_t)> on_done);

// The 401 (for the public) or 403 (for anyone else) problem of a denied decision.
Response Denied(const auth::Principal& who, const auth::Decision& d);
// Asks the policy at `now`; nullopt when allowed, the problem to answer otherwise.
std::optional<Response> Check(const auth::Principal& who, auth::Action action,
                              const auth::Target& target, UnixSeconds now);
// "Bearer xyz" -> "xyz"; empty when absent or another scheme.
std::string BearerOf(std::string_view authorization);

// The JSON body of a request, checked against the route's documented fields: an
// object, valid UTF-8, no unknown field, each field of its documented type (and
// strings at most 4,000 bytes). On failure returns the 400 problem.
std::optional<Response> ParseBody(const Request& req, const std::vector<ParamDoc>& fields,
                                  nlohmann::json* out);
// `fields` with none of them required: the body of a PATCH, which names only what
// changes.
std::vector<ParamDoc> AllOptional(std::vector<ParamDoc> fields);
// The path's {id} as a positive id into *id; on failure the 400 problem.
std::optional<Response> PathId(const Request& req, int64_t* id);
// An answer without a body (204).
Response NoContent();

}  // namespace ecohub::api
