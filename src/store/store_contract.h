// The Store contract suite's fixture, shared by the per-module contract tests
// (readings_, registry_, derived_, alarm_ and audit_contract_test.cc). Each suite is
// written once against Store& and run for every implementation (SQLite now;
// PostgreSQL joins StoreBackends()). A case may Restart() the store mid-way: what
// was acknowledged must be there after it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/contract_fixture.h"
#include "store/sqlite_store.h"

namespace ecohub::store {

using Backend = BackendOf<Store>;

inline std::unique_ptr<Store> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteStore(dir, SqliteOptions{});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

class StoreContract : public ContractFixture<Store> {
 protected:
  Status Append(const Batch& b) {
    const Batch* p = &b;
    return store_->Append(std::span<const Batch* const>(&p, 1));
  }
  std::vector<Reading> All() {
    std::vector<Reading> out;
    EXPECT_TRUE(store_
                    ->ScanReadings([&](const Reading& r) {
                      out.push_back(r);
                      return true;
                    })
                    .ok());
    return out;
  }
  static Reading R(std::string mn, Period p, int64_t t, std::string f, std::string field,
                   std::string v, char flag = 'N') {
    return Reading{std::move(mn), p, t, std::move(f), std::move(field), std::move(v), flag};
  }
};

inline auto StoreBackends() { return testing::Values(Backend{"sqlite", OpenSqlite}); }

}  // namespace ecohub::store
