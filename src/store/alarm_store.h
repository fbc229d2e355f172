// AlarmStore: alarms (告警) and their lifecycle. An acknowledgement is a person's act
// and cannot be derived again, so alarms are kept as durably as readings. Part of
// Store (store.h), whose notes on thread-safety and errors apply; its contract suite
// is alarm_contract_test.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace ecohub::store {

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
  int64_t above_id = 0;  // only alarms with a greater id (raised later: notify/dispatcher.h)
  // Paging in (started, id) descending order: only rows after this one.
  std::optional<std::pair<UnixSeconds, int64_t>> after;
  size_t limit = 100;
};

// Counts of alarms by (kind, status).
struct AlarmCount {
  std::string kind, status;
  int64_t count = 0;
};

class AlarmStore {
 public:
  virtual ~AlarmStore() = default;

  // Inserts the alarms whose key is new and, for the keys that exist, updates only
  // ended, value, limit, unit and detail (never the status or the acknowledgement):
  // a sync may raise the same condition every minute. One durable transaction.
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
};

}  // namespace ecohub::store
