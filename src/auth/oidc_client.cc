#include "auth/oidc_client.h"

#include <spdlog/spdlog.h>

#include "auth/secrets.h"

namespace ecohub::auth::oidc {

using nlohmann::json;

namespace {
constexpr UnixSeconds kMetadataSeconds = 3600;
constexpr UnixSeconds kKeysRefetchSeconds = 60;
}  // namespace

Client::Client(Config config, HttpFetch fetch)
    : config_(std::move(config)), fetch_(std::move(fetch)) {}

Result<Client::JsonReply> Client::FetchJson(const HttpCall& call, std::string_view what) {
  auto reply = fetch_(call);
  if (!reply.ok())
    return Status::Unavailable("the identity provider's " + std::string(what) +
                               " cannot be reached: " + reply.status().message());
  if (reply->status >= 500)
    return Status::Unavailable("the identity provider's " + std::string(what) + " answered " +
                               std::to_string(reply->status));
  json j = json::parse(reply->body, nullptr, false);
  if (!j.is_object())
    return Status::Unavailable("the identity provider's " + std::string(what) +
                               " did not answer JSON (HTTP " + std::to_string(reply->status) + ")");
  return JsonReply{reply->status, std::move(j)};
}

Result<Metadata> Client::Discover(UnixSeconds now) {
  {
    std::lock_guard lock(mu_);
    if (metadata_ && now - metadata_time_ < kMetadataSeconds) return *metadata_;
  }
  auto reply = fetch_(HttpCall{.url = DiscoveryUrl(config_.issuer)});
  Result<Metadata> m = Status::Unavailable("the identity provider cannot be reached");
  if (!reply.ok())
    m = Status::Unavailable("the identity provider cannot be reached: " + reply.status().message());
  else if (reply->status != 200)
    m = Status::Unavailable("the identity provider's discovery answered " +
                            std::to_string(reply->status));
  else
    m = ParseMetadata(reply->body, config_.issuer);
  std::lock_guard lock(mu_);
  if (!m.ok()) {
    // A provider briefly away does not stop logins while what we knew is recent.
    if (metadata_ && now - metadata_time_ < 24 * kMetadataSeconds) return *metadata_;
    spdlog::warn("oidc: {}", m.status().message());
    return Status::Unavailable(m.status().message());
  }
  metadata_ = *m;
  metadata_time_ = now;
  return m;
}

Result<json> Client::Keys(bool refresh, UnixSeconds now) {
  {
    std::lock_guard lock(mu_);
    if (!jwks_.is_null() && (!refresh || now - jwks_time_ < kKeysRefetchSeconds)) return jwks_;
  }
  auto m = Discover(now);
  if (!m.ok()) return m.status();
  auto keys = FetchJson(HttpCall{.url = m->jwks_uri}, "key set");
  if (!keys.ok()) return keys.status();
  if (keys->refused() || !keys->body["keys"].is_array())
    return Status::Unavailable("the identity provider's key set is not a JWK Set");
  std::lock_guard lock(mu_);
  jwks_ = std::move(keys->body);
  jwks_time_ = now;
  return jwks_;
}

Result<Client::Started> Client::Start(std::string next, UnixSeconds now) {
  auto m = Discover(now);
  if (!m.ok()) return m.status();
  Pending p{NewSecret(""), NewSecret(""), std::move(next), now};
  std::string state = NewSecret("");
  std::string url = AuthorizationUrl(*m, config_, state, p.nonce, PkceChallenge(p.verifier));
  std::lock_guard lock(mu_);
  std::erase_if(pending_, [now](const auto& e) { return now - e.second.created >= kStateSeconds; });
  if (pending_.size() >= kMaxPending)
    return Status::Unavailable("too many logins through the identity provider are in progress");
  pending_.emplace(state, std::move(p));
  return Started{std::move(url), std::move(state)};
}

Result<json> Client::VerifyWithKeys(const std::string& id_token, const Expected& x,
                                    UnixSeconds now) {
  auto keys = Keys(/*refresh=*/false, now);
  if (!keys.ok()) return keys.status();
  auto claims = VerifyIdToken(id_token, *keys, x);
  if (claims.ok() || claims.status().code() != Code::kNotFound) return claims;
  keys = Keys(/*refresh=*/true, now);  // a key we have not seen: the provider rotated
  if (!keys.ok()) return keys.status();
  claims = VerifyIdToken(id_token, *keys, x);
  if (claims.status().code() == Code::kNotFound)
    return Status(Code::kUnauthenticated, "ID token refused: " + claims.status().message());
  return claims;
}

void Client::MergeUserInfo(const Metadata& m, const std::string& access_token, json* claims) {
  if (m.userinfo_endpoint.empty() || access_token.empty()) return;
  auto info = FetchJson(HttpCall{.url = m.userinfo_endpoint,
                                 .headers = {{"Authorization", "Bearer " + access_token}}},
                        "UserInfo");
  // Core §5.3.2: an answer about another subject must not be used.
  if (!info.ok() || info->refused() || info->body["sub"] != (*claims)["sub"]) {
    spdlog::warn(
        "oidc: UserInfo not used: {}",
        info.ok() ? "its answer is not about the ID token's subject" : info.status().message());
    return;
  }
  for (auto& [k, v] : info->body.items())
    if (!claims->contains(k)) (*claims)[k] = v;
}

Result<Client::Finished> Client::Finish(std::string_view code, std::string_view state,
                                        UnixSeconds now) {
  Pending p;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(std::string(state));
    if (it == pending_.end())
      return Status::InvalidInput("this login is unknown or was already finished");
    p = std::move(it->second);
    pending_.erase(it);  // good once, whatever comes next
  }
  if (now - p.created >= kStateSeconds) return Status::InvalidInput("this login has expired");
  if (code.empty() || code.size() > 2048) return Status(Code::kUnauthenticated, "no code");
  auto m = Discover(now);
  if (!m.ok()) return m.status();
  HttpCall call{.method = "POST",
                .url = m->token_endpoint,
                .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                            {"Accept", "application/json"}},
                .body = TokenRequestBody(config_, code, p.verifier)};
  if (std::string auth = ClientAuthorization(config_); !auth.empty())
    call.headers.emplace_back("Authorization", auth);
  auto tokens = FetchJson(call, "token endpoint");
  if (!tokens.ok()) return tokens.status();
  json& t = tokens->body;  // non-const: operator[] reads an absent key as null
  if (tokens->refused() || !t["id_token"].is_string())
    return Status(Code::kUnauthenticated,
                  "the identity provider refused the code: " + t.value("error", "no ID token") +
                      (t.contains("error_description") && t["error_description"].is_string()
                           ? " (" + t["error_description"].get<std::string>() + ")"
                           : ""));
  Expected x{config_.issuer, config_.client_id, p.nonce, now};
  auto claims = VerifyWithKeys(t["id_token"], x, now);
  if (!claims.ok()) return claims.status();
  if (t["access_token"].is_string()) MergeUserInfo(*m, t["access_token"], &*claims);
  return Finished{ReadIdentity(*claims, config_), std::move(p.next)};
}

}  // namespace ecohub::auth::oidc
