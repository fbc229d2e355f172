// The OpenAPI document matches the routes: every route the server answers is in
// /api/v1/openapi.json with its method, a summary, its path parameters and its
// documented query parameters, and nothing is documented that is not served. A
// query parameter a route does not document is refused (400), so the document is
// also the complete list of what each route reads.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
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

// Client generators turn operation ids into function names: each is a
// lowerCamelCase identifier, and no two operations share one. Checks the operations
// that have an id of their own (an id with a space is the "METHOD path" fallback of
// a route that has none yet: EveryOperationHasAnIdentifier names those).
TEST_F(OpenApiTest, OperationIdsAreUniqueIdentifiers) {
  auto doc = nlohmann::json::parse(Get("/api/v1/openapi.json").body);
  const std::regex identifier("^[a-z][A-Za-z0-9]*$");
  std::map<std::string, std::string> seen;  // id -> "method path"
  for (const auto& [pattern, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items()) {
      std::string id = op["operationId"];
      std::string where = method + " " + pattern;
      if (id.find(' ') != std::string::npos) continue;
      EXPECT_TRUE(std::regex_match(id, identifier)) << where << ": " << id;
      auto [it, fresh] = seen.emplace(id, where);
      EXPECT_TRUE(fresh) << id << " names both " << it->second << " and " << where;
    }
  // The accounts, sharing, alarm and description routes all have theirs.
  for (const char* id : {"login", "listUsers", "getUser", "createApiKey", "searchDatasets",
                         "approveDataRequest", "listAuditEntries", "listPublicEnterprises",
                         "getOpenApi", "listAlarms", "acknowledgeAlarm", "closeAlarm"})
    EXPECT_TRUE(seen.count(id)) << id;
}

TEST_F(OpenApiTest, EveryOperationHasAnIdentifier) {
  auto doc = nlohmann::json::parse(Get("/api/v1/openapi.json").body);
  const std::regex identifier("^[a-z][A-Za-z0-9]*$");
  for (const auto& [pattern, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items())
      EXPECT_TRUE(std::regex_match(op["operationId"].get<std::string>(), identifier))
          << method << " " << pattern << " has no identifier: " << op["operationId"];
}

// Every answer names its schema: the 200 a JSON object or list (or the route's own
// media type), CSV and XLSX besides for exportable routes, every error the one
// RFC 7807 Problem.
TEST_F(OpenApiTest, ResponsesCarrySchemas) {
  auto doc = nlohmann::json::parse(Get("/api/v1/openapi.json").body);
  const auto& problem = doc["components"]["schemas"]["Problem"];
  for (const char* field : {"type", "title", "status", "detail"})
    EXPECT_TRUE(problem["properties"].contains(field)) << field;
  EXPECT_EQ(doc["components"]["responses"]["Problem"]["content"]["application/problem+json"]
               ["schema"]["$ref"],
            "#/components/schemas/Problem");
  for (const auto& [pattern, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items()) {
      std::string where = method + " " + pattern;
      for (const auto& [status, answer] : op["responses"].items()) {
        if (status == "200") {
          ASSERT_TRUE(answer.contains("content")) << where;
          for (const auto& [type, media] : answer["content"].items())
            EXPECT_TRUE(media.contains("schema")) << where << " " << type;
        } else {
          EXPECT_EQ(answer["$ref"], "#/components/responses/Problem") << where << " " << status;
        }
      }
      bool exportable = false;
      for (const auto& prm : op["parameters"]) exportable |= prm["name"] == "format";
      const auto& content = op["responses"]["200"]["content"];
      EXPECT_EQ(content.contains("text/csv"), exportable) << where;
      if (exportable) {
        EXPECT_EQ(content["application/json"]["schema"]["$ref"], "#/components/schemas/List")
            << where;
      }
    }
  const auto& ok = [&](const char* path) -> const nlohmann::json& {
    return doc["paths"][path]["get"]["responses"]["200"]["content"];
  };
  EXPECT_EQ(ok("/api/v1/users")["application/json"]["schema"]["$ref"], "#/components/schemas/List");
  EXPECT_EQ(ok("/api/v1/me")["application/json"]["schema"]["type"], "object");
  EXPECT_TRUE(ok("/api/docs").contains("text/html"));
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
