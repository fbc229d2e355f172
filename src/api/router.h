// Router: maps (method, path pattern) to a handler. Patterns are literal segments
// and `{name}` captures: "/api/v1/sites/{id}/latest". Thread-safe once built (all
// routes are added before the server starts).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ecohub::api {

struct Request {
  std::string method;  // "GET"
  std::string path;    // without the query string
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> params;  // from {captures}
  std::string body;
  std::string authorization;
  std::string accept_encoding;  // the Accept-Encoding header, as sent
  std::string peer;             // the client's address ("127.0.0.1"), for rate limits
  std::string if_none_match;    // the If-None-Match header, as sent (static files)
  std::string idempotency_key;  // the Idempotency-Key header, as sent (Api::RunOnce)
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // A streamed body (exports): when set, `body` is ignored and the server sends the
  // response with chunked transfer encoding, calling `stream` for each next piece
  // until it returns false (the piece it filled on that last call is still sent).
  // It runs on the server's handler threads between writes, one call at a time per
  // connection, so each call should produce a bounded piece (tens of KB) and return.
  // A piece may be empty.
  std::function<bool(std::string* piece)> stream;
  // A deferred answer (work that must not hold a handler thread, such as
  // Argon2id): when set, every other field is ignored; the server calls `deferred`
  // once, on a handler thread, with a `done` callback, and holds the
  // connection (no read, no timeout) until `done` is called with the real answer,
  // from any thread, at most once. That answer must not itself be deferred. A
  // `done` destroyed without being called closes the connection.
  using Done = std::function<void(Response)>;
  std::function<void(Done done)> deferred;

  // A deferred response that runs `start(done)` when the server is ready for it.
  static Response Defer(std::function<void(Done done)> start);
};

// Applies `finish` to `r` now, or, when `r` is deferred, to its answer when it
// comes: what a layer (the API's guard) adds to every answer of a handler.
Response Finally(Response r, std::function<void(Response*)> finish);

// RFC 7807 problem+json with a stable type URI suffix ("not-found").
Response Problem(int status, std::string_view type, std::string_view title,
                 std::string_view detail = "");

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);
  // What answers a GET that no pattern matches (the web pages); without one, or
  // for other methods, such a request gets a 404 problem.
  void SetFallback(Handler handler) { fallback_ = std::move(handler); }
  // 404 problem when no pattern matches, 405 when the path matches another method.
  Response Dispatch(Request& request) const;
  // Patterns registered, for the OpenAPI completeness check.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Route {
    std::string method, pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  Handler fallback_;
};

// Splits "a=1&b=x%20y" into decoded pairs; returns false on bad percent-encoding.
bool ParseQuery(std::string_view query, std::map<std::string, std::string>* out);

}  // namespace ecohub::api
