// The AccountStore contract, written against AccountStore& and run for every
// implementation (SQLite now), with a restart (close and reopen) in the middle of each case: what a
// call stored must be there after it.
#include "auth/account_store.h"

#include <gtest/gtest.h>

#include "auth/sqlite_account_store.h"
#include "store/contract_fixture.h"

namespace ecohub::auth {
namespace {

using Backend = store::BackendOf<AccountStore>;

std::unique_ptr<AccountStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteAccountStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

class AccountStoreContract : public store::ContractFixture<AccountStore> {
 protected:
  int64_t AddUser(const std::string& name, Role role = Role::kStaff) {
    User u;
    u.username = name;
    u.display_name = name + " display";
    u.role = role;
    u.district_id = 3;
    u.department = "监测科";
    u.created = 1000;
    auto id = store_->InsertUser(u, "hash-of-" + name);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
};

TEST_P(AccountStoreContract, UsersAreKeptByIdAndNameAndUsernamesAreUnique) {
  int64_t alice = AddUser("alice");
  int64_t bob = AddUser("bob", Role::kLeader);
  EXPECT_NE(alice, bob);
  User dup;
  dup.username = "alice";
  EXPECT_EQ(store_->InsertUser(dup, "x").status().code(), Code::kConflict);
  Restart();
  std::string hash;
  auto a = store_->FindUser("alice", &hash);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->id, alice);
  EXPECT_EQ(hash, "hash-of-alice");
  EXPECT_EQ(a->display_name, "alice display");
  EXPECT_EQ(a->role, Role::kStaff);
  EXPECT_EQ(a->district_id, 3);
  EXPECT_EQ(a->department, "监测科");
  EXPECT_EQ(a->created, 1000);
  EXPECT_EQ(store_->GetUser(bob)->role, Role::kLeader);
  EXPECT_EQ(store_->GetUser(999).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->FindUser("carol").status().code(), Code::kNotFound);
  auto all = store_->Users();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].username, "alice");

  User change = *a;
  change.role = Role::kInspector;
  change.disabled = true;
  ASSERT_TRUE(store_->UpdateUser(change).ok());
  change.id = 999;
  EXPECT_EQ(store_->UpdateUser(change).code(), Code::kNotFound);
  ASSERT_TRUE(store_->SetFailedLogins(alice, 0, 5000).ok());
  Restart();
  a = store_->GetUser(alice);
  EXPECT_EQ(a->role, Role::kInspector);
  EXPECT_TRUE(a->disabled);
  EXPECT_EQ(a->locked_until, 5000);
}

TEST_P(AccountStoreContract, TokensEndWithPasswordChangeAndExpiredOnesArePruned) {
  int64_t alice = AddUser("alice");
  ASSERT_TRUE(store_->SetFailedLogins(alice, 2, 0).ok());
  ASSERT_TRUE(store_->InsertToken("h1", alice, 100, 200).ok());
  EXPECT_EQ(store_->GetUser(alice)->failed_logins, 0);           // a login clears failures
  ASSERT_TRUE(store_->InsertToken("h2", alice, 250, 900).ok());  // h1 expired at 200
  Restart();
  EXPECT_EQ(store_->FindToken("h1").status().code(), Code::kNotFound);
  auto t = store_->FindToken("h2");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->user_id, alice);
  EXPECT_EQ(t->expires, 900);
  ASSERT_TRUE(store_->SetPasswordHash(alice, "new-hash").ok());
  EXPECT_EQ(store_->FindToken("h2").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->SetPasswordHash(999, "x").code(), Code::kNotFound);
  std::string hash;
  ASSERT_TRUE(store_->FindUser("alice", &hash).ok());
  EXPECT_EQ(hash, "new-hash");
  ASSERT_TRUE(store_->InsertToken("h3", alice, 300, 900).ok());
  ASSERT_TRUE(store_->DeleteToken("h3").ok());
  EXPECT_FALSE(store_->FindToken("h3").ok());
  ASSERT_TRUE(store_->InsertToken("h4", alice, 300, 900).ok());
  ASSERT_TRUE(store_->DeleteTokensOf(alice).ok());
  EXPECT_FALSE(store_->FindToken("h4").ok());
}

TEST_P(AccountStoreContract, PasswordHistoryKeepsTheLastFiveNewestFirst) {
  int64_t alice = AddUser("alice");
  EXPECT_EQ(*store_->PasswordHistory(alice), std::vector<std::string>{"hash-of-alice"});
  for (int i = 1; i <= 6; ++i)
    ASSERT_TRUE(store_->SetPasswordHash(alice, "h" + std::to_string(i)).ok());
  Restart();
  EXPECT_EQ(*store_->PasswordHistory(alice),
            (std::vector<std::string>{"h6", "h5", "h4", "h3", "h2"}));
  EXPECT_TRUE(store_->PasswordHistory(999)->empty());
}

TEST_P(AccountStoreContract, KeysByIdHashAndOwnerAndRevocation) {
  int64_t alice = AddUser("alice"), bob = AddUser("bob");
  ApiKey k;
  k.name = "export";
  k.owner_id = alice;
  k.prefix = "ehk_abcdef";
  k.datasets = {"aqi", "water"};
  k.created = 10;
  k.expires = 99;
  k.request_id = 4;
  auto id = store_->InsertKey(k, "key-hash");
  ASSERT_TRUE(id.ok());
  k.owner_id = bob;
  k.datasets.clear();
  ASSERT_TRUE(store_->InsertKey(k, "key-hash-2").ok());
  Restart();
  auto found = store_->FindKey("key-hash");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, *id);
  EXPECT_EQ(found->datasets, (std::vector<std::string>{"aqi", "water"}));
  EXPECT_EQ(found->prefix, "ehk_abcdef");
  EXPECT_EQ(found->expires, 99);
  EXPECT_EQ(found->request_id, 4);
  EXPECT_FALSE(found->revoked);
  EXPECT_EQ(store_->Keys(0)->size(), 2u);
  EXPECT_EQ(store_->Keys(alice)->size(), 1u);
  ASSERT_TRUE(store_->RevokeKey(*id).ok());
  EXPECT_EQ(store_->RevokeKey(999).code(), Code::kNotFound);
  Restart();
  EXPECT_TRUE(store_->GetKey(*id)->revoked);
  EXPECT_EQ(store_->GetKey(999).status().code(), Code::kNotFound);
}

TEST_P(AccountStoreContract, DatasetsRequestsGrantsAndNotifications) {
  ASSERT_TRUE(store_->PutDataset("b", R"({"id":"b"})", 5).ok());
  ASSERT_TRUE(store_->PutDataset("a", R"({"id":"a"})", 5).ok());
  ASSERT_TRUE(store_->PutDataset("b", R"({"id":"b","v":2})", 6).ok());
  int64_t alice = AddUser("alice");
  DataRequest r;
  r.dataset = "a";
  r.requester_id = alice;
  r.department = "水务局";
  r.purpose = "研究";
  r.until = 5000;
  r.delivery = "account";
  r.status = "pending";
  r.created = 100;
  auto first = store_->InsertRequest(r);
  auto second = store_->InsertRequest(r);
  ASSERT_TRUE(first.ok() && second.ok());
  Restart();
  EXPECT_EQ(*store_->DatasetBodies(),
            (std::vector<std::string>{R"({"id":"a"})", R"({"id":"b","v":2})"}));
  auto all = store_->Requests();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, *second);  // newest first
  DataRequest decided = *store_->GetRequest(*first);
  EXPECT_EQ(decided.purpose, "研究");
  decided.status = "approved";
  decided.decided_by = 7;
  decided.decided = 200;
  ASSERT_TRUE(store_->DecideRequest(decided, Grant{"a", 5000}).ok());
  EXPECT_EQ(store_->DecideRequest(decided, Grant{"a", 5000}).code(), Code::kConflict);
  ASSERT_TRUE(store_->InsertNotification({0, alice, 300, "已批准", "data-request:1"}).ok());
  ASSERT_TRUE(store_->InsertNotification({0, alice, 301, "第二条", "x"}).ok());
  Restart();
  EXPECT_EQ(store_->GetRequest(*first)->status, "approved");
  EXPECT_EQ(store_->GetRequest(*first)->decided_by, 7);
  EXPECT_EQ(store_->GetRequest(99).status().code(), Code::kNotFound);
  auto grants = store_->ActiveGrants(alice, 4999);
  ASSERT_EQ(grants->size(), 1u);
  EXPECT_EQ((*grants)[0].dataset, "a");
  EXPECT_TRUE(store_->ActiveGrants(alice, 5000)->empty());  // until is exclusive
  auto notes = store_->Notifications(alice, 1);
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ((*notes)[0].text, "第二条");

  // Revoking ends the request and its grant now; only a request in force can be.
  ASSERT_TRUE(store_->RevokeRequest(*first, "no longer shared", 1000).ok());
  EXPECT_EQ(store_->RevokeRequest(*first, "again", 1001).code(), Code::kConflict);
  EXPECT_EQ(store_->RevokeRequest(*second, "pending", 1001).code(), Code::kConflict);
  Restart();
  DataRequest revoked = *store_->GetRequest(*first);
  EXPECT_EQ(revoked.status, "revoked");
  EXPECT_EQ(revoked.reason, "no longer shared");
  EXPECT_EQ(revoked.until, 1000);
  EXPECT_TRUE(store_->ActiveGrants(alice, 1000)->empty());
  EXPECT_EQ(store_->ActiveGrants(alice, 999)->size(), 1u);  // it held until then
}

INSTANTIATE_TEST_SUITE_P(All, AccountStoreContract, testing::Values(Backend{"sqlite", OpenSqlite}),
                         store::BackendName<AccountStore>);

}  // namespace
}  // namespace ecohub::auth
