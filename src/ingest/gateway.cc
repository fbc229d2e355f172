#include "ingest/gateway.h"

#include <spdlog/spdlog.h>

#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/escape.h"
#include "core/listen.h"
#include "hj212/packet.h"

namespace ecohub::ingest {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
// Counters resolved once; the hot path does relaxed atomic adds only.
struct Gateway::Counters {
  explicit Counters(Metrics& m)
      : accepted(
            m.counter("ecohub_gateway_connections_accepted_total", "TCP connections accepted")),
        refused(m.counter("ecohub_gateway_connections_refused_total",
                          "Connections closed at once: over max_connections")),
        closed_idle(m.counter("ecohub_gateway_connections_idle_closed_total",
                              "Connections closed after the idle timeout")),
        closed_first_frame(
            m.counter("ecohub_gateway_connections_first_frame_closed_total",
                      "Connections closed for sending no valid frame within first_frame_timeout")),
        accept_errors(m.counter("ecohub_gateway_accept_errors_total",
                                "Accepts that failed (out of file descriptors...)")),
        closed_output(m.counter("ecohub_gateway_connections_output_overflow_total",
                                "Connections closed because replies piled up")),
        open(m.gauge("ecohub_gateway_connections", "Open device connections")),
        bytes(m.counter("ecohub_gateway_bytes_received_total", "Bytes received from devices")),
        frames(m.counter("ecohub_gateway_frames_total", "Well-formed frames received")),
        garbage(m.counter("ecohub_gateway_garbage_bytes_total", "Bytes outside any frame")),
        readings(m.counter("ecohub_gateway_readings_total", "Readings handed to the writer")),
        acks(m.counter("ecohub_gateway_acks_sent_total", "9014 data answers sent after commit")),
        not_acked(
            m.counter("ecohub_gateway_commit_failed_total",
                      "Packets not answered because their commit failed or the queue was full")),
        throttled(m.counter("ecohub_gateway_throttled_total", "Reads delayed by the rate limit")),
        legacy_crc(m.counter("ecohub_gateway_legacy_crc_frames_total",
                             "Frames accepted with a Modbus CRC from devices registered for it")),
        ack_latency(m.histogram("ecohub_gateway_ack_latency_seconds",
                                "Time from packet received to its 9014 sent")) {
    for (int e = 1; e <= static_cast<int>(hj212::Error::kMissingField); ++e) {
      auto err = static_cast<hj212::Error>(e);
      rejected[e] = m.counter(
          std::string("ecohub_gateway_rejected_total{code=\"") + hj212::ErrorCode(err) + "\"}",
          "Frames rejected by the codec, by reason");
    }
    for (int a = 1; a < kAdmissionCount; ++a)
      readings_refused[a] =
          m.counter(std::string("ecohub_gateway_readings_refused_total{reason=\"") +
                        std::string(AdmissionName(static_cast<Admission>(a))) + "\"}",
                    "Readings of authenticated devices refused at admission, by reason");
  }
  Counter *accepted, *refused, *closed_idle, *closed_first_frame, *accept_errors, *closed_output;
  Gauge* open;
  Counter *bytes, *frames, *garbage, *readings, *acks, *not_acked, *throttled, *legacy_crc;
  Histogram* ack_latency;
  Counter* rejected[16] = {};
  Counter* readings_refused[kAdmissionCount] = {};
};

namespace {

// The peer's IP address as the guard keys it (IPv4-mapped IPv6 as IPv4).
std::string AddressOf(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

}  // namespace

class Gateway::Connection : public std::enable_shared_from_this<Gateway::Connection> {
 public:
  // `address` has been admitted by the guard; the connection releases it when it dies.
  Connection(tcp::socket socket, Gateway& gw, uint64_t id, std::string address)
      : socket_(std::move(socket)),
        strand_(socket_.get_executor()),
        idle_timer_(strand_),
        tick_timer_(strand_),
        throttle_timer_(strand_),
        first_frame_timer_(strand_),
        gw_(gw),
        clock_(gw.clock_),
        stopped_(gw.stopped_),
        guard_(gw.guard_),
        id_(id),
        open_gauge_(gw.counters_->open),
        address_(std::move(address)),
        framer_(gw.options_.framer),
        session_(gw.registry_, gw.options_.session, gw.metrics_),
        tokens_(static_cast<double>(gw.options_.max_bytes_per_second)),
        last_refill_(clock_.SteadySeconds()) {
    boost::system::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  void Start() {
    gw_.counters_->open->Add(1);
    ArmIdle();
    ArmFirstFrame();
    Tick();
    Read();
  }

  void Close() {
    asio::post(strand_, [self = shared_from_this()] { self->DoClose(); });
  }

  // Sends command `c` if this connection is its device's and this node wins the claim.
  void DeliverCommand(control::Command c) {
    asio::post(strand_, [self = shared_from_this(), c = std::move(c)] {
      control::CommandStore* store = self->gw_.commands_;
      if (self->closed_ || !store || self->session_.mn() != c.mn) return;
      int64_t now = self->clock_.WallMillis();
      std::string qn = self->session_.NextQn(now);
      auto won = store->Claim(c.id, self->gw_.options_.node, qn, now / 1000);
      if (!won.ok()) {
        spdlog::warn("[conn {}][MN {}] command {} not claimed: {}", self->id_, EscapeForLog(c.mn),
                     c.id, won.status().ToString());
        return;
      }
      if (!*won) return;  // another node sent it, or it expired
      spdlog::info("[conn {}][MN {}] command {} {} (CN {}) sent, QN {}", self->id_,
                   EscapeForLog(c.mn), c.id, c.kind, c.cn, qn);
      Outcome out = self->session_.SendCommand(c, qn, now);
      for (auto& f : out.send_now) self->Send(std::move(f));
      self->Record(out.events);
    });
  }

  ~Connection() {
    open_gauge_->Add(-1);
    guard_->OnDisconnect(address_);
    ReleaseStatus();
  }

 private:
  void DoClose() {
    if (closed_) return;
    closed_ = true;
    Record(session_.OnClose().events);
    gw_.Unregister(session_.mn(), this);
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    idle_timer_.cancel();
    tick_timer_.cancel();
    throttle_timer_.cancel();
    first_frame_timer_.cancel();
    ReleaseStatus();
  }

  // This connection no longer counts as the device's open connection.
  void ReleaseStatus() {
    if (gw_.status_ && !status_mn_.empty()) gw_.status_->OnDisconnected(status_mn_);
    status_mn_.clear();
  }

  // Counts a packet of `mn` on the status board: accepted ones also mark this
  // connection as the device's; rejected ones count for registered MNs only.
  void CountPacket(const std::string& mn, bool accepted) {
    DeviceStatusBoard* board = gw_.status_;
    if (!board || mn.empty()) return;
    if (!accepted) {
      if (gw_.registry_.Current()->DeviceByMn(mn)) board->OnRejected(mn);
      return;
    }
    if (status_mn_ != mn && !closed_) {
      ReleaseStatus();
      board->OnConnected(mn);
      status_mn_ = mn;
    }
    board->OnAccepted(mn, clock_.WallSeconds());
  }

  void ArmIdle() {
    idle_timer_.expires_after(gw_.options_.idle_timeout);
    idle_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->closed_) return;
      spdlog::info("[conn {}][MN {}] idle for {} s, closing", self->id_, self->session_.mn(),
                   self->gw_.options_.idle_timeout.count());
      self->gw_.counters_->closed_idle->Add();
      self->DoClose();
    });
  }

  // Until the first valid frame, the connection lives first_frame_timeout at most,
  // whatever it sends (the idle timeout restarts with every byte). When the idle
  // timeout is shorter, it comes first and this timer is not needed.
  void ArmFirstFrame() {
    if (gw_.options_.first_frame_timeout >= gw_.options_.idle_timeout) return;
    first_frame_timer_.expires_after(gw_.options_.first_frame_timeout);
    first_frame_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->closed_ || self->valid_) return;
      if (self->guard_->LogRejected(&self->budget_))
        spdlog::info("[conn {}][{}] no valid frame within {} s, closing", self->id_, self->peer_,
                     self->gw_.options_.first_frame_timeout.count());
      self->gw_.counters_->closed_first_frame->Add();
      self->DoClose();
    });
  }

  void Tick() {
    tick_timer_.expires_after(std::chrono::seconds(1));
    tick_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->closed_) return;
      Outcome out = self->session_.OnTick(self->clock_.WallMillis());
      for (auto& f : out.send_now) self->Send(std::move(f));
      self->Record(out.events);
      self->Tick();
    });
  }

  void Read() {
    if (closed_) return;
    if (!buf_) buf_ = std::make_unique<std::array<char, 4096>>();
    socket_.async_read_some(
        asio::buffer(*buf_),
        asio::bind_executor(strand_,
                            [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                              if (ec) {
                                if (ec != asio::error::eof && ec != asio::error::operation_aborted)
                                  spdlog::debug("[conn {}] read: {}", self->id_, ec.message());
                                self->DoClose();
                                return;
                              }
                              self->OnBytes(std::string_view(self->buf_->data(), n));
                              self->ThrottleThenRead(n);
                            }));
  }

  void ThrottleThenRead(size_t n) {
    const double rate = static_cast<double>(gw_.options_.max_bytes_per_second);
    double now = clock_.SteadySeconds();
    tokens_ = std::min(rate, tokens_ + rate * (now - last_refill_));
    last_refill_ = now;
    tokens_ -= static_cast<double>(n);
    if (tokens_ >= 0) return Read();
    gw_.counters_->throttled->Add();
    throttle_timer_.expires_after(
        std::chrono::microseconds(static_cast<int64_t>(-tokens_ / rate * 1e6)));
    throttle_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->Read();
    });
  }

  void OnBytes(std::string_view data) {
    ArmIdle();
    gw_.counters_->bytes->Add(data.size());
    double received = clock_.SteadySeconds();
    uint64_t garbage_before = framer_.stats().garbage_bytes;
    framer_.Feed(
        data,
        [&](std::string_view segment, std::string_view frame) {
          gw_.counters_->frames->Add();
          OnFrame(segment, frame, received, framer_.tokens());
        },
        [&](hj212::Error err, std::string_view bytes) {
          if (closed_) return;
          if (err == hj212::Error::kCrcMismatch && LegacyCrcFrame(bytes, received)) return;
          gw_.counters_->rejected[static_cast<int>(err)]->Add();
          CountPacket(session_.mn(), false);
          Rejected(session_.mn(), hj212::ErrorCode(err), "rejected frame", bytes);
        });
    gw_.counters_->garbage->Add(framer_.stats().garbage_bytes - garbage_before);
  }

  // Legacy loggers send a CRC-16/MODBUS, some byte-swapped (digest §14.3). Such a
  // frame is accepted only when its MN is registered with that CRC variant; for
  // everyone else it stays a crc_mismatch.
  bool LegacyCrcFrame(std::string_view frame, double received) {
    if (frame.size() < 12 || frame.substr(frame.size() - 2) != "\r\n") return false;
    std::string_view segment = frame.substr(6, frame.size() - 12);
    uint16_t wire = 0;
    if (!hj212::ParseHex4(frame.data() + 6 + segment.size(), &wire)) return false;
    hj212::CrcVariant variant;
    if (hj212::CrcMatches(hj212::CrcVariant::kModbus, segment, wire)) {
      variant = hj212::CrcVariant::kModbus;
    } else if (hj212::CrcMatches(hj212::CrcVariant::kModbusSwapped, segment, wire)) {
      variant = hj212::CrcVariant::kModbusSwapped;
    } else {
      return false;
    }
    hj212::Packet packet;
    if (hj212::ParsePacket(segment, &packet) != hj212::Error::kNone) return false;
    auto snapshot = gw_.registry_.Current();
    const store::Device* device = snapshot->DeviceByMn(packet.Header("MN").value_or(""));
    const char* name = variant == hj212::CrcVariant::kModbus ? "modbus" : "modbus_swapped";
    if (!device || device->crc_variant != name) return false;
    gw_.counters_->legacy_crc->Add();
    OnFrame(segment, frame, received, nullptr);
    return true;
  }

  // A frame from no authenticated device (the codec's or the session's refusal):
  // logged and kept raw within the guard's budgets, counted always (by the caller).
  void Rejected(const std::string& mn, std::string_view verdict, std::string_view what,
                std::string_view bytes) {
    if (guard_->LogRejected(&budget_))
      spdlog::warn("[conn {}][{}][MN {}] {}: {}: {}", id_, peer_, EscapeForLog(mn), what, verdict,
                   EscapeForLog(hj212::RedactPassword(bytes)));
    if (gw_.options_.keep_raw && guard_->KeepRejected(address_, &budget_))
      KeepRaw(mn, std::string(verdict), bytes);
  }

  void KeepRaw(const std::string& mn, std::string verdict, std::string_view bytes) {
    store::Batch batch;
    batch.raw.push_back(RawOf(mn, std::move(verdict), bytes));
    (void)gw_.writer_.Submit(std::move(batch), [](const Status&) {});
  }

  // A frame as raw packets keep it: its access password masked, since a wrong guess
  // may be another device's password and the right one must not rest in clear.
  store::RawPacket RawOf(const std::string& mn, std::string verdict, std::string_view bytes) {
    return store::RawPacket{clock_.WallMillis(), peer_, mn, std::move(verdict),
                            hj212::RedactPassword(bytes)};
  }

  // A packet the session refused because its MN or password is wrong: no answer
  // (nothing tells a guesser more than silence), and the guard may close us.
  void AuthFailure(const Outcome& out, std::string_view frame) {
    auto d =
        guard_->OnAuthFailure(address_, out.mn, out.verdict == Verdict::kBadPassword, &budget_);
    if (!d.silent) Rejected(out.mn, VerdictName(out.verdict), "data not stored", frame);
    if (d.close) DoClose();
  }

  // Takes out of `readings` those CheckReading refuses; counts them and logs the
  // first refusal of the MN in the guard's reporting window.
  void RefuseImpossible(std::vector<Reading>* readings) {
    const UnixMillis now = clock_.WallMillis();
    size_t by_reason[kAdmissionCount] = {};
    std::optional<Reading> example;
    std::erase_if(*readings, [&](const Reading& r) {
      Admission a = CheckReading(r, now, gw_.options_.admission);
      if (a == Admission::kAdmitted) return false;
      ++by_reason[static_cast<int>(a)];
      if (!example) example = r;
      return true;
    });
    if (!example) return;
    for (int a = 1; a < kAdmissionCount; ++a) {
      if (by_reason[a] == 0) continue;
      gw_.counters_->readings_refused[a]->Add(by_reason[a]);
      std::string_view reason = AdmissionName(static_cast<Admission>(a));
      if (guard_->NoteRefused(example->mn, reason, by_reason[a]))
        spdlog::warn("[conn {}][{}][MN {}] {} readings refused: {} (e.g. {}-{}={} dated {})", id_,
                     peer_, EscapeForLog(example->mn), by_reason[a], reason,
                     EscapeForLog(example->factor), EscapeForLog(example->field),
                     EscapeForLog(example->value), example->time);
    }
  }

  void OnFrame(std::string_view segment, std::string_view frame, double received,
               const hj212::Tokens* tokens) {
    if (closed_) return;  // closed by an earlier frame of the same read
    hj212::Packet packet;
    hj212::Error err = hj212::ParsePacket(segment, &packet, {}, tokens);
    if (err != hj212::Error::kNone) {
      gw_.counters_->rejected[static_cast<int>(err)]->Add();
      CountPacket(session_.mn(), false);
      Rejected(session_.mn(), hj212::ErrorCode(err), "unparsable packet", frame);
      return;
    }
    Outcome out = session_.OnPacket(packet, clock_.WallMillis());
    CountPacket(out.mn, Accepted(out.verdict));
    for (auto& f : out.send_now) Send(std::move(f));
    Record(out.events);
    if (Accepted(out.verdict) && !out.mn.empty() && out.mn == session_.mn() &&
        commands_mn_ != out.mn) {
      commands_mn_ = out.mn;
      gw_.Register(out.mn, weak_from_this());
    }
    if (AuthFailed(out.verdict)) {
      AuthFailure(out, frame);
      return;
    }
    if (out.verdict == Verdict::kUnexpectedReply) {
      // Replies are matched before any password check: anyone can send one.
      Rejected(out.mn, VerdictName(out.verdict), "not stored", frame);
      return;
    }
    if (Accepted(out.verdict) && !valid_) {
      valid_ = true;
      first_frame_timer_.cancel();
    }
    RefuseImpossible(&out.readings);
    store::Batch batch;
    gw_.counters_->readings->Add(out.readings.size());
    batch.readings = std::move(out.readings);
    if (gw_.options_.keep_raw)
      batch.raw.push_back(RawOf(out.mn, std::string(VerdictName(out.verdict)), frame));
    if (batch.readings.empty() && batch.raw.empty()) {
      // Nothing to make durable (raw packets not kept): answer now.
      if (!out.ack_after_commit.empty()) Send(std::move(out.ack_after_commit));
      return;
    }
    std::weak_ptr<Connection> weak = shared_from_this();
    std::string ack = std::move(out.ack_after_commit);
    Status s = gw_.writer_.Submit(std::move(batch), [weak, ack = std::move(ack), received,
                                                     this_strand = strand_,
                                                     counters = gw_.counters_.get(),
                                                     clock = &clock_,
                                                     stopped = stopped_](const Status& st) mutable {
      if (!st.ok()) {
        // Not durable: no answer, the device resends after its timeout.
        counters->not_acked->Add();
        return;
      }
      if (ack.empty() || stopped->load()) return;
      asio::post(this_strand, [weak, ack = std::move(ack), received, counters, clock]() mutable {
        if (auto self = weak.lock()) {
          counters->ack_latency->Observe(
              static_cast<uint64_t>(std::max(0.0, clock->SteadySeconds() - received) * 1e6));
          counters->acks->Add();
          self->Send(std::move(ack));
        }
      });
    });
    if (!s.ok()) {
      gw_.counters_->not_acked->Add();
      spdlog::warn("[conn {}][MN {}] not queued: {}", id_, session_.mn(), s.ToString());
    }
  }

  // What happened to tracked commands, into the command store. Commands are few
  // (staff actions, gap pulls), so the store's write runs on the strand.
  void Record(const std::vector<RequestEvent>& events) {
    control::CommandStore* store = gw_.commands_;
    if (!store) return;
    UnixSeconds now = clock_.WallSeconds();
    for (const RequestEvent& e : events) {
      if (e.started) {
        control::Command c;
        c.mn = session_.mn();
        c.kind = "history";
        c.cn = e.cn;
        c.params = e.params;
        c.origin = "gateway";
        c.created_by = "gateway";
        c.created_at = c.updated_at = now;
        c.status = "sent";
        c.node = gw_.options_.node;
        c.qn = e.qn;
        c.expected = e.expected;
        c.follow_up_of = e.follow_up_of;
        auto id = store->Add(c);
        if (id.ok()) {
          session_.SetCommandId(e.qn, *id);
        } else {
          spdlog::warn("[conn {}][MN {}] history pull not recorded: {}", id_,
                       EscapeForLog(session_.mn()), id.status().ToString());
        }
        continue;
      }
      if (e.command_id == 0) continue;
      auto done = store->Update(e.command_id, {e.status, e.code, e.result, e.records, now});
      if (!done.ok())
        spdlog::warn("[conn {}][MN {}] command {} -> {} not recorded: {}", id_,
                     EscapeForLog(session_.mn()), e.command_id, e.status, done.status().ToString());
      else if (control::Terminal(e.status) && *done) {
        spdlog::info("[conn {}][MN {}] command {} {}{}{}", id_, EscapeForLog(session_.mn()),
                     e.command_id, e.status, e.code.empty() ? "" : " ", EscapeForLog(e.code));
        if (gw_.events_ && !e.recovery)
          gw_.events_->CommandEnded(session_.mn(), e.command_id, e.cn, e.status, e.code);
      }
    }
  }

  void Send(std::string frame) {
    if (closed_) return;
    pending_output_ += frame.size();
    if (pending_output_ > gw_.options_.max_pending_output) {
      gw_.counters_->closed_output->Add();
      spdlog::warn("[conn {}][MN {}] {} bytes of replies unsent, closing", id_, session_.mn(),
                   pending_output_);
      DoClose();
      return;
    }
    outq_.push_back(std::move(frame));
    if (outq_.size() == 1) Write();
  }

  void Write() {
    asio::async_write(socket_, asio::buffer(outq_.front()),
                      asio::bind_executor(strand_, [self = shared_from_this()](
                                                       boost::system::error_code ec, size_t) {
                        self->pending_output_ -= self->outq_.front().size();
                        self->outq_.pop_front();
                        if (ec) return self->DoClose();
                        if (!self->outq_.empty()) self->Write();
                      }));
  }

  tcp::socket socket_;
  asio::strand<asio::any_io_executor> strand_;
  asio::steady_timer idle_timer_, tick_timer_, throttle_timer_, first_frame_timer_;
  Gateway& gw_;
  const Clock& clock_;
  std::shared_ptr<std::atomic<bool>> stopped_;
  std::shared_ptr<GatewayGuard> guard_;
  uint64_t id_;
  Gauge* open_gauge_;
  std::string address_;  // the peer's IP, as the guard counts it
  std::string peer_;     // address:port, for logs and raw packets
  hj212::Framer framer_;
  Session session_;
  std::unique_ptr<std::array<char, 4096>> buf_;
  std::deque<std::string> outq_;
  size_t pending_output_ = 0;
  double tokens_;
  double last_refill_;  // steady seconds
  bool closed_ = false;
  bool valid_ = false;  // a frame was accepted from an authenticated device
  ConnectionBudget budget_;
  std::string status_mn_;    // the MN this connection counts as connected on the board
  std::string commands_mn_;  // the MN this connection receives commands for

  friend class Gateway;
};

// Connections alive, for Stop(), and the connection of each device, for commands.
// Weak so a closed connection frees itself.
struct Gateway::ConnectionList {
  std::mutex mu;
  std::list<std::weak_ptr<Gateway::Connection>> items;
  std::unordered_map<std::string, std::weak_ptr<Gateway::Connection>> by_mn;
};

void Gateway::Register(const std::string& mn, std::weak_ptr<Connection> conn) {
  std::lock_guard lock(conns_->mu);
  conns_->by_mn[mn] = std::move(conn);
}

void Gateway::Unregister(const std::string& mn, const Connection* conn) {
  if (mn.empty()) return;
  std::lock_guard lock(conns_->mu);
  auto it = conns_->by_mn.find(mn);
  if (it == conns_->by_mn.end()) return;
  auto held = it->second.lock();
  if (!held || held.get() == conn) conns_->by_mn.erase(it);
}

void Gateway::Deliver(const control::Command& c) {
  std::shared_ptr<Connection> conn;
  {
    std::lock_guard lock(conns_->mu);
    auto it = conns_->by_mn.find(c.mn);
    if (it != conns_->by_mn.end()) conn = it->second.lock();
  }
  if (conn) conn->DeliverCommand(c);
}

void Gateway::Sweep() {
  sweep_timer_.expires_after(options_.command_sweep);
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_->load()) return;
    UnixSeconds now = clock_.WallSeconds();
    auto expired = commands_->Expire(now - options_.command_ttl.count(), now);
    if (!expired.ok()) spdlog::warn("commands: expiring: {}", expired.status().ToString());
    if (expired.ok() && *expired > 0)
      spdlog::info("commands: {} expired, their devices not connected", *expired);
    auto abandoned = commands_->Abandon(now - options_.command_abandon.count(), now);
    if (!abandoned.ok()) spdlog::warn("commands: abandoning: {}", abandoned.status().ToString());
    if (abandoned.ok() && *abandoned > 0)
      spdlog::warn("commands: {} sent without an answer for {} s, now timed out (abandoned)",
                   *abandoned, options_.command_abandon.count());
    auto queued = commands_->Queued(1000);
    if (!queued.ok()) {
      spdlog::warn("commands: queued: {}", queued.status().ToString());
    } else {
      for (const auto& c : *queued) Deliver(c);
    }
    Sweep();
  });
}

Gateway::Gateway(asio::io_context& io, const GatewayOptions& options,
                 const registry::Registry& registry, store::Writer& writer, Metrics& metrics,
                 const Clock& clock)
    : io_(io),
      options_(options),
      registry_(registry),
      writer_(writer),
      metrics_(metrics),
      clock_(clock),
      acceptor_(io),
      accept_timer_(io),
      report_timer_(io),
      sweep_timer_(io),
      guard_(std::make_shared<GatewayGuard>(options.guard, clock, metrics)),
      counters_(std::make_unique<Counters>(metrics)),
      stopped_(std::make_shared<std::atomic<bool>>(false)),
      conns_(std::make_unique<ConnectionList>()) {}

Gateway::~Gateway() { Stop(); }

Result<uint16_t> Gateway::Start() {
  auto port = Listen(acceptor_, options_.listen_host, options_.listen_port, "gateway");
  if (!port.ok()) return port;
  Accept();
  Report();
  if (commands_) Sweep();
  return port;
}

void Gateway::Report() {
  report_timer_.expires_after(options_.guard.report_every);
  report_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_->load()) return;
    guard_->Report();
    Report();
  });
}

void Gateway::Accept() {
  acceptor_.async_accept(
      asio::make_strand(io_), [this](boost::system::error_code ec, tcp::socket socket) {
        if (ec) {
          if (ec == asio::error::operation_aborted || stopped_->load()) return;
          return AcceptFailed(ec);
        }
        if (accept_pause_ms_ > 0) {
          spdlog::info("gateway: accepting again after {} failed accepts", accept_errors_);
          accept_pause_ms_ = 0;
          accept_errors_ = 0;
        }
        Admit(std::move(socket));
        Accept();
      });
}

void Gateway::AcceptFailed(const boost::system::error_code& ec) {
  // Out of file descriptors (EMFILE/ENFILE) and the like: retrying at once would
  // spin and log per attempt. Pause 100 ms, doubling to 1 s while it lasts; one log
  // line per episode.
  counters_->accept_errors->Add();
  ++accept_errors_;
  if (accept_pause_ms_ == 0) {
    spdlog::warn("gateway accept: {}; pausing accepts until it clears", ec.message());
    accept_pause_ms_ = 100;
  } else {
    accept_pause_ms_ = std::min<int64_t>(2 * accept_pause_ms_, 1000);
  }
  accept_timer_.expires_after(std::chrono::milliseconds(accept_pause_ms_));
  accept_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !stopped_->load()) Accept();
  });
}

void Gateway::Admit(tcp::socket socket) {
  static std::atomic<uint64_t> next_id{1};
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  std::string address = ec ? "?" : AddressOf(ep.address());
  if (connections() >= options_.max_connections) {
    counters_->refused->Add();
    socket.close(ec);
    return;
  }
  if (guard_->OnConnect(address) != GatewayGuard::Admit::kOpen) {
    // Closed without a word: a refused address learns nothing from the answer.
    socket.close(ec);
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  counters_->accepted->Add();
  auto conn = std::make_shared<Connection>(std::move(socket), *this, next_id++, address);
  {
    auto& list = *conns_;
    std::lock_guard lock(list.mu);
    // Drop dead entries now and then so the list does not grow without bound.
    if (list.items.size() > 2 * static_cast<size_t>(counters_->open->value()) + 64)
      list.items.remove_if([](auto& w) { return w.expired(); });
    list.items.push_back(conn);
  }
  conn->Start();
}

void Gateway::Stop() {
  if (stopped_->exchange(true)) return;
  boost::system::error_code ec;
  acceptor_.close(ec);
  accept_timer_.cancel();
  report_timer_.cancel();
  sweep_timer_.cancel();
  auto& list = *conns_;
  std::lock_guard lock(list.mu);
  for (auto& w : list.items)
    if (auto c = w.lock()) c->Close();
  list.items.clear();
}

size_t Gateway::connections() const {
  return static_cast<size_t>(std::max<int64_t>(0, counters_->open->value()));
}

}  // namespace ecohub::ingest
