#include "api/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "core/listen.h"

namespace ecohub::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, const HttpOptions& options, const Router& router,
              Metrics& metrics)
      : stream_(std::move(socket)), options_(options), router_(router), metrics_(metrics) {}

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    parser_->body_limit(options_.max_body_bytes);
    stream_.expires_after(options_.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
      return Close();
    if (ec) {
      // Malformed or too large: answer 400/413 once, then close.
      metrics_.counter("ecohub_http_bad_requests_total", "Requests that failed to parse")->Add();
      Response r = ec == http::error::body_limit || ec == http::error::header_limit
                       ? Problem(413, "too-large", "Request too large", ec.message())
                       : Problem(400, "bad-request", "Malformed HTTP request", ec.message());
      return Send(std::move(r), false, 11);
    }
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    std::string_view target(msg.target().data(), msg.target().size());
    size_t q = target.find('?');
    req.path = std::string(target.substr(0, q));
    req.body = std::move(msg.body());
    req.authorization = std::string(msg[http::field::authorization]);
    Response resp;
    if (q != std::string_view::npos && !ParseQuery(target.substr(q + 1), &req.query)) {
      resp = Problem(400, "bad-query", "Malformed query string");
    } else {
      resp = router_.Dispatch(req);
    }
    metrics_
        .counter("ecohub_http_requests_total{status=\"" + std::to_string(resp.status) + "\"}",
                 "HTTP requests by status")
        ->Add();
    Send(std::move(resp), msg.keep_alive(), msg.version());
  }

  void Send(Response r, bool keep_alive, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), version);
    res->set(http::field::server, "EcoHub");
    res->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || !res->keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpOptions& options_;
  const Router& router_;
  Metrics& metrics_;
};

}  // namespace

HttpServer::HttpServer(asio::io_context& io, const HttpOptions& options, const Router& router,
                       Metrics& metrics)
    : io_(io), options_(options), router_(router), metrics_(metrics), acceptor_(io) {}

HttpServer::~HttpServer() { Stop(); }

Result<uint16_t> HttpServer::Start() {
  auto port = Listen(acceptor_, options_.listen_host, options_.listen_port, "http");
  if (port.ok()) Accept();
  return port;
}

void HttpServer::Accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket s) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopped_) return;
      spdlog::warn("http accept: {}", ec.message());
    } else {
      std::make_shared<HttpSession>(std::move(s), options_, router_, metrics_)->Start();
    }
    Accept();
  });
}

void HttpServer::Stop() {
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
}

}  // namespace ecohub::api
