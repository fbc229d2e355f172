// oidc::Client: the relying party's round trips of an OpenID Connect login
// (oidc.h has the pure parts). Start() makes a login's state, nonce and PKCE
// verifier, keeps them here for ten minutes and answers the provider's
// authorization URL; Finish() takes the code the provider gave the browser back
// with that state, exchanges it at the token endpoint, verifies the ID token and
// reads the identity (merged with the UserInfo answer when the provider has one).
//
// The provider's metadata is fetched on first use and again after an hour; its
// keys when a token names a key not yet seen (keys rotate), at most once a minute.
// Each state is good once. The pending logins live in this process: with several
// nodes, a login must finish on the node that started it (or behind sticky
// sessions) until the store keeps them.
//
// Thread-safety: every method may be called from any thread; the round trips run
// outside the lock, and they block: call Start and Finish off the network threads.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/oidc.h"
#include "core/http_fetch.h"

namespace ecohub::auth::oidc {

class Client {
 public:
  static constexpr int kStateSeconds = 600;
  static constexpr size_t kMaxPending = 10000;

  Client(Config config, HttpFetch fetch);
  const Config& config() const { return config_; }

  struct Started {
    std::string authorization_url, state;
  };
  // `next`: where the console goes after the login (kept with the state).
  // kUnavailable when the provider cannot be reached or too many logins are pending.
  Result<Started> Start(std::string next, UnixSeconds now);

  struct Finished {
    Identity identity;
    std::string next;
  };
  // kInvalidInput for a state that is unknown, used or older than kStateSeconds;
  // kUnauthenticated when the provider refuses the code or the ID token fails a
  // check (the message says which); kUnavailable when the provider cannot be reached.
  Result<Finished> Finish(std::string_view code, std::string_view state, UnixSeconds now);

 private:
  struct Pending {
    std::string verifier, nonce, next;
    UnixSeconds created = 0;
  };
  Result<Metadata> Discover(UnixSeconds now);
  Result<nlohmann::json> Keys(bool refresh, UnixSeconds now);
  // A reply's status and JSON object; kUnavailable when the exchange failed, the
  // status is a server error or the body is not an object.
  struct JsonReply {
    int status = 0;
    nlohmann::json body;
    bool refused() const { return status >= 400; }
  };
  Result<JsonReply> FetchJson(const HttpCall& call, std::string_view what);
  Result<nlohmann::json> VerifyWithKeys(const std::string& id_token, const Expected& x,
                                        UnixSeconds now);
  void MergeUserInfo(const Metadata& m, const std::string& access_token, nlohmann::json* claims);

  const Config config_;
  const HttpFetch fetch_;
  std::mutex mu_;
  std::optional<Metadata> metadata_;  // guarded by mu_, with the fields below
  UnixSeconds metadata_time_ = 0;
  nlohmann::json jwks_;
  UnixSeconds jwks_time_ = 0;
  std::unordered_map<std::string, Pending> pending_;  // by state
};

}  // namespace ecohub::auth::oidc
