#include "api/router.h"

#include <gtest/gtest.h>

namespace ecohub::api {

TEST(Router, CapturesAndMethods) {
  Router r;
  r.Add("GET", "/api/v1/sites/{id}/latest", [](const Request& q) {
    Response resp;
    resp.body = q.params.at("id");
    return resp;
  });
  Request q{"GET", "/api/v1/sites/42/latest"};
  EXPECT_EQ(r.Dispatch(q).body, "42");
  Request post{"POST", "/api/v1/sites/42/latest"};
  EXPECT_EQ(r.Dispatch(post).status, 405);
  Request missing{"GET", "/api/v1/sites/42"};
  Response nf = r.Dispatch(missing);
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.content_type, "application/problem+json");
}

TEST(Router, QueryDecoding) {
  std::map<std::string, std::string> q;
  ASSERT_TRUE(ParseQuery("a=1&b=x%20y&c=%E5%8C%97+x&flag", &q));
  EXPECT_EQ(q["a"], "1");
  EXPECT_EQ(q["b"], "x y");
  EXPECT_EQ(q["c"], "\xE5\x8C\x97 x");
  EXPECT_EQ(q.count("flag"), 1u);
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "%"}) {
    std::map<std::string, std::string> out;
    EXPECT_FALSE(ParseQuery(bad, &out)) << bad;
  }
}

}  // namespace ecohub::api
