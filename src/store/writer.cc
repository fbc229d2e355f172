#include "store/writer.h"

#include <algorithm>

#include "core/threads.h"

namespace ecohub::store {

Writer::Writer(Store& store, WriterOptions options, const Clock& clock)
    : store_(store), options_(options), clock_(clock), thread_([this] {
        NameThisThread("ecohub-writer");
        Run();
      }) {}

Writer::~Writer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Writer::SetAfterCommit(std::function<void(const std::vector<Batch>&)> hook) {
  std::lock_guard lock(mu_);
  after_commit_ = std::move(hook);
}

Status Writer::Submit(Batch batch, Done done) {
  size_t rows = Rows(batch);
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      ++stats_.refused;
      return Status::Unavailable("writer stopped");
    }
    if (queue_rows_ + rows > options_.max_queue_rows && queue_rows_ > 0) {
      ++stats_.refused;
      return Status::Unavailable("writer queue full");
    }
    queue_rows_ += rows;
    queue_.emplace_back(std::move(batch), std::move(done));
  }
  cv_.notify_one();
  return Status::Ok();
}

WriterStats Writer::stats() const {
  std::lock_guard lock(mu_);
  WriterStats s = stats_;
  s.queue_rows = static_cast<int64_t>(queue_rows_);
  s.commit_p50_micros = commit_latency_.QuantileMicros(0.5);
  s.commit_p99_micros = commit_latency_.QuantileMicros(0.99);
  return s;
}

void Writer::Run() {
  std::vector<Batch> batches;
  std::vector<Done> dones;
  std::vector<const Batch*> ptrs;
  // Busy: work arrived while the previous commit ran (before its acks went out, so a
  // device answering its ack at once does not count). Only then is it worth holding
  // a small group back for company; an idle writer commits a lone packet at once.
  bool busy = false;
  for (;;) {
    std::function<void(const std::vector<Batch>&)> hook;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      if (busy && queue_rows_ < options_.min_batch_rows && !stopping_ &&
          options_.max_delay.count() > 0)
        cv_.wait_for(lock, options_.max_delay,
                     [&] { return queue_rows_ >= options_.min_batch_rows || stopping_; });
      size_t rows = 0;
      while (!queue_.empty() &&
             (rows == 0 || rows + Rows(queue_.front().first) <= options_.max_batch_rows)) {
        rows += Rows(queue_.front().first);
        batches.push_back(std::move(queue_.front().first));
        dones.push_back(std::move(queue_.front().second));
        queue_.pop_front();
      }
      queue_rows_ -= rows;
      hook = after_commit_;
    }
    ptrs.clear();
    for (const auto& b : batches) ptrs.push_back(&b);
    double start = clock_.SteadySeconds();
    Status s = store_.Append(ptrs);
    double micros = std::max(0.0, clock_.SteadySeconds() - start) * 1e6;
    {
      std::lock_guard lock(mu_);
      commit_latency_.Observe(static_cast<uint64_t>(micros));
      busy = !queue_.empty();
      if (s.ok()) {
        ++stats_.commits;
        stats_.batches += batches.size();
        for (const auto& b : batches) stats_.rows += b.readings.size();
      } else {
        ++stats_.failed_commits;
      }
    }
    // The hook (latest cache...) runs before the acks: whoever saw its 9014 may read
    // its value back at once.
    if (s.ok() && hook) hook(batches);
    for (auto& d : dones)
      if (d) d(s);
    batches.clear();
    dones.clear();
  }
}

}  // namespace ecohub::store
