// FaultyStore: a Store that forwards to another and fails on command (STYLE.md: fault
// injection ships with the seam). Tests arm it to fail the Nth Append, or every
// Append while armed, and check that nothing unacknowledged is reported durable.
// A failed Append stores nothing (it never reaches the base store), as a rolled-back
// transaction would. Thread-safe: arming is atomic; the rest forwards.
#pragma once

#include <atomic>

#include "store/store.h"

namespace ecohub::store {

class FaultyStore : public Store {
 public:
  explicit FaultyStore(Store& base) : base_(base) {}

  // Fails the append that is the `n`th from now (1 = the next one).
  void FailNthAppend(int n) { fail_at_ = appends_.load() + n; }
  void FailAllAppends(bool on) { fail_all_ = on; }
  int appends() const { return appends_.load(); }

  Status Append(std::span<const Batch* const> b) override {
    int n = ++appends_;
    if (fail_all_ || n == fail_at_) return Status::IoError("injected: disk full");
    return base_.Append(b);
  }
  Status ScanReadings(const std::function<bool(const Reading&)>& fn) override {
    return base_.ScanReadings(fn);
  }
  Result<std::vector<Reading>> Range(std::string_view mn, Period p, std::string_view f,
                                     std::string_view fl, UnixSeconds from,
                                     UnixSeconds to) override {
    return base_.Range(mn, p, f, fl, from, to);
  }
  Status ScanWindow(Period p, UnixSeconds from, UnixSeconds to, std::span<const std::string> mns,
                    const std::function<bool(const Reading&)>& fn) override {
    return base_.ScanWindow(p, from, to, mns, fn);
  }
  Result<std::vector<LatestValue>> LatestAll() override { return base_.LatestAll(); }
  Status ReplaceDerived(std::string_view k, std::string_view s, UnixSeconds from, UnixSeconds to,
                        std::span<const DerivedRow> rows) override {
    return base_.ReplaceDerived(k, s, from, to, rows);
  }
  Status PutDerived(std::span<const DerivedRow> rows) override { return base_.PutDerived(rows); }
  Status AppendAudits(std::span<AuditEntry> e) override { return base_.AppendAudits(e); }
  Status ScanAudit(const std::function<bool(const AuditEntry&)>& fn) override {
    return base_.ScanAudit(fn);
  }
  Result<std::vector<DerivedRow>> QueryDerived(std::string_view k, std::string_view s,
                                               UnixSeconds from, UnixSeconds to,
                                               size_t limit) override {
    return base_.QueryDerived(k, s, from, to, limit);
  }
  Result<std::vector<LatestValue>> LatestForSite(int64_t site_id) override {
    return base_.LatestForSite(site_id);
  }
  Result<int64_t> CountReadings() override { return base_.CountReadings(); }
  Result<std::vector<std::pair<std::string, int64_t>>> TableBytes() override {
    return base_.TableBytes();
  }
  Result<std::vector<RawPacket>> RawPackets(std::string_view mn, UnixMillis from, UnixMillis to,
                                            size_t limit) override {
    return base_.RawPackets(mn, from, to, limit);
  }
  Status PruneRaw(UnixMillis before) override { return base_.PruneRaw(before); }
  Status PruneReadings(Period p, UnixSeconds before) override {
    return base_.PruneReadings(p, before);
  }
  Status Compact(UnixSeconds before) override { return base_.Compact(before); }
  Status UpsertAlarms(std::span<const Alarm> a) override { return base_.UpsertAlarms(a); }
  Result<std::vector<Alarm>> QueryAlarms(const AlarmFilter& f) override {
    return base_.QueryAlarms(f);
  }
  Result<std::vector<AlarmCount>> CountAlarms(const AlarmFilter& f) override {
    return base_.CountAlarms(f);
  }
  Result<Alarm> GetAlarm(int64_t id) override { return base_.GetAlarm(id); }
  Result<Alarm> TransitionAlarm(int64_t id, std::string_view status, std::string_view by,
                                std::string_view comment, UnixSeconds at) override {
    return base_.TransitionAlarm(id, status, by, comment, at);
  }
  Result<int64_t> PutDistrict(const District& d) override { return base_.PutDistrict(d); }
  Result<int64_t> PutEnterprise(const Enterprise& e) override { return base_.PutEnterprise(e); }
  Result<int64_t> PutSite(const Site& s) override { return base_.PutSite(s); }
  Status PutDevice(const Device& d) override { return base_.PutDevice(d); }
  Result<std::vector<District>> Districts() override { return base_.Districts(); }
  Result<std::vector<Enterprise>> Enterprises() override { return base_.Enterprises(); }
  Result<std::vector<Site>> Sites() override { return base_.Sites(); }
  Result<Site> GetSite(int64_t id) override { return base_.GetSite(id); }
  Result<std::vector<Device>> Devices() override { return base_.Devices(); }
  Result<Device> GetDevice(std::string_view mn) override { return base_.GetDevice(mn); }

 private:
  Store& base_;
  std::atomic<int> appends_{0};
  std::atomic<int> fail_at_{-1};
  std::atomic<bool> fail_all_{false};
};

using FaultStore = FaultyStore;  // older name

}  // namespace ecohub::store
