// FaultyStore: a Store that forwards to another and fails on command (STYLE.md: fault
// injection ships with the seam). Tests arm it to fail the Nth Append, or every
// Append while armed, and check that nothing unacknowledged is reported durable.
// Every other call goes to the base store. A failed Append stores nothing (it never reaches the
// base store), as a rolled-back transaction would. Thread-safe: arming is atomic; the rest
// forwards.
#pragma once

#include <atomic>

#include "store/store_wrapper.h"

namespace ecohub::store {

class FaultyStore : public StoreWrapper {
 public:
  explicit FaultyStore(Store& base) : StoreWrapper(base) {}

  // Fails the append that is the `n`th from now (1 = the next one).
  void FailNthAppend(int n) { fail_at_ = appends_.load() + n; }
  void FailAllAppends(bool on) { fail_all_ = on; }
  int appends() const { return appends_.load(); }

  Status Append(std::span<const Batch* const> b) override {
    int n = ++appends_;
    if (fail_all_ || n == fail_at_) return Status::IoError("injected: disk full");
    return StoreWrapper::Append(b);
  }

 private:
  std::atomic<int> appends_{0};
  std::atomic<int> fail_at_{-1};
  std::atomic<bool> fail_all_{false};
};

using FaultStore = FaultyStore;  // older name

}  // namespace ecohub::store
