// Api's guard, step by step: authentication, rate limits read on the Api's clock,
// query parameters, login. Each refusal comes before the handler runs.
#include <gtest/gtest.h>

#include <optional>

#include "api/api.h"

namespace ecohub::api {
namespace {

class GuardTest : public ::testing::Test {
 protected:
  GuardTest() { AddRoutes(api_); }
  // A public route with documented query parameters, and one that needs a login;
  // both count the requests that reach them.
  void AddRoutes(Api& api) {
    auto count = [this](const Request&, const auth::Principal&) {
      ++handled_;
      return Response{};
    };
    api.Add("GET", "/open",
            {.summary = "A public route",
             .tag = "Operations",
             .query = {{"n", "integer", ""},
                       {.name = "day", .type = "time"},
                       {.name = "must", .required = true}},
             .login = false,
             .id = "open"},
            count);
    api.Add("GET", "/closed", {.summary = "Needs a login", .tag = "Operations", .id = "closed"},
            count);
  }
  static Response Get(const Router& router, const std::string& path,
                      std::map<std::string, std::string> query = {},
                      std::string authorization = "") {
    Request r;
    r.method = "GET";
    r.path = path;
    r.query = std::move(query);
    r.authorization = std::move(authorization);
    r.peer = "127.0.0.1";
    return router.Dispatch(r);
  }
  Response Get(const std::string& path, std::map<std::string, std::string> query = {},
               std::string authorization = "") {
    return Get(router_, path, std::move(query), std::move(authorization));
  }
  static std::string Header(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  ManualClock clock_;
  Router router_;
  RateLimiter limiter_{RateLimitOptions{}};
  Api api_{router_, nullptr, &limiter_, clock_};
  int handled_ = 0;
};

TEST_F(GuardTest, RateLimitRefillsOnTheApiClock) {
  RateLimitOptions tight;
  tight.per_second = 1;
  tight.burst = 2;
  RateLimiter limiter(tight);
  Router router;
  Api api(router, nullptr, &limiter, clock_);
  AddRoutes(api);
  EXPECT_EQ(Get(router, "/open", {{"must", "x"}}).status, 200);
  Response second = Get(router, "/open", {{"must", "x"}});
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(Header(second, "RateLimit-Remaining"), "0");
  Response refused = Get(router, "/open", {{"must", "x"}});
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(Header(refused, "Retry-After"), "1");
  EXPECT_EQ(handled_, 2);
  // No sleeping: the bucket refills when the clock moves.
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Get(router, "/open", {{"must", "x"}}).status, 200);
  EXPECT_EQ(handled_, 3);
}

TEST_F(GuardTest, QueryParametersAreCheckedBeforeTheHandler) {
  EXPECT_EQ(Get("/open").status, 400);                                      // must is missing
  EXPECT_EQ(Get("/open", {{"must", "x"}, {"colour", "red"}}).status, 400);  // undocumented
  EXPECT_EQ(Get("/open", {{"must", "x"}, {"n", "1.5"}}).status, 400);       // not an integer
  EXPECT_EQ(Get("/open", {{"must", "x"}, {"day", "yesterday"}}).status, 400);
  EXPECT_EQ(Get("/open", {{"must", "x"}, {"format", "csv"}}).status, 400);  // not exportable
  EXPECT_EQ(handled_, 0);
  Response ok = Get("/open", {{"must", "x"}, {"n", "7"}, {"day", "2026-03-01"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(Header(ok, "Cache-Control"), "public, max-age=60");
}

TEST_F(GuardTest, CredentialsAreCheckedFirst) {
  Response r = Get("/closed");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Header(r, "WWW-Authenticate"), "Bearer realm=\"ecohub\"");
  EXPECT_EQ(Get("/open", {{"must", "x"}}, "Basic YWRtaW46eA==").status, 401);
  // A bearer where no accounts are kept is refused, even on a public route.
  EXPECT_EQ(Get("/open", {{"must", "x"}}, "Bearer eht_x").status, 401);
  EXPECT_EQ(handled_, 0);
}

// A deferred answer (a login's Argon2id on the password workers) gets the guard's
// headers when it comes, not before.
TEST_F(GuardTest, DeferredAnswersGetTheGuardsHeadersWhenTheyCome) {
  Response::Done pending;
  api_.Add("GET", "/later",
           {.summary = "Answers later", .tag = "Operations", .login = false, .id = "later"},
           [&](const Request&, const auth::Principal&) {
             return Response::Defer([&](Response::Done done) { pending = std::move(done); });
           });
  Response r = Get("/later");
  ASSERT_TRUE(r.deferred);
  EXPECT_EQ(Header(r, "RateLimit-Limit"), "");
  std::optional<Response> answer;
  r.deferred([&](Response a) { answer = std::move(a); });
  ASSERT_TRUE(pending);
  Response late;
  late.status = 201;
  pending(std::move(late));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 201);
  EXPECT_NE(Header(*answer, "RateLimit-Limit"), "");
  EXPECT_EQ(Header(*answer, "Cache-Control"), "");  // public, not a 200: no caching header
}

}  // namespace
}  // namespace ecohub::api
