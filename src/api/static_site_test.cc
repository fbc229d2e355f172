#include "api/static_site.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

namespace ecohub::api {
namespace {

namespace fs = std::filesystem;

std::string Header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

std::string Gunzip(const std::string& in) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "<bad gzip>";
}

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ecohub-static-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "assets");
    Write("index.html", "<!doctype html><title>EcoHub</title><div id=app></div>");
    Write("assets/index-abc123.js", std::string(5000, 'x') + "console.log('北京')");
    Write("geo/city.json", "{\"type\":\"FeatureCollection\"}");
    Write("favicon.svg", "<svg/>");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& body) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel, std::ios::binary) << body;
  }
  Response Get(const StaticSite& site, std::string path, std::string accept = "",
               std::string inm = "") {
    Request r;
    r.method = "GET";
    r.path = std::move(path);
    r.accept_encoding = std::move(accept);
    r.if_none_match = std::move(inm);
    return site.Serve(r);
  }
  fs::path dir_;
};

TEST_F(StaticSiteTest, ServesFilesWithTypesAndCaching) {
  auto site = StaticSite::Load(dir_.string());
  ASSERT_TRUE(site.ok()) << site.status().ToString();
  EXPECT_EQ((*site)->files(), 4u);

  Response index = Get(**site, "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("<div id=app>"), std::string::npos);
  EXPECT_EQ(Header(index, "Cache-Control"), "no-cache");
  EXPECT_NE(Header(index, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);

  Response js = Get(**site, "/assets/index-abc123.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Header(js, "Content-Encoding"), "");  // the client did not ask for gzip
  EXPECT_EQ(js.body.size(), 5000u + std::string("console.log('北京')").size());

  EXPECT_EQ(Get(**site, "/geo/city.json").content_type, "application/json");
  EXPECT_EQ(Get(**site, "/favicon.svg").content_type, "image/svg+xml");
}

TEST_F(StaticSiteTest, GzipOnlyWhenAcceptedAndSmaller) {
  auto site = StaticSite::Load(dir_.string());
  ASSERT_TRUE(site.ok());
  Response zipped = Get(**site, "/assets/index-abc123.js", "gzip, deflate");
  EXPECT_EQ(Header(zipped, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(zipped, "Vary"), "Accept-Encoding");
  EXPECT_LT(zipped.body.size(), 200u);
  EXPECT_EQ(Gunzip(zipped.body), Get(**site, "/assets/index-abc123.js").body);
  // Under 1 KB it is not worth it: the bytes go as they are.
  EXPECT_EQ(Header(Get(**site, "/favicon.svg", "gzip"), "Content-Encoding"), "");
  EXPECT_EQ(Header(Get(**site, "/assets/index-abc123.js", "gzip;q=0"), "Content-Encoding"), "");
}

TEST_F(StaticSiteTest, EtagRevalidation) {
  auto site = StaticSite::Load(dir_.string());
  ASSERT_TRUE(site.ok());
  std::string etag = Header(Get(**site, "/"), "ETag");
  ASSERT_FALSE(etag.empty());
  Response again = Get(**site, "/", "", etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Get(**site, "/", "", "\"other\"").status, 200);
  // The same bytes have the same tag; other bytes another.
  EXPECT_NE(Header(Get(**site, "/favicon.svg"), "ETag"), etag);
}

TEST_F(StaticSiteTest, AppPagesGetIndexButMissingFilesAndApiAre404) {
  auto site = StaticSite::Load(dir_.string());
  ASSERT_TRUE(site.ok());
  for (const char* page : {"/water", "/station/AIR-Dongsi", "/console/alarms", "/cockpit"}) {
    Response r = Get(**site, page);
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_NE(r.body.find("<div id=app>"), std::string::npos) << page;
  }
  for (const char* missing : {"/assets/gone-123.js", "/api/v1/nothing", "/api/v1/sites/x",
                              "/../../etc/passwd", "/geo/../../secret.txt", "/robots.txt"}) {
    Response r = Get(**site, missing);
    EXPECT_EQ(r.status, 404) << missing;
    EXPECT_EQ(r.content_type, "application/problem+json") << missing;
  }
}

TEST_F(StaticSiteTest, RefusesAFolderWithoutIndexOrTooLarge) {
  fs::remove(dir_ / "index.html");
  auto none = StaticSite::Load(dir_.string());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("index.html"), std::string::npos);
  EXPECT_FALSE(StaticSite::Load((dir_ / "does-not-exist").string()).ok());
  Write("index.html", "<!doctype html>");
  EXPECT_FALSE(StaticSite::Load(dir_.string(), /*max_bytes=*/1000).ok());
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(ContentTypeOf("/a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeOf("/a.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeOf("/a.png"), "image/png");
  EXPECT_EQ(ContentTypeOf("/README"), "application/octet-stream");
}

TEST(RouterFallback, AnswersOnlyUnmatchedGets) {
  Router r;
  r.Add("GET", "/api/v1/x", [](const Request&) { return Response{200, "text/plain", "api"}; });
  r.SetFallback([](const Request&) { return Response{200, "text/html", "page"}; });
  Request api{"GET", "/api/v1/x"};
  EXPECT_EQ(r.Dispatch(api).body, "api");
  Request page{"GET", "/water"};
  EXPECT_EQ(r.Dispatch(page).body, "page");
  Request post{"POST", "/water"};
  EXPECT_EQ(r.Dispatch(post).status, 404);
  Request wrong_method{"POST", "/api/v1/x"};
  EXPECT_EQ(r.Dispatch(wrong_method).status, 405);
}

}  // namespace
}  // namespace ecohub::api
