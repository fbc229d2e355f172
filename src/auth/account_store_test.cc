// The AccountStore contract, written against AccountStore& and run for every
// implementation (SQLite; PostgreSQL on a server the test starts), with a restart
// (close and reopen) in the middle of each case: what a call stored must be there
// after it.
#include "auth/account_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "auth/pg_account_store.h"
#include "auth/sqlite_account_store.h"
#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"
#include "store/sqlite/db.h"

namespace ecohub::auth {
namespace {

using Backend = store::BackendOf<AccountStore>;

std::unique_ptr<AccountStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteAccountStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<AccountStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresAccountStore(url);
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
  ASSERT_TRUE(store_->InsertToken("h1", alice, 100, 200, 10).ok());
  EXPECT_EQ(store_->GetUser(alice)->failed_logins, 0);               // a login clears failures
  ASSERT_TRUE(store_->InsertToken("h2", alice, 250, 900, 10).ok());  // h1 expired at 200
  Restart();
  EXPECT_EQ(store_->FindToken("h1").status().code(), Code::kNotFound);
  auto t = store_->FindToken("h2");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->user_id, alice);
  EXPECT_EQ(t->expires, 900);
  ASSERT_TRUE(store_->SetPasswordHash(alice, "new-hash", 500, false).ok());
  EXPECT_EQ(store_->FindToken("h2").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->SetPasswordHash(999, "x", 500, false).code(), Code::kNotFound);
  std::string hash;
  ASSERT_TRUE(store_->FindUser("alice", &hash).ok());
  EXPECT_EQ(hash, "new-hash");
  ASSERT_TRUE(store_->InsertToken("h3", alice, 300, 900, 10).ok());
  ASSERT_TRUE(store_->DeleteToken("h3").ok());
  EXPECT_FALSE(store_->FindToken("h3").ok());
  ASSERT_TRUE(store_->InsertToken("h4", alice, 300, 900, 10).ok());
  ASSERT_TRUE(store_->DeleteTokensOf(alice).ok());
  EXPECT_FALSE(store_->FindToken("h4").ok());
}

TEST_P(AccountStoreContract, PasswordAgeAndForcedChangeAreKept) {
  User u;
  u.username = "carol";
  u.role = Role::kSecurityAdmin;
  u.created = 1000;
  u.password_changed = 1000;
  u.must_change_password = true;
  auto carol = store_->InsertUser(u, "h0");
  ASSERT_TRUE(carol.ok());
  Restart();
  auto c = store_->GetUser(*carol);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->role, Role::kSecurityAdmin);
  EXPECT_EQ(c->password_changed, 1000);
  EXPECT_TRUE(c->must_change_password);
  EXPECT_FALSE(c->second_factor);
  ASSERT_TRUE(store_->SetPasswordHash(*carol, "h1", 2000, false).ok());
  Restart();
  c = store_->GetUser(*carol);
  EXPECT_EQ(c->password_changed, 2000);
  EXPECT_FALSE(c->must_change_password);
  ASSERT_TRUE(store_->SetPasswordHash(*carol, "h2", 3000, true).ok());
  EXPECT_TRUE(store_->GetUser(*carol)->must_change_password);
}

TEST_P(AccountStoreContract, OidcSubjectsLinkOneUserEachAndAreFoundBySubject) {
  int64_t alice = AddUser("alice");
  int64_t bob = AddUser("bob");
  User created;
  created.username = "carol";
  created.oidc_subject = "sub-carol";
  created.oidc_claims = true;
  auto carol = store_->InsertUser(created, "!");
  ASSERT_TRUE(carol.ok()) << carol.status().ToString();
  EXPECT_EQ(store_->FindUserBySubject("sub-alice").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->FindUserBySubject("").status().code(), Code::kNotFound);  // unlinked
  User a = *store_->GetUser(alice);
  a.oidc_subject = "sub-alice";
  ASSERT_TRUE(store_->UpdateUser(a).ok());
  User b = *store_->GetUser(bob);
  b.oidc_subject = "sub-alice";  // taken
  EXPECT_EQ(store_->UpdateUser(b).code(), Code::kConflict);
  Restart();
  auto found = store_->FindUserBySubject("sub-alice");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, alice);
  EXPECT_FALSE(found->oidc_claims);
  auto c = store_->FindUserBySubject("sub-carol");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->id, *carol);
  EXPECT_TRUE(c->oidc_claims);
  EXPECT_EQ(store_->GetUser(bob)->oidc_subject, "");
  a.oidc_subject = "";  // unlinks
  ASSERT_TRUE(store_->UpdateUser(a).ok());
  EXPECT_EQ(store_->FindUserBySubject("sub-alice").status().code(), Code::kNotFound);
}

TEST_P(AccountStoreContract, SecondFactorIsKeptAndShownOnTheUser) {
  int64_t alice = AddUser("alice");
  auto none = store_->GetSecondFactor(alice);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->key.empty());
  EXPECT_TRUE(none->pending.empty());
  EXPECT_EQ(store_->GetSecondFactor(999).status().code(), Code::kNotFound);
  ASSERT_TRUE(store_->SetSecondFactor(alice, {"", "pending-key", 0}).ok());
  EXPECT_FALSE(store_->GetUser(alice)->second_factor);  // pending only
  ASSERT_TRUE(store_->SetSecondFactor(alice, {"active-key", "", 5555}).ok());
  EXPECT_EQ(store_->SetSecondFactor(999, {}).code(), Code::kNotFound);
  Restart();
  auto f = store_->GetSecondFactor(alice);
  EXPECT_EQ(f->key, "active-key");
  EXPECT_EQ(f->last_step, 5555);
  EXPECT_TRUE(store_->GetUser(alice)->second_factor);
  EXPECT_TRUE(store_->FindUser("alice")->second_factor);
  ASSERT_TRUE(store_->SetSecondFactor(alice, {}).ok());
  EXPECT_FALSE(store_->Users()->front().second_factor);
}

TEST_P(AccountStoreContract, ALoginEndsTheOldestSessionsBeyondTheCapAndUseIsNoted) {
  int64_t alice = AddUser("alice"), bob = AddUser("bob");
  ASSERT_TRUE(store_->InsertToken("b1", bob, 100, 9000, 2).ok());
  EXPECT_EQ(*store_->InsertToken("a1", alice, 100, 9000, 2), 0);
  EXPECT_EQ(*store_->InsertToken("a2", alice, 200, 9000, 2), 0);
  EXPECT_EQ(*store_->InsertToken("a3", alice, 300, 9000, 2), 1);  // a1 goes
  Restart();
  EXPECT_EQ(store_->FindToken("a1").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->FindToken("a2").ok());
  EXPECT_TRUE(store_->FindToken("b1").ok());  // another user's sessions stay
  EXPECT_EQ(store_->FindToken("a3")->last_used, 300);
  ASSERT_TRUE(store_->TouchToken("a3", 450).ok());
  ASSERT_TRUE(store_->TouchToken("gone", 450).ok());
  Restart();
  EXPECT_EQ(store_->FindToken("a3")->last_used, 450);
}

TEST_P(AccountStoreContract, PasswordHistoryKeepsTheLastFiveNewestFirst) {
  int64_t alice = AddUser("alice");
  EXPECT_EQ(*store_->PasswordHistory(alice), std::vector<std::string>{"hash-of-alice"});
  for (int i = 1; i <= 6; ++i)
    ASSERT_TRUE(store_->SetPasswordHash(alice, "h" + std::to_string(i), 500, false).ok());
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

INSTANTIATE_TEST_SUITE_P(All, AccountStoreContract,
                         testing::Values(Backend{"sqlite", OpenSqlite},
                                         store::pg::PostgresBackend<AccountStore>(OpenPostgres)),
                         store::BackendName<AccountStore>);

// PostgreSQL only: a creation whose COMMIT was answered but whose answer was lost
// (a failover at that moment) is retried without storing twice (store/pg/lease.h:
// WriteOnce). Retried blindly, the user would come back "exists", the key as a
// conflict and the notification twice.
class PgAccountWritesOnce : public AccountStoreContract {};

TEST_P(PgAccountWritesOnce, CreationsWhoseCommitIsLostAreStoredOnce) {
  int64_t alice = 0;
  int64_t key = 0;
  {
    store::pg::LoseCommits lose(store::pg::CommitLoss::kAfterCommit, 3);
    alice = AddUser("alice");
    ApiKey k;
    k.name = "station feed";
    k.owner_id = alice;
    k.prefix = "ek_12";
    auto id = store_->InsertKey(k, "hash-of-key");
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    key = *id;
    ASSERT_TRUE(store_->InsertNotification({0, alice, 1000, "申请已批准", "request:1"}).ok());
    EXPECT_EQ(lose.lost(), 3);
  }
  Restart();
  EXPECT_EQ(store_->Users()->size(), 1u);
  auto keys = store_->Keys(alice);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->front().id, key);
  EXPECT_EQ(store_->Notifications(alice, 10)->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Pg, PgAccountWritesOnce,
                         testing::Values(store::pg::PostgresBackend<AccountStore>(OpenPostgres)),
                         store::BackendName<AccountStore>);

// `ecohub db migrate`'s copy of the accounts: what an SQLite store holds, written
// into an empty PostgreSQL one, reads back the same through every call (hashes,
// sealed second factors, grants and all), and the next row gets the next id.
TEST(AccountTablesCopy, SqliteTablesReadBackTheSameFromPostgres) {
  std::string why = store::pg::TestServerUnavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  std::string dir = store::FreshTestDir("/ecohub_accounts_copy_");
  auto from = OpenSqliteAccountStore(dir);
  ASSERT_TRUE(from.ok()) << from.status().ToString();
  AccountStore& a = **from;
  User alice{.username = "alice", .display_name = "李华", .role = Role::kStaff, .district_id = 3};
  alice.created = 1000;
  alice.id = a.InsertUser(alice, "h0").value();
  ASSERT_TRUE(a.SetPasswordHash(alice.id, "h1", 2000, false).ok());
  ASSERT_TRUE(a.SetPasswordHash(alice.id, "h2", 3000, true).ok());
  ASSERT_TRUE(a.SetSecondFactor(alice.id, {"sealed-key", "", 77}).ok());
  ASSERT_TRUE(a.SetFailedLogins(alice.id, 2, 0).ok());
  User bob{.username = "bob", .role = Role::kLeader, .oidc_subject = "sub-1", .oidc_claims = true};
  bob.id = a.InsertUser(bob, "hb").value();
  ASSERT_TRUE(a.InsertToken("token-hash", alice.id, 3100, 9000, 5).ok());
  ApiKey key{.name = "feed", .owner_id = bob.id, .prefix = "ek_ab", .datasets = {"aqi"}};
  key.created = 3200;
  ASSERT_TRUE(a.InsertKey(key, "key-hash").ok());
  ASSERT_TRUE(a.PutDataset("water", R"({"id":"water"})", 3300).ok());
  DataRequest r{.dataset = "aqi", .requester_id = alice.id, .purpose = "研究", .until = 99999};
  r.status = "pending";
  r.id = a.InsertRequest(r).value();
  r.status = "approved";
  r.decided_by = bob.id;
  ASSERT_TRUE(a.DecideRequest(r, Grant{"aqi", 99999}).ok());
  ASSERT_TRUE(a.InsertNotification({0, alice.id, 3400, "申请已批准", "request:1"}).ok());

  auto tables = a.ExportTables();
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  EXPECT_EQ(a.ImportTables(*tables).code(), Code::kInvalidInput);
  store::pg::TestServer* server = store::pg::TestServer::Shared(nullptr);
  std::string db = store::pg::DatabaseNameFor(dir);
  ASSERT_TRUE(server->CreateDatabase(db).ok());
  auto to = OpenPostgresAccountStore(server->Url(db));
  ASSERT_TRUE(to.ok()) << to.status().ToString();
  AccountStore& b = **to;
  Status imported = b.ImportTables(*tables);
  ASSERT_TRUE(imported.ok()) << imported.ToString();
  EXPECT_EQ(b.ExportTables().status().code(), Code::kInvalidInput);

  auto users_a = a.Users().value(), users_b = b.Users().value();
  ASSERT_EQ(users_b.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const User &x = users_a[i], &y = users_b[i];
    EXPECT_EQ(std::tie(x.id, x.username, x.display_name, x.district_id, x.failed_logins, x.created,
                       x.password_changed, x.must_change_password, x.second_factor, x.oidc_subject,
                       x.oidc_claims),
              std::tie(y.id, y.username, y.display_name, y.district_id, y.failed_logins, y.created,
                       y.password_changed, y.must_change_password, y.second_factor, y.oidc_subject,
                       y.oidc_claims));
    EXPECT_EQ(x.role, y.role);
  }
  EXPECT_EQ(b.PasswordHistory(alice.id).value(), a.PasswordHistory(alice.id).value());
  EXPECT_EQ(b.GetSecondFactor(alice.id)->key, "sealed-key");
  EXPECT_EQ(b.GetSecondFactor(alice.id)->last_step, 77);
  EXPECT_EQ(b.FindToken("token-hash")->user_id, alice.id);
  EXPECT_EQ(b.FindKey("key-hash")->owner_id, bob.id);
  EXPECT_EQ(b.FindKey("key-hash")->datasets, std::vector<std::string>{"aqi"});
  EXPECT_EQ(b.DatasetBodies().value(), a.DatasetBodies().value());
  EXPECT_EQ(b.GetRequest(r.id)->status, "approved");
  ASSERT_EQ(b.ActiveGrants(alice.id, 5000)->size(), 1u);
  EXPECT_EQ(b.Notifications(alice.id, 10)->front().text, "申请已批准");
  // The sequences moved past the copied ids.
  User carol{.username = "carol"};
  EXPECT_EQ(b.InsertUser(carol, "hc").value(), bob.id + 1);
  std::filesystem::remove_all(dir);
}

// An accounts.db written before the level-3 columns: opening it adds them, counts
// the passwords already set from the upgrade and the sessions as used when created.
TEST(SqliteAccountStoreMigration, AnOlderDatabaseGainsTheLevel3Columns) {
  std::string dir = store::FreshTestDir("/ecohub_accounts_migration_");
  {
    auto db = store::sqlite::Db::Open(dir + "/accounts.db", {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL "
                           "UNIQUE, display_name TEXT NOT NULL, role TEXT NOT NULL, district_id "
                           "INTEGER NOT NULL, enterprise_id INTEGER NOT NULL, department TEXT NOT "
                           "NULL, password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT "
                           "0, failed INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL "
                           "DEFAULT 0, created INTEGER NOT NULL);"
                           "CREATE TABLE tokens (hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, "
                           "created INTEGER NOT NULL, expires INTEGER NOT NULL);"
                           "INSERT INTO users VALUES (1, 'old', 'Old', 'admin', 0, 0, '', 'h', 0, "
                           "0, 0, 1000);"
                           "INSERT INTO tokens VALUES ('t1', 1, 1500, 99999999999);")
                    .ok());
  }
  auto opened = OpenSqliteAccountStore(dir);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& st = **opened;
  auto u = st.GetUser(1);
  ASSERT_TRUE(u.ok());
  EXPECT_GT(u->password_changed, 1'700'000'000);  // the upgrade's time, not 0 or 1000
  EXPECT_FALSE(u->must_change_password);
  EXPECT_FALSE(u->second_factor);
  EXPECT_EQ(st.FindToken("t1")->last_used, 1500);
  opened->reset();
  EXPECT_TRUE(OpenSqliteAccountStore(dir).ok());  // and opens again as it is
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ecohub::auth
