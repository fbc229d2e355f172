// Periodic: a job run every so many seconds on a thread of its own (alarm sync,
// notifications), first one period after Start, until Stop. Stop wakes the thread at
// once and waits for a run in progress.
//
// Thread-safety: Start and Stop from one thread; Stop is idempotent and runs in the
// destructor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace ecohub {

class Periodic {
 public:
  Periodic() = default;
  ~Periodic() { Stop(); }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  void Start(std::chrono::seconds every, std::function<void()> job);
  void Stop();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace ecohub
