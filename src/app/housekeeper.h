// Housekeeper: retention and compaction of a serving store, and anchors of its audit
// chain, on a thread of its own. A compaction holds the store's write lock for a
// day's merge at a time, and must never stall the network threads, so it does not
// run on them. Each pass also anchors the audit chain's head outside the store
// (store/audit.h) when it moved, so that rows cut since are caught by `audit verify`;
// the server anchors once more at a clean stop (AnchorAudit).
//
// The first pass runs 30 s after Start (start-up is busy enough), then one every
// `compact_every_seconds`. Failures are logged and the next pass tries again.
//
// Thread-safety: Start and Stop from one thread; Stop is idempotent and joins the
// thread (it waits for a pass in progress). The store and the clock outlive it.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "app/config.h"
#include "core/clock.h"
#include "store/audit.h"
#include "store/store.h"

namespace ecohub::app {

class Housekeeper {
 public:
  // `anchors` may be null (no anchoring).
  Housekeeper(store::Store& store, const RetentionOptions& retention, int compact_every_seconds,
              const Clock& clock, std::unique_ptr<store::AuditAnchorLog> anchors = nullptr)
      : store_(store),
        retention_(retention),
        compact_every_seconds_(compact_every_seconds),
        clock_(clock),
        anchors_(std::move(anchors)) {}
  ~Housekeeper() { Stop(); }
  Housekeeper(const Housekeeper&) = delete;
  Housekeeper& operator=(const Housekeeper&) = delete;

  // On several nodes sharing a store, only the one `leads` says runs the passes
  // and anchors (store/coordinator.h). Set before Start; unset: always.
  void OnlyWhen(std::function<bool()> leads) { leads_ = std::move(leads); }
  // Another job of each pass, after retention and compaction (another module's
  // retention), given the pass's time. Set before Start.
  void AlsoRun(std::function<void(UnixSeconds now)> job) { jobs_.push_back(std::move(job)); }
  void Start();
  void Stop();
  // Anchors the audit chain's head now (any thread); a failure is logged.
  void AnchorAudit();

 private:
  // One pass: prunes what is older than each retention, then compacts all but the
  // last hour.
  void Run();

  store::Store& store_;
  const RetentionOptions retention_;
  const int compact_every_seconds_;
  const Clock& clock_;
  const std::unique_ptr<store::AuditAnchorLog> anchors_;
  std::function<bool()> leads_;
  std::vector<std::function<void(UnixSeconds)>> jobs_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace ecohub::app
