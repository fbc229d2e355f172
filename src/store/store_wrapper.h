// StoreWrapper: a Store whose every call goes to one object per module (LevelDB's
// EnvWrapper). A backend composes its module implementations with it (SqliteStore);
// a test wraps a whole Store and overrides the calls it wants to fail (FaultyStore).
// Holds references only: the module objects must outlive the wrapper. As
// thread-safe as the objects it forwards to.
#pragma once

#include <memory>

#include "store/store.h"

namespace ecohub::store {

class StoreWrapper : public Store {
 public:
  StoreWrapper(ReadingStore& readings, RegistryStore& registry, DerivedStore& derived,
               AlarmStore& alarms, AuditStore& audit)
      : readings_(readings),
        registry_(registry),
        derived_(derived),
        alarms_(alarms),
        audit_(audit) {}
  // Every module of `base`.
  explicit StoreWrapper(Store& base) : StoreWrapper(base, base, base, base, base) {}

  // ReadingStore
  Status Append(std::span<const Batch* const> b) override { return readings_.Append(b); }
  Status ScanReadings(const std::function<bool(const Reading&)>& fn) override {
    return readings_.ScanReadings(fn);
  }
  Result<std::vector<Reading>> Range(std::string_view mn, Period p, std::string_view f,
                                     std::string_view fl, UnixSeconds from,
                                     UnixSeconds to) override {
    return readings_.Range(mn, p, f, fl, from, to);
  }
  Status ScanWindow(Period p, UnixSeconds from, UnixSeconds to, std::span<const std::string> mns,
                    const std::function<bool(const Reading&)>& fn) override {
    return readings_.ScanWindow(p, from, to, mns, fn);
  }
  Result<std::vector<LatestValue>> LatestAll() override { return readings_.LatestAll(); }
  Result<std::vector<LatestValue>> LatestForSite(int64_t site_id) override {
    return readings_.LatestForSite(site_id);
  }
  Result<int64_t> CountReadings() override { return readings_.CountReadings(); }
  Result<std::vector<std::pair<std::string, int64_t>>> TableBytes() override {
    return readings_.TableBytes();
  }
  Result<std::vector<RawPacket>> RawPackets(std::string_view mn, UnixMillis from, UnixMillis to,
                                            size_t limit) override {
    return readings_.RawPackets(mn, from, to, limit);
  }
  Status PruneRaw(UnixMillis before) override { return readings_.PruneRaw(before); }
  Status PruneReadings(Period p, UnixSeconds before) override {
    return readings_.PruneReadings(p, before);
  }
  using ReadingStore::Compact;
  Status Compact(UnixSeconds before) override { return readings_.Compact(before); }

  // RegistryStore
  Status PutCity(const City& c) override { return registry_.PutCity(c); }
  Result<City> GetCity() override { return registry_.GetCity(); }
  Result<int64_t> PutDistrict(const District& d) override { return registry_.PutDistrict(d); }
  Result<int64_t> PutEnterprise(const Enterprise& e) override { return registry_.PutEnterprise(e); }
  Result<int64_t> PutSite(const Site& s) override { return registry_.PutSite(s); }
  Status PutDevice(const Device& d) override { return registry_.PutDevice(d); }
  Status PutRows(const RegistryRows& rows) override { return registry_.PutRows(rows); }
  Status SealDevicePasswords() override { return registry_.SealDevicePasswords(); }
  Result<std::vector<District>> Districts() override { return registry_.Districts(); }
  Result<std::vector<Enterprise>> Enterprises() override { return registry_.Enterprises(); }
  Result<std::vector<Site>> Sites() override { return registry_.Sites(); }
  Result<Site> GetSite(int64_t id) override { return registry_.GetSite(id); }
  Result<std::vector<Device>> Devices() override { return registry_.Devices(); }
  Result<Device> GetDevice(std::string_view mn) override { return registry_.GetDevice(mn); }

  // DerivedStore
  Status ReplaceDerived(std::string_view k, std::string_view s, UnixSeconds from, UnixSeconds to,
                        std::span<const DerivedRow> rows) override {
    return derived_.ReplaceDerived(k, s, from, to, rows);
  }
  Status PutDerived(std::span<const DerivedRow> rows) override { return derived_.PutDerived(rows); }
  Result<std::vector<DerivedRow>> QueryDerived(std::string_view k, std::string_view s,
                                               UnixSeconds from, UnixSeconds to,
                                               size_t limit) override {
    return derived_.QueryDerived(k, s, from, to, limit);
  }

  // AlarmStore
  Status UpsertAlarms(std::span<const Alarm> a) override { return alarms_.UpsertAlarms(a); }
  Result<std::vector<Alarm>> QueryAlarms(const AlarmFilter& f) override {
    return alarms_.QueryAlarms(f);
  }
  Result<std::vector<AlarmCount>> CountAlarms(const AlarmFilter& f) override {
    return alarms_.CountAlarms(f);
  }
  Result<Alarm> GetAlarm(int64_t id) override { return alarms_.GetAlarm(id); }
  Result<Alarm> TransitionAlarm(int64_t id, std::string_view status, std::string_view by,
                                std::string_view comment, UnixSeconds at) override {
    return alarms_.TransitionAlarm(id, status, by, comment, at);
  }

  // AuditStore
  void UseAuditKeys(std::shared_ptr<const crypto::KeyRing> k) override {
    audit_.UseAuditKeys(std::move(k));
  }
  Result<AuditChainHead> ReadAuditHead() override { return audit_.ReadAuditHead(); }
  Status AppendAudits(std::span<AuditEntry> e) override { return audit_.AppendAudits(e); }
  Status CopyAudits(std::span<const AuditEntry> e) override { return audit_.CopyAudits(e); }
  Status ScanAudit(const std::function<bool(const AuditEntry&)>& fn) override {
    return audit_.ScanAudit(fn);
  }

 private:
  ReadingStore& readings_;
  RegistryStore& registry_;
  DerivedStore& derived_;
  AlarmStore& alarms_;
  AuditStore& audit_;
};

// A backend's parts: the connections its modules share and one module per
// interface. Members are destroyed in reverse: the modules (and what they prepared
// on the connections) before the connections.
template <typename Connections>
struct StoreParts {
  Connections connections;
  std::unique_ptr<ReadingStore> readings;
  std::unique_ptr<RegistryStore> registry;
  std::unique_ptr<DerivedStore> derived;
  std::unique_ptr<AlarmStore> alarms;
  std::unique_ptr<AuditStore> audit;
};

// The Store a backend returns: its parts, owned, and every call forwarded to them.
template <typename Connections>
class OwningStore final : public StoreWrapper {
 public:
  explicit OwningStore(std::unique_ptr<StoreParts<Connections>> p)
      : StoreWrapper(*p->readings, *p->registry, *p->derived, *p->alarms, *p->audit),
        parts_(std::move(p)) {}

 private:
  std::unique_ptr<StoreParts<Connections>> parts_;
};

}  // namespace ecohub::store
