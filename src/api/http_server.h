// HttpServer: HTTP/1.1 on Boost.Beast, sharing the gateway's io_context.
// Keep-alive, read timeouts, header and body size limits; every request goes to
// the Router. Thread-safety: Start/Stop from one thread; sessions run on their
// own strands.
#pragma once

#include <boost/asio.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "api/router.h"
#include "core/metrics.h"
#include "core/status.h"

namespace ecohub::api {

struct HttpOptions {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  std::chrono::seconds read_timeout{30};
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const HttpOptions& options, const Router& router,
             Metrics& metrics);
  ~HttpServer();
  Result<uint16_t> Start();
  void Stop();

 private:
  void Accept();
  boost::asio::io_context& io_;
  HttpOptions options_;
  const Router& router_;
  Metrics& metrics_;
  boost::asio::ip::tcp::acceptor acceptor_;
  bool stopped_ = false;
};

}  // namespace ecohub::api
