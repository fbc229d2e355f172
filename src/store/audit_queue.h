// AuditQueue: audit rows that need not hold up the request that causes them (the
// usage record of data reads through the sharing API), appended in batches by a
// thread of its own: one durable transaction per batch instead of one per read, and
// never the store's write lock on a request's path. Changes to data and rights are
// still appended synchronously by their handlers (the change and its record go
// together); reads are recorded within `flush_ms`, and a crash can lose the reads
// of that last moment (already answered), never a change.
//
// Thread-safe. Stop() (and the destructor) append what is queued.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"

namespace ecohub::store {

class AuditQueue {
 public:
  explicit AuditQueue(Store& store, int flush_ms = 200) : store_(store), flush_ms_(flush_ms) {
    thread_ = std::thread([this] { Run(); });
  }
  ~AuditQueue() { Stop(); }
  void Add(AuditEntry e);
  void Stop();

 private:
  void Run();
  Store& store_;
  int flush_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<AuditEntry> pending_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ecohub::store
