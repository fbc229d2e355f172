// AccountStore: where Accounts (accounts.h) keeps its rows: users, login tokens, API
// keys, registered datasets, data requests, grants and notifications. Row
// operations only: the rules (password checks, lockout, expiry, who may decide) are
// Accounts'. Implementations: SQLite (sqlite_account_store.h); the contract test
// (account_store_test.cc) runs against each, with a reopen in the middle.
//
// Secrets never reach the store: it sees password hashes (Argon2id strings) and the
// SHA-256 of tokens and keys.
//
// Thread-safety: every method may be called from any thread; each is atomic.
// Errors: kNotFound for a missing row, kConflict for a duplicate natural key,
// kIoError when the database failed (nothing of the failed call was stored).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy.h"
#include "core/status.h"
#include "core/table_rows.h"
#include "core/time.h"

namespace ecohub::auth {

// The rows, as Accounts' API returns them too.
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
  UnixSeconds password_changed = 0;
  // Set when an administrator chose the password (a new account, a reset): the
  // user replaces it before doing anything else.
  bool must_change_password = false;
  bool second_factor = false;  // a TOTP key is active (read only: SetSecondFactor sets it)
  // The `sub` of the identity provider's account this user logs in as (OpenID Connect,
  // oidc.h); empty: none. One user per subject.
  std::string oidc_subject;
  // Role and district follow the provider's claims at each login (an account created
  // from them); false: an administrator set them.
  bool oidc_claims = false;
};

// A user's TOTP second factor (totp.h): keys as the caller gives them (Accounts
// seals them), `last_step` the time step of the last code accepted.
struct SecondFactor {
  std::string key;      // active; empty: none
  std::string pending;  // enrolled, not yet confirmed with a code
  int64_t last_step = 0;
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

// A login token as stored.
struct TokenRow {
  int64_t user_id = 0;
  UnixSeconds expires = 0;
  UnixSeconds last_used = 0;  // for the idle timeout; TouchToken moves it
};

// How many passwords a user may not reuse: the current one and the 4 before it.
inline constexpr size_t kPasswordHistory = 5;

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Users. InsertUser stores everything of `u` but its id (and failed_logins,
  // locked_until: 0; no second factor) and returns the new id; kConflict when the
  // username is taken.
  virtual Result<int64_t> InsertUser(const User& u, std::string_view password_hash) = 0;
  virtual Result<User> GetUser(int64_t id) = 0;
  // By username; also fills *password_hash when given.
  virtual Result<User> FindUser(std::string_view username,
                                std::string* password_hash = nullptr) = 0;
  virtual Result<std::vector<User>> Users() = 0;  // ordered by id
  // By OpenID Connect subject; kNotFound when no user has it.
  virtual Result<User> FindUserBySubject(std::string_view subject) = 0;
  // Display name, role, district, enterprise, department, disabled and the OpenID
  // Connect link of `u.id`; kConflict when another user has that subject.
  virtual Status UpdateUser(const User& u) = 0;
  // Sets the password hash, its time and whether it must be changed, clears failures
  // and lockout and deletes the user's tokens, in one transaction; the hash replaced
  // is kept in the history.
  virtual Status SetPasswordHash(int64_t user_id, std::string_view password_hash,
                                 UnixSeconds changed, bool must_change) = 0;
  // The user's current password hash, then those it replaced, newest first:
  // kPasswordHistory at most in all (empty for an unknown user).
  virtual Result<std::vector<std::string>> PasswordHistory(int64_t user_id) = 0;
  virtual Status SetFailedLogins(int64_t user_id, int failed, UnixSeconds locked_until) = 0;

  // The user's second factor (an empty one for a user without); kNotFound for no user.
  virtual Result<SecondFactor> GetSecondFactor(int64_t user_id) = 0;
  virtual Status SetSecondFactor(int64_t user_id, const SecondFactor& f) = 0;

  // Tokens, by the hash of the secret. InsertToken stores a token (last used at
  // `created`), clears the user's failures, deletes the tokens expired at `created`
  // and the user's oldest beyond its `keep` newest (this one included), in one
  // transaction; returns how many of the user's live tokens it deleted.
  virtual Result<int> InsertToken(std::string_view hash, int64_t user_id, UnixSeconds created,
                                  UnixSeconds expires, int keep) = 0;
  virtual Result<TokenRow> FindToken(std::string_view hash) = 0;
  virtual Status TouchToken(std::string_view hash, UnixSeconds used) = 0;  // OK when absent
  virtual Status DeleteToken(std::string_view hash) = 0;                   // OK when absent
  virtual Status DeleteTokensOf(int64_t user_id) = 0;

  // API keys. InsertKey stores everything of `k` but its id, with the hash of its
  // secret, and returns the new id.
  virtual Result<int64_t> InsertKey(const ApiKey& k, std::string_view hash) = 0;
  virtual Result<std::vector<ApiKey>> Keys(int64_t owner_id) = 0;  // 0: all; by id
  virtual Result<ApiKey> GetKey(int64_t id) = 0;
  virtual Result<ApiKey> FindKey(std::string_view hash) = 0;
  virtual Status RevokeKey(int64_t id) = 0;

  // Registered datasets as JSON documents (the catalog's format, catalog.h), by id.
  virtual Status PutDataset(std::string_view id, std::string_view body, UnixSeconds updated) = 0;
  virtual Result<std::vector<std::string>> DatasetBodies() = 0;  // ordered by id

  // Data requests, stored as given (status included). Requests() is newest first.
  virtual Result<int64_t> InsertRequest(const DataRequest& r) = 0;
  virtual Result<DataRequest> GetRequest(int64_t id) = 0;
  virtual Result<std::vector<DataRequest>> Requests() = 0;
  // Records the decision on request `r.id` while it is still pending (status,
  // decided_by, reason, decided, key_id) and, when `grant` is set, grants the
  // requester that dataset until then, in one transaction. kConflict when the
  // request is no longer pending.
  virtual Status DecideRequest(const DataRequest& r, const std::optional<Grant>& grant) = 0;
  // Ends approved request `id` at `now`, before its `until`: status "revoked", `reason`
  // the revocation's, `until` now, and its grants end now, in one transaction (who
  // revoked it is on the audit log). kConflict when the request is not approved or
  // its access has already ended.
  virtual Status RevokeRequest(int64_t id, std::string_view reason, UnixSeconds now) = 0;
  // The grants of a user still valid at `now`.
  virtual Result<std::vector<Grant>> ActiveGrants(int64_t user_id, UnixSeconds now) = 0;

  // Notifications; Notifications() is newest first, at most `limit`.
  virtual Status InsertNotification(const Notification& n) = 0;
  virtual Result<std::vector<Notification>> Notifications(int64_t user_id, size_t limit) = 0;

  // For `ecohub db migrate` (SQLite into PostgreSQL): every table as stored, and the
  // same tables written into an empty store, ids, hashes and sealed keys as they are,
  // in one transaction. SQLite exports, PostgreSQL imports; the other direction is
  // kInvalidInput.
  virtual Result<std::vector<TableRows>> ExportTables() = 0;
  virtual Status ImportTables(const std::vector<TableRows>& tables) = 0;
};

// The account tables in the order they are copied.
inline constexpr const char* kAccountTables[] = {"users",         "tokens",          "api_keys",
                                                 "datasets",      "data_requests",   "grants",
                                                 "notifications", "password_history"};

}  // namespace ecohub::auth
