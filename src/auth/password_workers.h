// PasswordWorkers: a small pool of threads for Argon2id (about 50-100 ms and
// 64 MiB per hash), so that logins, password changes and account creation never
// run it on the threads that serve HTTP and the HJ 212 gateway.
//
// The queue is bounded: when it is full, TryPost refuses at once and the caller
// answers "busy" (503 with Retry-After) without hashing anything. A flood of logins
// then costs the pool's threads and a short queue, never the network threads.
//
// Thread-safe. Stop (and the destructor) ends the pool: jobs still queued are
// destroyed without running (whatever they captured is released), running jobs
// finish, and later TryPosts are refused.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ecohub::auth {

struct PasswordWorkerOptions {
  // Threads hashing; 0: half the cores, at least 1 (1 on the 2-core target, so
  // that Argon2 never takes more than one core from the network and the writer).
  int threads = 0;
  // Jobs waiting at most. At ~10 hashes/s per thread, 16 is about 1.6 s of wait.
  size_t queue = 16;
};

class PasswordWorkers {
 public:
  explicit PasswordWorkers(const PasswordWorkerOptions& options = {});
  ~PasswordWorkers();
  PasswordWorkers(const PasswordWorkers&) = delete;
  PasswordWorkers& operator=(const PasswordWorkers&) = delete;

  // Queues `job` to run on a worker; false, and `job` is destroyed unrun, when the
  // queue is full or the pool is stopping.
  bool TryPost(std::function<void()> job);
  // Idempotent; not from a job.
  void Stop();
  // Seconds a refused caller should wait before trying again (Retry-After).
  static constexpr int kRetryAfterSeconds = 2;

 private:
  void Run();
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace ecohub::auth
