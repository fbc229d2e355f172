#include "api/http_server.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <atomic>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>

#include "core/escape.h"
#include "core/listen.h"

namespace ecohub::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// Everything a connection needs, shared with the server so that connections still
// open when the server goes away keep their options and TLS context.
struct HttpServer::Shared {
  Shared(const HttpOptions& o, const Router& r, Metrics& m)
      : options(o),
        router(r),
        metrics(m),
        bad_requests(m.counter("ecohub_http_bad_requests_total", "Requests that failed to parse")),
        handler_errors(
            m.counter("ecohub_http_handler_errors_total", "Handlers that threw; answered 500")),
        stream_errors(m.counter("ecohub_http_stream_errors_total",
                                "Streamed responses cut short because the producer threw")),
        write_timeouts(m.counter("ecohub_http_write_timeouts_total",
                                 "Connections closed because the client stopped reading")),
        tls_handshake_failures(m.counter("ecohub_http_tls_handshake_failures_total",
                                         "TLS handshakes that failed or timed out")),
        gzipped(m.counter("ecohub_http_gzip_responses_total", "Responses sent gzip-encoded")),
        connections_refused(m.counter("ecohub_http_connections_refused_total",
                                      "Connections closed at accept: over the total or "
                                      "per-address cap")),
        accept_failures(m.counter("ecohub_http_accept_failures_total",
                                  "Accepts that failed (descriptors or memory exhausted)")),
        open_connections(m.gauge("ecohub_http_connections", "Open HTTP connections")) {}

  // Takes a connection slot for `address`; false when a cap is reached.
  bool TakeSlot(const std::string& address) const {
    std::lock_guard lock(slots_mu);
    size_t& mine = slots_by_address[address];
    if (slots >= options.max_connections || mine >= options.max_connections_per_address) {
      if (mine == 0) slots_by_address.erase(address);
      return false;
    }
    ++slots;
    ++mine;
    open_connections->Add(1);
    return true;
  }
  void ReleaseSlot(const std::string& address) const {
    std::lock_guard lock(slots_mu);
    --slots;
    auto it = slots_by_address.find(address);
    if (it != slots_by_address.end() && --it->second == 0) slots_by_address.erase(it);
    open_connections->Add(-1);
  }

  // Runs `work` on the handler threads, or at once on this thread when there are
  // none (HttpOptions::handler_threads is 0, or the server is gone).
  template <class Work>
  void OffNetwork(Work&& work) const {
    {
      std::lock_guard lock(workers_mu);
      if (workers) return asio::post(*workers, std::forward<Work>(work));
    }
    work();
  }

  const HttpOptions options;
  const Router& router;
  Metrics& metrics;
  std::unique_ptr<ssl::context> tls;  // null: plain HTTP
  Counter* const bad_requests;
  Counter* const handler_errors;
  Counter* const stream_errors;
  Counter* const write_timeouts;
  Counter* const tls_handshake_failures;
  Counter* const gzipped;
  Counter* const connections_refused;
  Counter* const accept_failures;
  Gauge* const open_connections;
  mutable std::atomic<uint64_t> next_connection_id{1};  // for log lines
  // The server's handler threads while it lives; null without them.
  mutable std::mutex workers_mu;
  asio::thread_pool* workers = nullptr;  // guarded by workers_mu
  mutable std::mutex slots_mu;
  mutable size_t slots = 0;                                          // guarded by slots_mu
  mutable std::unordered_map<std::string, size_t> slots_by_address;  // guarded by slots_mu
};

namespace {

// Level 1. Measured on the Beijing dataset's CSV (2.8 MB, an export's shape) on the
// 2-core build box: level 1 leaves 31.6% of the bytes at 90-130 MB/s, level 4 28.1%
// at 50-80 MB/s, level 6 26.0% at 15-19 MB/s (API-shaped JSON: 6.1%, 5.4%, 4.7%, with
// the same ordering of speed). Compression runs on the network thread the HJ 212
// gateway shares, so the cheapest level wins: the next 11% of bytes would cost 1.6x
// the CPU, and 6 costs 6x.
constexpr int kGzipLevel = 1;
// windowBits 15 + 16: the largest window, wrapped as gzip (RFC 1952) rather than zlib.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kGzipMemLevel = 8;  // zlib's default

// A producer returning empty pieces is polled at most this many times in a row
// before the connection yields its thread to the other connections' work.
constexpr int kMaxEmptyPulls = 64;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

// RFC 9110 §5.6.3: OWS is spaces and horizontal tabs.
std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
// True when well-formed and above zero.
bool PositiveQValue(std::string_view q) {
  if (q.empty() || q.size() > 5 || (q[0] != '0' && q[0] != '1')) return false;
  if (q.size() == 1) return q[0] == '1';
  if (q[1] != '.') return false;
  std::string_view decimals = q.substr(2);
  for (char c : decimals)
    if (c < '0' || c > '9') return false;
  bool nonzero = decimals.find_first_not_of('0') != std::string_view::npos;
  return q[0] == '1' ? !nonzero : nonzero;  // "1.5" is not a qvalue
}

bool HasHeader(const std::vector<std::pair<std::string, std::string>>& headers,
               std::string_view name) {
  for (const auto& [k, v] : headers)
    if (IEquals(k, name)) return true;
  return false;
}

// The client's address without the port. A dual-stack listener ("::") sees IPv4
// clients as ::ffff:a.b.c.d; rate limits and logs want them as a.b.c.d.
std::string PeerAddress(const tcp::socket& socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "";
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  return address.to_string();
}

// One gzip member (RFC 1952) built incrementally: Add() pieces, the last with
// finish=true to write the trailer. Not copyable (zlib points into the z_stream).
class GzipEncoder {
 public:
  explicit GzipEncoder(int level = kGzipLevel) {
    ok_ = deflateInit2(&z_, level, Z_DEFLATED, kGzipWindowBits, kGzipMemLevel,
                       Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipEncoder() {
    if (ok_) deflateEnd(&z_);
  }
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  // Appends what zlib emits for `in` to *out; with Z_NO_FLUSH that may be nothing
  // yet (zlib holds up to a block). False only when zlib fails (out of memory).
  bool Add(std::string_view in, bool finish, std::string* out) {
    if (!ok_) return false;
    // avail_in is 32 bits; feed anything larger in slices.
    constexpr size_t kSlice = size_t{1} << 30;
    while (in.size() > kSlice) {
      if (!Deflate(in.substr(0, kSlice), Z_NO_FLUSH, out)) return false;
      in.remove_prefix(kSlice);
    }
    return Deflate(in, finish ? Z_FINISH : Z_NO_FLUSH, out);
  }

 private:
  bool Deflate(std::string_view in, int flush, std::string* out) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    for (;;) {
      // Text compresses to well under a quarter; when it does not, go round again.
      size_t used = out->size(), room = in.size() / 4 + 4096;
      out->resize(used + room);
      z_.next_out = reinterpret_cast<Bytef*>(out->data() + used);
      z_.avail_out = static_cast<uInt>(room);
      int rc = deflate(&z_, flush);
      out->resize(used + room - z_.avail_out);
      if (rc == Z_STREAM_ERROR) return false;
      if (flush == Z_FINISH ? rc == Z_STREAM_END : z_.avail_in == 0 && z_.avail_out != 0)
        return true;
    }
  }

  z_stream z_{};
  bool ok_ = false;
};

}  // namespace

bool GzipBytes(std::string_view in, int level, std::string* out) {
  out->clear();
  return GzipEncoder(level).Add(in, /*finish=*/true, out);
}

namespace {

// Adds Accept-Encoding to whatever Vary a handler already set.
template <class Fields>
void AddVaryAcceptEncoding(Fields& fields) {
  std::string vary(fields[http::field::vary]);
  std::string lower = vary;
  for (char& c : lower) c = Lower(c);
  if (vary.empty())
    fields.set(http::field::vary, "Accept-Encoding");
  else if (lower.find("accept-encoding") == std::string::npos && vary != "*")
    fields.set(http::field::vary, vary + ", Accept-Encoding");
}

// OpenSSL reports a missing or unreadable file as a bare "asio.ssl error"; ask the
// system first so that the message says why.
Status CheckReadable(const char* key, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f)
    return Status::InvalidInput("http " + std::string(key) + " '" + path +
                                "': cannot read: " + std::strerror(errno));
  std::fclose(f);
  return Status::Ok();
}

Result<std::unique_ptr<ssl::context>> LoadTls(const std::string& cert_file,
                                              const std::string& key_file) {
  for (auto [key, path] : {std::pair{"tls_cert", &cert_file}, std::pair{"tls_key", &key_file}}) {
    Status s = CheckReadable(key, *path);
    if (!s.ok()) return s;
  }
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  // TLS 1.0 and 1.1 are deprecated (RFC 8996). Compression invites CRIME.
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec)
    return Status::InvalidInput("http tls_cert '" + cert_file +
                                "': cannot load a PEM certificate chain: " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec)
    return Status::InvalidInput("http tls_key '" + key_file +
                                "': cannot load a PEM private key matching '" + cert_file +
                                "': " + ec.message());
  return ctx;
}

// One connection. Stream is beast::tcp_stream (plain HTTP) or
// beast::ssl_stream<beast::tcp_stream> (TLS); everything past the handshake is the
// same code. All member functions run on the connection's strand; the pending
// asynchronous operation's handler holds the session alive, and at most one read
// or one write is pending at a time.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  // `peer` holds one of shared's connection slots, released with the session.
  HttpSession(std::shared_ptr<const HttpServer::Shared> shared, tcp::socket socket,
              std::string peer)
      : shared_(std::move(shared)),
        options_(shared_->options),
        id_(shared_->next_connection_id.fetch_add(1, std::memory_order_relaxed)),
        peer_(std::move(peer)),
        stream_(MakeStream(std::move(socket), *shared_)) {}
  ~HttpSession() { shared_->ReleaseSlot(peer_); }
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls)
        self->Handshake();
      else
        self->Read();
    });
  }

 private:
  static Stream MakeStream(tcp::socket socket, const HttpServer::Shared& shared) {
    if constexpr (kTls)
      return Stream(std::move(socket), *shared.tls);
    else
      return Stream(std::move(socket));
  }

  // The one timer of beast::tcp_stream bounds whichever operation is pending.
  void ExpiresAfter(std::chrono::seconds timeout) {
    beast::get_lowest_layer(stream_).expires_after(timeout);
  }

  void Handshake() {
    ExpiresAfter(options_.read_timeout);
    stream_.async_handshake(
        ssl::stream_base::server,
        [self = this->shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
  }

  void OnHandshake(beast::error_code ec) {
    if (!ec) return Read();
    // Scanners and plain HTTP sent to this port end here.
    shared_->tls_handshake_failures->Add();
    spdlog::debug("[http conn {}][{}] TLS handshake: {}", id_, peer_, ec.message());
    Abort();
  }

  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    parser_->body_limit(options_.max_body_bytes);
    // Also the idle timeout of a kept-alive connection between requests.
    ExpiresAfter(options_.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  // How the request asked to be answered.
  struct Reply {
    bool keep_alive;
    unsigned version;
    bool gzip_ok;
  };

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return Close();
    // Idle or slow clients, clients gone, TLS failures and TLS peers that closed
    // without close_notify: nothing to answer, nobody to answer.
    if (ec && ec.category() != http::make_error_code(http::error::bad_target).category())
      return Abort();
    if (ec) {
      // Malformed or too large: answer 400/413 once, then close.
      shared_->bad_requests->Add();
      Response r = ec == http::error::body_limit || ec == http::error::header_limit
                       ? Problem(413, "too-large", "Request too large", ec.message())
                       : Problem(400, "bad-request", "Malformed HTTP request", ec.message());
      return Send(std::move(r), /*keep_alive=*/false, 11, /*gzip_ok=*/false);
    }
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    std::string_view target(msg.target().data(), msg.target().size());
    size_t q = target.find('?');
    req.path = std::string(target.substr(0, q));
    req.body = std::move(msg.body());
    req.authorization = std::string(msg[http::field::authorization]);
    req.accept_encoding = std::string(msg[http::field::accept_encoding]);
    req.if_none_match = std::string(msg[http::field::if_none_match]);
    req.idempotency_key = std::string(msg["Idempotency-Key"]);
    auto forwarded = msg["X-Forwarded-For"];
    req.peer = ClientAddress(peer_, std::string_view(forwarded.data(), forwarded.size()),
                             options_.trusted_proxies);
    Reply reply{msg.keep_alive(), msg.version(), AcceptsGzip(req.accept_encoding)};
    if (q != std::string_view::npos && !ParseQuery(target.substr(q + 1), &req.query))
      return Answer(Problem(400, "bad-query", "Malformed query string"), reply);
    // Nothing is read meanwhile, so no timer runs: the handler holds the connection.
    shared_->OffNetwork([self = this->shared_from_this(), strand = TrackedStrand(),
                         req = std::move(req),
                         reply]() mutable { self->Handle(req, reply, strand); });
  }

  // The connection's strand, counted as work of the io_context: its run() does not
  // return while a handler thread still has an answer to hand back.
  asio::any_io_executor TrackedStrand() {
    return asio::prefer(stream_.get_executor(), asio::execution::outstanding_work.tracked);
  }

  // On a handler thread (HttpOptions::handler_threads; or on the strand without
  // them): the router's answer, handed back to the strand to be written. The
  // session's other members are not touched here: the strand has nothing pending
  // until the answer arrives.
  void Handle(Request& req, const Reply& reply, const asio::any_io_executor& strand) {
    Response resp;
    try {
      resp = shared_->router.Dispatch(req);
    } catch (const std::exception& e) {
      resp = HandlerThrew(req, e.what());
    }
    auto self = this->shared_from_this();
    auto answer = [self, reply, strand](Response r) {
      asio::post(strand,
                 [self, reply, r = std::move(r)]() mutable { self->Answer(std::move(r), reply); });
    };
    if (!resp.deferred) return answer(std::move(resp));
    try {
      resp.deferred(std::move(answer));
    } catch (const std::exception& e) {
      // `done` may have been called or dropped already: abort rather than answer twice.
      HandlerThrew(req, e.what());
      asio::post(strand, [self] { self->Abort(); });
    }
  }

  // A handler bug must cost one request, not the process.
  Response HandlerThrew(const Request& req, const char* what) {
    shared_->handler_errors->Add();
    spdlog::error("[http conn {}][{}] {} {}: handler threw: {}", id_, peer_,
                  EscapeForLog(req.method), EscapeForLog(req.path), what);
    return Problem(500, "internal", "Internal error");
  }

  void Answer(Response resp, const Reply& reply) {
    if (resp.deferred) {
      spdlog::error("[http conn {}][{}] a deferred answer was deferred again", id_, peer_);
      resp = Problem(500, "internal", "Internal error");
    }
    shared_->metrics
        .counter("ecohub_http_requests_total{status=\"" + std::to_string(resp.status) + "\"}",
                 "HTTP requests by status")
        ->Add();
    Send(std::move(resp), reply.keep_alive, reply.version, reply.gzip_ok);
  }

  template <class Message>
  void SetHeaders(Message& res, const Response& r) {
    res.set(http::field::server, "EcoHub");
    res.set(http::field::content_type, r.content_type);
    // Browsers must not guess a type other than the one we name (a JSON string read
    // as HTML), and, once they met us over TLS, must not come back without it.
    res.set("X-Content-Type-Options", "nosniff");
    if constexpr (kTls) res.set(http::field::strict_transport_security, "max-age=31536000");
    for (auto& [k, v] : r.headers) res.set(k, v);
  }

  // A handler that set Content-Encoding itself sent bytes we must not touch.
  static bool Compressible(const Response& r) {
    return IsCompressible(r.content_type) && !HasHeader(r.headers, "Content-Encoding");
  }

  void Send(Response r, bool keep_alive, unsigned version, bool gzip_ok) {
    if (r.stream) return SendStreamed(std::move(r), keep_alive, version, gzip_ok);
    auto& res = response_.emplace(static_cast<http::status>(r.status), version);
    SetHeaders(res, r);
    if (Compressible(r) && r.body.size() >= kGzipMinBytes) {
      // Caches must key on Accept-Encoding whether or not this client got gzip.
      AddVaryAcceptEncoding(res);
      std::string zipped;
      if (gzip_ok && GzipEncoder().Add(r.body, /*finish=*/true, &zipped)) {
        r.body = std::move(zipped);
        res.set(http::field::content_encoding, "gzip");
        shared_->gzipped->Add();
      }
    }
    res.body() = std::move(r.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    ExpiresAfter(options_.write_timeout);
    http::async_write(stream_, res,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        bool close = self->response_->need_eof();
                        self->response_.reset();
                        if (ec) return self->OnWriteError(ec);
                        if (close) return self->Close();
                        self->Read();
                      });
  }

  // Header now, then the producer's pieces one write at a time: chunks on
  // HTTP/1.1, raw bytes ended by closing the connection on HTTP/1.0 (RFC 9112 §6.3).
  void SendStreamed(Response r, bool keep_alive, unsigned version, bool gzip_ok) {
    auto& head = stream_head_.emplace(static_cast<http::status>(r.status), version);
    SetHeaders(head, r);
    if (Compressible(r)) {
      AddVaryAcceptEncoding(head);
      if (gzip_ok) {
        head.set(http::field::content_encoding, "gzip");
        gzip_ = std::make_unique<GzipEncoder>();
        shared_->gzipped->Add();
      }
    }
    chunked_ = version >= 11;
    keep_alive_ = chunked_ && keep_alive;
    head.chunked(chunked_);
    head.keep_alive(keep_alive_);
    producer_ = std::move(r.stream);
    producer_done_ = false;
    streamed_bytes_ = 0;
    stream_head_serializer_.emplace(head);
    ExpiresAfter(options_.write_timeout);
    http::async_write_header(stream_, *stream_head_serializer_,
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               self->stream_head_serializer_.reset();
                               self->stream_head_.reset();
                               if (ec) return self->OnWriteError(ec);
                               self->NextPiece();
                             });
  }

  // Has the producer's next bytes made on a handler thread (a producer reads the
  // store), then written from the strand.
  void NextPiece() {
    shared_->OffNetwork(
        [self = this->shared_from_this(), strand = TrackedStrand()] { self->PullPieces(strand); });
  }

  // Off the strand, which has nothing pending meanwhile: pulls pieces until one
  // yields bytes to send (with gzip, zlib may hold a few pieces back), then hands
  // them to the strand.
  void PullPieces(const asio::any_io_executor& strand) {
    pending_.clear();
    std::optional<std::string> failed;
    for (int pulls = 0; pending_.empty() && !producer_done_ && pulls < kMaxEmptyPulls; ++pulls) {
      piece_.clear();
      try {
        producer_done_ = !producer_(&piece_);
      } catch (const std::exception& e) {
        failed = e.what();
        break;
      } catch (...) {
        failed = "unknown exception";
        break;
      }
      if (!gzip_) {
        pending_.swap(piece_);
      } else if (!gzip_->Add(piece_, /*finish=*/producer_done_, &pending_)) {
        failed = "zlib deflate failed";
        break;
      }
    }
    asio::post(strand, [self = this->shared_from_this(), failed] {
      if (failed) return self->StreamFailed(failed->c_str());
      if (!self->pending_.empty()) return self->WritePending();
      if (self->producer_done_) return self->FinishStream();
      // Only empty pieces so far: the other connections' work queued meanwhile first.
      self->NextPiece();
    });
  }

  void WritePending() {
    streamed_bytes_ += pending_.size();
    auto next = [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->OnWriteError(ec);
      self->NextPiece();
    };
    ExpiresAfter(options_.write_timeout);
    if (chunked_)
      asio::async_write(stream_, http::make_chunk(asio::buffer(pending_)), std::move(next));
    else
      asio::async_write(stream_, asio::buffer(pending_), std::move(next));
  }

  void FinishStream() {
    // Release the producer (and whatever it holds, such as a store cursor) and the
    // buffers before the connection waits for its next request.
    producer_ = nullptr;
    gzip_.reset();
    std::string().swap(piece_);
    std::string().swap(pending_);
    if (!chunked_) return Close();
    ExpiresAfter(options_.write_timeout);
    asio::async_write(stream_, http::make_chunk_last(),
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->OnWriteError(ec);
                        if (!self->keep_alive_) return self->Close();
                        self->Read();
                      });
  }

  // Closing without the last chunk (or, on HTTP/1.0 over TLS, without
  // close_notify) tells the client the body is incomplete.
  void StreamFailed(const char* what) {
    shared_->stream_errors->Add();
    spdlog::error("[http conn {}][{}] streamed response aborted after {} bytes: {}", id_, peer_,
                  streamed_bytes_, what);
    Abort();
  }

  void OnWriteError(beast::error_code ec) {
    if (ec == beast::error::timeout) {
      shared_->write_timeouts->Add();
      spdlog::info("[http conn {}][{}] client read nothing for {} s, closing", id_, peer_,
                   options_.write_timeout.count());
    } else {
      spdlog::debug("[http conn {}][{}] write: {}", id_, peer_, ec.message());
    }
    Abort();
  }

  // Orderly end: TLS close_notify, or a TCP half-close so the client reads all we
  // sent before it sees the end. The socket closes when the session is released.
  void Close() {
    if constexpr (kTls) {
      ExpiresAfter(options_.write_timeout);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::get_lowest_layer(self->stream_).close();
      });
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  // Abrupt end, for errors: nothing more is sent.
  void Abort() { beast::get_lowest_layer(stream_).close(); }

  const std::shared_ptr<const HttpServer::Shared> shared_;
  const HttpOptions& options_;  // in *shared_
  const uint64_t id_;
  const std::string peer_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  // The response being written: a buffered one, or a streamed one's header.
  std::optional<http::response<http::string_body>> response_;
  std::optional<http::response<http::empty_body>> stream_head_;
  std::optional<http::response_serializer<http::empty_body>> stream_head_serializer_;
  // State of a streamed body.
  std::function<bool(std::string*)> producer_;
  std::unique_ptr<GzipEncoder> gzip_;  // null: identity
  std::string piece_;                  // the producer fills this
  std::string pending_;                // bytes being written
  uint64_t streamed_bytes_ = 0;
  bool producer_done_ = false;
  bool chunked_ = false;
  bool keep_alive_ = false;
};

}  // namespace

bool AcceptsGzip(std::string_view header) {
  // RFC 9110 §12.5.3: #( codings [ OWS ";" OWS "q=" qvalue ] ). An explicit gzip
  // entry decides (any of them with q=0 refuses); otherwise "*" does.
  std::optional<bool> gzip, any;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view element = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = element.find(';');
    std::string_view coding = TrimOws(element.substr(0, semi));
    bool allowed = true;  // no weight means q=1
    while (semi != std::string_view::npos) {
      element.remove_prefix(semi + 1);
      semi = element.find(';');
      std::string_view param = TrimOws(element.substr(0, semi));
      size_t eq = param.find('=');
      if (eq != std::string_view::npos && IEquals(TrimOws(param.substr(0, eq)), "q"))
        allowed = PositiveQValue(TrimOws(param.substr(eq + 1)));
    }
    // RFC 9110 §8.4.1.3: x-gzip is an alias of gzip.
    if (IEquals(coding, "gzip") || IEquals(coding, "x-gzip"))
      gzip = gzip.value_or(true) && allowed;
    else if (coding == "*")
      any = any.value_or(true) && allowed;
  }
  if (gzip) return *gzip;
  return any.value_or(false);
}

bool IsCompressible(std::string_view content_type) {
  std::string type(TrimOws(content_type.substr(0, content_type.find(';'))));
  for (char& c : type) c = Lower(c);
  // text/* covers text/csv, text/plain, text/html.
  return type.starts_with("text/") || type == "application/json" ||
         type == "application/problem+json" || type == "application/javascript" ||
         type == "image/svg+xml";
}

HttpServer::HttpServer(asio::io_context& io, const HttpOptions& options, const Router& router,
                       Metrics& metrics)
    : io_(io),
      shared_(std::make_shared<Shared>(options, router, metrics)),
      acceptor_(io),
      accept_timer_(io) {}

HttpServer::~HttpServer() {
  Stop();
  // Connections that outlive the server run their handlers on their network thread;
  // handlers running now finish first.
  {
    std::lock_guard lock(shared_->workers_mu);
    shared_->workers = nullptr;
  }
  if (workers_) workers_->join();
}

Result<uint16_t> HttpServer::Start() {
  const HttpOptions& o = shared_->options;
  if (o.tls_cert_file.empty() != o.tls_key_file.empty())
    return Status::InvalidInput("http TLS needs both tls_cert and tls_key, got only " +
                                std::string(o.tls_cert_file.empty() ? "tls_key" : "tls_cert"));
  if (!o.tls_cert_file.empty()) {
    auto tls = LoadTls(o.tls_cert_file, o.tls_key_file);
    if (!tls.ok()) return tls.status();
    shared_->tls = std::move(tls).value();
  }
  if (o.handler_threads > 0 && !workers_) {
    workers_ = std::make_unique<asio::thread_pool>(o.handler_threads);
    std::lock_guard lock(shared_->workers_mu);
    shared_->workers = workers_.get();
  }
  auto port = Listen(acceptor_, o.listen_host, o.listen_port, "http");
  if (port.ok()) Accept();
  return port;
}

namespace {

// Accept failures that the next accept would meet again at once.
bool OutOfResources(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec == boost::system::errc::too_many_files_open_in_system;
}

constexpr std::chrono::milliseconds kFirstAcceptPause{100};
constexpr std::chrono::milliseconds kMaxAcceptPause{1000};

}  // namespace

void HttpServer::Accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || stopped_) return;
    if (ec && OutOfResources(ec)) return AcceptLater(ec);
    if (accept_pause_.count()) {
      spdlog::info("http accept: accepting again");
      accept_pause_ = {};
    }
    if (ec) {
      spdlog::warn("http accept: {}", ec.message());
      return Accept();
    }
    std::string peer = PeerAddress(s);
    if (!shared_->TakeSlot(peer)) {
      // Over a cap: the cheapest answer is none; the client may retry later.
      shared_->connections_refused->Add();
      spdlog::debug("http accept: {} over the connection caps, closed", peer);
      beast::error_code ignored;
      s.close(ignored);
    } else if (shared_->tls) {
      std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(shared_, std::move(s),
                                                                          std::move(peer))
          ->Start();
    } else {
      std::make_shared<HttpSession<beast::tcp_stream>>(shared_, std::move(s), std::move(peer))
          ->Start();
    }
    Accept();
  });
}

void HttpServer::AcceptLater(const boost::system::error_code& ec) {
  shared_->accept_failures->Add();
  if (!accept_pause_.count()) {
    accept_pause_ = kFirstAcceptPause;
    spdlog::error("http accept: {}; pausing accepts (100 ms doubling to 1 s) until it clears",
                  ec.message());
  } else {
    accept_pause_ = std::min(accept_pause_ * 2, kMaxAcceptPause);
  }
  accept_timer_.expires_after(accept_pause_);
  accept_timer_.async_wait([this](beast::error_code wait_ec) {
    if (wait_ec || stopped_) return;
    Accept();
  });
}

void HttpServer::Stop() {
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  accept_timer_.cancel();
}

}  // namespace ecohub::api
