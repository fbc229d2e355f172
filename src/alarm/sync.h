// Alarm sync: turns what EcoHub already knows into alarm rows (store::Alarm) —
// exceedance events of outlets, anomalies found by the daily data-quality pass, and
// devices that have gone silent — and upserts them, so that people can acknowledge
// and close them (the lifecycle lives in the store; this only raises and ends).
//
// BuildAlarms is pure (a table of cases in sync_test.cc); SyncAlarms reads the store,
// calls it and writes what changed; AlarmSyncer runs SyncAlarms on a thread of its
// own every minute. Odd derived rows (bad JSON, unknown site, missing fields) are
// skipped, counted and logged, never fatal.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/periodic.h"
#include "declare/declaration_store.h"
#include "store/store.h"

namespace ecohub::alarm {

struct SyncOptions {
  int64_t exceedance_days = 7;  // exceedance events started within this many days
  int64_t anomaly_days = 2;     // quality days (Beijing) within this many days
  // A device silent for longer is offline (DeviceStatusOptions has the same default).
  int64_t offline_after_seconds = 1800;
  // An anomaly whose end is this close to now may still be going on: no `ended` yet.
  int64_t anomaly_ongoing_seconds = 2 * 3600;
  int interval_seconds = 60;  // AlarmSyncer's period
};

// A device as the sync sees it (from the registry and the gateway's status board).
struct DeviceSeen {
  std::string mn;
  int64_t site_id = 0;
  bool enabled = true;
  UnixSeconds last_packet = 0;  // 0: not heard since start-up
  UnixSeconds resumed = 0;      // first packet after its last long silence
};

struct SyncInput {
  std::vector<store::DerivedRow> exceedances;   // derive::kKindExceedance, scope SITE/FACTOR
  std::vector<store::DerivedRow> quality_days;  // derive::kKindQualityDay, scope site:SITE
  std::vector<store::Site> sites;
  std::vector<DeviceSeen> devices;
  // Offline alarms without an end, as stored: continued (after a restart) or ended.
  std::vector<store::Alarm> ongoing_offline;
  UnixSeconds now = 0;
  UnixSeconds started = 0;  // when this process started listening for devices
  // Accepted (and ended) self-declarations: an alarm of an outlet in a declared
  // window is annotated or marked suppressed (declare/alarms.h).
  std::vector<declare::Declaration> declarations;
};

struct SyncOutput {
  std::vector<store::Alarm> alarms;  // to upsert
  int64_t skipped = 0;               // rows that could not be read
};

SyncOutput BuildAlarms(const SyncInput& in, const SyncOptions& options);

struct SyncStats {
  int64_t built = 0, written = 0, skipped = 0;
  int64_t closed = 0;  // suppressed by a declaration
};

// Reads the derived rows, sites and ongoing offline alarms, builds the alarms and
// upserts those that are new or changed. `metrics` (optional) gets
// ecohub_alarm_sync_skipped_rows_total and ecohub_alarm_sync_failures_total.
// With `declarations`, the accepted ones apply: alarms they suppress are closed with
// a comment naming the declaration.
Result<SyncStats> SyncAlarms(store::Store& store, const std::vector<DeviceSeen>& devices,
                             UnixSeconds now, UnixSeconds started, const SyncOptions& options,
                             Metrics* metrics, declare::DeclarationStore* declarations = nullptr);

// Runs SyncAlarms every options.interval_seconds on its own thread (store I/O stays
// off the network threads). `devices` is called on that thread; each pass's "now"
// is `clock`'s wall time (the clock must outlive the syncer). Thread-safe Start/
// Stop/RunOnce.
class AlarmSyncer {
 public:
  AlarmSyncer(store::Store& store, std::function<std::vector<DeviceSeen>()> devices,
              UnixSeconds started, const SyncOptions& options, Metrics* metrics,
              const Clock& clock = RealClock())
      : store_(store),
        devices_(std::move(devices)),
        started_(started),
        options_(options),
        metrics_(metrics),
        clock_(clock) {}
  ~AlarmSyncer() { Stop(); }
  // On several nodes sharing a store, only the one `leads` says syncs
  // (store/coordinator.h), so that no alarm is raised twice. Set before Start.
  void OnlyWhen(std::function<bool()> leads) { leads_ = std::move(leads); }
  // The self-declarations to apply (null: none). Set before Start.
  void Declarations(declare::DeclarationStore* d) { declarations_ = d; }
  // One pass now, on the caller's thread (start-up, tests).
  void RunOnce();
  void Start();
  void Stop();

 private:
  store::Store& store_;
  std::function<std::vector<DeviceSeen>()> devices_;
  std::function<bool()> leads_;
  declare::DeclarationStore* declarations_ = nullptr;
  UnixSeconds started_;
  SyncOptions options_;
  Metrics* metrics_;
  const Clock& clock_;
  std::mutex run_mu_;
  Periodic periodic_;
};

}  // namespace ecohub::alarm
