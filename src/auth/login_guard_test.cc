// LoginGuard's rules on a simulated clock (times are plain numbers): per address,
// per (account, address), per account, the reservation of parallel checks, and the
// end of every lock.
#include "auth/login_guard.h"

#include <gtest/gtest.h>

namespace ecohub::auth {
namespace {

using V = LoginGuard::Verdict;
using O = LoginGuard::Outcome;

LoginGuardOptions Small() {
  return {.max_failures_per_address = 10,
          .address_window_seconds = 60,
          .max_failures_per_pair = 3,
          .max_failures_per_account = 6,
          .lockout_seconds = 900};
}

// One failed attempt; returns what Admit said.
V FailOnce(LoginGuard& g, int64_t account, const std::string& address, UnixSeconds now) {
  V v = g.Admit(account, address, now);
  if (v != V::kThrottled) g.Finish(account, address, v, O::kFailed, now);
  return v;
}

TEST(LoginGuard, OneAddressLocksOnlyItselfOutOfAnAccount) {
  LoginGuard g(Small());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(FailOnce(g, 7, "10.0.0.1", 1000), V::kCheck);
  EXPECT_EQ(g.Admit(7, "10.0.0.1", 1001), V::kLocked);
  g.Finish(7, "10.0.0.1", V::kLocked, O::kFailed, 1001);
  // The owner, elsewhere, still gets a check.
  V owner = g.Admit(7, "10.0.0.2", 1001);
  EXPECT_EQ(owner, V::kCheck);
  g.Finish(7, "10.0.0.2", owner, O::kSucceeded, 1001);
  // The lock ends after lockout_seconds.
  EXPECT_EQ(g.Admit(7, "10.0.0.1", 1000 + 899), V::kLocked);
  g.Finish(7, "10.0.0.1", V::kLocked, O::kNeither, 1899);
  EXPECT_EQ(g.Admit(7, "10.0.0.1", 1000 + 900), V::kCheck);
}

TEST(LoginGuard, ManyAddressesLockTheAccountForATimeOnly) {
  LoginGuard g(Small());
  // Two addresses x 3 failures reach the account's ceiling of 6.
  for (const char* a : {"10.0.0.1", "10.0.0.2"})
    for (int i = 0; i < 3; ++i) EXPECT_EQ(FailOnce(g, 7, a, 1000), V::kCheck);
  EXPECT_EQ(g.Admit(7, "10.0.0.3", 1000), V::kLocked);
  g.Finish(7, "10.0.0.3", V::kLocked, O::kFailed, 1000);
  EXPECT_EQ(g.Admit(7, "10.0.0.4", 1900), V::kCheck);
}

TEST(LoginGuard, ParallelAttemptsNeverCheckMoreThanTheLimit) {
  LoginGuard g(Small());
  // 40 attempts admitted before any finishes (40 threads): 3 get a check.
  int checks = 0;
  std::vector<V> verdicts;
  for (int i = 0; i < 40; ++i) verdicts.push_back(g.Admit(7, "10.0.0.1", 1000));
  for (V v : verdicts) checks += v == V::kCheck;
  EXPECT_EQ(checks, 3);
}

TEST(LoginGuard, AnAddressTryingManyAccountsIsThrottled) {
  LoginGuard g(Small());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(FailOnce(g, 100 + i, "10.0.0.9", 1000), V::kCheck);
  EXPECT_EQ(g.Admit(200, "10.0.0.9", 1010), V::kThrottled);
  EXPECT_EQ(g.RetryAfter("10.0.0.9", 1010), 50);
  EXPECT_EQ(g.RetryAfter("10.0.0.8", 1010), 0);  // others are not
  // Unknown usernames (account 0) count the same.
  LoginGuard h(Small());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(FailOnce(h, 0, "10.0.0.9", 1000), V::kCheck);
  EXPECT_EQ(h.Admit(0, "10.0.0.9", 1000), V::kThrottled);
  // The window passes.
  EXPECT_EQ(g.RetryAfter("10.0.0.9", 1060), 0);
  EXPECT_EQ(g.Admit(200, "10.0.0.9", 1060), V::kCheck);
}

TEST(LoginGuard, SuccessClearsFailuresAndClearEndsALock) {
  LoginGuard g(Small());
  for (int i = 0; i < 2; ++i) FailOnce(g, 7, "10.0.0.1", 1000);
  V v = g.Admit(7, "10.0.0.1", 1000);
  g.Finish(7, "10.0.0.1", v, O::kSucceeded, 1000);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(FailOnce(g, 7, "10.0.0.1", 1000), V::kCheck);
  EXPECT_EQ(FailOnce(g, 7, "10.0.0.1", 1000), V::kCheck);  // the third: locks
  EXPECT_EQ(g.Admit(7, "10.0.0.1", 1000), V::kLocked);
  g.Finish(7, "10.0.0.1", V::kLocked, O::kNeither, 1000);
  g.Clear(7);  // an administrator's reset
  EXPECT_EQ(g.Admit(7, "10.0.0.1", 1000), V::kCheck);
}

}  // namespace
}  // namespace ecohub::auth
