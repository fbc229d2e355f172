// The contract of the derived-values module (derived_store.h), for every backend
// (store_contract.h).
#include <gtest/gtest.h>

#include "store/store_contract.h"

namespace ecohub::store {
namespace {

class DerivedStoreContract : public StoreContract {};

TEST_P(DerivedStoreContract, DerivedRowsUpsertReplaceAndSurviveRestart) {
  std::vector<DerivedRow> rows = {{"aqi_hour", "S1", 3600, 57.0, R"({"aqi":57})"},
                                  {"aqi_hour", "S1", 7200, 60.0, R"({"aqi":60})"},
                                  {"aqi_hour", "S2", 3600, std::nullopt, R"({"aqi":null})"},
                                  {"aqi_day", "S1", 0, 80.0, "{}"}};
  ASSERT_TRUE(store_->PutDerived(rows).ok());
  rows[0].value = 58;  // recomputed with late data: upsert
  ASSERT_TRUE(store_->PutDerived(std::span(rows).first(1)).ok());
  Restart();
  auto all = store_->QueryDerived("aqi_hour", "", 0, 10000, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);  // ordered by (time, scope)
  EXPECT_EQ((*all)[0].scope, "S1");
  EXPECT_EQ((*all)[0].value, 58.0);
  EXPECT_EQ((*all)[1].scope, "S2");
  EXPECT_FALSE((*all)[1].value);
  EXPECT_EQ((*all)[2].time, 7200);
  auto one = store_->QueryDerived("aqi_hour", "S1", 5000, 10000, 100);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().body, R"({"aqi":60})");
  EXPECT_EQ(store_->QueryDerived("aqi_hour", "S*", 0, 10000, 2)->size(), 2u);  // prefix, limit
  // Replace drops what the recomputation no longer finds, inside the window only.
  std::vector<DerivedRow> events = {{"exceedance", "S1/a21026", 100, 1.5, "{}"},
                                    {"exceedance", "S1/a21026", 500, 2.0, "{}"},
                                    {"exceedance", "S1/a21026", 9000, 3.0, "{}"}};
  ASSERT_TRUE(store_->PutDerived(events).ok());
  std::vector<DerivedRow> again = {{"exceedance", "S1/a21026", 200, 1.7, "{}"}};
  ASSERT_TRUE(store_->ReplaceDerived("exceedance", "S1/a21026", 0, 1000, again).ok());
  auto ev = store_->QueryDerived("exceedance", "S1/a21026", 0, 100000, 100);
  ASSERT_EQ(ev->size(), 2u);
  EXPECT_EQ((*ev)[0].time, 200);
  EXPECT_EQ((*ev)[1].time, 9000);
}

// A batch is stored as one upsert after another would store it: of rows with the same
// (kind, scope, time) the last wins, and any text and any double come back exactly.
TEST_P(DerivedStoreContract, ABatchKeepsItsLastRowOfAKeyAndEveryByte) {
  const std::string odd = "{\"note\":\"a,b} {\\\"c\\\\\" NULL 空气\"}";
  std::vector<DerivedRow> rows = {{"aqi_hour", "S,1", 3600, 57.0, R"({"aqi":57})"},
                                  {"aqi_hour", "S\"2}", 3600, 0.1 + 0.2, odd},
                                  {"aqi_hour", "S,1", 3600, 58.0, R"({"aqi":58})", 42},
                                  {"aqi_hour", "NULL", 3600, -1e-300, ""}};
  ASSERT_TRUE(store_->PutDerived(rows).ok());
  Restart();
  auto all = store_->QueryDerived("aqi_hour", "", 0, 10000, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  // By (time, scope), scopes by their bytes: "NULL" < "S\"2}" < "S,1".
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].scope, "NULL");
  EXPECT_EQ((*all)[0].value, -1e-300);
  EXPECT_EQ((*all)[0].body, "");
  EXPECT_EQ((*all)[1].scope, "S\"2}");
  EXPECT_EQ((*all)[1].value, 0.1 + 0.2);
  EXPECT_EQ((*all)[1].body, odd);
  EXPECT_EQ((*all)[2].scope, "S,1");
  EXPECT_EQ((*all)[2].value, 58.0);
  EXPECT_EQ((*all)[2].updated, 42);
}

INSTANTIATE_TEST_SUITE_P(All, DerivedStoreContract, StoreBackends(), BackendName<Store>);

}  // namespace
}  // namespace ecohub::store
