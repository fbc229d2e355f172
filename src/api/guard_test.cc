// Api's guard, step by step: authentication, rate limits read on the Api's clock,
// query parameters, login. Each refusal comes before the handler runs. Then writes
// sent with an Idempotency-Key, run once.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "api/api.h"
#include "store/contract_fixture.h"

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

// A write with an Idempotency-Key runs once: a retry gets the first answer, a retry
// while the first runs is told to wait, one whose first never finished is told so, and
// a server error is not kept.
TEST_F(GuardTest, WritesWithAnIdempotencyKeyRunOnce) {
  std::string dir = store::FreshTestDir("/ecohub_guard_idem_");
  auto kept = idempotency::OpenSqliteIdempotencyStore(dir);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  api_.SetIdempotency(kept->get());
  Response::Done pending;
  int status = 201;
  api_.Add("POST", "/make",
           {.summary = "Makes something", .tag = "Operations", .login = false, .id = "make"},
           [&](const Request& req, const auth::Principal&) {
             ++handled_;
             if (req.body == "slow")
               return Response::Defer([&](Response::Done done) { pending = std::move(done); });
             Response r;
             r.status = status;
             r.body = "{\"n\":" + std::to_string(handled_) + "}";
             r.headers.emplace_back("Location", "/made/" + std::to_string(handled_));
             return r;
           });
  auto post = [&](const std::string& key, const std::string& body) {
    Request r;
    r.method = "POST";
    r.path = "/make";
    r.body = body;
    r.idempotency_key = key;
    r.peer = "127.0.0.1";
    return router_.Dispatch(r);
  };

  Response first = post("k-1", "a");
  Response again = post("k-1", "a");
  EXPECT_EQ(handled_, 1);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(Header(again, "Location"), "/made/1");
  EXPECT_EQ(Header(again, "Idempotent-Replayed"), "true");
  EXPECT_EQ(Header(first, "Idempotent-Replayed"), "");
  EXPECT_EQ(post("k-1", "b").status, 422);
  EXPECT_EQ(post(std::string(129, 'k'), "a").status, 400);
  EXPECT_EQ(post("", "a").status, 201);  // no key: runs each time
  EXPECT_EQ(handled_, 2);

  // The first request still running, then its node presumed dead, then finished.
  Response slow = post("k-2", "slow");
  ASSERT_TRUE(slow.deferred);
  std::optional<Response> answer;
  slow.deferred([&](Response a) { answer = std::move(a); });
  Response wait = post("k-2", "slow");
  EXPECT_EQ(wait.status, 409);
  EXPECT_NE(wait.body.find("request-in-progress"), std::string::npos);
  EXPECT_EQ(Header(wait, "Retry-After"), "1");
  clock_.Advance(std::chrono::seconds(121));
  Response lost = post("k-2", "slow");
  EXPECT_EQ(lost.status, 409);
  EXPECT_NE(lost.body.find("request-outcome-unknown"), std::string::npos);
  Response late;
  late.status = 202;
  late.body = "{\"late\":true}";
  pending(std::move(late));
  ASSERT_TRUE(answer);
  Response replay = post("k-2", "slow");
  EXPECT_EQ(replay.status, 202);
  EXPECT_EQ(replay.body, "{\"late\":true}");
  EXPECT_EQ(handled_, 3);

  // A server error is not kept: the same key runs again.
  status = 503;
  EXPECT_EQ(post("k-3", "a").status, 503);
  status = 201;
  EXPECT_EQ(post("k-3", "a").status, 201);
  EXPECT_EQ(handled_, 5);
  kept->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ecohub::api
