// What the tests of route files over real stores share: a temporary folder, a
// settable clock, accounts with a token per role, and a call through the router as
// the HTTP server makes it. A test's SetUp opens its stores in dir_, fills ctx_ and
// calls Wire().
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/routes.h"
#include "auth/accounts.h"
#include "core/clock.h"

namespace ecohub::api {

class RouteTest : public ::testing::Test {
 protected:
  static constexpr const char* kPassword = "Route-test-2026";

  // A fresh folder named after the test, and accounts in it.
  void OpenFolder(const std::string& prefix) {
    dir_ = std::filesystem::temp_directory_path() /
           (prefix + std::to_string(::getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto acc = auth::Accounts::Open(dir_.string(), {}, clock_);
    ASSERT_TRUE(acc.ok()) << acc.status().ToString();
    accounts_ = std::move(*acc);
  }
  // Every route over ctx_, which the test has filled with its stores.
  void Wire() {
    api_ = std::make_unique<Api>(router_, accounts_.get(), nullptr, clock_);
    ctx_.clock = &clock_;
    ctx_.accounts = accounts_.get();
    AddAllRoutes(*api_, ctx_);
  }
  void CloseFolder() {
    api_.reset();
    accounts_.reset();
    std::filesystem::remove_all(dir_);
  }

  // "Bearer <token>" of a new account of `role`.
  std::string Token(const std::string& name, auth::Role role, int64_t district,
                    int64_t enterprise) {
    auth::User u;
    u.username = name;
    u.role = role;
    u.district_id = district;
    u.enterprise_id = enterprise;
    EXPECT_TRUE(accounts_->CreateUser(u, kPassword).ok());
    return Login(name);
  }
  // "Bearer <token>" of a new session of `name` (after the clock moved past a token's
  // life).
  std::string Login(const std::string& name) {
    auto login = accounts_->Login(name, kPassword, clock_.WallSeconds());
    EXPECT_TRUE(login.ok()) << login.status().ToString();
    return login.ok() ? "Bearer " + login->token : "";
  }
  Response Call(const std::string& method, const std::string& path, const std::string& auth,
                const nlohmann::json& body = nullptr,
                std::map<std::string, std::string> query = {}) {
    Request r;
    r.method = method;
    r.path = path;
    r.query = std::move(query);
    r.peer = "127.0.0.1";
    r.authorization = auth;
    if (!body.is_null()) r.body = body.dump();
    return router_.Dispatch(r);
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  std::unique_ptr<auth::Accounts> accounts_;
  Router router_;
  std::unique_ptr<Api> api_;
  ApiContext ctx_;
};

}  // namespace ecohub::api
