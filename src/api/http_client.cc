#include "api/http_client.h"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace ecohub::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Deadline = std::chrono::steady_clock::time_point;

namespace {

struct Url {
  bool tls = false;
  std::string host, port, target;
};

// http(s)://host[:port][/path][?query]; no user information, the fragment dropped.
std::optional<Url> ParseUrl(std::string_view s) {
  Url u;
  if (s.rfind("https://", 0) == 0) {
    u.tls = true;
    s.remove_prefix(8);
  } else if (s.rfind("http://", 0) == 0) {
    s.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  size_t end = s.find_first_of("/?#");
  std::string_view authority = s.substr(0, end);
  std::string target(end == std::string_view::npos ? "/" : s.substr(end));
  target = target.substr(0, target.find('#'));
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  u.target = target;
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port = authority.substr(close + 2);
  } else {
    size_t colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  u.port = port.empty() ? (u.tls ? "443" : "80") : std::string(port);
  if (u.host.empty() || u.port.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return u;
}

// Starts one asynchronous operation with a completion handler and runs the
// io_context until it completes or the deadline passes (timed_out). After a
// timeout the caller returns at once: the operation's handler is destroyed unrun
// with the io_context, never called.
template <class StartOp>
beast::error_code Await(asio::io_context& io, Deadline deadline, StartOp start) {
  beast::error_code result;
  bool done = false;
  start([&](beast::error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  io.restart();
  while (!done && io.run_one_until(deadline) > 0) {
  }
  return done ? result : beast::error_code(asio::error::timed_out);
}

class Exchange {
 public:
  Exchange(const HttpCall& call, const Url& url, const HttpClientOptions& o)
      : call_(call),
        url_(url),
        options_(o),
        deadline_(std::chrono::steady_clock::now() + o.timeout) {}

  Result<HttpReply> Run() {
    tcp::resolver resolver(io_);
    tcp::resolver::results_type endpoints;
    auto ec = Await(io_, deadline_, [&](auto done) {
      resolver.async_resolve(url_.host, url_.port,
                             [&, done](beast::error_code e, tcp::resolver::results_type r) {
                               endpoints = std::move(r);
                               done(e);
                             });
    });
    if (ec) return Fail("resolving", ec);
    if (!url_.tls) {
      beast::tcp_stream stream(io_);
      if (ec = Connect(stream, endpoints); ec) return Fail("connecting to", ec);
      return Talk(stream);
    }
    ssl::context tls(ssl::context::tls_client);
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (options_.ca_file.empty())
      tls.set_default_verify_paths(ec);
    else
      tls.load_verify_file(options_.ca_file, ec);
    if (ec) return Fail("loading the trusted certificates for", ec);
    tls.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io_, tls);
    stream.set_verify_callback(ssl::host_name_verification(url_.host));
    SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str());
    if (ec = Connect(beast::get_lowest_layer(stream), endpoints); ec)
      return Fail("connecting to", ec);
    ec = Await(io_, deadline_,
               [&](auto done) { stream.async_handshake(ssl::stream_base::client, done); });
    if (ec) return Fail("TLS with", ec);
    return Talk(stream);
  }

 private:
  Status Fail(std::string_view step, const beast::error_code& ec) const {
    return Status::Unavailable(std::string(step) + " " + url_.host + ":" + url_.port + ": " +
                               (ec == asio::error::timed_out ? "timed out" : ec.message()));
  }

  beast::error_code Connect(beast::tcp_stream& s, const tcp::resolver::results_type& to) {
    return Await(io_, deadline_, [&](auto done) { s.async_connect(to, done); });
  }

  template <class Stream>
  Result<HttpReply> Talk(Stream& stream) {
    http::request<http::string_body> req{http::string_to_verb(call_.method), url_.target, 11};
    if (req.method() == http::verb::unknown)
      return Status::InvalidInput("unknown HTTP method " + call_.method);
    bool default_port = url_.port == (url_.tls ? "443" : "80");
    req.set(http::field::host, default_port ? url_.host : url_.host + ":" + url_.port);
    req.set(http::field::user_agent, "EcoHub");
    for (const auto& [name, value] : call_.headers) req.set(name, value);
    if (!call_.body.empty() || req.method() == http::verb::post) {
      req.body() = call_.body;
      req.prepare_payload();
    }
    auto ec = Await(io_, deadline_, [&](auto done) { http::async_write(stream, req, done); });
    if (ec) return Fail("sending to", ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_body_bytes);
    ec = Await(io_, deadline_, [&](auto done) { http::async_read(stream, buffer, parser, done); });
    if (ec) return Fail("reading the answer of", ec);
    return HttpReply{static_cast<int>(parser.get().result_int()), parser.get().body()};
  }

  const HttpCall& call_;
  const Url& url_;
  const HttpClientOptions& options_;
  const Deadline deadline_;
  asio::io_context io_;
};

}  // namespace

Result<HttpReply> FetchHttp(const HttpCall& call, const HttpClientOptions& options) {
  auto url = ParseUrl(call.url);
  if (!url) return Status::InvalidInput("not an http(s) URL: " + call.url);
  return Exchange(call, *url, options).Run();
}

HttpFetch HttpFetcher(HttpClientOptions options) {
  return [options](const HttpCall& call) { return FetchHttp(call, options); };
}

}  // namespace ecohub::api
