// Housekeeper: retention and compaction of a serving store, on a thread of its own.
// A compaction holds the store's write lock for a day's merge at a time, and must
// never stall the network threads, so it does not run on them.
//
// The first pass runs 30 s after Start (start-up is busy enough), then one every
// `compact_every_seconds`. Failures are logged and the next pass tries again.
//
// Thread-safety: Start and Stop from one thread; Stop is idempotent and joins the
// thread (it waits for a pass in progress). The store and the clock outlive it.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/config.h"
#include "core/clock.h"
#include "store/store.h"

namespace ecohub::app {

class Housekeeper {
 public:
  Housekeeper(store::Store& store, const RetentionOptions& retention, int compact_every_seconds,
              const Clock& clock)
      : store_(store),
        retention_(retention),
        compact_every_seconds_(compact_every_seconds),
        clock_(clock) {}
  ~Housekeeper() { Stop(); }
  Housekeeper(const Housekeeper&) = delete;
  Housekeeper& operator=(const Housekeeper&) = delete;

  void Start();
  void Stop();

 private:
  // One pass: prunes what is older than each retention, then compacts all but the
  // last hour.
  void Run();

  store::Store& store_;
  const RetentionOptions retention_;
  const int compact_every_seconds_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace ecohub::app
