#include "ingest/guard.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/escape.h"

namespace ecohub::ingest {
namespace {

// Distinct (MN, address) pairs summarised per window; beyond, failures are only
// totalled (a scanner varying the MN must not grow the map without bound).
constexpr size_t kMaxFailureKeys = 4096;
constexpr size_t kMaxRefusedKeys = 4096;

double Seconds(std::chrono::seconds s) { return static_cast<double>(s.count()); }

}  // namespace

bool GatewayGuard::Recent::Add(double now, int limit, double window) {
  times.push_back(now);
  while (times.size() > static_cast<size_t>(std::max(limit, 1))) times.pop_front();
  return static_cast<int>(times.size()) >= limit && now - times.front() <= window;
}

GatewayGuard::GatewayGuard(const GuardOptions& options, const Clock& clock, Metrics& metrics)
    : options_(options),
      clock_(clock),
      blocked_(metrics.counter("ecohub_gateway_addresses_blocked_total",
                               "Addresses refused for a back-off after authentication failures")),
      refused_blocked_(metrics.counter("ecohub_gateway_connections_blocked_total",
                                       "Connections closed at accept: address in back-off")),
      refused_cap_(metrics.counter("ecohub_gateway_connections_address_cap_total",
                                   "Connections closed at accept: too many from one address")),
      closed_auth_(metrics.counter("ecohub_gateway_connections_auth_closed_total",
                                   "Connections closed after authentication failures")),
      mn_dropped_(metrics.counter("ecohub_gateway_auth_dropped_total",
                                  "Wrong-password frames dropped unseen: MN under attack")),
      not_kept_(metrics.counter("ecohub_gateway_rejected_not_kept_total",
                                "Rejected frames counted but not kept in raw packets")),
      log_suppressed_total_(
          metrics.counter("ecohub_gateway_log_suppressed_total",
                          "Rejected frames not logged one by one (summarised per window)")) {}

bool GatewayGuard::Shared(const std::string& address) const {
  const auto& list = options_.shared_addresses;
  return std::find(list.begin(), list.end(), address) != list.end();
}

GatewayGuard::Admit GatewayGuard::OnConnect(const std::string& address) {
  double now = clock_.SteadySeconds();
  std::lock_guard lock(mu_);
  Address& a = addresses_[address];
  if (a.blocked_until > now) {
    refused_blocked_->Add();
    return Admit::kBlocked;
  }
  if (options_.max_connections_per_address > 0 && a.open >= options_.max_connections_per_address &&
      !Shared(address)) {
    refused_cap_->Add();
    return Admit::kOverAddressCap;
  }
  ++a.open;
  return Admit::kOpen;
}

void GatewayGuard::OnDisconnect(const std::string& address) {
  std::lock_guard lock(mu_);
  auto it = addresses_.find(address);
  if (it != addresses_.end() && it->second.open > 0) --it->second.open;
}

int64_t GatewayGuard::Block(const std::string& address, Address& a, double now) {
  double base = Seconds(options_.backoff), cap = Seconds(options_.backoff_max);
  bool repeat = a.last_backoff > 0 && now - a.blocked_until <= cap;
  a.last_backoff = repeat ? std::min(2 * a.last_backoff, cap) : std::min(base, cap);
  a.blocked_until = now + a.last_backoff;
  a.failures.times.clear();
  blocked_->Add();
  spdlog::warn("gateway: {} refused for {} s after {} authentication failures within {} s", address,
               static_cast<int64_t>(a.last_backoff), options_.address_max_auth_failures,
               options_.address_window.count());
  return static_cast<int64_t>(a.last_backoff);
}

GatewayGuard::AuthDecision GatewayGuard::OnAuthFailure(const std::string& address,
                                                       const std::string& mn, bool registered,
                                                       ConnectionBudget* conn) {
  double now = clock_.SteadySeconds();
  AuthDecision d;
  int64_t blocked_for = 0;
  {
    std::lock_guard lock(mu_);
    auto key = std::make_pair(mn, address);
    auto it = failures_.find(key);
    if (it == failures_.end() && failures_.size() < kMaxFailureKeys)
      it = failures_.emplace(key, Failures{}).first;
    if (it == failures_.end()) {
      ++failures_untracked_;
    } else {
      Failures& f = it->second;
      UnixMillis wall = clock_.WallMillis();
      if (f.count++ == 0) f.first = wall;
      f.last = wall;
      f.registered = registered;
    }

    Address& a = addresses_[address];
    if (a.blocked_until > now) {
      d.close = true;  // a connection opened before the refusal began
    } else if (a.failures.Add(now, options_.address_max_auth_failures,
                              Seconds(options_.address_window))) {
      blocked_for = Block(address, a, now);
      d.close = true;
    }
    if (++conn->auth_failures >= options_.connection_max_auth_failures) d.close = true;

    if (registered) {
      Mn& m = mns_[mn];
      if (m.failures.Add(now, options_.mn_max_auth_failures, Seconds(options_.mn_window))) {
        d.silent = true;
        mn_dropped_->Add();
        if (now - m.warned_at >= Seconds(options_.mn_window)) {
          m.warned_at = now;
          spdlog::warn(
              "gateway: MN {} had {} authentication failures within {} s: its wrong-password "
              "frames are dropped unseen (counted in ecohub_gateway_auth_dropped_total)",
              EscapeForLog(mn), options_.mn_max_auth_failures, options_.mn_window.count());
        }
      }
    }
  }
  if (d.close) closed_auth_->Add();
  if (blocked_for > 0 && events_)
    events_->AddressBlocked(address, blocked_for, options_.address_max_auth_failures);
  return d;
}

bool GatewayGuard::KeepRejected(const std::string& address, ConnectionBudget* conn) {
  double now = clock_.SteadySeconds();
  std::lock_guard lock(mu_);
  if (now - raw_minute_start_ >= 60) {
    raw_minute_start_ = now;
    raw_this_minute_ = 0;
  }
  Address& a = addresses_[address];
  if (now - a.raw_window_start >= Seconds(options_.raw_rejected_window)) {
    a.raw_window_start = now;
    a.raw_kept = 0;
  }
  if (conn->raw_kept >= options_.raw_rejected_per_connection ||
      a.raw_kept >= options_.raw_rejected_per_address ||
      raw_this_minute_ >= options_.raw_rejected_per_minute) {
    not_kept_->Add();
    return false;
  }
  ++conn->raw_kept;
  ++a.raw_kept;
  ++raw_this_minute_;
  return true;
}

bool GatewayGuard::LogRejected(ConnectionBudget* conn) {
  std::lock_guard lock(mu_);
  if (conn->logged >= options_.log_rejected_per_connection ||
      log_lines_ >= options_.log_rejected_per_report) {
    ++log_suppressed_;
    log_suppressed_total_->Add();
    return false;
  }
  ++conn->logged;
  ++log_lines_;
  return true;
}

bool GatewayGuard::NoteRefused(const std::string& mn, std::string_view reason, size_t count) {
  std::lock_guard lock(mu_);
  auto it = refused_.find(mn);
  if (it == refused_.end()) {
    if (refused_.size() >= kMaxRefusedKeys) return false;
    it = refused_.emplace(mn, Refused{}).first;
  }
  Refused& r = it->second;
  r.count += static_cast<int64_t>(count);
  r.by_reason[std::string(reason)] += static_cast<int64_t>(count);
  if (r.logged > 0) return false;
  r.logged = static_cast<int64_t>(count);
  return true;
}

void GatewayGuard::Report() {
  decltype(failures_) failures;
  decltype(refused_) refused;
  int64_t untracked = 0, suppressed = 0;
  {
    std::lock_guard lock(mu_);
    failures.swap(failures_);
    refused.swap(refused_);
    std::swap(untracked, failures_untracked_);
    std::swap(suppressed, log_suppressed_);
    log_lines_ = 0;
    Prune(clock_.SteadySeconds());
  }
  const int64_t window = options_.report_every.count();
  for (const auto& [key, f] : failures) {
    spdlog::warn("gateway: device authentication failures in the last {} s: MN {} from {}: {} ({})",
                 window, EscapeForLog(key.first), key.second, f.count,
                 f.registered ? "wrong password" : "unknown or disabled MN");
    if (events_)
      events_->DeviceAuthFailed(
          DeviceAuthFailures{key.first, key.second, f.count, f.registered, f.first, f.last});
  }
  if (untracked > 0)
    spdlog::warn("gateway: {} more device authentication failures in the last {} s (not itemised)",
                 untracked, window);
  if (suppressed > 0)
    spdlog::warn("gateway: {} rejected frames in the last {} s not logged one by one", suppressed,
                 window);
  for (const auto& [mn, r] : refused) {
    if (r.count <= r.logged) continue;
    std::string reasons;
    for (const auto& [reason, n] : r.by_reason)
      reasons += (reasons.empty() ? "" : ", ") + reason + " " + std::to_string(n);
    spdlog::warn("gateway: MN {}: {} readings refused in the last {} s ({})", EscapeForLog(mn),
                 r.count, window, reasons);
  }
}

void GatewayGuard::Prune(double now) {
  const double address_window = Seconds(options_.address_window);
  const double raw_window = Seconds(options_.raw_rejected_window);
  const double backoff_memory = Seconds(options_.backoff_max);
  std::erase_if(addresses_, [&](const auto& entry) {
    const Address& a = entry.second;
    bool failing = !a.failures.times.empty() && now - a.failures.times.back() <= address_window;
    bool remembered = a.last_backoff > 0 && now - a.blocked_until <= backoff_memory;
    bool budget = a.raw_kept > 0 && now - a.raw_window_start < raw_window;
    return a.open == 0 && !failing && !remembered && !budget;
  });
  const double mn_window = Seconds(options_.mn_window);
  std::erase_if(mns_, [&](const auto& entry) {
    const Mn& m = entry.second;
    return m.failures.times.empty() || now - m.failures.times.back() > mn_window;
  });
}

bool GatewayGuard::Blocked(const std::string& address) const {
  double now = clock_.SteadySeconds();
  std::lock_guard lock(mu_);
  auto it = addresses_.find(address);
  return it != addresses_.end() && it->second.blocked_until > now;
}

size_t GatewayGuard::OpenConnections(const std::string& address) const {
  std::lock_guard lock(mu_);
  auto it = addresses_.find(address);
  return it == addresses_.end() ? 0 : it->second.open;
}

}  // namespace ecohub::ingest
