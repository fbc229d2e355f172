// The OpenAPI document matches the routes: every route the server answers is in
// /api/v1/openapi.json with its method, a summary, its path parameters and its
// documented query parameters, and nothing is documented that is not served. A
// query parameter a route does not document is refused (400), so the document is
// also the complete list of what each route reads.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "api/routes.h"
#include "store/sqlite_store.h"

namespace ecohub::api {
namespace {

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("ecohub_openapi_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    auto st = store::OpenSqliteStore(dir_.string(), {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    auto acc = auth::Accounts::Open(dir_.string(), {});
    ASSERT_TRUE(acc.ok()) << acc.status().ToString();
    accounts_ = std::move(*acc);
    api_ = std::make_unique<Api>(router_, accounts_.get(), nullptr);
    ctx_.store = store_.get();
    ctx_.latest = &latest_;
    ctx_.metrics = &metrics_;
    ctx_.accounts = accounts_.get();
    ctx_.sites = std::make_shared<SiteDirectory>(store_.get());
    AddAllRoutes(*api_, ctx_);
  }
  void TearDown() override {
    api_.reset();
    accounts_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Response Get(const std::string& path, std::map<std::string, std::string> query = {}) {
    Request r;
    r.method = "GET";
    r.path = path;
    r.query = std::move(query);
    r.peer = "127.0.0.1";
    return router_.Dispatch(r);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::Accounts> accounts_;
  store::LatestCache latest_;
  Metrics metrics_;
  Router router_;
  std::unique_ptr<Api> api_;
  ApiContext ctx_;
};

TEST_F(OpenApiTest, EveryRouteIsDocumentedAndNothingElse) {
  Response r = Get("/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = nlohmann::json::parse(r.body);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  std::set<std::pair<std::string, std::string>> served, documented;
  for (auto [method, pattern] : router_.Routes()) {
    for (auto& c : method) c = static_cast<char>(std::tolower(c));
    served.emplace(method, pattern);
    ASSERT_TRUE(doc["paths"].contains(pattern)) << pattern << " is not documented";
    ASSERT_TRUE(doc["paths"][pattern].contains(method)) << method << " " << pattern;
    const auto& op = doc["paths"][pattern][method];
    EXPECT_FALSE(op["summary"].get<std::string>().empty()) << pattern;
    EXPECT_TRUE(op["responses"].contains("200")) << pattern;
    // Every {capture} of the path is a documented path parameter.
    std::set<std::string> captures;
    for (size_t p = pattern.find('{'); p != std::string::npos; p = pattern.find('{', p + 1))
      captures.insert(pattern.substr(p + 1, pattern.find('}', p) - p - 1));
    std::set<std::string> in_path;
    for (const auto& prm : op["parameters"])
      if (prm["in"] == "path") in_path.insert(prm["name"]);
    EXPECT_EQ(captures, in_path) << pattern;
  }
  for (const auto& [pattern, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items()) documented.emplace(method, pattern);
  EXPECT_EQ(served, documented);
  // The contract routes are there.
  for (const char* p : {"/api/v1/sites", "/api/v1/enterprises", "/api/v1/users",
                        "/api/v1/public/aqi/city", "/api/v1/auth/login", "/api/v1/readings",
                        "/api/v1/latest", "/api/v1/datasets", "/api/v1/data-requests"})
    EXPECT_TRUE(doc["paths"].contains(p)) << p;
}

TEST_F(OpenApiTest, UndocumentedQueryParametersAreRefused) {
  Response r = Get("/api/v1/public/aqi/history", {{"scope", "city"}, {"colour", "red"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unknown-parameter"), std::string::npos);
  r = Get("/api/v1/public/aqi/history", {{"scope", "city"}, {"limit", "abc"}});
  EXPECT_EQ(r.status, 400);
  r = Get("/api/v1/public/aqi/history", {{"scope", "city"}});
  EXPECT_EQ(r.status, 200);
}

TEST_F(OpenApiTest, ContractRoutesWithoutTokenAre401) {
  for (const char* p : {"/api/v1/sites", "/api/v1/enterprises", "/api/v1/users"}) {
    Response r = Get(p);
    EXPECT_EQ(r.status, 401) << p;
    EXPECT_EQ(r.content_type, "application/problem+json") << p;
  }
  Request bad;
  bad.method = "GET";
  bad.path = "/api/v1/sites";
  bad.authorization = "Bearer eht_not_a_token";
  EXPECT_EQ(router_.Dispatch(bad).status, 401);
  EXPECT_NE(Get("/api/v1/public/aqi/city").status, 401);
  EXPECT_EQ(Get("/api/docs").status, 200);
}

}  // namespace
}  // namespace ecohub::api
