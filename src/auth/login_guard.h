// LoginGuard: how many password checks a login may cost, by client address and by
// account, kept in memory. Accounts::Login asks it before every Argon2id check and
// tells it the outcome after.
//
// The rules (AccountOptions holds the numbers):
//  - Per address, across accounts: at most `max_failures_per_address` failed logins
//    in a window of `address_window_seconds` (default 10 a minute); beyond, the
//    address is throttled (the API answers 429 with Retry-After, before any
//    hashing). One address trying many accounts, or one account, is slowed alike.
//  - Per (account, address): `max_failures_per_pair` failures (default 5) lock that
//    address out of that account for `lockout_seconds` (default 15 min). An
//    attacker thus locks out only itself: the owner, from another address, still
//    logs in.
//  - Per account, all addresses together: `max_failures_per_account` failures
//    (default 20, so at least four addresses) lock the account for everyone for
//    `lockout_seconds`. The lock always ends; a fresh one needs as many failures
//    again, each one throttled per address as above.
// A success clears the account's and the pair's failures; an administrator's
// password reset clears the account's lock (Clear).
//
// Atomic: Admit reserves a check (counted as a failure until Finish says
// otherwise), so parallel attempts never check more passwords than the limits
// allow, whatever the number of threads.
//
// Thread-safe. Memory: stale entries are dropped when the tables grow past
// kMaxEntries, so an address sweep cannot grow them without end.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/time.h"

namespace ecohub::auth {

struct LoginGuardOptions {
  int max_failures_per_address = 10;
  int address_window_seconds = 60;
  int max_failures_per_pair = 5;
  int max_failures_per_account = 20;
  int lockout_seconds = 15 * 60;
};

class LoginGuard {
 public:
  explicit LoginGuard(const LoginGuardOptions& o) : options_(o) {}

  enum class Verdict {
    kCheck,      // check the password, then Finish
    kLocked,     // the account (or this address on it) is locked: do not check
    kThrottled,  // the address has failed too often: refuse before any work
  };
  // Before a check of `account` (0: unknown username) from `address` at `now`.
  // kCheck and kLocked both reserve: call Finish exactly once after either.
  Verdict Admit(int64_t account, const std::string& address, UnixSeconds now);
  // The outcome of an admitted attempt. `failed`: a wrong password (or any login
  // refused after kLocked), counted; otherwise the reservation is released and,
  // with `succeeded`, the failures of the account and of the pair are cleared.
  enum class Outcome { kFailed, kSucceeded, kNeither };
  void Finish(int64_t account, const std::string& address, Verdict admitted, Outcome outcome,
              UnixSeconds now);
  // Seconds until `address` may try again; 0 when not throttled.
  int RetryAfter(const std::string& address, UnixSeconds now);
  // Ends the account's lock and forgets its failures (a password reset).
  void Clear(int64_t account);

  static constexpr size_t kMaxEntries = 50000;

 private:
  struct Count {
    int failures = 0, in_flight = 0;
    UnixSeconds since = 0;         // start of the window (addresses)
    UnixSeconds locked_until = 0;  // pairs and accounts
  };
  bool AddressFull(Count& c, UnixSeconds now) const;
  // Counts one failure against a lock limit: locks when it reaches `max`.
  void Fail(Count& c, int max, UnixSeconds now) const;
  template <class Map>
  void Prune(Map& m, UnixSeconds now);

  const LoginGuardOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Count> addresses_;  // guarded by mu_
  std::unordered_map<std::string, Count> pairs_;      // "account|address"; guarded by mu_
  std::unordered_map<int64_t, Count> accounts_;       // guarded by mu_
};

}  // namespace ecohub::auth
