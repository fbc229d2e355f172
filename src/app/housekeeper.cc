#include "app/housekeeper.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <utility>

#include "core/threads.h"

namespace ecohub::app {
namespace {

void LogFailure(const Status& s) {
  if (!s.ok()) spdlog::error("housekeeping: {}", s.ToString());
}

}  // namespace

void Housekeeper::Start() {
  thread_ = std::thread([this] {
    // Compaction and retention yield to the network and writer threads (the
    // compaction hands the connection to waiting appends between slices).
    MakeThisThreadBackground("ecohub-housekp");
    std::unique_lock lock(mu_);
    // Waits are real time: the pass paces disk work, it keeps no deadline.
    auto next = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!stop_) {
      if (cv_.wait_until(lock, next, [this] { return stop_; })) break;
      lock.unlock();
      Run();
      lock.lock();
      next = std::chrono::steady_clock::now() + std::chrono::seconds(compact_every_seconds_);
    }
  });
}

void Housekeeper::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Housekeeper::AnchorAudit() {
  if (!anchors_ || (leads_ && !leads_())) return;
  auto seq = anchors_->Anchor(store_, clock_.WallMillis());
  if (!seq.ok()) spdlog::error("audit anchor: {}", seq.status().ToString());
}

void Housekeeper::Run() {
  if (leads_ && !leads_()) return;
  AnchorAudit();
  UnixSeconds now = clock_.WallSeconds();
  const RetentionOptions& r = retention_;
  if (r.raw_days > 0) LogFailure(store_.PruneRaw((now - int64_t{r.raw_days} * 86400) * 1000));
  std::pair<Period, int> per[] = {{Period::kRealtime, r.realtime_days},
                                  {Period::kMinute, r.minute_days},
                                  {Period::kHour, r.hour_days},
                                  {Period::kDay, r.day_days}};
  for (auto [p, days] : per)
    if (days > 0) LogFailure(store_.PruneReadings(p, now - int64_t{days} * 86400));
  LogFailure(store_.Compact(now - 3600));  // the last hour stays in the write-optimised table
  for (const auto& job : jobs_) job(now);
}

}  // namespace ecohub::app
