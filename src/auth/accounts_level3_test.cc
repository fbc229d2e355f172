// Accounts' level-3 rules (等保 2.0, GB/T 22239-2019 level 3), driven by a
// ManualClock: the last of each kind of administrator, forced and periodic password
// changes, idle sessions and the cap on sessions, and the TOTP second factor.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "auth/accounts.h"
#include "auth/totp.h"
#include "crypto/keyring.h"
#include "store/contract_fixture.h"

namespace ecohub::auth {
namespace {

using std::chrono::seconds;

constexpr const char* kPassword = "Correct-Horse-9";
constexpr const char* kOther = "Battery-Staple-7";

class Level3Test : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::FreshTestDir("/ecohub_accounts_level3_");
    options_.session_idle_seconds = 1800;
    options_.max_sessions_per_user = 2;
    options_.password_max_age_days = 90;
    options_.admin_second_factor = true;
    options_.separation_of_duties = true;
    auto keys = crypto::KeyRing::Parse("k1 " + std::string(64, 'a'), "test");
    ASSERT_TRUE(keys.ok());
    keys_ = std::make_shared<const crypto::KeyRing>(std::move(keys).value());
    Open();
  }
  void TearDown() override {
    accounts_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    accounts_.reset();
    auto a = Accounts::Open(dir_, options_, clock_, keys_);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    accounts_ = std::move(a).value();
  }
  User Add(const std::string& name, Role role, bool must_change = false) {
    User u;
    u.username = name;
    u.role = role;
    u.must_change_password = must_change;
    auto created = accounts_->CreateUser(u, kPassword);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : User{};
  }
  // Enrols and confirms a second factor; returns its key.
  std::string Enrol(int64_t user_id) {
    auto e = accounts_->EnrolSecondFactor(user_id);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (!e.ok()) return "";
    std::string key = Base32Decode(e->secret).value_or("");
    EXPECT_NE(e->uri.find("secret=" + e->secret), std::string::npos);
    EXPECT_TRUE(accounts_->ConfirmSecondFactor(user_id, Code(key), Now()).ok());
    return key;
  }
  UnixSeconds Now() { return clock_.WallSeconds(); }
  std::string Code(const std::string& key) { return TotpCode(key, Now()); }

  std::string dir_;
  AccountOptions options_;
  ManualClock clock_;
  std::shared_ptr<const crypto::KeyRing> keys_;
  std::unique_ptr<Accounts> accounts_;
};

TEST_F(Level3Test, TheLastOfEachKindOfAdministratorStays) {
  for (Role kind : {Role::kAdmin, Role::kSecurityAdmin, Role::kAuditAdmin}) {
    User first = Add(std::string(RoleName(kind)) + "1", kind);
    User demoted = first;
    demoted.role = Role::kStaff;
    EXPECT_EQ(accounts_->UpdateUser(demoted).code(), Code::kConflict) << RoleName(kind);
    User off = first;
    off.disabled = true;
    EXPECT_EQ(accounts_->UpdateUser(off).code(), Code::kConflict) << RoleName(kind);
    // Moving the last one to another administrator role leaves its own kind empty.
    User moved = first;
    moved.role = kind == Role::kAdmin ? Role::kAuditAdmin : Role::kAdmin;
    EXPECT_EQ(accounts_->UpdateUser(moved).code(), Code::kConflict) << RoleName(kind);
    Add(std::string(RoleName(kind)) + "2", kind);
    EXPECT_TRUE(accounts_->UpdateUser(off).ok()) << RoleName(kind);
  }
}

TEST_F(Level3Test, AnAdministratorsPasswordMustBeChangedBeforeAnythingElse) {
  User u = Add("newcomer", Role::kStaff, /*must_change=*/true);
  auto login = accounts_->Login("newcomer", kPassword, "10.0.0.1", Now());
  ASSERT_TRUE(login.ok());
  EXPECT_TRUE(login->must_change_password);
  auto who = accounts_->Authenticate(login->token, Now());
  ASSERT_TRUE(who.ok());
  EXPECT_TRUE(who->must_change_password);
  // Changed by the user: free from then on (and the old sessions are over).
  ASSERT_TRUE(accounts_->SetPassword(u.id, kOther).ok());
  EXPECT_FALSE(accounts_->Authenticate(login->token, Now()).ok());
  login = accounts_->Login("newcomer", kOther, "10.0.0.1", Now());
  ASSERT_TRUE(login.ok());
  EXPECT_FALSE(login->must_change_password);
  EXPECT_FALSE(accounts_->Authenticate(login->token, Now())->must_change_password);
  // A reset by an administrator asks for a change again.
  ASSERT_TRUE(accounts_->SetPassword(u.id, "Reset-By-Admin-3", /*must_change=*/true).ok());
  EXPECT_TRUE(
      accounts_->Login("newcomer", "Reset-By-Admin-3", "10.0.0.1", Now())->must_change_password);
}

TEST_F(Level3Test, PasswordsExpireAfterTheirMaximumAge) {
  User u = Add("aging", Role::kStaff);
  EXPECT_EQ(accounts_->PasswordExpires(*accounts_->GetUser(u.id)), Now() + 90 * 86400);
  clock_.Advance(seconds(90 * 86400 - 1));
  EXPECT_FALSE(accounts_->Login("aging", kPassword, "", Now())->must_change_password);
  clock_.Advance(seconds(1));
  auto login = accounts_->Login("aging", kPassword, "", Now());
  ASSERT_TRUE(login.ok());
  EXPECT_TRUE(login->must_change_password);
  ASSERT_TRUE(accounts_->SetPassword(u.id, kOther).ok());
  EXPECT_FALSE(accounts_->Login("aging", kOther, "", Now())->must_change_password);
}

TEST_F(Level3Test, ASessionUnusedForTheIdleTimeEnds) {
  Add("idle", Role::kStaff);
  auto login = accounts_->Login("idle", kPassword, "", Now());
  ASSERT_TRUE(login.ok());
  // Used every 20 minutes, it lives on; its use reaches the store at most once a minute.
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(seconds(20 * 60));
    ASSERT_TRUE(accounts_->Authenticate(login->token, Now()).ok()) << i;
  }
  Open();  // what keeps it alive is stored, not remembered
  clock_.Advance(seconds(20 * 60));
  ASSERT_TRUE(accounts_->Authenticate(login->token, Now()).ok());
  clock_.Advance(seconds(30 * 60));
  EXPECT_EQ(accounts_->Authenticate(login->token, Now()).status().code(), Code::kUnauthenticated);
  clock_.Advance(seconds(1));  // and it stays ended
  EXPECT_FALSE(accounts_->Authenticate(login->token, Now()).ok());
}

TEST_F(Level3Test, ALoginBeyondTheCapEndsTheOldestSession) {
  Add("busy", Role::kStaff);
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) {
    auto login = accounts_->Login("busy", kPassword, "", Now());
    ASSERT_TRUE(login.ok());
    ASSERT_TRUE(accounts_->Authenticate(login->token, Now()).ok());  // cached
    tokens.push_back(login->token);
    clock_.Advance(seconds(1));
  }
  EXPECT_FALSE(accounts_->Authenticate(tokens[0], Now()).ok());  // even from the cache
  EXPECT_TRUE(accounts_->Authenticate(tokens[1], Now()).ok());
  EXPECT_TRUE(accounts_->Authenticate(tokens[2], Now()).ok());
}

TEST_F(Level3Test, AdministratorsEnrolASecondFactorAndThenNeedItsCode) {
  User sec = Add("sec", Role::kSecurityAdmin);
  auto first = accounts_->Login("sec", kPassword, "", Now());
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->must_enroll_second_factor);
  EXPECT_TRUE(accounts_->Authenticate(first->token, Now())->must_enroll_second_factor);
  // Staff are not required to.
  Add("plain", Role::kStaff);
  EXPECT_FALSE(accounts_->Login("plain", kPassword, "", Now())->must_enroll_second_factor);

  // A wrong code does not confirm; the right one does.
  auto e = accounts_->EnrolSecondFactor(sec.id);
  ASSERT_TRUE(e.ok());
  std::string key = *Base32Decode(e->secret);
  EXPECT_EQ(accounts_->ConfirmSecondFactor(sec.id, "000000", Now()).code(), Code::kInvalidInput);
  ASSERT_TRUE(accounts_->ConfirmSecondFactor(sec.id, Code(key), Now()).ok());
  EXPECT_TRUE(accounts_->GetUser(sec.id)->second_factor);
  EXPECT_FALSE(accounts_->Authenticate(first->token, Now())->must_enroll_second_factor);

  // From now on: no code, no token; the code of this step was used by the confirmation.
  auto login = accounts_->Login("sec", kPassword, "", Now());
  ASSERT_TRUE(login.ok());
  EXPECT_TRUE(login->otp_required);
  EXPECT_TRUE(login->token.empty());
  EXPECT_EQ(accounts_->Login("sec", kPassword, "", Now(), Code(key)).status().code(),
            Code::kUnauthenticated);
  clock_.Advance(seconds(30));
  login = accounts_->Login("sec", kPassword, "", Now(), Code(key));
  ASSERT_TRUE(login.ok());
  EXPECT_FALSE(login->token.empty());
  // A wrong password with a right code, and a right password with a wrong code, fail alike.
  clock_.Advance(seconds(30));
  EXPECT_EQ(accounts_->Login("sec", kOther, "", Now(), Code(key)).status().code(),
            Code::kUnauthenticated);
  EXPECT_EQ(accounts_->Login("sec", kPassword, "", Now(), "123456").status().code(),
            Code::kUnauthenticated);
  // Administrators keep theirs; a security administrator clears a lost one.
  EXPECT_EQ(accounts_->DisableSecondFactor(sec.id, Code(key), Now()).code(), Code::kConflict);
  ASSERT_TRUE(accounts_->ClearSecondFactor(sec.id).ok());
  EXPECT_FALSE(accounts_->GetUser(sec.id)->second_factor);
  EXPECT_FALSE(accounts_->Login("sec", kPassword, "", Now())->otp_required);
}

TEST_F(Level3Test, SecondFactorKeysAreSealedAtRestAndSurviveARestart) {
  User u = Add("alice", Role::kStaff);
  std::string key = Enrol(u.id);
  ASSERT_FALSE(key.empty());
  Open();
  clock_.Advance(seconds(30));
  auto login = accounts_->Login("alice", kPassword, "", Now(), Code(key));
  ASSERT_TRUE(login.ok());
  EXPECT_FALSE(login->token.empty());
  // Not in the database file in any readable form.
  accounts_.reset();
  std::string raw;
  for (const auto& f : std::filesystem::directory_iterator(dir_)) {
    std::ifstream in(f.path(), std::ios::binary);
    raw.append(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(raw.find(key), std::string::npos);
  EXPECT_EQ(raw.find(Base32Encode(key)), std::string::npos);
  Open();
  // A user without an administrator role may drop it, with a current code.
  clock_.Advance(seconds(30));
  EXPECT_EQ(accounts_->DisableSecondFactor(u.id, "999999", Now()).code(), Code::kInvalidInput);
  ASSERT_TRUE(accounts_->DisableSecondFactor(u.id, Code(key), Now()).ok());
  EXPECT_FALSE(accounts_->GetUser(u.id)->second_factor);
}

TEST_F(Level3Test, PrincipalsCarryTheDeploymentsSeparationOfDuties) {
  Add("root", Role::kAdmin);
  auto login = accounts_->Login("root", kPassword, "", Now());
  ASSERT_TRUE(login.ok());
  EXPECT_TRUE(accounts_->Authenticate(login->token, Now())->separated_duties);
}

}  // namespace
}  // namespace ecohub::auth
