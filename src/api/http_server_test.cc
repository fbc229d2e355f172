// HttpServer end to end: a real server on 127.0.0.1 port 0 with its io_context on a
// thread, and Beast clients. Client operations run under a deadline far beyond any
// real need, so that a server bug fails a test instead of hanging it; nothing here
// measures speed.
#include "api/http_server.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "api/http_client.h"

namespace ecohub::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto kDeadline = std::chrono::seconds(60);
constexpr char kXlsx[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// --- Pure functions ---------------------------------------------------------------

TEST(AcceptsGzip, FollowsRfc9110Weights) {
  struct Case {
    const char* header;
    bool gzip;
  } cases[] = {
      {"", false},
      {"gzip", true},
      {"GZip", true},
      {"x-gzip", true},
      {"gzip, deflate, br", true},
      {"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
      {"deflate , gzip ; q=0.001", true},
      {"gzip;q=1", true},
      {"gzip;q=1.000", true},
      {"gzip;q=0", false},
      {"gzip; Q=0.000", false},
      {"gzip;q=0.", false},
      {"identity", false},
      {"deflate, br", false},
      {"*", true},
      {"*;q=0.5", true},
      {"*;q=0", false},
      {"gzip;q=0, *", false},  // named beats the wildcard
      {"*;q=0, gzip", true},
      {"gzip, gzip;q=0", false},  // contradictory: refuse
      {"gzip;q=2", false},        // malformed weights refuse
      {"gzip;q=1.5", false},
      {"gzip;q=0.0001", false},
      {"gzip;q=abc", false},
      {"gzip;level=9", true},  // unknown parameters are ignored
      {"gzipped", false},
      {",,gzip,,", true},
  };
  for (const auto& c : cases) EXPECT_EQ(AcceptsGzip(c.header), c.gzip) << "'" << c.header << "'";
}

TEST(IsCompressible, TextLikeTypesOnly) {
  for (const char* type :
       {"application/json", "application/json; charset=utf-8", "Application/JSON",
        "application/problem+json", "text/csv; charset=utf-8", "text/plain", "text/html",
        "application/javascript", "image/svg+xml"})
    EXPECT_TRUE(IsCompressible(type)) << type;
  for (const char* type :
       {kXlsx, "application/zip", "image/png", "application/octet-stream", "application/gzip", ""})
    EXPECT_FALSE(IsCompressible(type)) << type;
}

// --- Fixtures and helpers ------------------------------------------------------------

// Text that compresses the way readings do: repetitive structure, varying numbers.
std::string Lines(size_t bytes, uint32_t seed) {
  std::string out;
  uint32_t x = seed * 2654435761u + 1;
  while (out.size() < bytes) {
    x = x * 1664525u + 1013904223u;
    out += "880000000000" + std::to_string(1000 + x % 9000) + ",2024-05-0" +
           std::to_string(1 + x % 9) + "T" + std::to_string(10 + x % 14) +
           ":00:00+08:00,a34004,Avg," + std::to_string(x % 500) + "." + std::to_string(x % 10) +
           ",N\n";
  }
  out.resize(bytes);
  return out;
}

// Piece i of the streamed test export: lengths vary so chunk boundaries move, and
// every 7th piece is empty (a producer may have nothing to add on a call).
constexpr int kExportPieces = 360;
std::string ExportPiece(int i) {
  if (i % 7 == 3) return "";
  return Lines(8000 + (i * 997) % 16000, static_cast<uint32_t>(i));
}
std::string WholeExport() {
  std::string all;
  for (int i = 0; i < kExportPieces; ++i) all += ExportPiece(i);
  return all;
}

std::string Gunzip(const std::string& in, bool* ok) {
  z_stream z{};
  *ok = false;
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "";
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  char buf[64 * 1024];
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // truncated input
  }
  // Exactly one gzip member, and nothing after it.
  *ok = rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  return out;
}

struct Reply {
  beast::error_code ec;
  http::response<http::string_body> msg;
  int chunks = 0;  // chunk headers seen, the last (empty) one included
};

// One client connection, plain or TLS. Asynchronous operations under a deadline, so
// that a server bug fails a test instead of hanging it.
template <class Stream>
class Client {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  explicit Client(uint16_t port, int receive_buffer = 0) : stream_(MakeStream()) {
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.open(tcp::v4());
    // A small receive buffer makes a client that stops reading felt sooner.
    if (receive_buffer) socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    if constexpr (kTls) {
      handshake_ =
          Await([&](auto handler) { stream_.async_handshake(ssl::stream_base::client, handler); });
    }
  }

  beast::error_code handshake() const { return handshake_; }

  Reply Get(const std::string& target, std::optional<std::string> accept_encoding = std::nullopt,
            unsigned version = 11) {
    http::request<http::string_body> req{http::verb::get, target, version};
    req.set(http::field::host, "127.0.0.1");
    if (accept_encoding) req.set(http::field::accept_encoding, *accept_encoding);
    if (version == 10) req.keep_alive(true);  // the server must still close after a stream
    beast::error_code ec = Await([&](auto handler) { http::async_write(stream_, req, handler); });
    if (ec) return Reply{ec};
    return Read();
  }

  // Sends bytes as they are, for requests no well-behaved client would make.
  beast::error_code SendRaw(const std::string& bytes) {
    return Await([&](auto handler) { asio::async_write(stream_, asio::buffer(bytes), handler); });
  }

  Reply Read() {
    Reply r;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    auto on_chunk = [&r](std::uint64_t, beast::string_view, beast::error_code&) { ++r.chunks; };
    parser.on_chunk_header(on_chunk);
    r.ec = Await([&](auto handler) { http::async_read(stream_, buffer_, parser, handler); });
    if (parser.is_header_done()) r.msg = parser.release();
    return r;
  }

 private:
  // Runs one asynchronous operation until it completes, or fails the test after
  // kDeadline; then the connection is closed and the operation, cancelled, completes
  // while what it refers to still exists.
  template <class Start>
  beast::error_code Await(Start&& start) {
    std::optional<beast::error_code> result;
    ioc_.restart();
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.run_for(kDeadline);
    if (result) return *result;
    ADD_FAILURE() << "client operation did not complete";
    beast::get_lowest_layer(stream_).close();
    ioc_.restart();
    ioc_.run();
    return beast::error::timeout;
  }

  Stream MakeStream() {
    if constexpr (kTls) {
      tls_.set_verify_mode(ssl::verify_none);  // the test's own self-signed certificate
      return Stream(ioc_, tls_);
    } else {
      return Stream(ioc_);
    }
  }

  asio::io_context ioc_;
  ssl::context tls_{ssl::context::tls_client};
  Stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code handshake_;
};
using PlainClient = Client<beast::tcp_stream>;
using TlsClient = Client<beast::ssl_stream<beast::tcp_stream>>;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    json_ = "{\"values\":\"" + Lines(64 * 1024, 1) + "\"}";
    router_.Add("GET", "/json", [this](const Request&) {
      Response r;
      r.body = json_;
      return r;
    });
    router_.Add("GET", "/csv", [this](const Request&) {
      Response r;
      r.content_type = "text/csv; charset=utf-8";
      r.body = json_;
      return r;
    });
    router_.Add("GET", "/small", [](const Request&) {
      Response r;
      r.body = "{\"ok\":true}";
      return r;
    });
    // Compressible bytes with an incompressible type: only the type says no.
    router_.Add("GET", "/xlsx", [this](const Request&) {
      Response r;
      r.content_type = kXlsx;
      r.body = json_;
      return r;
    });
    router_.Add("GET", "/request", [](const Request& req) {
      Response r;
      r.content_type = "text/plain";
      r.body = req.peer + "|" + req.accept_encoding;
      return r;
    });
    router_.Add("GET", "/handler-throws",
                [](const Request&) -> Response { throw std::runtime_error("handler bug"); });
    router_.Add("GET", "/stream", [](const Request&) {
      Response r;
      r.content_type = "text/csv; charset=utf-8";
      r.stream = [next = 0](std::string* piece) mutable {
        *piece = ExportPiece(next);
        return ++next < kExportPieces;
      };
      return r;
    });
    router_.Add("GET", "/stream-throws", [](const Request&) {
      Response r;
      r.content_type = "text/csv";
      r.stream = [next = 0](std::string* piece) mutable -> bool {
        if (next == 3) throw std::runtime_error("store cursor failed");
        *piece = ExportPiece(next++);
        return true;
      };
      return r;
    });
    // Answered later by the test's thread (TakeDeferred), as a worker pool would.
    router_.Add("GET", "/deferred", [this](const Request&) {
      return Response::Defer([this](Response::Done done) {
        std::lock_guard lock(deferred_mu_);
        deferred_.push_back(std::move(done));
        deferred_cv_.notify_all();
      });
    });
    router_.Add("GET", "/forever", [this](const Request&) {
      Response r;
      r.content_type = "text/csv";
      r.stream = [this](std::string* piece) {
        forever_pieces_.fetch_add(1);
        piece->assign(64 * 1024, 'x');
        return true;
      };
      return r;
    });
  }

  void TearDown() override {
    if (thread_.joinable()) {
      io_.stop();
      thread_.join();
    }
    if (server_) server_->Stop();
  }

  void StartServer(HttpOptions options = {}) {
    options.listen_host = "127.0.0.1";
    options.listen_port = 0;
    server_ = std::make_unique<HttpServer>(io_, options, router_, metrics_);
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    thread_ = std::thread([this] { io_.run(); });
  }

  // Polls a counter until it reaches `want` or kDeadline passes.
  bool WaitForCounter(const char* name, int64_t want) {
    auto give_up = std::chrono::steady_clock::now() + kDeadline;
    while (metrics_.Value(name) < want) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  // The `done` of the oldest deferred request not yet taken; fails the test after
  // kDeadline.
  Response::Done TakeDeferred() {
    std::unique_lock lock(deferred_mu_);
    if (!deferred_cv_.wait_for(lock, kDeadline, [this] { return !deferred_.empty(); })) {
      ADD_FAILURE() << "no deferred request arrived";
      return [](Response) {};
    }
    Response::Done done = std::move(deferred_.front());
    deferred_.erase(deferred_.begin());
    return done;
  }

  // Declared before io_: sessions still queued in io_ when it is destroyed refer to them.
  Metrics metrics_;
  std::mutex deferred_mu_;
  std::condition_variable deferred_cv_;
  std::vector<Response::Done> deferred_;
  Router router_;
  std::string json_;
  std::atomic<int> forever_pieces_{0};
  asio::io_context io_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

void ExpectGzipOf(const Reply& r, const std::string& original) {
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.msg[http::field::content_encoding], "gzip");
  EXPECT_EQ(r.msg[http::field::vary], "Accept-Encoding");
  bool ok = false;
  std::string plain = Gunzip(r.msg.body(), &ok);
  EXPECT_TRUE(ok) << "not one complete gzip member";
  EXPECT_EQ(plain.size(), original.size());
  EXPECT_TRUE(plain == original) << "decompressed body differs";
  EXPECT_LT(r.msg.body().size(), original.size() / 2);
}

// --- Buffered responses and gzip ------------------------------------------------------

TEST_F(HttpServerTest, GzipOnlyWhenAcceptedLargeAndCompressible) {
  StartServer();
  struct Case {
    const char* target;
    std::optional<std::string> accept_encoding;  // nullopt: no header
    bool gzip, vary;
  } cases[] = {
      {"/json", "gzip", true, true},
      {"/json", "gzip, deflate, br", true, true},
      {"/json", "br;q=1.0, gzip;q=0.8", true, true},
      {"/json", "*", true, true},
      {"/csv", "gzip", true, true},
      {"/json", std::nullopt, false, true},
      {"/json", "", false, true},
      {"/json", "gzip;q=0", false, true},
      {"/json", "identity, *;q=0", false, true},
      {"/small", "gzip", false, false},
      {"/xlsx", "gzip", false, false},
  };
  PlainClient client(port_);  // one kept-alive connection for all
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.target) +
                 " Accept-Encoding: " + c.accept_encoding.value_or("(none)"));
    Reply r = client.Get(c.target, c.accept_encoding);
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.msg.result_int(), 200);
    EXPECT_EQ(r.msg.count(http::field::vary), c.vary ? 1u : 0u);
    std::string original = std::string(c.target) == "/small" ? "{\"ok\":true}" : json_;
    if (c.gzip) {
      ExpectGzipOf(r, original);
    } else {
      EXPECT_EQ(r.msg.count(http::field::content_encoding), 0u);
      EXPECT_TRUE(r.msg.body() == original);
    }
  }
  EXPECT_EQ(metrics_.Value("ecohub_http_gzip_responses_total"), 5);
}

TEST_F(HttpServerTest, RequestCarriesPeerAndAcceptEncoding) {
  StartServer();
  PlainClient client(port_);
  Reply r = client.Get("/request", "gzip;q=0.5, br");
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.msg.body(), "127.0.0.1|gzip;q=0.5, br");
}

// X-Forwarded-For names the client only when the connection comes from a proxy the
// configuration trusts; anyone else's header is ignored.
TEST_F(HttpServerTest, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  const std::string request =
      "GET /request HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n"
      "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n\r\n";
  StartServer();
  PlainClient spoofer(port_);
  ASSERT_FALSE(spoofer.SendRaw(request));
  Reply r = spoofer.Read();
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.msg.body(), "127.0.0.1|identity");
}

TEST_F(HttpServerTest, ForwardedForNamesTheClientBehindATrustedProxy) {
  HttpOptions options;
  options.trusted_proxies = *TrustedProxies::Parse({"127.0.0.0/8"});
  StartServer(options);
  PlainClient proxy(port_);
  ASSERT_FALSE(
      proxy.SendRaw("GET /request HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n"
                    "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n\r\n"));
  Reply r = proxy.Read();
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.msg.body(), "203.0.113.7|identity");
  Reply plain = proxy.Get("/request");  // no header: the proxy itself
  ASSERT_FALSE(plain.ec) << plain.ec.message();
  EXPECT_EQ(plain.msg.body(), "127.0.0.1|");
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
  StartServer();
  PlainClient client(port_);
  // The declared length alone is over the limit; the body never needs to be sent.
  ASSERT_FALSE(client.SendRaw("POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"));
  Reply r = client.Read();
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.msg.result_int(), 413);
  EXPECT_NE(r.msg.body().find("too-large"), std::string::npos) << r.msg.body();
  EXPECT_FALSE(r.msg.keep_alive());
  EXPECT_EQ(metrics_.Value("ecohub_http_bad_requests_total"), 1);
}

TEST_F(HttpServerTest, GarbageRequestLineGets400) {
  StartServer();
  PlainClient client(port_);
  ASSERT_FALSE(client.SendRaw("NOT AN HTTP REQUEST\r\n\r\n"));
  Reply r = client.Read();
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.msg.result_int(), 400);
  EXPECT_EQ(r.msg[http::field::content_type], "application/problem+json");
  EXPECT_EQ(metrics_.Value("ecohub_http_bad_requests_total"), 1);
  // And the server goes on.
  EXPECT_EQ(PlainClient(port_).Get("/small").msg.result_int(), 200);
}

TEST_F(HttpServerTest, HandlerThatThrowsGets500AndServerGoesOn) {
  StartServer();
  PlainClient client(port_);
  Reply r = client.Get("/handler-throws");
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.msg.result_int(), 500);
  EXPECT_EQ(metrics_.Value("ecohub_http_handler_errors_total"), 1);
  EXPECT_EQ(client.Get("/small").msg.result_int(), 200);  // same connection
}

// --- Streamed responses -----------------------------------------------------------

TEST_F(HttpServerTest, StreamedBodyArrivesWholeOverChunkedEncoding) {
  StartServer();
  const std::string expected = WholeExport();
  ASSERT_GT(expected.size(), 4'500'000u);
  PlainClient client(port_);
  Reply r = client.Get("/stream");
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.msg.result_int(), 200);
  EXPECT_TRUE(r.msg.chunked());
  EXPECT_EQ(r.msg.count(http::field::content_length), 0u);
  EXPECT_EQ(r.msg.count(http::field::content_encoding), 0u);
  EXPECT_EQ(r.msg[http::field::vary], "Accept-Encoding");
  // One chunk per non-empty piece, then the last chunk.
  EXPECT_EQ(r.chunks, kExportPieces - kExportPieces / 7 + 1);
  EXPECT_EQ(r.msg.body().size(), expected.size());
  EXPECT_TRUE(r.msg.body() == expected);
  // The connection is kept alive after the last chunk.
  EXPECT_EQ(client.Get("/small").msg.result_int(), 200);
}

TEST_F(HttpServerTest, StreamedBodyIsGzippedWhenAccepted) {
  StartServer();
  const std::string expected = WholeExport();
  PlainClient client(port_);
  Reply r = client.Get("/stream", "gzip");
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_TRUE(r.msg.chunked());
  EXPECT_GT(r.chunks, 2);  // sent as it was produced, not compressed whole first
  ExpectGzipOf(r, expected);
  EXPECT_EQ(client.Get("/small").msg.result_int(), 200);
}

TEST_F(HttpServerTest, StreamedBodyToHttp10EndsWithTheConnection) {
  StartServer();
  const std::string expected = WholeExport();
  PlainClient client(port_);
  Reply r = client.Get("/stream", std::nullopt, /*version=*/10);
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_FALSE(r.msg.chunked());
  EXPECT_EQ(r.msg.count(http::field::content_length), 0u);
  EXPECT_EQ(r.chunks, 0);
  EXPECT_TRUE(r.msg.body() == expected);
  // No length and no chunks: the body ended only because the server closed the
  // connection, as it must even though the request asked for keep-alive.
  EXPECT_FALSE(r.msg.keep_alive());
}

TEST_F(HttpServerTest, StreamThatThrowsClosesConnectionAndServerGoesOn) {
  StartServer();
  PlainClient client(port_);
  Reply r = client.Get("/stream-throws");
  // The header and three chunks went out, the last chunk never did.
  EXPECT_EQ(r.ec, http::error::partial_message) << r.ec.message();
  EXPECT_EQ(metrics_.Value("ecohub_http_stream_errors_total"), 1);
  Reply next = PlainClient(port_).Get("/small");
  ASSERT_FALSE(next.ec) << next.ec.message();
  EXPECT_EQ(next.msg.result_int(), 200);
}

// --- Timeouts ------------------------------------------------------------------------

TEST_F(HttpServerTest, ClientThatStopsReadingIsDropped) {
  HttpOptions options;
  options.write_timeout = std::chrono::seconds(1);
  StartServer(options);
  PlainClient client(port_, /*receive_buffer=*/4096);
  ASSERT_FALSE(client.SendRaw("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n"));
  // Never read: the socket buffers fill, a write stalls, the write timeout ends it.
  ASSERT_TRUE(WaitForCounter("ecohub_http_write_timeouts_total", 1));
  // Back-pressure: the producer ran only as far as the socket buffers took its output
  // (a few MB at most), not on until the timeout.
  EXPECT_LT(forever_pieces_.load(), 512);
  EXPECT_EQ(PlainClient(port_).Get("/small").msg.result_int(), 200);
}

TEST_F(HttpServerTest, IdleKeptAliveConnectionIsClosed) {
  HttpOptions options;
  options.read_timeout = std::chrono::seconds(1);
  StartServer(options);
  PlainClient client(port_);
  ASSERT_EQ(client.Get("/small").msg.result_int(), 200);
  EXPECT_EQ(client.Read().ec, http::error::end_of_stream);
}

// --- Deferred answers ------------------------------------------------------------------

TEST_F(HttpServerTest, DeferredAnswerFromAnotherThreadKeepsAliveAndGzips) {
  StartServer();
  PlainClient client(port_);
  auto reply = std::async(std::launch::async, [&] { return client.Get("/deferred", "gzip"); });
  Response::Done done = TakeDeferred();
  Response answer;
  answer.body = json_;
  answer.headers.emplace_back("X-Answered-By", "worker");
  std::thread worker([&] { done(std::move(answer)); });
  worker.join();
  Reply r = reply.get();
  EXPECT_EQ(r.msg.result_int(), 200);
  EXPECT_EQ(r.msg["X-Answered-By"], "worker");
  ExpectGzipOf(r, json_);
  // The same connection serves the next request.
  Reply next = client.Get("/small");
  ASSERT_FALSE(next.ec) << next.ec.message();
  EXPECT_EQ(next.msg.body(), "{\"ok\":true}");
  EXPECT_EQ(metrics_.Value("ecohub_http_requests_total{status=\"200\"}"), 2);
}

TEST_F(HttpServerTest, DeferredAnswerNeverGivenClosesTheConnection) {
  StartServer();
  PlainClient client(port_);
  auto reply = std::async(std::launch::async, [&] { return client.Get("/deferred"); });
  TakeDeferred();  // and dropped unanswered, as a stopped worker pool does
  EXPECT_TRUE(reply.get().ec);
  EXPECT_EQ(PlainClient(port_).Get("/small").msg.result_int(), 200);
}

// --- Handlers off the network thread ---------------------------------------------------

// A handler (or a streamed body's producer) that takes long, such as a year's query,
// holds a handler thread, not the one network thread: meanwhile another connection
// is answered. The blocked handler is let go after the check, whatever its outcome.
class OffNetworkTest : public HttpServerTest {
 protected:
  void SetUp() override {
    HttpServerTest::SetUp();
    router_.Add("GET", "/blocked", [this](const Request&) {
      Block();
      Response r;
      r.body = "{\"blocked\":false}";
      return r;
    });
    router_.Add("GET", "/blocked-stream", [this](const Request&) {
      Response r;
      r.content_type = "text/csv";
      r.stream = [this](std::string* piece) {
        Block();
        *piece = "a,b\n";
        return false;
      };
      return r;
    });
  }

  void Block() {
    entered_.set_value();
    if (released_.wait_for(kDeadline) != std::future_status::ready)
      ADD_FAILURE() << "the blocked handler was never let go";
  }

  // Sends `blocked`, waits until its handler blocks, then expects /small on another
  // connection to be answered while it is blocked; then lets it go and expects its
  // own answer to be `body`.
  void ExpectOthersServedWhileBlocked(const std::string& blocked, const std::string& body) {
    StartServer(HttpOptions{.handler_threads = 2});
    PlainClient slow(port_);
    auto slow_reply = std::async(std::launch::async, [&] { return slow.Get(blocked); });
    ASSERT_EQ(entered_future_.wait_for(kDeadline), std::future_status::ready);
    PlainClient other(port_);
    auto other_reply = std::async(std::launch::async, [&] { return other.Get("/small"); });
    std::future_status other_status = other_reply.wait_for(std::chrono::seconds(20));
    release_.set_value();
    EXPECT_EQ(other_status, std::future_status::ready)
        << "no answer while another connection's handler was blocked";
    Reply r = other_reply.get();
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.msg.body(), "{\"ok\":true}");
    Reply s = slow_reply.get();
    ASSERT_FALSE(s.ec) << s.ec.message();
    EXPECT_EQ(s.msg.body(), body);
  }

  std::promise<void> entered_, release_;
  std::future<void> entered_future_ = entered_.get_future();
  std::shared_future<void> released_ = release_.get_future().share();
};

TEST_F(OffNetworkTest, BlockedHandlerLeavesTheNetworkThreadFree) {
  ExpectOthersServedWhileBlocked("/blocked", "{\"blocked\":false}");
}

TEST_F(OffNetworkTest, BlockedStreamProducerLeavesTheNetworkThreadFree) {
  ExpectOthersServedWhileBlocked("/blocked-stream", "a,b\n");
}

TEST_F(HttpServerTest, AnswersCarryNosniff) {
  StartServer();
  Reply r = PlainClient(port_).Get("/small");
  EXPECT_EQ(r.msg["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(r.msg.count(http::field::strict_transport_security), 0u);  // plain HTTP
}

// --- Connection caps --------------------------------------------------------------------

TEST_F(HttpServerTest, ConnectionsOverThePerAddressCapAreClosedAtAccept) {
  HttpOptions o;
  o.max_connections_per_address = 2;
  StartServer(o);
  auto first = std::make_unique<PlainClient>(port_);
  PlainClient second(port_);
  ASSERT_EQ(first->Get("/small").msg.result_int(), 200);
  ASSERT_EQ(second.Get("/small").msg.result_int(), 200);
  {
    PlainClient third(port_);
    EXPECT_TRUE(third.Get("/small").ec) << "a third connection was served";
  }
  EXPECT_EQ(metrics_.Value("ecohub_http_connections_refused_total"), 1);
  EXPECT_EQ(metrics_.Value("ecohub_http_connections"), 2);
  // A slot freed is a slot for the next.
  first.reset();
  auto give_up = std::chrono::steady_clock::now() + kDeadline;
  while (metrics_.Value("ecohub_http_connections") > 1 &&
         std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(PlainClient(port_).Get("/small").msg.result_int(), 200);
}

TEST_F(HttpServerTest, ConnectionsOverTheTotalCapAreClosedAtAccept) {
  HttpOptions o;
  o.max_connections = 1;
  StartServer(o);
  PlainClient first(port_);
  ASSERT_EQ(first.Get("/small").msg.result_int(), 200);
  EXPECT_TRUE(PlainClient(port_).Get("/small").ec);
  EXPECT_EQ(metrics_.Value("ecohub_http_connections_refused_total"), 1);
  EXPECT_EQ(first.Get("/small").msg.result_int(), 200);
}

// --- TLS ----------------------------------------------------------------------------

class HttpsTest : public HttpServerTest {
 protected:
  // One certificate for the suite: RSA key generation is the slow part.
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/ecohub_http_tls_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    for (const char* name : {"", "other_"}) {
      std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + dir_ + "/" + name +
                        "k.pem -out " + dir_ + "/" + name +
                        "c.pem -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                        ">/dev/null 2>&1";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static HttpOptions TlsOptions(const std::string& cert = "c.pem",
                                const std::string& key = "k.pem") {
    HttpOptions o;
    o.tls_cert_file = dir_ + "/" + cert;
    o.tls_key_file = dir_ + "/" + key;
    return o;
  }

  static inline std::string dir_;
};

TEST_F(HttpsTest, ServesHttpsAndSurvivesPlainHttp) {
  StartServer(TlsOptions());
  {
    TlsClient client(port_);
    ASSERT_FALSE(client.handshake()) << client.handshake().message();
    Reply r = client.Get("/request");
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.msg.body(), "127.0.0.1|");
    // The streaming and gzip paths over TLS, on the same connection.
    ExpectGzipOf(client.Get("/stream", "gzip"), WholeExport());
    ExpectGzipOf(client.Get("/json", "gzip"), json_);
  }
  {
    PlainClient plain(port_);
    plain.SendRaw("GET /small HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(plain.Read().ec) << "plain HTTP got an answer from the TLS port";
  }
  EXPECT_EQ(metrics_.Value("ecohub_http_tls_handshake_failures_total"), 1);
  TlsClient again(port_);
  ASSERT_FALSE(again.handshake()) << again.handshake().message();
  EXPECT_EQ(again.Get("/small").msg.result_int(), 200);
}

TEST_F(HttpsTest, AnswersCarryStrictTransportSecurity) {
  StartServer(TlsOptions());
  TlsClient client(port_);
  ASSERT_FALSE(client.handshake()) << client.handshake().message();
  Reply r = client.Get("/small");
  EXPECT_EQ(r.msg[http::field::strict_transport_security], "max-age=31536000");
  EXPECT_EQ(r.msg["X-Content-Type-Options"], "nosniff");
}

TEST_F(HttpsTest, MissingCertificateFailsStartNamingIt) {
  HttpOptions o = TlsOptions("missing.pem");
  HttpServer server(io_, o, router_, metrics_);
  auto port = server.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find(o.tls_cert_file), std::string::npos)
      << port.status().message();
}

TEST_F(HttpsTest, KeyOfAnotherCertificateFailsStartNamingIt) {
  HttpOptions o = TlsOptions("c.pem", "other_k.pem");
  HttpServer server(io_, o, router_, metrics_);
  auto port = server.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find(o.tls_key_file), std::string::npos)
      << port.status().message();
}

TEST_F(HttpsTest, CertificateWithoutKeyFailsStart) {
  HttpOptions o = TlsOptions();
  o.tls_key_file.clear();
  HttpServer server(io_, o, router_, metrics_);
  auto port = server.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("tls_key"), std::string::npos) << port.status().message();
}

// --- the client (http_client.h) against this server ---------------------------------

TEST_F(HttpServerTest, ClientFetchesAndBoundsBodyAndTime) {
  StartServer();
  std::string base = "http://127.0.0.1:" + std::to_string(port_);
  auto r = FetchHttp(HttpCall{.url = base + "/small"}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"ok\":true}");
  EXPECT_EQ(FetchHttp(HttpCall{.url = base + "/nowhere"}, {})->status, 404);
  // Over the body limit: no reply rather than half of one.
  EXPECT_EQ(FetchHttp(HttpCall{.url = base + "/json"}, {.max_body_bytes = 1024}).status().code(),
            Code::kUnavailable);
  EXPECT_EQ(
      FetchHttp(HttpCall{.url = base + "/stream"}, {.max_body_bytes = 100000}).status().code(),
      Code::kUnavailable);  // chunked, no length announced
  EXPECT_EQ(FetchHttp(HttpCall{.url = base + "/json"}, {.max_body_bytes = 70000})->body.size(),
            json_.size());
  // A server that never answers: the exchange ends at its timeout.
  auto slow = FetchHttp(HttpCall{.url = base + "/deferred"}, {.timeout = std::chrono::seconds(1)});
  EXPECT_EQ(slow.status().code(), Code::kUnavailable);
  EXPECT_NE(slow.status().message().find("timed out"), std::string::npos)
      << slow.status().message();
  TakeDeferred()(Response{});
  for (const char* bad :
       {"ftp://127.0.0.1/", "http://user@127.0.0.1/", "http://127.0.0.1:x/", "/x"})
    EXPECT_EQ(FetchHttp(HttpCall{.url = bad}, {}).status().code(), Code::kInvalidInput) << bad;
}

TEST_F(HttpsTest, ClientTrustsOnlyTheGivenRootsAndTheRightName) {
  StartServer(TlsOptions());
  std::string url = "https://127.0.0.1:" + std::to_string(port_) + "/small";
  auto r = FetchHttp(HttpCall{.url = url}, {.ca_file = dir_ + "/c.pem"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "{\"ok\":true}");
  // Another root, the system's roots, or another name for the same server: refused.
  EXPECT_EQ(FetchHttp(HttpCall{.url = url}, {.ca_file = dir_ + "/other_c.pem"}).status().code(),
            Code::kUnavailable);
  EXPECT_EQ(FetchHttp(HttpCall{.url = url}, {}).status().code(), Code::kUnavailable);
  std::string by_name = "https://localhost:" + std::to_string(port_) + "/small";
  EXPECT_EQ(FetchHttp(HttpCall{.url = by_name}, {.ca_file = dir_ + "/c.pem"}).status().code(),
            Code::kUnavailable);
}

}  // namespace
}  // namespace ecohub::api
