// The ImportBatchStore contract, written against the interface and run for every
// backend (SQLite; PostgreSQL on a server the test starts), with a restart in the
// middle of each case.
#include "ingest/batch_store.h"

#include <gtest/gtest.h>

#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"

namespace ecohub::ingest {
namespace {

using Backend = store::BackendOf<ImportBatchStore>;

std::unique_ptr<ImportBatchStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteBatchStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<ImportBatchStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresBatchStore(url);
}

ImportBatch Batch(const std::string& principal, const std::string& client_id) {
  return {0,     principal,  client_id,       "push", "气象.csv", "{\"shape\":\"wide\"}",
          "csv", 1772294400, "{\"stored\":2}"};
}

class BatchStoreContract : public store::ContractFixture<ImportBatchStore> {};

TEST_P(BatchStoreContract, BatchesAndTheirValuesSurviveARestart) {
  std::vector<ImportedValue> first = {{"MN1", Period::kHour, "a34004", 3600, "35", 2},
                                      {"MN1", Period::kHour, "a34004", 7200, "36", 3}};
  auto a = store_->Record(Batch("key:5", "b-1"), first);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  std::vector<ImportedValue> second = {{"MN1", Period::kHour, "a34004", 7200, "37.5", 9}};
  auto b = store_->Record(Batch("cli", ""), second);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_GT(*b, *a);
  Restart();
  auto got = store_->Get(*a);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ImportBatch want = Batch("key:5", "b-1");
  want.id = *a;
  EXPECT_EQ(*got, want);
  EXPECT_EQ(store_->Get(*b + 100).status().code(), Code::kNotFound);

  auto list = store_->List(0, 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, *b);  // newest first
  auto older = store_->List(*b, 10);
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 1u);
  EXPECT_EQ(older->front().id, *a);

  auto src = store_->SourceOf("MN1", Period::kHour, "a34004", 7200);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  ASSERT_TRUE(src->has_value());
  EXPECT_EQ((*src)->batch.id, *b);  // the newest batch that wrote the key
  EXPECT_EQ((*src)->row, 9);
  EXPECT_EQ((*src)->value, "37.5");
  src = store_->SourceOf("MN1", Period::kHour, "a34004", 3600);
  ASSERT_TRUE(src.ok() && src->has_value());
  EXPECT_EQ((*src)->batch.principal, "key:5");
  EXPECT_EQ((*src)->row, 2);
  for (auto [mn, period, time] :
       {std::tuple{"MN2", Period::kHour, 3600}, std::tuple{"MN1", Period::kDay, 3600},
        std::tuple{"MN1", Period::kHour, 10800}}) {
    src = store_->SourceOf(mn, period, "a34004", time);
    ASSERT_TRUE(src.ok());
    EXPECT_FALSE(src->has_value()) << mn << " " << time;
  }
}

TEST_P(BatchStoreContract, AClientBatchIdIsRecordedOncePerPrincipal) {
  auto a = store_->Record(Batch("key:5", "b-1"), {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto again = store_->Record(Batch("key:5", "b-1"), {});
  EXPECT_EQ(again.status().code(), Code::kConflict) << again.status().ToString();
  EXPECT_TRUE(store_->Record(Batch("key:6", "b-1"), {}).ok());  // another client's id
  EXPECT_TRUE(store_->Record(Batch("cli", ""), {}).ok());       // no id: never a conflict
  EXPECT_TRUE(store_->Record(Batch("cli", ""), {}).ok());
  Restart();
  auto found = store_->FindByClientId("key:5", "b-1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, *a);
  EXPECT_EQ(store_->FindByClientId("key:7", "b-1").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->FindByClientId("cli", "").status().code(), Code::kNotFound);
  auto list = store_->List(0, 2);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);       // the limit
  list = store_->List(0, SIZE_MAX);  // unbounded, as db migrate counts
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, BatchStoreContract,
    testing::Values(Backend{"sqlite", OpenSqlite},
                    store::pg::PostgresBackend<ImportBatchStore>(OpenPostgres)),
    store::BackendName<ImportBatchStore>);

}  // namespace
}  // namespace ecohub::ingest
