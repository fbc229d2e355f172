// The Store contract suite's fixture, shared by the per-module contract tests
// (readings_, registry_, derived_, alarm_ and audit_contract_test.cc). Each suite is
// written once against Store& and run for every implementation: SQLite, and
// PostgreSQL on a server the test process starts (pg/test_server.h; the cases are
// skipped, saying why, where PostgreSQL is not installed). A case may Restart() the
// store mid-way: what was acknowledged must be there after it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/contract_fixture.h"
#include "store/pg/test_server.h"
#include "store/postgresql_store.h"
#include "store/sqlite_store.h"

namespace ecohub::store {

using Backend = BackendOf<Store>;

inline std::unique_ptr<Store> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteStore(dir, SqliteOptions{});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

// A database of its own for each test folder on the shared test server; reopening
// the same folder (Restart) reopens the same database.
inline std::unique_ptr<Store> OpenPostgres(const std::string& dir) {
  pg::TestServer* server = pg::TestServer::Shared(nullptr);
  if (server == nullptr) return nullptr;
  std::string db = pg::DatabaseNameFor(dir);
  Status made = server->CreateDatabase(db);
  EXPECT_TRUE(made.ok()) << made.ToString();
  auto s = OpenPostgresStore(server->Url(db),
                             PostgresOptions{.keys_file = dir + "/keys", .pool_size = 4});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

inline std::string PostgresUnavailable() {
  std::string why;
  pg::TestServer::Shared(&why);
  return why;
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

inline auto StoreBackends() {
  return testing::Values(Backend{"sqlite", OpenSqlite},
                         Backend{"postgresql", OpenPostgres, PostgresUnavailable});
}

}  // namespace ecohub::store
