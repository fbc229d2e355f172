#include "core/periodic.h"

namespace ecohub {

void Periodic::Start(std::chrono::seconds every, std::function<void()> job) {
  thread_ = std::thread([this, every, job = std::move(job)] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (cv_.wait_for(lock, every, [this] { return stop_; })) break;
      lock.unlock();
      job();
      lock.lock();
    }
  });
}

void Periodic::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ecohub
