// Accounts' time-dependent rules driven by a ManualClock: token expiry (from the
// store and from the authentication cache) and the end of a lockout, without
// sleeping.
#include "auth/accounts.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "auth/password_rules.h"
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
    options_.session_idle_seconds = 0;  // idle sessions: accounts_level3_test.cc
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

// A lock answers exactly as a wrong password does (issue 11, hole 8: it used to
// answer 403, which told that the account exists).
TEST_F(AccountsClockTest, LockoutEndsWhenTheClockPassesLockoutSeconds) {
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(accounts_->Login("alice", "Wrong-Password-1").status().code(),
              Code::kUnauthenticated);
  EXPECT_EQ(accounts_->Login("alice", kPassword).status().code(), Code::kUnauthenticated);
  clock_.Advance(seconds(899));
  EXPECT_EQ(accounts_->Login("alice", kPassword).status().code(), Code::kUnauthenticated);
  clock_.Advance(seconds(2));
  EXPECT_TRUE(accounts_->Login("alice", kPassword).ok());
}

TEST_F(AccountsClockTest, LockedKnownAndUnknownNamesAnswerLikeAWrongPassword) {
  Status wrong = accounts_->Login("alice", "Wrong-Password-1", "10.0.0.1", 1000).status();
  for (int i = 0; i < 2; ++i) accounts_->Login("alice", "Wrong-Password-1", "10.0.0.1", 1000);
  Status locked = accounts_->Login("alice", kPassword, "10.0.0.1", 1000).status();
  Status unknown = accounts_->Login("nobody", kPassword, "10.0.0.1", 1000).status();
  for (const Status& s : {locked, unknown}) {
    EXPECT_EQ(s.code(), wrong.code());
    EXPECT_EQ(s.message(), wrong.message());
  }
}

TEST_F(AccountsClockTest, AnAttackerLocksOutOnlyItsOwnAddress) {
  for (int i = 0; i < 3; ++i) accounts_->Login("alice", "Wrong-Password-1", "10.6.6.6", 1000);
  EXPECT_FALSE(accounts_->Login("alice", kPassword, "10.6.6.6", 1001).ok());
  EXPECT_TRUE(accounts_->Login("alice", kPassword, "10.0.0.2", 1001).ok());
}

TEST_F(AccountsClockTest, AnAddressFailingAcrossAccountsIsThrottledForAWindow) {
  // Default: 10 failures a minute per address, whatever the usernames.
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(accounts_->Login("user" + std::to_string(i), "Wrong-Password-1", "10.6.6.6", 1000)
                  .status()
                  .code(),
              Code::kUnauthenticated);
  EXPECT_EQ(accounts_->Login("alice", kPassword, "10.6.6.6", 1000).status().code(),
            Code::kUnavailable);
  EXPECT_EQ(accounts_->LoginRetryAfter("10.6.6.6", 1000), 60);
  EXPECT_EQ(accounts_->LoginRetryAfter("10.0.0.2", 1000), 0);
  EXPECT_TRUE(accounts_->Login("alice", kPassword, "10.6.6.6", 1060).ok());
}

TEST_F(AccountsClockTest, ResetEndsALock) {
  for (int i = 0; i < 3; ++i) accounts_->Login("alice", "Wrong-Password-1", "10.0.0.1", 1000);
  auto alice = accounts_->FindUser("alice");
  ASSERT_TRUE(alice.ok());
  ASSERT_TRUE(accounts_->SetPassword(alice->id, "Another-Pass-42").ok());
  EXPECT_TRUE(accounts_->Login("alice", "Another-Pass-42", "10.0.0.1", 1001).ok());
}

TEST_F(AccountsClockTest, TheLastFivePasswordsCannotBeReused) {
  auto alice = accounts_->FindUser("alice");
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(accounts_->SetPassword(alice->id, kPassword).code(), Code::kInvalidInput);
  for (int i = 1; i <= 5; ++i)
    ASSERT_TRUE(accounts_->SetPassword(alice->id, "Pass-word-" + std::to_string(i)).ok());
  EXPECT_EQ(accounts_->SetPassword(alice->id, "Pass-word-2").code(), Code::kInvalidInput);
  EXPECT_TRUE(accounts_->SetPassword(alice->id, kPassword).ok());  // six back: allowed
}

TEST_F(AccountsClockTest, CreatedIsTheCreationTime) {
  clock_.Advance(seconds(12345));
  User u;
  u.username = "bob";
  u.role = Role::kStaff;
  auto created = accounts_->CreateUser(u, kPassword);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->created, clock_.WallSeconds());
  EXPECT_GT(created->created, 0);
}

TEST_F(AccountsClockTest, TheLastEnabledAdministratorStays) {
  User admin;
  admin.username = "root1";
  admin.role = Role::kAdmin;
  auto a = accounts_->CreateUser(admin, kPassword);
  ASSERT_TRUE(a.ok());
  User disabled = *a;
  disabled.disabled = true;
  EXPECT_EQ(accounts_->UpdateUser(disabled).code(), Code::kConflict);
  User demoted = *a;
  demoted.role = Role::kStaff;
  EXPECT_EQ(accounts_->UpdateUser(demoted).code(), Code::kConflict);
  // With a second administrator, the first may go.
  admin.username = "root2";
  ASSERT_TRUE(accounts_->CreateUser(admin, kPassword).ok());
  EXPECT_TRUE(accounts_->UpdateUser(demoted).ok());
  // Other accounts change freely.
  auto alice = accounts_->FindUser("alice");
  ASSERT_TRUE(alice.ok());
  alice->disabled = true;
  EXPECT_TRUE(accounts_->UpdateUser(*alice).ok());
}

TEST(PasswordStrength, NewPasswordsNeedLengthThreeClassesAndNoUsername) {
  struct Case {
    const char* password;
    const char* username;
    bool ok;
  } cases[] = {
      {"Correct-Horse-9", "alice", true},
      {"correcthorse9", "alice", false},    // two classes
      {"Sh0rt-pw", "alice", false},         // 8 characters
      {"My-alice-pass-9", "alice", false},  // contains the username
      {"My-ALICE-pass-9", "alice", false},  // in any case
      {"Web-test-pass-2026", "web_inspector", true},
      {"环境监测平台口令Ab1", "alice", true},  // 11 characters, 4 classes
      {"环境监Ab1", "alice", false},           // 12 bytes, 6 characters
  };
  for (const auto& c : cases)
    EXPECT_EQ(CheckPasswordStrength(c.password, c.username).ok(), c.ok) << c.password;
}

}  // namespace
}  // namespace ecohub::auth
