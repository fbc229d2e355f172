// Api::RunOnce: writes sent with an Idempotency-Key run once per key and principal
// (idempotency/idempotency_store.h keeps the answers; docs/api.md says what a client
// sees).
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "api/api.h"
#include "crypto/sm.h"

namespace ecohub::api {

namespace {

constexpr UnixSeconds kKeptSeconds = 86400;  // a record lives a day
// A first request not finished after this long will not finish: its node stopped.
constexpr UnixSeconds kAbandonedSeconds = 120;
constexpr size_t kMaxKeptBody = 1 << 20;

bool GoodKey(const std::string& key) {
  if (key.empty() || key.size() > 128) return false;
  for (unsigned char c : key)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

// Whose keys these are: a retry after a new login is still the same user's.
std::string ScopeOf(const auth::Principal& who) {
  if (who.key_id != 0) return "key:" + std::to_string(who.key_id);
  if (who.user_id != 0) return "user:" + std::to_string(who.user_id);
  return "public";
}

// The request as sent: method, path, query and body (SM3, hex).
std::string Fingerprint(const Request& req) {
  std::string text = req.method + "\n" + req.path + "\n";
  for (const auto& [k, v] : req.query) text += k + "=" + v + "&";
  text += "\n" + req.body;
  auto digest = crypto::Sm3(text);
  return digest.ok() ? crypto::ToHex(*digest) : text;
}

Response Replay(const idempotency::KeptAnswer& a) {
  Response r;
  r.status = a.status;
  r.content_type = a.content_type;
  r.body = a.body;
  auto headers = nlohmann::json::parse(a.headers, nullptr, false);
  if (headers.is_array())
    for (const auto& h : headers)
      if (h.is_array() && h.size() == 2 && h[0].is_string() && h[1].is_string())
        r.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

}  // namespace

Response Api::RunOnce(const Entry& route, const Request& req, const auth::Principal& who) const {
  const std::string& key = req.idempotency_key;
  if (!GoodKey(key))
    return Problem(400, "bad-idempotency-key", "Bad Idempotency-Key",
                   "1 to 128 visible ASCII characters, such as a UUID");
  std::string scope = ScopeOf(who), fingerprint = Fingerprint(req);
  UnixSeconds now = clock_.WallSeconds();
  if (begun_.fetch_add(1) % 256 == 0)
    if (auto gone = idempotency_->Purge(now - kKeptSeconds); !gone.ok())
      spdlog::warn("idempotency records not purged: {}", gone.status().ToString());
  auto claim = idempotency_->Begin(scope, key, fingerprint, now);
  if (!claim.ok()) {
    spdlog::error("{} {}: idempotency record: {}", req.method, req.path, claim.status().ToString());
    Response r = Problem(503, "unavailable", "Service unavailable",
                         "the request was not run: send it again with the same key");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  switch (claim->kind) {
    case idempotency::Claim::kMismatch:
      return Problem(422, "idempotency-key-reused", "Idempotency-Key used for another request",
                     "a key names one request: send a new key with a new or changed request");
    case idempotency::Claim::kRunning: {
      if (now - claim->began < kAbandonedSeconds) {
        Response r = Problem(409, "request-in-progress", "The first request is still running",
                             "send it again in a moment with the same key");
        r.headers.emplace_back("Retry-After", "1");
        return r;
      }
      return Problem(409, "request-outcome-unknown", "The first request did not finish",
                     "the node that ran it stopped; check whether it took effect before "
                     "sending it with a new key");
    }
    case idempotency::Claim::kDone:
      return Replay(claim->answer);
    case idempotency::Claim::kNew:
      break;
  }
  return Finally(Run(route, req, who), [store = idempotency_, scope, key](Response* a) {
    Status s;
    if (a->stream || a->status >= 500 || a->body.size() > kMaxKeptBody) {
      s = store->Forget(scope, key);
    } else {
      nlohmann::json headers = nlohmann::json::array();
      for (const auto& [name, value] : a->headers) headers.push_back({name, value});
      s = store->Finish(scope, key,
                        {a->status, a->content_type, a->body,
                         headers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
    }
    if (!s.ok()) spdlog::error("idempotency record of {}: {}", key, s.ToString());
  });
}

}  // namespace ecohub::api
