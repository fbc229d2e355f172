// PostgresBackend<S>: the PostgreSQL backend of a contract suite over interface S
// (contract_fixture.h), on the test process's shared server (test_server.h): each
// test folder gets a database of its own, named after it, so reopening the same
// folder (Restart) reopens the same database; the cases are skipped, saying why,
// where the server cannot start. For the suites of stores outside store.h (accounts,
// permits); store_contract.h does the same for Store.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "store/contract_fixture.h"
#include "store/pg/test_server.h"

namespace ecohub::store::pg {

// Why the shared test server cannot run here ("" when it can).
inline std::string TestServerUnavailable() {
  std::string why;
  TestServer::Shared(&why);
  return why;
}

// The URL of a database of its own for the running test case, on the shared server,
// named after the case and created unless it exists; "" with `why` set when the
// server cannot run here (the caller skips).
inline std::string DatabaseForThisTest(std::string* why) {
  TestServer* server = TestServer::Shared(why);
  if (server == nullptr) return "";
  std::string name = DatabaseNameFor(testing::UnitTest::GetInstance()->current_test_info()->name());
  Status made = server->CreateDatabase(name);
  EXPECT_TRUE(made.ok()) << made.ToString();
  return made.ok() ? server->Url(name) : "";
}

// `open` opens the store on the database at `url` for the test folder `dir`.
template <typename S>
BackendOf<S> PostgresBackend(
    std::function<Result<std::unique_ptr<S>>(const std::string& url, const std::string& dir)>
        open) {
  auto open_in = [open](const std::string& dir) -> std::unique_ptr<S> {
    TestServer* server = TestServer::Shared(nullptr);
    if (server == nullptr) return nullptr;
    std::string db = DatabaseNameFor(dir);
    Status made = server->CreateDatabase(db);
    EXPECT_TRUE(made.ok()) << made.ToString();
    auto s = open(server->Url(db), dir);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  };
  return BackendOf<S>{"postgresql", open_in, TestServerUnavailable};
}

}  // namespace ecohub::store::pg
