// The PermitStore contract, written against PermitStore& and run for every backend
// (SQLite; PostgreSQL on a server the test starts), with a restart (close and
// reopen) in the middle of each case.
#include "permit/permit_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "permit/json.h"
#include "permit/pg_permit_store.h"
#include "permit/sqlite_permit_store.h"
#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"

namespace ecohub::permit {
namespace {

using Backend = store::BackendOf<PermitStore>;

std::unique_ptr<PermitStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqlitePermitStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<PermitStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresPermitStore(url);
}

Permit Sample(const std::string& number, int64_t enterprise) {
  Permit p;
  p.number = number;
  p.enterprise_id = enterprise;
  p.valid_from = "2026-01-01";
  p.valid_to = "2030-12-31";
  p.issuer = "咸阳市生态环境局";
  p.outlets = {{11,
                {{"a21026", 35, std::nullopt, "mg/m3", "GB 13223-2011 表1"},
                 {"a21002", 50, std::nullopt, "mg/m3", "GB 13223-2011 表1"}}},
               {12, {{"w01001", 9, 6, "", "GB 8978-1996 表4"}}}};
  p.quantities = {{"a21026", 80.5}, {"w01018", 60}};
  return p;
}

class PermitStoreContract : public store::ContractFixture<PermitStore> {};

TEST_P(PermitStoreContract, PutKeepsEveryFieldAcrossARestart) {
  Permit p = Sample("91610400MA6TG0001X001P", 3);
  auto put = store_->Put(p);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_TRUE(put->created);
  EXPECT_GT(put->id, 0);
  Restart();
  auto got = store_->Get(put->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  p.id = put->id;
  EXPECT_EQ(*got, p);
}

TEST_P(PermitStoreContract, TheNumberIsTheKeyAndAPutReplacesTheRest) {
  auto first = store_->Put(Sample("P-1", 3));
  Permit changed = Sample("P-1", 4);
  changed.state = PermitState::kRevoked;
  changed.outlets.pop_back();
  changed.quantities.clear();
  changed.id = 999;  // ignored: the number decides
  auto second = store_->Put(changed);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(second->id, first->id);
  EXPECT_FALSE(second->created);
  Restart();
  auto all = store_->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  changed.id = first->id;
  EXPECT_EQ(all->front(), changed);
  EXPECT_TRUE(store_->ForEnterprise(3)->empty());  // moved to enterprise 4
  EXPECT_EQ(store_->ForEnterprise(4)->size(), 1u);
}

TEST_P(PermitStoreContract, ListsAreOrderedByIdAndFilteredByEnterprise) {
  int64_t a = store_->Put(Sample("P-A", 3))->id;
  int64_t b = store_->Put(Sample("P-B", 5))->id;
  int64_t c = store_->Put(Sample("P-C", 3))->id;
  Restart();
  auto all = store_->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, a);
  EXPECT_EQ((*all)[1].id, b);
  EXPECT_EQ((*all)[2].id, c);
  auto of3 = store_->ForEnterprise(3);
  ASSERT_TRUE(of3.ok());
  ASSERT_EQ(of3->size(), 2u);
  EXPECT_EQ((*of3)[0].number, "P-A");
  EXPECT_EQ((*of3)[1].number, "P-C");
  EXPECT_TRUE(store_->ForEnterprise(77)->empty());
}

TEST_P(PermitStoreContract, UnknownIdsAndNumberlessPermits) {
  EXPECT_EQ(store_->Get(1).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Put(Sample("", 3)).status().code(), Code::kInvalidInput);
  EXPECT_TRUE(store_->List()->empty());
}

INSTANTIATE_TEST_SUITE_P(All, PermitStoreContract,
                         testing::Values(Backend{"sqlite", OpenSqlite},
                                         store::pg::PostgresBackend<PermitStore>(OpenPostgres)),
                         store::BackendName<PermitStore>);

// `ecohub db migrate`'s copy of the permits: SQLite's table written into an empty
// PostgreSQL store keeps ids and bodies, and the next permit gets the next id.
TEST(PermitTablesCopy, SqliteTableReadsBackTheSameFromPostgres) {
  std::string why = store::pg::TestServerUnavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  std::string dir = store::FreshTestDir("/ecohub_permits_copy_");
  auto from = OpenSqlitePermitStore(dir);
  ASSERT_TRUE(from.ok()) << from.status().ToString();
  ASSERT_TRUE((*from)->Put(Sample("P-1", 3)).ok());
  ASSERT_TRUE((*from)->Put(Sample("P-2", 4)).ok());
  auto tables = (*from)->ExportTables();
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  store::pg::TestServer* server = store::pg::TestServer::Shared(nullptr);
  std::string db = store::pg::DatabaseNameFor(dir);
  ASSERT_TRUE(server->CreateDatabase(db).ok());
  auto to = OpenPostgresPermitStore(server->Url(db));
  ASSERT_TRUE(to.ok()) << to.status().ToString();
  Status imported = (*to)->ImportTables(*tables);
  ASSERT_TRUE(imported.ok()) << imported.ToString();
  auto a = (*from)->List().value(), b = (*to)->List().value();
  ASSERT_EQ(b.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(ToJson(a[i]).dump(), ToJson(b[i]).dump());
  auto next = (*to)->Put(Sample("P-3", 5));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->id, b.back().id + 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ecohub::permit
