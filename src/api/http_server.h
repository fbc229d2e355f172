// HttpServer: HTTP/1.1 on Boost.Beast, sharing the gateway's io_context.
//
// Every request goes to the Router. The server adds, around the router:
//  - keep-alive, with the read timeout doubling as the idle timeout between
//    requests, a write timeout per write, and header and body size limits
//    (413 when over, 400 for what does not parse; the connection then closes);
//  - gzip (RFC 9110 §8.4.1.3) of text-like bodies of at least kGzipMinBytes when
//    the client's Accept-Encoding allows it, with `Vary: Accept-Encoding`;
//  - streamed bodies (Response::stream) as chunked transfer coding on HTTP/1.1,
//    or raw bytes ended by closing the connection on HTTP/1.0, one piece in flight
//    at a time, so an export of any size holds about one piece in memory;
//  - deferred responses (Response::deferred): the connection waits, reading
//    nothing, until the handler's work elsewhere calls `done`; the answer is then
//    written on the connection's strand like any other;
//  - optional TLS (1.2 and later): when both tls_cert_file and tls_key_file are
//    set, the port speaks TLS only, and every answer carries
//    Strict-Transport-Security; every answer carries X-Content-Type-Options: nosniff;
//  - caps on open connections, in total and per client address: a connection over
//    either is closed as soon as it is accepted (counted, not answered);
//  - when accept fails for lack of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM), a
//    pause before the next accept, 100 ms doubling to 1 s, logged once per
//    episode, instead of a loop that spins and fills the log.
//
// Thread-safety: Start/Stop from one thread. Each connection runs on its own strand
// on a network thread (the io_context's, which the HJ 212 gateway shares). The
// router's handlers, a deferred answer's start and a Response::stream's producer
// run on the server's handler threads (HttpOptions::handler_threads), so a slow
// query or a login never delays the network threads' other work, such as a
// device's ack; they run concurrently for different connections, and one
// connection's work runs one piece at a time. The answer is handed back to the
// connection's strand to be written. The io_context may outlive the server:
// connections still open keep the state they need (options, TLS context) alive and
// run their handlers on their network thread once the server's handler threads are
// gone (its destructor waits for the handlers running), but the Router and Metrics
// must outlive the io_context's run.
#pragma once

#include <algorithm>
#include <boost/asio.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "api/client_address.h"
#include "api/router.h"
#include "core/metrics.h"
#include "core/status.h"

namespace ecohub::api {

struct HttpOptions {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  // Bounds the reading of one request, and the wait for the next one on a kept-alive
  // connection (an idle client costs a socket, nothing more, for this long).
  std::chrono::seconds read_timeout{30};
  // Bounds each write: a whole buffered response, or one chunk of a streamed one. A
  // client that stops reading loses its connection after this long.
  std::chrono::seconds write_timeout{30};
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  // PEM files; both set turns TLS on, neither leaves plain HTTP. The certificate
  // file holds the chain, leaf first. Read once by Start().
  std::string tls_cert_file;
  std::string tls_key_file;
  // Open connections at most, in total and from one client address. Beyond either,
  // a new connection is closed at accept (ecohub_http_connections_refused_total).
  size_t max_connections = 1024;
  size_t max_connections_per_address = 64;
  // Threads that run the router's handlers and streamed bodies' producers, started
  // by Start(); by default one per core, at least 2 (handlers wait on the disk and
  // on each other's locks). 0 runs them on the network threads (a slow handler then
  // holds up every connection and device on its thread).
  size_t handler_threads = std::max<size_t>(2, std::thread::hardware_concurrency());
  // Reverse proxies whose X-Forwarded-For names the client (client_address.h): the
  // address rate limits and the audit log see. Empty: the TCP peer, always.
  TrustedProxies trusted_proxies;
};

// Smaller bodies are sent as they are: gzip's 18-byte frame and the CPU are not
// worth it under about one TCP segment.
inline constexpr size_t kGzipMinBytes = 1024;

// True when an Accept-Encoding header value lets us answer with gzip: "gzip" (or
// its alias "x-gzip") listed with a non-zero q, or, when gzip is not named, "*"
// with a non-zero q. An absent or empty header means identity only. Malformed
// q values count as q=0 (refused), so a garbled header never gets gzip.
bool AcceptsGzip(std::string_view accept_encoding);

// True for media types that compress well (JSON, text, JavaScript, SVG); false for
// formats that are compressed already (XLSX, ZIP, images) and anything unknown.
// Parameters such as "; charset=utf-8" are ignored; the comparison ignores case.
bool IsCompressible(std::string_view content_type);

// `in` as one gzip member at zlib `level` (1..9) into *out; false when zlib fails.
bool GzipBytes(std::string_view in, int level, std::string* out);

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const HttpOptions& options, const Router& router,
             Metrics& metrics);
  ~HttpServer();
  // Loads the TLS certificate and key when configured, then listens. On success
  // returns the bound port (useful with port 0). Fails, naming the file, when a
  // certificate or key cannot be loaded or they do not match, and when the address
  // cannot be bound.
  Result<uint16_t> Start();
  // Stops accepting; connections in progress finish on their own.
  void Stop();

  struct Shared;  // what every connection needs; defined in http_server.cc

 private:
  void Accept();
  // After an accept failed for lack of resources: accept again after a pause.
  void AcceptLater(const boost::system::error_code& ec);
  boost::asio::io_context& io_;
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<boost::asio::thread_pool> workers_;  // null without handler threads
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_timer_;
  std::chrono::milliseconds accept_pause_{0};  // 0: not in an episode of failures
  bool stopped_ = false;
};

}  // namespace ecohub::api
