#include "app/simulator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <random>

#include "app/demo_city.h"
#include "core/time.h"
#include "hj212/builder.h"
#include "hj212/framer.h"
#include "hj212/packet.h"

namespace ecohub::app {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Pending {
  std::string frame;               // exact bytes, resent as is
  std::vector<std::string> lines;  // acked-log lines for its readings
  Clock::time_point sent_at;
  bool corrupt_first = false;  // first transmission went out with a bad CRC
  bool resent = false;         // its ack latency is not the first transmission's
};

class Sim;

class Device : public std::enable_shared_from_this<Device> {
 public:
  Device(Sim& sim, asio::io_context& io, int index);
  void Start(Clock::time_point first_tick);
  void Stop();
  bool Idle() const { return pending_.empty(); }
  size_t unacked() const { return pending_.size(); }

 private:
  void Connect();
  void ScheduleReconnect();
  void OnConnected();
  void Read();
  void OnFrame(std::string_view segment);
  void Tick();
  void CheckResends();
  void Upload(std::string_view cn, int64_t data_time, const std::vector<hj212::Field>& values,
              std::vector<std::string> lines, int pnum = 0, int pno = 0);
  void Send(std::string bytes);
  void Write();
  std::string NextQn();
  void SendMinute(int64_t start, int64_t step, std::string_view cn);
  void AnswerHistory(const hj212::Packet& p, std::string_view cn);
  void AnswerCommand(const hj212::Packet& p, std::string_view cn);
  bool Skipping() const;

  Sim& sim_;
  asio::io_context& io_;
  int index_;
  size_t gateway_;  // which of the simulator's gateways, modulo their number
  std::string mn_, pw_, st_;
  const DemoSite& site_;
  tcp::socket socket_;
  asio::steady_timer tick_timer_, resend_timer_, reconnect_timer_;
  bool connected_ = false, connecting_ = false, stopped_ = false;
  std::array<char, 4096> buf_;
  hj212::Framer framer_;
  std::deque<std::string> outq_;
  std::map<uint64_t, std::string> order_;   // send order -> QN
  std::map<std::string, Pending> pending_;  // by QN
  uint64_t seq_ = 0;
  int64_t last_qn_ms_ = 0;
  int64_t vt_;  // virtual time of the next realtime upload
  int64_t tick_ = 0;
  int64_t rtd_interval_;       // virtual seconds between realtime uploads (1061/1062)
  int64_t min_interval_ = 10;  // minutes between minute records (1063/1064)
  int64_t clock_offset_ = 0;   // the logger's clock minus the host's, seconds (1011/1012)
  std::mt19937_64 rng_;
  Clock::time_point next_tick_;
};

class Sim {
 public:
  Sim(const SimOptions& o, const DemoCity& c) : options(o), city(c) {
    endpoints.emplace_back(asio::ip::make_address(o.host), o.port);
    for (const auto& [host, port] : o.more_gateways)
      endpoints.emplace_back(asio::ip::make_address(host), port);
    if (!o.acked_log.empty()) {
      log = std::fopen(o.acked_log.c_str(), "a");
      if (!log) spdlog::error("sim: cannot open {}", o.acked_log);
    }
    step = std::max(30.0, o.interval_seconds);
    double compression = step / o.interval_seconds;
    // Virtual time runs `compression` times faster than real time and reaches real
    // time when the run ends, so no device reports from the future.
    int64_t lead = static_cast<int64_t>(o.duration_seconds * (compression - 1));
    vt_start = (WallMillis() / 1000 - lead) / 30 * 30;
  }
  ~Sim() {
    if (log) std::fclose(log);
  }

  void Acked(const Pending& p) {
    const std::vector<std::string>& lines = p.lines;
    ++summary.packets_acked;
    summary.readings_acked += lines.size();
    auto now = Clock::now();
    if (!p.resent && now >= start_time + std::chrono::microseconds(
                                             static_cast<int64_t>(options.warmup_seconds * 1e6)))
      latencies_micros.push_back(static_cast<uint32_t>(std::min<int64_t>(
          UINT32_MAX,
          std::chrono::duration_cast<std::chrono::microseconds>(now - p.sent_at).count())));
    if (!log) return;
    for (const auto& l : lines) std::fputs(l.c_str(), log);
    std::fflush(log);
  }

  SimOptions options;
  const DemoCity& city;
  std::vector<tcp::endpoint> endpoints;
  std::FILE* log = nullptr;
  double step;
  int64_t vt_start;
  Clock::time_point start_time, end_time;
  bool generating = true;
  SimSummary summary;
  std::vector<uint32_t> latencies_micros;  // see SimSummary::acks_timed
};

Device::Device(Sim& sim, asio::io_context& io, int index)
    : sim_(sim),
      io_(io),
      index_(index),
      gateway_(static_cast<size_t>(index)),
      mn_(DemoMn(index)),
      pw_(DemoPassword(index)),
      site_(DemoSiteOfDevice(sim.city, index)),
      socket_(io),
      tick_timer_(io),
      resend_timer_(io),
      reconnect_timer_(io),
      vt_(sim.vt_start - (sim.options.stagger ? index % static_cast<int64_t>(3600 / sim.step + 1) *
                                                    static_cast<int64_t>(sim.step)
                                              : 0)),
      rtd_interval_(static_cast<int64_t>(sim.step)),
      rng_(sim.options.seed * 1000003 + index) {
  st_ = site_.st;
}

void Device::Start(Clock::time_point first_tick) {
  next_tick_ = first_tick;
  Connect();
  tick_timer_.expires_at(next_tick_);
  tick_timer_.async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->Tick();
  });
  CheckResends();
}

void Device::Stop() {
  stopped_ = true;
  boost::system::error_code ec;
  socket_.close(ec);
  tick_timer_.cancel();
  resend_timer_.cancel();
  reconnect_timer_.cancel();
}

void Device::Connect() {
  if (stopped_ || connecting_) return;
  connecting_ = true;
  socket_ = tcp::socket(io_);
  const tcp::endpoint& to = sim_.endpoints[gateway_ % sim_.endpoints.size()];
  socket_.async_connect(to, [self = shared_from_this()](boost::system::error_code ec) {
    self->connecting_ = false;
    if (ec) return self->ScheduleReconnect();
    self->OnConnected();
  });
}

void Device::ScheduleReconnect() {
  if (stopped_) return;
  connected_ = false;
  ++gateway_;  // the next gateway, when there are several
  outq_.clear();
  boost::system::error_code ignore;
  socket_.close(ignore);
  std::uniform_int_distribution<int> backoff(300, 1500);
  reconnect_timer_.expires_after(std::chrono::milliseconds(backoff(rng_)));
  reconnect_timer_.async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->Connect();
  });
}

void Device::OnConnected() {
  connected_ = true;
  if (seq_ > 0) ++sim_.summary.reconnects;
  framer_ = hj212::Framer();
  boost::system::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  // A logger resends what was not answered, in order, after it reconnects.
  for (auto& [s, qn] : order_) {
    auto it = pending_.find(qn);
    if (it == pending_.end()) continue;
    it->second.sent_at = Clock::now();
    it->second.resent = true;
    ++sim_.summary.resends;
    Send(it->second.frame);
  }
  Read();
}

void Device::Read() {
  socket_.async_read_some(
      asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
        if (ec) {
          if (!self->stopped_) self->ScheduleReconnect();
          return;
        }
        self->framer_.Feed(
            std::string_view(self->buf_.data(), n),
            [&](std::string_view segment, std::string_view) { self->OnFrame(segment); },
            [&](hj212::Error, std::string_view) {});
        self->Read();
      });
}

std::string Device::NextQn() {
  int64_t ms = WallMillis();
  if (ms <= last_qn_ms_) ms = last_qn_ms_ + 1;
  last_qn_ms_ = ms;
  return FormatQn(ms);
}

void Device::Send(std::string bytes) {
  if (!connected_) return;
  outq_.push_back(std::move(bytes));
  if (outq_.size() == 1) Write();
}

void Device::Write() {
  asio::async_write(socket_, asio::buffer(outq_.front()),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      if (ec) return;  // the read side notices and reconnects
                      if (!self->outq_.empty()) self->outq_.pop_front();
                      if (!self->outq_.empty()) self->Write();
                    });
}

void Device::Upload(std::string_view cn, int64_t data_time, const std::vector<hj212::Field>& values,
                    std::vector<std::string> lines, int pnum, int pno) {
  std::string qn = NextQn();
  std::vector<hj212::Field> header = {{"QN", qn},  {"ST", st_}, {"CN", std::string(cn)},
                                      {"PW", pw_}, {"MN", mn_}, {"Flag", pnum ? "7" : "5"}};
  if (pnum) {
    header.push_back({"PNUM", std::to_string(pnum)});
    header.push_back({"PNO", std::to_string(pno)});
  }
  std::vector<hj212::Field> cp = {{"DataTime", FormatCompactLocal(data_time)}};
  cp.insert(cp.end(), values.begin(), values.end());
  std::string frame = hj212::Frame(hj212::BuildSegment(header, cp));
  Pending p{frame, std::move(lines), Clock::now(), false};
  std::uniform_real_distribution<double> u(0, 1);
  if (sim_.options.faults && u(rng_) < 0.005) Send("\r\n##garbage!" + std::string("\x01\x02", 2));
  if (sim_.options.faults && u(rng_) < 0.01) {
    // Corrupt one CRC digit on the first transmission; the resend is correct.
    std::string bad = frame;
    bad[bad.size() - 3] = bad[bad.size() - 3] == '0' ? '1' : '0';
    p.corrupt_first = true;
    Send(bad);
  } else {
    Send(frame);
  }
  ++sim_.summary.packets_sent;
  order_[seq_++] = qn;
  pending_.emplace(qn, std::move(p));
}

void Device::SendMinute(int64_t start, int64_t step, std::string_view cn) {
  // Interval statistics from the realtime values of the interval.
  std::vector<hj212::Field> values;
  std::vector<std::string> lines;
  std::uniform_real_distribution<double> u(0, 1);
  std::string dt = FormatCompactLocal(start);
  for (const auto& f : site_.factors) {
    double sum = 0, mn = 1e300, mx = -1e300;
    int n = 0;
    for (int64_t t = start; t < start + step; t += std::max<int64_t>(30, step / 12)) {
      double v = std::atof(SimulatedValue(f, mn_, t, sim_.options.seed).c_str());
      sum += v;
      mn = std::min(mn, v);
      mx = std::max(mx, v);
      ++n;
    }
    char buf[64];
    auto fmt = [&](double v) {
      std::snprintf(buf, sizeof buf, "%.*f", f.decimals, v);
      return std::string(buf);
    };
    std::string flag = "N";
    if (sim_.options.faults && u(rng_) < 0.02) flag = std::string(1, "MDCTF"[rng_() % 5]);
    std::vector<std::pair<std::string, std::string>> kv = {
        {"Avg", fmt(sum / n)}, {"Min", fmt(mn)}, {"Max", fmt(mx)}};
    // The period's volume in m³ (HJ 212-2017 Table B.1/B.2): waste-water flow is sent
    // in L/s, flue-gas flow in m³/s.
    if (std::string_view(f.code) == "w00000")
      kv.push_back({"Cou", fmt(sum / n * static_cast<double>(step) / 1000)});
    if (std::string_view(f.code) == "a00000")
      kv.push_back({"Cou", fmt(sum / n * static_cast<double>(step))});
    for (auto& [field, v] : kv) {
      values.push_back({std::string(f.code) + "-" + field, v});
      lines.push_back(mn_ + "," + std::string(cn) + "," + dt + "," + f.code + "," + field + "," +
                      v + "\n");
    }
    values.push_back({std::string(f.code) + "-Flag", flag});
  }
  if (sim_.options.faults && cn == "2061" && values.size() > 8) {
    // Split an hourly record in two self-contained parts (HJ 212-2017 C.49/C.50).
    size_t half = values.size() / 2;
    while (half < values.size() && values[half - 1].key.find("-Flag") == std::string::npos) ++half;
    size_t line_half = 0;
    for (size_t i = 0; i < half; ++i)
      if (values[i].key.find("-Flag") == std::string::npos) ++line_half;
    Upload(cn, start, {values.begin(), values.begin() + half},
           {lines.begin(), lines.begin() + line_half}, 2, 1);
    Upload(cn, start, {values.begin() + half, values.end()},
           {lines.begin() + line_half, lines.end()}, 2, 2);
    return;
  }
  Upload(cn, start, values, std::move(lines));
}

void Device::Tick() {
  if (stopped_ || !sim_.generating) return;
  bool silent = sim_.options.faults && index_ == 3 && sim_.options.devices > 5 &&
                Clock::now() > sim_.end_time - std::chrono::milliseconds(static_cast<int64_t>(
                                                   sim_.options.duration_seconds * 667));
  std::uniform_real_distribution<double> u(0, 1);
  if (!silent && Skipping()) {
    ++sim_.summary.records_skipped;
  } else if (!silent) {
    std::vector<hj212::Field> values;
    std::vector<std::string> lines;
    std::string dt = FormatCompactLocal(vt_);
    for (const auto& f : site_.factors) {
      std::string v = SimulatedValue(f, mn_, vt_, sim_.options.seed);
      std::string flag = "N";
      if (sim_.options.faults && u(rng_) < 0.02) flag = std::string(1, "MDCTF"[rng_() % 5]);
      values.push_back({std::string(f.code) + "-Rtd", v});
      values.push_back({std::string(f.code) + "-Flag", flag});
      lines.push_back(mn_ + ",2011," + dt + "," + f.code + ",Rtd," + v + "\n");
    }
    Upload("2011", vt_, values, std::move(lines));
    int64_t next = vt_ + rtd_interval_;
    // Interval data when the virtual clock crosses its boundary (DataTime = start).
    auto crossed = [&](int64_t step) { return FloorBeijing(next, step) > FloorBeijing(vt_, step); };
    int64_t minute = min_interval_ * 60;
    if (crossed(minute)) SendMinute(FloorBeijing(vt_, minute), minute, "2051");
    if (crossed(3600)) SendMinute(FloorBeijing(vt_, 3600), 3600, "2061");
    if (crossed(86400)) SendMinute(FloorBeijing(vt_, 86400), 86400, "2031");
    if (sim_.options.faults && connected_ && u(rng_) < 0.002) {
      // The link drops; the logger reconnects and resends what was not answered.
      boost::system::error_code ec;
      socket_.close(ec);
    }
  }
  vt_ += rtd_interval_;
  ++tick_;
  // A longer RtdInterval spaces the uploads in real time too: virtual time keeps
  // its pace and never runs ahead of the host's clock.
  next_tick_ += std::chrono::microseconds(static_cast<int64_t>(
      sim_.options.interval_seconds * 1e6 * static_cast<double>(rtd_interval_) / sim_.step));
  tick_timer_.expires_at(next_tick_);
  tick_timer_.async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->Tick();
  });
}

void Device::CheckResends() {
  if (stopped_) return;
  auto now = Clock::now();
  auto timeout =
      std::chrono::milliseconds(static_cast<int64_t>(sim_.options.ack_timeout_seconds * 1000));
  if (connected_) {
    for (auto& [s, qn] : order_) {
      auto it = pending_.find(qn);
      if (it == pending_.end() || now - it->second.sent_at < timeout) continue;
      it->second.sent_at = now;
      it->second.resent = true;
      ++sim_.summary.resends;
      Send(it->second.frame);
    }
  }
  resend_timer_.expires_after(std::chrono::milliseconds(500));
  resend_timer_.async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->CheckResends();
  });
}

void Device::AnswerHistory(const hj212::Packet& p, std::string_view cn) {
  auto begin = p.Cp("BeginTime"), end = p.Cp("EndTime");
  std::optional<int64_t> b, e;
  if (begin) b = ParseCompactLocal(*begin);
  if (end) e = ParseCompactLocal(*end);
  int64_t step = cn == "2061" ? 3600 : cn == "2051" ? min_interval_ * 60 : 86400;
  int records = 0;
  if (b && e && *e >= *b)
    for (int64_t t = FloorBeijing(*b, step); t <= *e && records < 48; t += step, ++records)
      SendMinute(t, step, cn);
}

bool Device::Skipping() const {
  if (sim_.options.skip_seconds <= 0) return false;
  double elapsed = std::chrono::duration<double>(Clock::now() - sim_.start_time).count();
  return elapsed >= sim_.options.skip_from_seconds &&
         elapsed < sim_.options.skip_from_seconds + sim_.options.skip_seconds;
}

void Device::AnswerCommand(const hj212::Packet& p, std::string_view cn) {
  static constexpr std::string_view kHandled[] = {"1011", "1012", "1061", "1062", "1063", "1064",
                                                  "3020", "3021", "2031", "2051", "2061"};
  if (std::find(std::begin(kHandled), std::end(kHandled), cn) == std::end(kHandled)) return;
  // Host request: 9011 "ready", the data where there is some, then 9012 "done"
  // (HJ 212-2017 §6.5.1).
  std::string q(p.Header("QN").value_or(""));
  auto send = [&](std::string_view rcn, const char* st, std::vector<hj212::Field> cp) {
    std::vector<hj212::Field> h = {{"QN", q},   {"ST", st},  {"CN", std::string(rcn)},
                                   {"PW", pw_}, {"MN", mn_}, {"Flag", "4"}};
    Send(hj212::Frame(hj212::BuildSegment(h, cp)));
  };
  bool history = cn == "2031" || cn == "2051" || cn == "2061";
  auto listed = [&](const std::vector<int>& v) {
    return std::find(v.begin(), v.end(), index_) != v.end();
  };
  if (!history && cn != "1012") {
    if (listed(sim_.options.ignoring_devices)) return void(++sim_.summary.commands_ignored);
    if (listed(sim_.options.refusing_devices)) {
      send("9011", "91", {{"QnRtn", "2"}});
      return void(++sim_.summary.commands_refused);
    }
  }
  send("9011", "91", {{"QnRtn", "1"}});
  std::string rtn = "1";
  auto number = [&](const char* key, int64_t* out) {
    auto v = p.Cp(key);
    return v && std::from_chars(v->data(), v->data() + v->size(), *out).ec == std::errc();
  };
  if (cn == "1011") {
    send("1011", "32", {{"SystemTime", FormatCompactLocal(WallMillis() / 1000 + clock_offset_)}});
  } else if (cn == "1012") {
    if (auto t = ParseCompactLocal(p.Cp("SystemTime").value_or("")))
      clock_offset_ = *t - WallMillis() / 1000;
  } else if (cn == "1061") {
    send("1061", "32", {{"RtdInterval", std::to_string(rtd_interval_)}});
  } else if (cn == "1062") {
    int64_t v = 0;
    if (number("RtdInterval", &v) && v >= 30 && v <= 3600)
      rtd_interval_ = v;
    else
      rtn = "3";  // request condition error
  } else if (cn == "1063") {
    send("1063", "32", {{"MinInterval", std::to_string(min_interval_)}});
  } else if (cn == "1064") {
    int64_t v = 0;
    if (number("MinInterval", &v) && v >= 1 && v <= 30 && 60 % v == 0)
      min_interval_ = v;
    else
      rtn = "3";
  } else if (cn == "3020") {
    // A parameter of the instrument (HJ 212-2017 table B.3: i13xxx are parameters).
    std::string info(p.Cp("InfoId").value_or("i13004"));
    send("3020", "32",
         {{"DataTime", FormatCompactLocal(WallMillis() / 1000)},
          {"PolId", std::string(p.Cp("PolId").value_or(""))},
          {info + "-Info", "1.0"}});
  } else if (history) {
    AnswerHistory(p, cn);
  }
  send("9012", "91", {{"ExeRtn", rtn}});
  ++sim_.summary.requests_answered;
}

void Device::OnFrame(std::string_view segment) {
  hj212::Packet p;
  if (hj212::ParsePacket(segment, &p, {}, framer_.tokens()) != hj212::Error::kNone) return;
  auto cn = p.Header("CN");
  auto qn = p.Header("QN");
  if (!cn) return;
  if (*cn == "9014") {
    std::string q(qn ? *qn : p.Cp("QN").value_or(""));
    auto it = pending_.find(q);
    if (it == pending_.end()) return;
    sim_.Acked(it->second);
    for (auto o = order_.begin(); o != order_.end(); ++o)
      if (o->second == q) {
        order_.erase(o);
        break;
      }
    pending_.erase(it);
    return;
  }
  AnswerCommand(p, *cn);
}

}  // namespace

SimSummary RunSimulator(const SimOptions& options, const DemoCity& city) {
  asio::io_context io;
  Sim sim(options, city);
  auto start = Clock::now();
  sim.start_time = start;
  sim.end_time =
      start + std::chrono::milliseconds(static_cast<int64_t>(options.duration_seconds * 1000));
  std::vector<std::shared_ptr<Device>> devices;
  std::mt19937_64 rng(options.seed);
  for (int i = 0; i < options.devices; ++i) {
    auto d = std::make_shared<Device>(sim, io, options.first_device + i);
    // Spread the first uploads over one interval so devices do not send in lockstep.
    auto offset = std::chrono::microseconds(static_cast<int64_t>(
        std::uniform_real_distribution<double>(0, options.interval_seconds * 1e6)(rng)));
    d->Start(start + offset);
    devices.push_back(d);
  }
  asio::steady_timer watch(io);
  std::function<void()> check = [&] {
    auto now = Clock::now();
    if (now >= sim.end_time) sim.generating = false;
    bool all_idle = true;
    for (auto& d : devices) all_idle = all_idle && d->Idle();
    bool drained = now >= sim.end_time + std::chrono::milliseconds(
                                             static_cast<int64_t>(options.drain_seconds * 1000));
    if (!sim.generating && (all_idle || drained)) {
      for (auto& d : devices) {
        sim.summary.unacked_left += d->unacked();
        d->Stop();
      }
      return;
    }
    watch.expires_after(std::chrono::milliseconds(100));
    watch.async_wait([&](auto ec) {
      if (!ec) check();
    });
  };
  check();
  io.run();
  auto& l = sim.latencies_micros;
  sim.summary.acks_timed = l.size();
  if (!l.empty()) {
    std::sort(l.begin(), l.end());
    auto rank = [&](double q) {
      size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(l.size())));
      return static_cast<double>(l[std::clamp<size_t>(i, 1, l.size()) - 1]) / 1000;
    };
    sim.summary.ack_p50_ms = rank(0.5);
    sim.summary.ack_p99_ms = rank(0.99);
    sim.summary.ack_p999_ms = rank(0.999);
    sim.summary.ack_max_ms = static_cast<double>(l.back()) / 1000;
  }
  return sim.summary;
}

}  // namespace ecohub::app
