// Writer: the one thread that writes readings to the Store, in group commits.
//
// Network threads Submit() batches (one per packet) and return at once; the writer
// takes everything queued (up to max_batch_rows), appends it in one transaction, and
// only then calls each batch's `done` with OK — which is when the gateway may send
// the 9014. A failed commit calls every `done` of that transaction with the error:
// nothing is acknowledged that is not durable; the devices resend (LevelDB's
// RecordBackgroundError idea, without the sticky stop: the next commit is tried
// afresh, and each is all-or-nothing).
//
// Thread-safety: Submit and stats from any thread; callbacks run on the writer thread
// and must be quick (post elsewhere). The destructor commits what is queued and stops.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "store/store.h"

namespace ecohub::store {

struct WriterOptions {
  // Rows per transaction at most; a backlog is committed in slices of this size.
  // 10,000 rows commit in a few milliseconds here, which bounds the ack latency a
  // backlog adds; time-major inserts gain little from larger slices.
  size_t max_batch_rows = 10000;
  // While busy (work arrived during the previous commit) and fewer than
  // min_batch_rows are queued, wait up to this long for more, so that concurrent
  // packets share one fsync. An idle writer never waits: a lone packet is committed
  // at once (store_bench measures both).
  std::chrono::microseconds max_delay{2000};
  size_t min_batch_rows = 256;
  // Queue bound in rows (readings + raw packets): beyond it Submit refuses with
  // Unavailable and the device resends later.
  size_t max_queue_rows = 2'000'000;
};

struct WriterStats {
  uint64_t commits = 0;         // successful transactions
  uint64_t failed_commits = 0;  // transactions whose batches all got the error
  uint64_t batches = 0;         // batches acknowledged OK
  uint64_t rows = 0;            // readings acknowledged OK
  uint64_t refused = 0;         // Submit calls answered Unavailable
  int64_t queue_rows = 0;       // rows waiting now
  // Append() latency, upper bound of the power-of-two bucket holding the quantile.
  uint64_t commit_p50_micros = 0, commit_p99_micros = 0;
};

class Writer {
 public:
  using Done = std::function<void(const Status&)>;

  // `clock` times the commits (steady time only).
  Writer(Store& store, WriterOptions options, const Clock& clock = RealClock());
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues the batch. `done` is called exactly once, from the writer thread, with OK
  // after the transaction holding the batch committed, or with the error. Returns
  // Unavailable without calling `done` when the queue is full or the writer stopped.
  Status Submit(Batch batch, Done done);

  // Called on the writer thread after each successful commit with the batches it
  // held (latest-value cache; later: alarms, AQI of the touched hours). Set before
  // the first Submit.
  void SetAfterCommit(std::function<void(const std::vector<Batch>&)> hook);

  WriterStats stats() const;

 private:
  void Run();
  static size_t Rows(const Batch& b) { return b.readings.size() + b.raw.size(); }

  Store& store_;
  WriterOptions options_;
  const Clock& clock_;
  std::function<void(const std::vector<Batch>&)> after_commit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Batch, Done>> queue_;
  size_t queue_rows_ = 0;
  bool stopping_ = false;
  WriterStats stats_;
  Histogram commit_latency_;
  std::thread thread_;
};

}  // namespace ecohub::store
