// Store: the one narrow interface to EcoHub's data (DESIGN.md, "Storage").
//
// Readings are upserts on (mn, period, time, factor, field): a retransmitted packet
// changes nothing. Append() is durable when it returns OK — the gateway acknowledges
// devices only after that. Implementations: SQLite (sqlite_store.h); the same
// contract suite (store_contract_test.cc) runs against each.
//
// Thread-safety: every method may be called from any thread. Writes (Append, Prune*,
// Compact, Put*) are serialised inside the implementation; reads run beside writes
// and see only committed data. In practice the Writer thread appends and HTTP /
// maintenance threads read. A ScanReadings callback must not call back into the
// same store's read methods (the read connection is held for the whole scan).
//
// Errors: Status codes from core/status.h; kIoError when the disk or the database
// failed (nothing of the failed call was stored), kCorruption when stored data does
// not decode, kNotFound for a missing id. No method throws.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/reading.h"
#include "core/status.h"
#include "core/time.h"

namespace ecohub::store {

// Every frame that arrived, kept with its verdict so any stored value can be traced
// back to its bytes ("stored", "crc_mismatch", "unknown_mn", "bad_password"...).
struct RawPacket {
  UnixMillis received = 0;
  std::string peer;
  std::string mn;
  std::string verdict;
  std::string bytes;
};

// What one packet brings: its readings and its raw bytes, committed together.
struct Batch {
  std::vector<Reading> readings;
  std::vector<RawPacket> raw;
};

struct District {
  int64_t id = 0;
  std::string code, name;
  double lon = 0, lat = 0;
  std::string geojson;
};

struct Enterprise {
  int64_t id = 0;
  std::string name, credit_code, industry;
  int64_t district_id = 0;
  double lon = 0, lat = 0;
  bool key_unit = false;  // 重点排污单位: its emissions are disclosed to the public
  std::string permit_no;
};

struct Site {
  int64_t id = 0;
  std::string code, name;
  std::string kind;  // "air", "water", "outlet_gas", "outlet_water"
  int64_t district_id = 0;
  int64_t enterprise_id = 0;  // outlets only
  double lon = 0, lat = 0;
  bool simulated = false;
  std::string attrs_json;  // limits, permit details, target water class...
};

struct Device {
  std::string mn;
  int64_t site_id = 0;
  std::string password;
  int protocol_version = 1;  // 0 = HJ/T 212-2005, 1 = HJ 212-2017, 2 = HJ 212-2025
  std::string charset = "utf-8";
  bool enabled = true;
  std::string crc_variant = "hj212";
};

struct LatestValue {
  std::string mn;
  Period period = Period::kRealtime;
  std::string factor, field, value;
  char flag = 0;
  UnixSeconds time = 0;
};

// One row of the tamper-evident audit log: every change to data, rights, devices
// and datasets, every export and shared read. Rows are hash-chained: `hash` is the
// SHA-256 of the row's fields and `prev_hash` (the previous row's hash; 64 zeros
// for the first), so editing or deleting a row breaks the chain at that point
// (audit.h: VerifyAuditChain).
struct AuditEntry {
  int64_t id = 0;  // assigned by the store, consecutive from 1
  UnixMillis time = 0;
  std::string actor;            // "cli", "user:alice", "key:3"...
  std::string action;           // "device.put", "import", "export"...
  std::string object;           // what it was done to: "device:MN...", "dataset:aqi"...
  std::string detail;           // JSON
  std::string prev_hash, hash;  // lowercase hex
};

// A value EcoHub derived from readings (an hourly AQI, a day's water class, an
// exceedance event, a day's data-quality rates): one JSON document under
// (kind, scope, time). `scope` names what it is about (a site code, a district
// code, "city", or "site/factor" for events); `time` is the start of its period
// (UTC). `value` is the headline number (AQI, class, peak) used for sorting.
struct DerivedRow {
  std::string kind, scope;
  UnixSeconds time = 0;
  std::optional<double> value;
  std::string body;  // JSON
  UnixSeconds updated = 0;
};

// An alarm (告警): a condition somebody must look at — an outlet's exceedance, a
// data anomaly, a silent device — with its lifecycle open -> acknowledged -> closed
// (open -> closed directly too; closed is final). `key` identifies the condition
// ("exceedance:SITE/FACTOR:START", "anomaly:SITE/FACTOR:KIND:START",
// "offline:MN:START") so that raising it again updates the same row.
struct Alarm {
  int64_t id = 0;  // assigned by the store
  std::string key;
  std::string kind;  // "exceedance", "anomaly", "offline"
  int64_t site_id = 0;
  std::string site_code;
  int64_t enterprise_id = 0;  // 0: none (stored as NULL)
  int64_t district_id = 0;
  std::string factor;  // HJ 212 code; empty for "offline"
  UnixSeconds started = 0;
  std::optional<UnixSeconds> ended;  // set once the condition is over
  std::optional<double> value;       // the peak
  std::optional<double> limit;
  std::string unit;
  std::string detail = "{}";    // JSON
  std::string status = "open";  // "open", "acknowledged", "closed"
  std::string ack_by;           // actor ("user:alice"), empty until acknowledged
  UnixSeconds ack_at = 0;
  std::string ack_comment;
  std::string closed_by;
  UnixSeconds closed_at = 0;
  std::string close_comment;
  UnixSeconds created = 0;  // set by the store when 0
};

// Which alarms QueryAlarms/CountAlarms return; empty or zero fields do not filter.
struct AlarmFilter {
  std::vector<std::string> statuses;
  std::string kind;
  int64_t district_id = 0, site_id = 0, enterprise_id = 0;
  UnixSeconds from = INT64_MIN, to = INT64_MAX;  // on `started`, [from, to)
  bool ongoing_only = false;                     // only alarms without `ended`
  // Paging in (started, id) descending order: only rows after this one.
  std::optional<std::pair<UnixSeconds, int64_t>> after;
  size_t limit = 100;
};

// Counts of alarms by (kind, status).
struct AlarmCount {
  std::string kind, status;
  int64_t count = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // All batches in one transaction, durable when OK is returned. On error nothing of
  // them is stored.
  virtual Status Append(std::span<const Batch* const> batches) = 0;

  // Every stored reading ordered by (mn, period, time, factor, field); `fn` returns
  // false to stop early.
  virtual Status ScanReadings(const std::function<bool(const Reading&)>& fn) = 0;
  // One series, time in [from, to), ordered by time.
  virtual Result<std::vector<Reading>> Range(std::string_view mn, Period period,
                                             std::string_view factor, std::string_view field,
                                             UnixSeconds from, UnixSeconds to) = 0;
  // Every reading of `period` with time in [from, to), all series, grouped by
  // series and ordered by time within one. For passes that need many series over
  // the same window (the Deriver's hourly pass): one scan of the window instead of
  // one per series. `fn` returns false to stop.
  // `mns`, when not empty, limits the scan to those devices (sorted, unique).
  virtual Status ScanWindow(Period period, UnixSeconds from, UnixSeconds to,
                            std::span<const std::string> mns,
                            const std::function<bool(const Reading&)>& fn) = 0;
  // The newest value of every series (to warm the latest-value cache).
  virtual Result<std::vector<LatestValue>> LatestAll() = 0;
  // The newest value of every (period, factor, field) of the devices registered to a
  // site, ordered by (mn, period, factor, field). Empty for an unknown site. Maps and
  // cockpits read LatestCache instead; this is the store's answer to the same question.
  virtual Result<std::vector<LatestValue>> LatestForSite(int64_t site_id) = 0;
  virtual Result<int64_t> CountReadings() = 0;
  // Bytes used by each table and index, for capacity planning ("readings", "chunks",
  // "raw_packets"...). Empty when the backend cannot tell.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> TableBytes() = 0;

  // Raw packets of a device, newest first, received in [from, to). Raw packets are
  // indexed by time only (cheap to write); the window is scanned, so keep it narrow.
  virtual Result<std::vector<RawPacket>> RawPackets(std::string_view mn, UnixMillis from,
                                                    UnixMillis to, size_t limit) = 0;

  // Retention.
  virtual Status PruneRaw(UnixMillis before) = 0;
  virtual Status PruneReadings(Period period, UnixSeconds before) = 0;
  // Moves readings older than `before` from the write-optimised table into
  // compressed per-series chunks, merging with what is there (the newer value of a
  // time wins). Safe at any time and concurrently with Append; reads see the same
  // data before and after. Compact() (everything) also gives freed pages back to the
  // file system and truncates the WAL: the figure to quote as bytes on disk.
  virtual Status Compact(UnixSeconds before) = 0;
  Status Compact() { return Compact(INT64_MAX); }

  // Derived values. ReplaceDerived deletes the rows of (kind, scope) with time in
  // [from, to) and inserts `rows` (which must be of that kind and scope), in one
  // transaction: a recomputation that finds fewer events than before leaves no stale
  // ones. PutDerived upserts rows by (kind, scope, time), all in one transaction.
  virtual Status ReplaceDerived(std::string_view kind, std::string_view scope, UnixSeconds from,
                                UnixSeconds to, std::span<const DerivedRow> rows) = 0;
  virtual Status PutDerived(std::span<const DerivedRow> rows) = 0;
  // Rows of `kind` with time in [from, to), of one scope (or every scope when `scope`
  // is empty, or every scope starting with it when it ends with '*'), ordered by
  // (time, scope), at most `limit`.
  virtual Result<std::vector<DerivedRow>> QueryDerived(std::string_view kind,
                                                       std::string_view scope, UnixSeconds from,
                                                       UnixSeconds to, size_t limit) = 0;

  // Appends to the audit log in its own durable transaction, linking the entry to
  // the last row; fills id, prev_hash and hash (the caller's are ignored) and
  // returns the stored entry.
  Result<AuditEntry> AppendAudit(const AuditEntry& entry) {
    AuditEntry e = entry;
    Status s = AppendAudits(std::span<AuditEntry>(&e, 1));
    if (!s.ok()) return s;
    return e;
  }
  // The same for several entries, chained in order, in one durable transaction
  // (all or none); fills each entry's id, time (when 0), prev_hash and hash.
  virtual Status AppendAudits(std::span<AuditEntry> entries) = 0;
  // Every audit row in id order, as stored (no checking); `fn` returns false to stop.
  virtual Status ScanAudit(const std::function<bool(const AuditEntry&)>& fn) = 0;

  // Alarms. UpsertAlarms inserts the alarms whose key is new and, for the keys that
  // exist, updates only ended, value, limit, unit and detail (never the status or the
  // acknowledgement): a sync may raise the same condition every minute. One durable
  // transaction.
  virtual Status UpsertAlarms(std::span<const Alarm> alarms) = 0;
  // Matching alarms, newest `started` first (then highest id), at most filter.limit.
  virtual Result<std::vector<Alarm>> QueryAlarms(const AlarmFilter& filter) = 0;
  // Matching alarms counted by (kind, status); `after` and `limit` are ignored.
  virtual Result<std::vector<AlarmCount>> CountAlarms(const AlarmFilter& filter) = 0;
  virtual Result<Alarm> GetAlarm(int64_t id) = 0;  // kNotFound when unknown
  // Moves an alarm to `status` ("acknowledged" from open; "closed" from open or
  // acknowledged), recording `by`, `at` and `comment` as its ack or close fields, and
  // returns the alarm as stored. Atomic: of two racing transitions one wins, the
  // other gets kConflict. kNotFound for an unknown id, kConflict for an illegal
  // transition (closed is final), kInvalidInput for another status.
  virtual Result<Alarm> TransitionAlarm(int64_t id, std::string_view status, std::string_view by,
                                        std::string_view comment, UnixSeconds at) = 0;

  // Reference tables: upsert by natural key (district and site code, enterprise
  // credit_code, device mn); return the id (a device is keyed by its mn alone).
  virtual Result<int64_t> PutDistrict(const District& d) = 0;
  virtual Result<int64_t> PutEnterprise(const Enterprise& e) = 0;
  virtual Result<int64_t> PutSite(const Site& s) = 0;
  virtual Status PutDevice(const Device& d) = 0;
  virtual Result<std::vector<District>> Districts() = 0;
  virtual Result<std::vector<Enterprise>> Enterprises() = 0;
  virtual Result<std::vector<Site>> Sites() = 0;
  virtual Result<Site> GetSite(int64_t id) = 0;
  virtual Result<std::vector<Device>> Devices() = 0;          // ordered by mn
  virtual Result<Device> GetDevice(std::string_view mn) = 0;  // kNotFound when unknown
};

}  // namespace ecohub::store
