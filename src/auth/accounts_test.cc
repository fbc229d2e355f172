// Accounts' time-dependent rules driven by a ManualClock: token expiry (from the
// store and from the authentication cache) and the end of a lockout, without
// sleeping.
#include "auth/accounts.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "store/contract_fixture.h"

namespace ecohub::auth {
namespace {

using std::chrono::seconds;

class AccountsClockTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::FreshTestDir("/ecohub_accounts_clock_");
    options_.token_ttl_seconds = 3600;
    options_.cache_seconds = 30;
    options_.max_failed_logins = 3;
    options_.lockout_seconds = 900;
    auto a = Accounts::Open(dir_, options_, clock_);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    accounts_ = std::move(a).value();
    User u;
    u.username = "alice";
    u.role = Role::kStaff;
    ASSERT_TRUE(accounts_->CreateUser(u, kPassword).ok());
  }
  void TearDown() override {
    accounts_.reset();
    std::filesystem::remove_all(dir_);
  }

  static constexpr const char* kPassword = "Correct-Horse-9";
  std::string dir_;
  AccountOptions options_;
  ManualClock clock_;
  std::unique_ptr<Accounts> accounts_;
};

TEST_F(AccountsClockTest, TokenExpiresWhenTheClockPassesItsLifetimeEvenFromTheCache) {
  auto login = accounts_->Login("alice", kPassword);
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  EXPECT_EQ(login->expires, clock_.WallSeconds() + 3600);
  ASSERT_TRUE(accounts_->Authenticate(login->token).ok());
  // Read from the store again (the cache trusts an entry for 30 s), then cached
  // 10 s before the token's end.
  clock_.Advance(seconds(3590));
  auto who = accounts_->Authenticate(login->token);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->name, "user:alice");
  // Past the lifetime but within the cache's trust: the cache must refuse too.
  clock_.Advance(seconds(11));
  EXPECT_EQ(accounts_->Authenticate(login->token).status().code(), Code::kUnauthenticated);
  // And the store refuses it once the cache entry is gone.
  clock_.Advance(seconds(60));
  EXPECT_EQ(accounts_->Authenticate(login->token).status().code(), Code::kUnauthenticated);
}

TEST_F(AccountsClockTest, LockoutEndsWhenTheClockPassesLockoutSeconds) {
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(accounts_->Login("alice", "Wrong-Password-1").status().code(),
              Code::kUnauthenticated);
  EXPECT_EQ(accounts_->Login("alice", kPassword).status().code(), Code::kPermissionDenied);
  clock_.Advance(seconds(899));
  EXPECT_EQ(accounts_->Login("alice", kPassword).status().code(), Code::kPermissionDenied);
  clock_.Advance(seconds(2));
  EXPECT_TRUE(accounts_->Login("alice", kPassword).ok());
}

}  // namespace
}  // namespace ecohub::auth
