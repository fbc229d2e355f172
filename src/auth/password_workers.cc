#include "auth/password_workers.h"

#include <algorithm>

namespace ecohub::auth {

PasswordWorkers::PasswordWorkers(const PasswordWorkerOptions& o)
    : capacity_(std::max<size_t>(o.queue, 1)) {
  int n = o.threads > 0 ? o.threads
                        : std::max(1, static_cast<int>(std::thread::hardware_concurrency() / 2));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Run(); });
}

PasswordWorkers::~PasswordWorkers() { Stop(); }

void PasswordWorkers::Stop() {
  {
    std::deque<std::function<void()>> dropped;
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      dropped.swap(jobs_);
    }
    // Released here, outside the lock (a job's captures may do anything) and before
    // waiting for the running jobs: what they held (a connection) goes at once.
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

bool PasswordWorkers::TryPost(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || jobs_.size() >= capacity_) return false;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void PasswordWorkers::Run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (...) {
      // Jobs answer their own errors; a bug in one must not end the pool.
    }
  }
}

}  // namespace ecohub::auth
