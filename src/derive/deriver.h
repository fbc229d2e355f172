// Deriver: keeps the values EcoHub derives from readings up to date, continuously.
// After each commit the writer hands it the batches; it notes which (site, hour)
// pairs changed, late data included, and a background pass recomputes what depends
// on them (DESIGN.md, "after commit"):
//
//   air station hour  -> hourly AQI of the station ("aqi_hour", scope "site:<code>"),
//                        then of its district ("district:<code>") and the city ("city");
//   air station day   -> daily means, O3 max 8-h / max 1-h, daily AQI ("aqi_day"), then
//                        district and city;
//   water section day -> daily means and GB 3838 class ("water_day");
//   outlet day        -> exceedance events against the limits of the permit in
//                        force at each hour, else its own ("exceedance",
//                        scope "<site code>/<factor>");
//   every site day    -> data-quality rates and anomalies ("quality_day"), rolled up
//                        per district.
//
// Every derived row is a JSON document that says which edition/standard and what
// coverage it was computed with. District and city concentrations are the
// arithmetic mean of their stations' unrounded values, rounded once (HJ 663 city
// practice, digest §1.3; GB/T 8170), and need 75 % of the stations that exist in the
// period (EcoHub's rule, docs/standards-air.md).
//
// Thread-safety: Touch may be called from any thread; Flush/RecomputeRange must not
// run concurrently with each other (Start runs them on one background thread).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "permit/permit_store.h"
#include "registry/snapshot.h"
#include "store/store.h"

namespace ecohub::derive {

struct DeriveOptions {
  // Off: nothing is derived on this node (an ingest-only node of a scale-out).
  bool enabled = true;
  // HJ 633-2012 real-time AQI: count the O3 8-h sliding mean as the text says
  // (true) or leave it out as CNEMC did (false, the default: EcoHub reproduces the
  // published numbers). HJ 633-2026 has no O3 8-h in the real-time AQI either way.
  bool o3_8h_in_hourly_2012 = false;
  // Background pass: waits this long after the first touch so a burst of packets
  // is recomputed once.
  int debounce_ms = 1000;
  // Under continuous load, passes start at most this often (and rest twice as long
  // as the last one took), so derivation stays a fraction of a core and each pass
  // takes more hours at once.
  int min_pass_interval_ms = 5000;
  // A pass touching at least this many sites over a few days reads its window with
  // one store scan instead of one range read per series.
  int prefetch_min_sites = 8;
};

struct DeriveStats {
  int64_t station_hours = 0, area_hours = 0, station_days = 0, area_days = 0;
  int64_t water_days = 0, outlet_days = 0, quality_days = 0, rows_written = 0;
};

// What the deriver knows of a site.
struct SiteInfo {
  int64_t id = 0;
  std::string code, name;
  registry::SiteKind kind = registry::SiteKind::kAir;
  std::string district_code;
  std::string mn;          // the device that reports for it (first registered)
  std::string attrs_json;  // limits, water body type...
  bool active = true;      // false once disabled (撤销); its history stays
};

class Deriver {
 public:
  // Evaluates the sites of `registry`'s current snapshot (the one the gateway and
  // the API read), and reads and writes values in `store`. `clock` says what "now"
  // is (how many hours today's quality rates expect) and times the passes. The
  // registry and the clock must outlive the Deriver.
  Deriver(store::Store& store, const registry::Registry& registry, DeriveOptions options,
          Metrics* metrics = nullptr, const Clock& clock = RealClock());
  // For a command without a running registry (`ecohub derive`, benchmarks): the
  // Deriver keeps a registry of its own, which Reload publishes from `store` first.
  Deriver(store::Store& store, DeriveOptions options, Metrics* metrics = nullptr,
          const Clock& clock = RealClock());
  ~Deriver();
  Deriver(const Deriver&) = delete;
  Deriver& operator=(const Deriver&) = delete;

  // Takes sites, districts and devices from the registry's current snapshot, and
  // which hourly series each site has from the store's latest values. Call before
  // Start; once running, use RequestReload after a new snapshot is published (the
  // background pass reloads before its next run).
  Status Reload();
  void RequestReload();
  // The permits whose limits judge the outlets (read again at every pass, so a permit
  // changed through the API counts from the next recomputation of an hour). Call
  // before Start; `permits` must outlive the Deriver. Without: the outlets' own limits.
  void SetPermits(permit::PermitStore* permits) { permits_ = permits; }

  // Notes the hours the readings of committed batches fall in. Cheap; any thread.
  void Touch(const std::vector<store::Batch>& batches);
  // Notes one site's hour (start of the hour, UTC) as changed.
  void TouchSiteHour(int64_t site_id, UnixSeconds hour);

  // Recomputes everything touched so far; returns what it did.
  Result<DeriveStats> Flush();
  // Marks every hour in [from, to) of every site and recomputes (import, backfill).
  // `progress`, when set, is called with (done, total) site count.
  Result<DeriveStats> RecomputeRange(UnixSeconds from, UnixSeconds to,
                                     const std::function<void(int, int)>& progress = {});

  // Background pass: Flush after `debounce_ms` whenever something was touched.
  void Start();
  void Stop();

  const std::vector<SiteInfo>& sites() const { return sites_; }

 private:
  // Per-site work for the touched hours; collects the hours and days whose
  // district/city values must follow. `follow_8h`: also the 7 hours after each
  // touched one, whose 8-h means include it (changed data); a recomputation of a
  // whole range covers those hours itself.
  Result<DeriveStats> RunSites(const std::map<int64_t, std::set<UnixSeconds>>& hours,
                               bool follow_8h, std::set<UnixSeconds>* area_hours,
                               std::set<UnixSeconds>* area_days);
  // District and city values of those hours and days, from the stations' rows.
  Result<DeriveStats> RunAreas(const std::set<UnixSeconds>& area_hours,
                               const std::set<UnixSeconds>& area_days);
  Result<DeriveStats> Run(std::map<int64_t, std::set<UnixSeconds>> hours);

  store::Store& store_;
  std::unique_ptr<registry::Registry> own_registry_;  // only for the store-only constructor
  const registry::Registry& registry_;
  DeriveOptions options_;
  Metrics* metrics_;
  const Clock& clock_;
  permit::PermitStore* permits_ = nullptr;
  std::vector<SiteInfo> sites_;
  std::unordered_map<std::string, size_t> site_by_mn_;
  std::unordered_map<int64_t, size_t> site_by_id_;
  std::map<std::string, std::string> district_names_;
  // The first hour each air station has a row ("site:CODE" -> hour start; max when
  // none yet): the registry keeps no commissioning date, so a station exists from its
  // first data on (docs/standards-air.md). Read once per station, then lowered by the
  // rows RunAreas sees. Used by RunAreas only.
  std::unordered_map<std::string, UnixSeconds> first_hour_;
  // Hourly series (factor codes with an Avg) per site id, from the store at Reload
  // and from every batch Touch sees. Guarded by mu_.
  std::unordered_map<int64_t, std::set<std::string>> hourly_factors_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int64_t, std::set<UnixSeconds>> pending_;  // site id -> hour starts
  // Hours of devices the current snapshot does not name yet (just registered), taken
  // up by the next Reload; at most kMaxUnmappedHours.
  static constexpr size_t kMaxUnmappedHours = 100000;
  std::map<std::string, std::set<UnixSeconds>> unmapped_;
  size_t unmapped_hours_ = 0;
  bool stop_ = false;
  bool reload_ = false;
  std::thread thread_;
};

}  // namespace ecohub::derive
