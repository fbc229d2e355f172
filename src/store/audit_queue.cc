#include "store/audit_queue.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace ecohub::store {

void AuditQueue::Add(AuditEntry e) {
  if (e.time == 0) e.time = WallMillis();  // when it happened, not when it was written
  std::lock_guard lock(mu_);
  pending_.push_back(std::move(e));
  if (pending_.size() >= 1000) cv_.notify_one();
}

void AuditQueue::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void AuditQueue::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait_for(lock, std::chrono::milliseconds(flush_ms_),
                 [this] { return stop_ || pending_.size() >= 1000; });
    std::vector<AuditEntry> batch;
    batch.swap(pending_);
    bool stopping = stop_;
    lock.unlock();
    if (!batch.empty()) {
      Status s = store_.AppendAudits(batch);
      if (!s.ok())
        spdlog::error("audit log: {} usage rows not recorded: {}", batch.size(), s.ToString());
    }
    lock.lock();
    if (stopping && pending_.empty()) return;
  }
}

}  // namespace ecohub::store
