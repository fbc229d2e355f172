#include "api/router.h"

#include <nlohmann/json.hpp>

namespace ecohub::api {

namespace {
std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Decode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      *out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      int h = Hex(in[i + 1]), l = Hex(in[i + 2]);
      if (h < 0 || l < 0) return false;
      *out += static_cast<char>(h * 16 + l);
      i += 2;
    } else {
      *out += in[i];
    }
  }
  return true;
}
}  // namespace

Response Problem(int status, std::string_view type, std::string_view title,
                 std::string_view detail) {
  nlohmann::json j = {{"type", "https://ecohub.example/problems/" + std::string(type)},
                      {"title", title},
                      {"status", status}};
  if (!detail.empty()) j["detail"] = detail;
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::Defer(std::function<void(Done done)> start) {
  Response r;
  r.deferred = std::move(start);
  return r;
}

Response Finally(Response r, std::function<void(Response*)> finish) {
  if (!r.deferred) {
    finish(&r);
    return r;
  }
  return Response::Defer(
      [start = std::move(r.deferred), finish = std::move(finish)](Response::Done done) {
        start([done = std::move(done), finish](Response answer) {
          finish(&answer);
          done(std::move(answer));
        });
      });
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route r{std::move(method), pattern, Split(pattern), std::move(handler)};
  routes_.push_back(std::move(r));
}

Response Router::Dispatch(Request& request) const {
  auto segs = Split(request.path);
  bool path_matched = false;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}')
        params[p.substr(1, p.size() - 2)] = segs[i];
      else
        ok = p == segs[i];
    }
    if (!ok) continue;
    path_matched = true;
    if (r.method != request.method) continue;
    request.params = std::move(params);
    return r.handler(request);
  }
  if (path_matched) return Problem(405, "method-not-allowed", "Method not allowed");
  if (fallback_ && request.method == "GET") return fallback_(request);
  return Problem(404, "not-found", "No such resource", request.path);
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

bool ParseQuery(std::string_view q, std::map<std::string, std::string>* out) {
  size_t i = 0;
  while (i < q.size()) {
    size_t amp = q.find('&', i);
    if (amp == std::string_view::npos) amp = q.size();
    std::string_view item = q.substr(i, amp - i);
    if (!item.empty()) {
      size_t eq = item.find('=');
      std::string k, v;
      if (!Decode(item.substr(0, eq), &k)) return false;
      if (eq != std::string_view::npos && !Decode(item.substr(eq + 1), &v)) return false;
      (*out)[k] = v;
    }
    i = amp + 1;
  }
  return true;
}

}  // namespace ecohub::api
