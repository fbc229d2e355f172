// Accounts: users, login tokens, API keys, registered datasets, data requests,
// grants and notifications, in their own SQLite file `accounts.db` under the data
// directory (separate from the readings: small, rarely written, and never in the
// way of the gateway's group commits).
//
// Secrets are never stored: passwords as Argon2id strings, tokens and keys as
// their SHA-256. Authenticate() answers from a short-lived in-memory cache (the
// hot path of every API request); every change that can take a right away
// (logout, password change, disable, revoke, role change) clears that cache at
// once, and an expired token fails even from the cache.
//
// Thread-safety: every method may be called from any thread (one connection
// behind a mutex; Argon2 runs outside it).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/catalog.h"
#include "auth/policy.h"
#include "core/status.h"
#include "core/time.h"

struct sqlite3;

namespace ecohub::auth {

struct AccountOptions {
  int token_ttl_seconds = 12 * 3600;
  int max_failed_logins = 5;  // then locked
  int lockout_seconds = 15 * 60;
  int cache_seconds = 30;  // how long Authenticate() trusts its cache
};

struct User {
  int64_t id = 0;
  std::string username, display_name;
  Role role = Role::kStaff;
  int64_t district_id = 0;
  int64_t enterprise_id = 0;
  std::string department;
  bool disabled = false;
  int failed_logins = 0;
  UnixSeconds locked_until = 0;
  UnixSeconds created = 0;
};

struct ApiKey {
  int64_t id = 0;
  std::string name;
  int64_t owner_id = 0;
  std::string prefix;                 // the first characters, to recognise a key in a list
  std::vector<std::string> datasets;  // empty: the owner's rights
  UnixSeconds created = 0, expires = 0;
  bool revoked = false;
  int64_t request_id = 0;  // the data request it was issued for, or 0
};

struct DataRequest {
  int64_t id = 0;
  std::string dataset;
  int64_t requester_id = 0;
  std::string department;  // the requester's, at the time of asking
  std::string purpose;
  UnixSeconds until = 0;  // access asked until
  std::string delivery;   // "account" (rights on the requester's account) or "key"
  std::string status;     // pending, approved, refused, expired
  int64_t decided_by = 0;
  std::string reason;
  UnixSeconds created = 0, decided = 0;
  int64_t key_id = 0;  // the key issued on approval ("key" delivery)
};

struct Notification {
  int64_t id = 0, user_id = 0;
  UnixSeconds time = 0;
  std::string text, object;
};

struct LoginResult {
  std::string token;  // shown once
  UnixSeconds expires = 0;
  User user;
};

class Accounts {
 public:
  static Result<std::unique_ptr<Accounts>> Open(const std::string& data_dir,
                                                const AccountOptions& options);
  ~Accounts();

  // Users. Usernames are 1-64 characters of [A-Za-z0-9._-@].
  Result<User> CreateUser(const User& user, std::string_view password);
  Result<User> GetUser(int64_t id);
  Result<User> FindUser(std::string_view username);
  Result<std::vector<User>> Users();
  // Role, district, enterprise, department, display name, disabled.
  Status UpdateUser(const User& user);
  // Sets a new password (rule-checked), clears failures and lockout, and ends every
  // session of the user.
  Status SetPassword(int64_t user_id, std::string_view password);

  // kUnauthenticated for wrong credentials or a disabled account (the same message,
  // so that names cannot be probed), kPermissionDenied while locked out.
  Result<LoginResult> Login(std::string_view username, std::string_view password, UnixSeconds now);
  Status Logout(std::string_view token);
  // A token or an API key -> who it is; kUnauthenticated when unknown, expired,
  // revoked or its user disabled.
  Result<Principal> Authenticate(std::string_view bearer, UnixSeconds now);

  // API keys. Returns the key and its secret (shown once).
  Result<std::pair<ApiKey, std::string>> CreateKey(const ApiKey& key, UnixSeconds now);
  Result<std::vector<ApiKey>> Keys(int64_t owner_id);  // 0: every key
  Result<ApiKey> GetKey(int64_t id);
  Status RevokeKey(int64_t id);

  // Datasets: the built-in ones and those an administrator registered.
  std::vector<Dataset> Datasets();
  Result<Dataset> GetDataset(std::string_view id);
  // kConflict for a built-in id.
  Status PutDataset(const Dataset& d, UnixSeconds now);

  // Data requests. Create refuses a dataset that does not exist.
  Result<DataRequest> CreateRequest(const DataRequest& r, UnixSeconds now);
  Result<DataRequest> GetRequest(int64_t id, UnixSeconds now);
  Result<std::vector<DataRequest>> Requests(UnixSeconds now);
  // Approve (grant until r.until, as rights or a key) or refuse with a reason. Only a
  // pending request can be decided (kConflict otherwise). Notifies the requester.
  // For "key" delivery the new key's secret is returned in *key_secret.
  Result<DataRequest> Decide(int64_t id, bool approve, int64_t decider, std::string_view reason,
                             UnixSeconds now, std::string* key_secret);

  Status Notify(int64_t user_id, std::string_view text, std::string_view object, UnixSeconds now);
  Result<std::vector<Notification>> Notifications(int64_t user_id, size_t limit);

 private:
  Accounts(sqlite3* db, const AccountOptions& o);
  Status Migrate();
  void ClearCache();
  std::vector<Grant> ActiveGrants(int64_t user_id, UnixSeconds now);
  Result<Principal> PrincipalOf(const User& u, UnixSeconds now);

  sqlite3* db_;
  AccountOptions options_;
  std::mutex mu_;
  struct Cached {
    Principal who;
    UnixSeconds expires = 0;        // of the token or key
    UnixSeconds trusted_until = 0;  // of this cache entry
  };
  std::mutex cache_mu_;
  std::unordered_map<std::string, Cached> cache_;  // by secret hash
};

// "user:alice" / "key:3" / "public".
std::string ActorName(const Principal& p);

}  // namespace ecohub::auth
