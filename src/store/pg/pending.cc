// SCAFFOLDING, deleted when every module of the PostgreSQL store has landed: the
// factories of modules not written yet, each giving a module whose every call answers
// kUnavailable. It lets each module's contract suite run on PostgreSQL
// (--gtest_filter) while the others are being written.
#include "store/pg/modules.h"

namespace ecohub::store::pg {

namespace {

Status Pending() { return Status::Unavailable("postgresql: this module is not written yet"); }

class PendingStore final : public Store {
 public:
  Status Append(std::span<const Batch* const>) override { return Pending(); }
  Status ScanReadings(const std::function<bool(const Reading&)>&) override { return Pending(); }
  Result<std::vector<Reading>> Range(std::string_view, Period, std::string_view, std::string_view,
                                     UnixSeconds, UnixSeconds) override {
    return Pending();
  }
  Status ScanWindow(Period, UnixSeconds, UnixSeconds, std::span<const std::string>,
                    const std::function<bool(const Reading&)>&) override {
    return Pending();
  }
  Result<std::vector<LatestValue>> LatestAll() override { return Pending(); }
  Result<std::vector<LatestValue>> LatestForSite(int64_t) override { return Pending(); }
  Result<int64_t> CountReadings() override { return Pending(); }
  Result<std::vector<std::pair<std::string, int64_t>>> TableBytes() override { return Pending(); }
  Result<std::vector<RawPacket>> RawPackets(std::string_view, UnixMillis, UnixMillis,
                                            size_t) override {
    return Pending();
  }
  Status PruneRaw(UnixMillis) override { return Pending(); }
  Status PruneReadings(Period, UnixSeconds) override { return Pending(); }
  using ReadingStore::Compact;
  Status Compact(UnixSeconds) override { return Pending(); }
  Status PutCity(const City&) override { return Pending(); }
  Result<City> GetCity() override { return Pending(); }
  Result<int64_t> PutDistrict(const District&) override { return Pending(); }
  Result<int64_t> PutEnterprise(const Enterprise&) override { return Pending(); }
  Result<int64_t> PutSite(const Site&) override { return Pending(); }
  Status PutDevice(const Device&) override { return Pending(); }
  Status PutRows(const RegistryRows&) override { return Pending(); }
  Status SealDevicePasswords() override { return Pending(); }
  Result<std::vector<District>> Districts() override { return Pending(); }
  Result<std::vector<Enterprise>> Enterprises() override { return Pending(); }
  Result<std::vector<Site>> Sites() override { return Pending(); }
  Result<Site> GetSite(int64_t) override { return Pending(); }
  Result<std::vector<Device>> Devices() override { return Pending(); }
  Result<Device> GetDevice(std::string_view) override { return Pending(); }
  Status ReplaceDerived(std::string_view, std::string_view, UnixSeconds, UnixSeconds,
                        std::span<const DerivedRow>) override {
    return Pending();
  }
  Status PutDerived(std::span<const DerivedRow>) override { return Pending(); }
  Result<std::vector<DerivedRow>> QueryDerived(std::string_view, std::string_view, UnixSeconds,
                                               UnixSeconds, size_t) override {
    return Pending();
  }
  Status UpsertAlarms(std::span<const Alarm>) override { return Pending(); }
  Result<std::vector<Alarm>> QueryAlarms(const AlarmFilter&) override { return Pending(); }
  Result<std::vector<AlarmCount>> CountAlarms(const AlarmFilter&) override { return Pending(); }
  Result<Alarm> GetAlarm(int64_t) override { return Pending(); }
  Result<Alarm> TransitionAlarm(int64_t, std::string_view, std::string_view, std::string_view,
                                UnixSeconds) override {
    return Pending();
  }
  void UseAuditKeys(std::shared_ptr<const crypto::KeyRing>) override {}
  Result<AuditChainHead> ReadAuditHead() override { return Pending(); }
  Status AppendAudits(std::span<AuditEntry>) override { return Pending(); }
  Status ScanAudit(const std::function<bool(const AuditEntry&)>&) override { return Pending(); }
};

}  // namespace

Result<std::unique_ptr<RegistryStore>> OpenRegistry(Connections&) {
  return std::unique_ptr<RegistryStore>(std::make_unique<PendingStore>());
}
Result<std::unique_ptr<DerivedStore>> OpenDerived(Connections&) {
  return std::unique_ptr<DerivedStore>(std::make_unique<PendingStore>());
}
Result<std::unique_ptr<AlarmStore>> OpenAlarms(Connections&) {
  return std::unique_ptr<AlarmStore>(std::make_unique<PendingStore>());
}
Result<std::unique_ptr<AuditStore>> OpenAudit(Connections&) {
  return std::unique_ptr<AuditStore>(std::make_unique<PendingStore>());
}

}  // namespace ecohub::store::pg
