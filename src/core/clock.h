// Clock: where every module reads the time.
//
// Wall time labels things (receive times, QNs, "now" of a report, token expiry,
// alarm deadlines); steady time measures intervals (rate limits, timeouts). Code
// that keeps a deadline takes a `const Clock&` instead of calling the system, so a
// test can move a ManualClock and see expiry, offline alarms or deadlines happen
// without sleeping.
//
// Thread-safety: every method of RealClock and ManualClock may be called from any
// thread; ManualClock's setters are atomic with respect to its readers.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/time.h"

namespace ecohub {

class Clock {
 public:
  virtual ~Clock() = default;
  // UTC milliseconds since the epoch.
  virtual UnixMillis WallMillis() const = 0;
  // A monotonic instant, in seconds from an arbitrary origin.
  virtual double SteadySeconds() const = 0;

  UnixSeconds WallSeconds() const { return WallMillis() / 1000; }
};

// The system's clocks. One process-wide instance: RealClock().
class SystemClock final : public Clock {
 public:
  UnixMillis WallMillis() const override { return ecohub::WallMillis(); }
  double SteadySeconds() const override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

const Clock& RealClock();

// A clock a test drives. Wall and steady time start where they are set and move
// only through Set/Advance; Advance moves both together.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixMillis wall_ms = 1'767'225'600'000 /* 2026-01-01 UTC */)
      : wall_ms_(wall_ms) {}
  UnixMillis WallMillis() const override { return wall_ms_.load(); }
  double SteadySeconds() const override { return steady_ms_.load() / 1000.0; }

  void SetWallMillis(UnixMillis ms) { wall_ms_.store(ms); }
  void SetWallSeconds(UnixSeconds s) { wall_ms_.store(s * 1000); }
  void Advance(std::chrono::milliseconds d) {
    wall_ms_ += d.count();
    steady_ms_ += d.count();
  }

 private:
  std::atomic<UnixMillis> wall_ms_;
  std::atomic<int64_t> steady_ms_{0};
};

}  // namespace ecohub
