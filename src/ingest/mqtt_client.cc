#include "ingest/mqtt_client.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/ssl.hpp>
#include <deque>

#include "core/escape.h"
#include "ingest/mqtt_codec.h"

namespace ecohub::ingest {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

const char* ConnackText(uint8_t rc) {
  switch (rc) {  // MQTT 3.1.1 §3.2.2.3
    case 1:
      return "unacceptable protocol version";
    case 2:
      return "client id rejected";
    case 3:
      return "server unavailable";
    case 4:
      return "bad user name or password";
    case 5:
      return "not authorized";
  }
  return "refused";
}

}  // namespace

class MqttClient::Impl : public std::enable_shared_from_this<MqttClient::Impl> {
 public:
  Impl(asio::io_context& io, MqttClientOptions options, OnMessage on_message, Metrics& metrics)
      : io_(io),
        strand_(asio::make_strand(io)),
        resolver_(strand_),
        timer_(strand_),
        ping_timer_(strand_),
        options_(std::move(options)),
        on_message_(std::move(on_message)),
        backoff_(options_.reconnect_min),
        connects_(metrics.counter("ecohub_mqtt_connections_total",
                                  "Sessions established with the MQTT broker")),
        failures_(metrics.counter("ecohub_mqtt_connection_failures_total",
                                  "Broker connections that failed or were lost")),
        pubacks_(metrics.counter("ecohub_mqtt_pubacks_sent_total", "PUBACKs sent to the broker")),
        stale_(metrics.counter("ecohub_mqtt_settles_after_close_total",
                               "Messages settled after their connection closed (redelivered)")),
        up_(metrics.gauge("ecohub_mqtt_connected", "1 while a broker session is established")) {}

  Status Start() {
    bool tls = options_.tls || !options_.cafile.empty() || !options_.certfile.empty() ||
               !options_.keyfile.empty();
    if (tls) {
      tls_ctx_ = std::make_unique<ssl::context>(ssl::context::tls_client);
      tls_ctx_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1);
      boost::system::error_code ec;
      if (options_.cafile.empty())
        tls_ctx_->set_default_verify_paths(ec);
      else
        tls_ctx_->load_verify_file(options_.cafile, ec);
      if (ec) return Status::InvalidInput("mqtt cafile '" + options_.cafile + "': " + ec.message());
      if (!options_.certfile.empty()) {
        tls_ctx_->use_certificate_chain_file(options_.certfile, ec);
        if (ec)
          return Status::InvalidInput("mqtt certfile '" + options_.certfile + "': " + ec.message());
        tls_ctx_->use_private_key_file(
            options_.keyfile.empty() ? options_.certfile : options_.keyfile, ssl::context::pem, ec);
        if (ec)
          return Status::InvalidInput("mqtt keyfile '" + options_.keyfile + "': " + ec.message());
      }
      tls_ctx_->set_verify_mode(ssl::verify_peer);
    }
    spdlog::info("[mqtt] subscribing at {}:{}{} as client '{}' (user '{}')", options_.host,
                 options_.port, tls ? " over TLS" : "", options_.client_id, options_.username);
    asio::post(strand_, [self = shared_from_this()] { self->Connect(); });
    return Status::Ok();
  }

  void Stop() {
    stopped_ = true;
    // No DISCONNECT: the session is persistent either way, and what is in flight is
    // redelivered at the next start.
    asio::post(strand_, [self = shared_from_this()] { self->Close(/*retry=*/false); });
  }

  bool connected() const { return connected_.load(); }

 private:
  void Connect() {
    if (stopped_) return;
    ++generation_;
    decoder_ = std::make_unique<mqtt::Decoder>(options_.max_packet_bytes);
    outq_.clear();
    plain_.reset();
    tls_.reset();
    if (tls_ctx_) {
      tls_ = std::make_unique<ssl::stream<tcp::socket>>(strand_, *tls_ctx_);
      tls_->set_verify_callback(ssl::host_name_verification(options_.host));
      SSL_set_tlsext_host_name(tls_->native_handle(), options_.host.c_str());
    } else {
      plain_ = std::make_unique<tcp::socket>(strand_);
    }
    uint64_t gen = generation_;
    // A connection that is not up in 10 s is given up (and tried again).
    timer_.expires_after(std::chrono::seconds(10));
    timer_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
      if (!ec && gen == self->generation_ && !self->connected_)
        self->Fail("no session within 10 s");
    });
    resolver_.async_resolve(
        options_.host, std::to_string(options_.port),
        [self = shared_from_this(), gen](boost::system::error_code ec,
                                         tcp::resolver::results_type results) {
          if (gen != self->generation_) return;
          if (ec) return self->Fail("resolve " + self->options_.host + ": " + ec.message());
          asio::async_connect(Lowest(*self), results,
                              [self, gen](boost::system::error_code ec, const tcp::endpoint&) {
                                if (gen != self->generation_) return;
                                if (ec) return self->Fail("connect: " + ec.message());
                                self->Connected(gen);
                              });
        });
  }

  static tcp::socket& Lowest(Impl& self) {
    return self.tls_ ? self.tls_->next_layer() : *self.plain_;
  }

  void Connected(uint64_t gen) {
    boost::system::error_code ec;
    Lowest(*this).set_option(tcp::no_delay(true), ec);
    if (!tls_) return SendConnect();
    tls_->async_handshake(ssl::stream_base::client,
                          [self = shared_from_this(), gen](boost::system::error_code ec) {
                            if (gen != self->generation_) return;
                            if (ec) return self->Fail("TLS handshake: " + ec.message());
                            self->SendConnect();
                          });
  }

  void SendConnect() {
    mqtt::ConnectOptions c{.client_id = options_.client_id,
                           .username = options_.username,
                           .password = options_.password,
                           .clean_session = false,
                           .keepalive_seconds = options_.keepalive_seconds};
    Write(mqtt::EncodeConnect(c));
    last_heard_ = std::chrono::steady_clock::now();
    Read();
  }

  void Read() {
    uint64_t gen = generation_;
    auto handler = [self = shared_from_this(), gen](boost::system::error_code ec, size_t n) {
      if (gen != self->generation_) return;
      if (ec) return self->Fail("read: " + ec.message());
      self->last_heard_ = std::chrono::steady_clock::now();
      auto err = self->decoder_->Feed(std::string_view(self->buf_.data(), n),
                                      [&](uint8_t type, uint8_t flags, std::string_view body) {
                                        if (gen == self->generation_)
                                          self->OnPacket(type, flags, body);
                                      });
      if (gen != self->generation_) return;  // closed by a packet
      if (err != mqtt::DecodeError::kNone)
        return self->Fail(err == mqtt::DecodeError::kOversize ? "packet above max_packet_bytes"
                                                              : "bad remaining length");
      self->Read();
    };
    if (tls_)
      tls_->async_read_some(asio::buffer(buf_), std::move(handler));
    else
      plain_->async_read_some(asio::buffer(buf_), std::move(handler));
  }

  void OnPacket(uint8_t type, uint8_t flags, std::string_view body) {
    switch (type) {
      case mqtt::kConnack: {
        if (body.size() != 2) return Fail("malformed CONNACK");
        uint8_t rc = static_cast<uint8_t>(body[1]);
        if (rc != 0) return Fail(std::string("broker refused the session: ") + ConnackText(rc));
        connected_ = true;
        up_->Set(1);
        connects_->Add();
        timer_.cancel();
        spdlog::info("[mqtt] connected to {}:{} (session {})", options_.host, options_.port,
                     (body[0] & 1) ? "resumed" : "new");
        if (!options_.subscriptions.empty())
          Write(mqtt::EncodeSubscribe(1, options_.subscriptions, 1));
        Ping();
        return;
      }
      case mqtt::kSuback:
        for (size_t i = 2; i < body.size(); ++i)
          if (static_cast<uint8_t>(body[i]) == 0x80)
            spdlog::error(
                "[mqtt] the broker refused the subscription to '{}' (check its ACL)",
                i - 2 < options_.subscriptions.size() ? options_.subscriptions[i - 2] : "?");
        return;
      case mqtt::kPingresp:
        return;
      case mqtt::kPublish: {
        auto p = mqtt::ParsePublish(flags, body);
        if (!p) return Fail("malformed PUBLISH");
        if (p->qos == 2) return Fail("QoS 2 PUBLISH on a QoS 1 subscription");
        Settle settle = [](bool) {};
        if (p->qos == 1) {
          std::weak_ptr<Impl> weak = shared_from_this();
          uint64_t gen = generation_;
          uint16_t id = p->packet_id;
          auto strand = strand_;
          settle = [weak, gen, id, strand,
                    once = std::make_shared<std::atomic<bool>>(false)](bool ack) {
            if (once->exchange(true)) return;
            asio::post(strand, [weak, gen, id, ack] {
              if (auto self = weak.lock()) self->Settled(gen, id, ack);
            });
          };
        }
        on_message_(p->topic, p->payload, std::move(settle));
        return;
      }
      default:
        return Fail("unexpected packet type " + std::to_string(type));
    }
  }

  void Settled(uint64_t gen, uint16_t id, bool ack) {
    if (gen != generation_ || !connected_) {
      stale_->Add();
      return;
    }
    if (ack) {
      pubacks_->Add();
      Write(mqtt::EncodePuback(id));
      return;
    }
    // Not durable: this connection acknowledges nothing more; the broker resends
    // every unacknowledged message to the next one.
    Fail("a commit failed; reconnecting so that the broker redelivers");
  }

  void Ping() {
    ping_timer_.expires_after(std::chrono::seconds(std::max<int>(1, options_.keepalive_seconds)));
    uint64_t gen = generation_;
    ping_timer_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
      if (ec || gen != self->generation_) return;
      auto silent = std::chrono::steady_clock::now() - self->last_heard_;
      if (silent > std::chrono::milliseconds(1500 * self->options_.keepalive_seconds))
        return self->Fail("broker silent for 1.5 keepalives");
      self->Write(mqtt::EncodePingreq());
      self->Ping();
    });
  }

  void Write(std::string bytes) {
    outq_.push_back(std::move(bytes));
    if (outq_.size() == 1) WriteFront();
  }

  void WriteFront() {
    uint64_t gen = generation_;
    auto handler = [self = shared_from_this(), gen](boost::system::error_code ec, size_t) {
      if (gen != self->generation_) return;
      if (ec) return self->Fail("write: " + ec.message());
      self->outq_.pop_front();
      if (!self->outq_.empty()) self->WriteFront();
    };
    if (tls_)
      asio::async_write(*tls_, asio::buffer(outq_.front()), std::move(handler));
    else
      asio::async_write(*plain_, asio::buffer(outq_.front()), std::move(handler));
  }

  void Fail(const std::string& why) {
    if (stopped_) return Close(false);
    failures_->Add();
    spdlog::warn("[mqtt] {}:{}: {}; retrying in {} ms", options_.host, options_.port,
                 EscapeForLog(why), backoff_.count());
    Close(/*retry=*/true);
  }

  void Close(bool retry) {
    bool was_connected = connected_.exchange(false);
    up_->Set(0);
    ++generation_;  // every handler and settle of the old connection is now stale
    timer_.cancel();
    ping_timer_.cancel();
    resolver_.cancel();
    boost::system::error_code ec;
    if (tls_ || plain_) {
      Lowest(*this).shutdown(tcp::socket::shutdown_both, ec);
      Lowest(*this).close(ec);
    }
    if (!retry || stopped_) return;
    auto delay = backoff_;
    // A session that worked resets the back-off; failing to get one doubles it.
    backoff_ =
        was_connected ? options_.reconnect_min : std::min(options_.reconnect_max, backoff_ * 2);
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->Connect();
    });
  }

  asio::io_context& io_;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  asio::steady_timer timer_, ping_timer_;
  MqttClientOptions options_;
  OnMessage on_message_;
  std::unique_ptr<ssl::context> tls_ctx_;
  std::unique_ptr<ssl::stream<tcp::socket>> tls_;
  std::unique_ptr<tcp::socket> plain_;
  std::unique_ptr<mqtt::Decoder> decoder_;
  std::array<char, 16384> buf_{};
  std::deque<std::string> outq_;
  uint64_t generation_ = 0;
  std::atomic<bool> connected_{false}, stopped_{false};
  std::chrono::milliseconds backoff_;
  std::chrono::steady_clock::time_point last_heard_;
  Counter *connects_, *failures_, *pubacks_, *stale_;
  Gauge* up_;
};

MqttClient::MqttClient(asio::io_context& io, MqttClientOptions options, OnMessage on_message,
                       Metrics& metrics)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(on_message), metrics)) {}

MqttClient::~MqttClient() { Stop(); }

Status MqttClient::Start() { return impl_->Start(); }
void MqttClient::Stop() { impl_->Stop(); }
bool MqttClient::connected() const { return impl_->connected(); }

}  // namespace ecohub::ingest
