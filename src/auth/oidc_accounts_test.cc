// Accounts::LoginExternal: who a login through the identity provider becomes.
#include <gtest/gtest.h>

#include <filesystem>

#include "auth/accounts.h"
#include "core/clock.h"
#include "store/contract_fixture.h"

namespace ecohub::auth {
namespace {

constexpr UnixSeconds kNow = 1'800'000'000;

class ExternalLoginTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::FreshTestDir("/ecohub_oidc_accounts_");
    clock_.SetWallSeconds(kNow);
    auto a = Accounts::Open(dir_, AccountOptions{}, clock_);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    accounts_ = std::move(a).value();
  }
  void TearDown() override {
    accounts_.reset();
    std::filesystem::remove_all(dir_);
  }
  static User Claimed(Role role, int64_t district) {
    User u;
    u.username = "wangwu";
    u.display_name = "王五";
    u.role = role;
    u.district_id = district;
    return u;
  }
  Result<LoginResult> Login(const ExternalLogin& who, bool* created) {
    return accounts_->LoginExternal(who, clock_.WallSeconds(), created);
  }

  std::string dir_;
  ManualClock clock_;
  std::unique_ptr<Accounts> accounts_;
};

TEST_F(ExternalLoginTest, AnUnlinkedIdentityIsNotFoundUntilAnAdministratorLinksIt) {
  bool created = true;
  EXPECT_EQ(Login({"sub-1", std::nullopt, false}, &created).status().code(), Code::kNotFound);
  EXPECT_FALSE(created);
  // Claims that map do not create an account unless auto_create says so.
  EXPECT_EQ(Login({"sub-1", Claimed(Role::kStaff, 3), false}, &created).status().code(),
            Code::kNotFound);
  User u;
  u.username = "lisi";
  u.role = Role::kLeader;
  auto lisi = accounts_->CreateUser(u, "Correct-Horse-9");
  ASSERT_TRUE(lisi.ok());
  lisi->oidc_subject = "sub-1";
  ASSERT_TRUE(accounts_->UpdateUser(*lisi).ok());
  // The claims say staff of district 3; the administrator's choice stands.
  auto r = Login({"sub-1", Claimed(Role::kStaff, 3), true}, &created);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(created);
  EXPECT_EQ(r->user.username, "lisi");
  EXPECT_EQ(r->user.role, Role::kLeader);
  auto who = accounts_->Authenticate(r->token);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->user_id, lisi->id);
  EXPECT_FALSE(who->must_change_password);
  // Its local password still works, and no longer ages.
  EXPECT_TRUE(accounts_->Login("lisi", "Correct-Horse-9").ok());
  EXPECT_EQ(accounts_->PasswordExpires(*accounts_->GetUser(lisi->id)), 0);
  // Another account cannot take the same identity.
  u.username = "zhao";
  auto zhao = accounts_->CreateUser(u, "Correct-Horse-9");
  zhao->oidc_subject = "sub-1";
  EXPECT_EQ(accounts_->UpdateUser(*zhao).code(), Code::kConflict);
  // Disabled: refused.
  lisi = accounts_->GetUser(lisi->id);
  lisi->disabled = true;
  ASSERT_TRUE(accounts_->UpdateUser(*lisi).ok());
  EXPECT_EQ(Login({"sub-1", std::nullopt, false}, &created).status().code(),
            Code::kUnauthenticated);
}

TEST_F(ExternalLoginTest, AccountsMadeFromClaimsFollowThem) {
  bool created = false;
  auto r = Login({"sub-2", Claimed(Role::kStaff, 3), true}, &created);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(created);
  EXPECT_EQ(r->user.username, "wangwu");
  EXPECT_EQ(r->user.role, Role::kStaff);
  EXPECT_EQ(r->user.district_id, 3);
  EXPECT_TRUE(r->user.oidc_claims);
  EXPECT_FALSE(r->must_change_password);
  EXPECT_FALSE(r->must_enroll_second_factor);
  // No local password logs it in.
  EXPECT_EQ(accounts_->Login("wangwu", "!").status().code(), Code::kUnauthenticated);
  // The next login finds it, with the rights the claims now give.
  auto again = Login({"sub-2", Claimed(Role::kInspector, 4), true}, &created);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(again->user.id, r->user.id);
  EXPECT_EQ(accounts_->GetUser(r->user.id)->role, Role::kInspector);
  EXPECT_EQ(accounts_->Authenticate(r->token)->district_id, 4);  // the old session too
  // Claims that no longer map end its logins.
  EXPECT_EQ(Login({"sub-2", std::nullopt, true}, &created).status().code(),
            Code::kPermissionDenied);
}

TEST_F(ExternalLoginTest, AClaimedUsernameOfAnotherAccountConflictsAndOddOnesAreReplaced) {
  User u;
  u.username = "wangwu";
  u.role = Role::kStaff;
  ASSERT_TRUE(accounts_->CreateUser(u, "Correct-Horse-9").ok());
  bool created = false;
  EXPECT_EQ(Login({"sub-3", Claimed(Role::kStaff, 0), true}, &created).status().code(),
            Code::kConflict);
  User odd = Claimed(Role::kStaff, 0);
  odd.username = "王 五";  // not a username here
  auto r = Login({"sub-4", odd, true}, &created);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->user.username.rfind("oidc-", 0), 0u);
}

}  // namespace
}  // namespace ecohub::auth
