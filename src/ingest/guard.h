// GatewayGuard: the gateway's limits against whoever is not a device.
//
// The HJ 212 gateway answers the whole network, and a wrong password costs an
// attacker nothing but a frame. The guard keeps, per source address, per registered
// MN and per connection, what it takes to make guessing slow and flooding cheap:
//
// - authentication failures (unknown MN, wrong password) in sliding windows: an
//   address with too many is shut out for a back-off (its connection closed, new
//   ones closed at accept), doubled on repeat; a connection with a few is closed;
//   an MN with too many from anywhere has its wrong-password frames dropped unseen;
// - open connections per address (addresses many devices share are exempt);
// - how many rejected frames are kept in raw packets and how many are logged one by
//   one; the rest are counted and summarised once per reporting window (Report).
//
// Good traffic never meets a limit: only failures and rejections are counted, and
// the per-address connection cap exempts shared addresses.
//
// Time is read only from the Clock (steady seconds for windows, wall time for the
// reports), so tests drive every window with a ManualClock.
//
// Thread-safety: every method may be called from any thread (one mutex, taken for
// accepts, closes, failures and rejections only: never for an accepted frame).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "ingest/security_events.h"

namespace ecohub::ingest {

struct GuardOptions {
  // An address with this many authentication failures within address_window is
  // refused for `backoff`, doubled when it is refused again within backoff_max of
  // the end of the last refusal, at most backoff_max.
  int address_max_auth_failures = 10;
  std::chrono::seconds address_window{60};
  std::chrono::seconds backoff{300};
  std::chrono::seconds backoff_max{3600};
  // A connection is closed at this many failures (a misconfigured logger reconnects).
  int connection_max_auth_failures = 5;
  // A registered MN with this many failures within mn_window, from any address: its
  // frames with a wrong password are dropped unseen (not kept, not logged one by
  // one) while that lasts. Its right password keeps working.
  int mn_max_auth_failures = 20;
  std::chrono::seconds mn_window{600};
  // Open connections per address beyond which new ones are closed at accept (0: no
  // cap). Addresses in shared_addresses are exempt: many real devices can share one
  // (a carrier's NAT, a protocol converter, the simulator and benches on loopback).
  size_t max_connections_per_address = 50;
  std::vector<std::string> shared_addresses = {"127.0.0.1", "::1"};
  // Rejected frames kept in raw packets: at most raw_rejected_per_connection per
  // connection, raw_rejected_per_address per address per raw_rejected_window and
  // raw_rejected_per_minute in all. Beyond, they are counted only.
  int raw_rejected_per_connection = 10;
  int raw_rejected_per_address = 20;
  std::chrono::seconds raw_rejected_window{600};
  int raw_rejected_per_minute = 600;
  // Rejected frames logged one by one: the first few per connection and at most
  // log_rejected_per_report per reporting window; the rest in one summary line.
  int log_rejected_per_connection = 3;
  int log_rejected_per_report = 100;
  // How often failures, suppressed log lines and refused readings are summarised.
  std::chrono::seconds report_every{60};
};

// What the guard keeps of one connection; owned by the connection.
struct ConnectionBudget {
  int auth_failures = 0;
  int raw_kept = 0;
  int logged = 0;
};

class GatewayGuard {
 public:
  GatewayGuard(const GuardOptions& options, const Clock& clock, Metrics& metrics);

  enum class Admit { kOpen, kBlocked, kOverAddressCap };
  // At accept. kOpen counts the connection against `address` until OnDisconnect;
  // otherwise the caller closes it at once (the refusal is counted here).
  Admit OnConnect(const std::string& address);
  void OnDisconnect(const std::string& address);

  struct AuthDecision {
    bool close = false;   // close the connection: its address or itself failed too often
    bool silent = false;  // the MN is under attack: neither keep nor log this frame
  };
  // An authentication failure of `mn` (`registered`: a known device, wrong password).
  AuthDecision OnAuthFailure(const std::string& address, const std::string& mn, bool registered,
                             ConnectionBudget* conn);

  // Whether a rejected frame from `address` may be kept in raw packets (counted
  // against the budgets when true, counted as not kept when false).
  bool KeepRejected(const std::string& address, ConnectionBudget* conn);
  // Whether a rejected frame may be logged one by one (else counted for the summary).
  bool LogRejected(ConnectionBudget* conn);
  // `count` readings of `mn` refused for `reason`: true for the first refusal of the
  // MN in this reporting window (log it); the others go in the summary.
  bool NoteRefused(const std::string& mn, std::string_view reason, size_t count);

  // Ends a reporting window: one log line per (MN, address) with authentication
  // failures (and the same to the SecurityEvents), one for suppressed log lines, one
  // per MN with more refused readings than were logged; forgets what has expired.
  void Report();

  // Where failures and refused addresses are reported besides the log (optional;
  // set before the first connection, outlives the guard).
  void SetSecurityEvents(SecurityEvents* events) { events_ = events; }

  // For tests and /metrics: whether `address` is refused now; open connections of it.
  bool Blocked(const std::string& address) const;
  size_t OpenConnections(const std::string& address) const;

 private:
  // The times (steady seconds) of the last few events of one kind.
  struct Recent {
    std::deque<double> times;
    // Adds one at `now`; true when the last `limit` all fall within `window`.
    bool Add(double now, int limit, double window);
  };
  struct Address {
    size_t open = 0;
    Recent failures;
    double blocked_until = 0;
    double last_backoff = 0;  // seconds of the last refusal, 0 when never refused
    int raw_kept = 0;
    double raw_window_start = 0;
  };
  struct Mn {
    Recent failures;
    double warned_at = -1e18;
  };
  struct Failures {
    int64_t count = 0;
    bool registered = false;
    UnixMillis first = 0, last = 0;
  };
  struct Refused {
    int64_t logged = 0, count = 0;
    std::map<std::string, int64_t, std::less<>> by_reason;
  };

  // Starts refusing `a`; returns the refusal's length in seconds.
  int64_t Block(const std::string& address, Address& a, double now);
  void Prune(double now);
  bool Shared(const std::string& address) const;

  const GuardOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Address> addresses_;
  std::unordered_map<std::string, Mn> mns_;  // registered MNs with recent failures
  std::map<std::pair<std::string, std::string>, Failures> failures_;  // (MN, address)
  int64_t failures_untracked_ = 0;  // beyond the summary's key cap
  std::map<std::string, Refused, std::less<>> refused_;
  int64_t log_lines_ = 0, log_suppressed_ = 0;
  int raw_this_minute_ = 0;
  double raw_minute_start_ = 0;
  SecurityEvents* events_ = nullptr;

  Counter *blocked_, *refused_blocked_, *refused_cap_, *closed_auth_, *mn_dropped_, *not_kept_,
      *log_suppressed_total_;
};

}  // namespace ecohub::ingest
