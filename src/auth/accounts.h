// Accounts: users, login tokens, API keys, registered datasets, data requests,
// grants and notifications: the rules, over an AccountStore that keeps the rows
// (account_store.h; Open() uses the SQLite one, `accounts.db` in the data directory).
//
// Secrets are never stored: passwords as Argon2id strings, tokens and keys as
// their SHA-256. Authenticate() answers from a short-lived in-memory cache (the
// hot path of every API request); every change that can take a right away
// (logout, password change, disable, revoke, role change) clears that cache at
// once, and an expired token fails even from the cache.
//
// Time: the methods that take `now` use it; the others, and the overloads without
// it, read the Clock given at construction (tests pass a ManualClock).
//
// Login failures are limited by client address and by account (login_guard.h has
// the rules): a locked account, a locked-out address and an unknown username all
// get the same answer as a wrong password, after the same Argon2id work (on a dummy
// hash), so that neither accounts nor locks can be probed. The limits are kept in
// memory: a restart forgets them.
//
// Argon2id (Login, CreateUser, SetPassword) takes 50-100 ms: callers that serve a
// network run these on password_workers(), never on their own threads.
//
// Thread-safety: every method may be called from any thread (the store is
// thread-safe; Argon2 runs outside every lock).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/account_store.h"
#include "auth/catalog.h"
#include "auth/login_guard.h"
#include "auth/password_workers.h"
#include "auth/policy.h"
#include "core/clock.h"
#include "core/status.h"
#include "core/time.h"
#include "crypto/keyring.h"

namespace ecohub::auth {

struct AccountOptions {
  int token_ttl_seconds = 12 * 3600;
  // Failures of one address on one account, then that address is locked out of it.
  int max_failed_logins = 5;
  // Failures on one account from all addresses, then the account is locked.
  int max_failed_logins_per_account = 20;
  int lockout_seconds = 15 * 60;
  // Failures from one address across all accounts within the window, then 429s.
  int max_failed_logins_per_address = 10;
  int address_window_seconds = 60;
  int cache_seconds = 30;  // how long Authenticate() trusts its cache
  // A session unused this long ends (0: never); the store learns of a use at most
  // once a minute, so the end comes up to a minute and a half late.
  int session_idle_seconds = 30 * 60;
  // A new login ends the user's oldest sessions beyond this many.
  int max_sessions_per_user = 5;
  // A password older than this must be changed at the next login (0: never).
  int password_max_age_days = 90;
  // 三员分立: the system administrator neither manages accounts nor reads the audit
  // log (policy.h, Principal::separated_duties).
  bool separation_of_duties = false;
  // Administrators (IsAdministrator) must enrol a TOTP second factor before anything
  // else.
  bool admin_second_factor = false;
  std::string totp_issuer = "EcoHub";  // shown in authenticator apps
  PasswordWorkerOptions password_workers;
};

struct LoginResult {
  // The password was right but the account has a second factor and no code came:
  // no token; ask for the code and log in again with it.
  bool otp_required = false;
  std::string token;  // shown once
  UnixSeconds expires = 0;
  User user;
  bool must_change_password = false;       // the session may only change it
  bool must_enroll_second_factor = false;  // the session may only enrol one
};

// A login the identity provider vouched for (OpenID Connect, oidc_client.h).
struct ExternalLogin {
  std::string subject;
  // The account the claims describe (username, display name, role, district,
  // department) when they map to a role; nullopt: they do not.
  std::optional<User> from_claims;
  bool auto_create = false;  // make the account when none is linked
};

// A TOTP enrolment: the secret as base32 and as an otpauth:// URI (for a QR code).
struct SecondFactorEnrolment {
  std::string secret, uri;
};

class Accounts {
 public:
  // Accounts over the SQLite store in `data_dir` (created when missing).
  // `keys` seal the TOTP keys at rest (SM4, crypto/sealer.h); without them they are
  // stored as they are.
  static Result<std::unique_ptr<Accounts>> Open(
      const std::string& data_dir, const AccountOptions& options, const Clock& clock = RealClock(),
      std::shared_ptr<const crypto::KeyRing> keys = nullptr);
  // Accounts over the PostgreSQL database at `store_url` (store/open_store.h), or,
  // when it is empty, over the SQLite store in `data_dir`.
  static Result<std::unique_ptr<Accounts>> Open(
      const std::string& data_dir, const std::string& store_url, const AccountOptions& options,
      const Clock& clock = RealClock(), std::shared_ptr<const crypto::KeyRing> keys = nullptr);
  // Accounts over `store`. `clock` must outlive it.
  Accounts(std::unique_ptr<AccountStore> store, const AccountOptions& options,
           const Clock& clock = RealClock(), std::shared_ptr<const crypto::KeyRing> keys = nullptr);
  ~Accounts();

  // Users. Usernames are 1-64 characters of [A-Za-z0-9._-@]. `user.must_change_password`
  // is kept: set it when an administrator chose the password.
  Result<User> CreateUser(const User& user, std::string_view password);
  Result<User> GetUser(int64_t id);
  Result<User> FindUser(std::string_view username);
  Result<std::vector<User>> Users();
  // Role, district, enterprise, department, display name, disabled. kConflict when
  // the change would leave no enabled system administrator, or remove the last
  // enabled security or audit administrator.
  Status UpdateUser(const User& user);
  // Sets a new password (rule-checked; kInvalidInput when it is one of the last
  // kPasswordHistory), clears failures and lockout, and ends every session of the
  // user. `must_change`: an administrator chose it (a reset), so the user changes it
  // at the next login. Argon2id once per password in the history.
  Status SetPassword(int64_t user_id, std::string_view password, bool must_change = false);

  // The TOTP second factor (RFC 6238). Enrol returns a new pending secret (the active
  // one, if any, stays until Confirm); Confirm activates it with a code from the app
  // (kInvalidInput on a wrong code); Disable needs a current code and is kConflict
  // when the role requires a second factor; Clear is a security administrator's
  // answer to a lost phone. A code is accepted once.
  Result<SecondFactorEnrolment> EnrolSecondFactor(int64_t user_id);
  Status ConfirmSecondFactor(int64_t user_id, std::string_view code, UnixSeconds now);
  Status DisableSecondFactor(int64_t user_id, std::string_view code, UnixSeconds now);
  Status ClearSecondFactor(int64_t user_id);
  // When the password of `u` must be changed (0: never).
  UnixSeconds PasswordExpires(const User& u) const;

  // kUnauthenticated, with one message, for wrong credentials (a wrong `otp`
  // included), a disabled or locked account and an address locked out of it;
  // kUnavailable when `address` has failed too often lately (LoginRetryAfter says for
  // how long). A right password without the code of an account's second factor
  // answers otp_required, without a token. A login beyond max_sessions_per_user ends
  // the user's oldest sessions.
  Result<LoginResult> Login(std::string_view username, std::string_view password,
                            const std::string& address, UnixSeconds now, std::string_view otp = {});
  Result<LoginResult> Login(std::string_view username, std::string_view password, UnixSeconds now);
  Result<LoginResult> Login(std::string_view username, std::string_view password);
  // The session of the account linked to `who.subject`. An account made from claims
  // follows them: role, district, department and name are refreshed at each login,
  // and it is refused (kPermissionDenied) when they no longer map to a role. With no
  // linked account, `auto_create` and claims that map make one, without a usable
  // local password (*created is set). kNotFound: no account for this identity;
  // kUnauthenticated: the account is disabled; kConflict: the claims' username is
  // another account's. The provider did the authentication (its second factor
  // included): no password, no TOTP here.
  Result<LoginResult> LoginExternal(const ExternalLogin& who, UnixSeconds now, bool* created);
  // Seconds before `address` may try a login again; 0: now. Cheap: no Argon2.
  int LoginRetryAfter(const std::string& address, UnixSeconds now);
  // Where callers run Argon2id (Login, CreateUser, SetPassword) off their threads.
  PasswordWorkers& password_workers() { return workers_; }
  Status Logout(std::string_view token);
  // A token or an API key -> who it is; kUnauthenticated when unknown, expired,
  // idle too long, revoked or its user disabled.
  Result<Principal> Authenticate(std::string_view bearer, UnixSeconds now);
  Result<Principal> Authenticate(std::string_view bearer);

  // Several nodes on one store: each keeps its own sign-in cache. `fn` runs after
  // every change here that can take a right away (the caller announces it to the
  // other nodes, store/coordinator.h), and ForgetSignIns() is what a node does on
  // hearing such news: the next request of every token is checked against the
  // store again. Set the hook before serving; it must not block for long.
  void OnRightsChanged(std::function<void()> fn) { rights_changed_ = std::move(fn); }
  void ForgetSignIns();

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

  // Ends an approved request before its end (the data is no longer to be shared):
  // its grant ends and its key, if it was delivered as one, is revoked at once. A
  // reason is required. kConflict when it is not in force. Notifies the requester.
  Result<DataRequest> Revoke(int64_t id, std::string_view reason, UnixSeconds now);

  Status Notify(int64_t user_id, std::string_view text, std::string_view object, UnixSeconds now);
  Result<std::vector<Notification>> Notifications(int64_t user_id, size_t limit);

 private:
  // A right may have been taken away here: forgets the cache and tells the hook.
  void ClearCache();
  // Stores a checked new user with its password hash.
  Result<User> InsertUser(const User& in, const std::string& hash);
  // A new token for `u`, ending its oldest sessions beyond the cap.
  Result<LoginResult> StartSession(User u, UnixSeconds now);
  Result<Principal> PrincipalOf(const User& u, UnixSeconds now);
  bool MustChangePassword(const User& u, UnixSeconds now) const;
  bool MustEnrol(const User& u) const;
  // The code checked against the user's active key (or pending one); the step it
  // matched is stored so that it is not accepted again. kInvalidInput when wrong.
  Status CheckCode(int64_t user_id, std::string_view code, UnixSeconds now, bool pending);
  Result<std::string> SealKey(const std::string& key) const;
  Result<std::string> OpenKey(const std::string& stored) const;
  // Token sessions: ends one idle too long, else notes its use. kUnauthenticated
  // when it ended.
  Status KeepAlive(const std::string& hash, const TokenRow& t, UnixSeconds now);
  // Who a token or key (`hash` is its SecretHash) is, and until when the answer
  // holds in *expires; kUnauthenticated when it does not authenticate.
  Result<Principal> Lookup(std::string_view bearer, const std::string& hash, UnixSeconds now,
                           UnixSeconds* expires);

  std::unique_ptr<AccountStore> store_;
  AccountOptions options_;
  const Clock& clock_;
  struct Cached {
    Principal who;
    UnixSeconds expires = 0;        // of the token or key
    UnixSeconds trusted_until = 0;  // of this cache entry
  };
  std::mutex cache_mu_;
  std::unordered_map<std::string, Cached> cache_;  // by secret hash
  std::function<void()> rights_changed_;
  LoginGuard guard_;
  std::mutex admins_mu_;  // a role or disabled change and its last-admin check
  std::mutex totp_mu_;    // a code's check and the record of its use
  std::shared_ptr<const crypto::KeyRing> keys_;
  // Last: its threads stop (running jobs finish) before anything above goes.
  PasswordWorkers workers_;
};

// "user:alice" / "key:3" / "public".
std::string ActorName(const Principal& p);

}  // namespace ecohub::auth
