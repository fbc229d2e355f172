// Session: what the gateway does with each packet of one device connection.
//
// Pure protocol logic, no I/O: given a parsed packet and the time, it decides what
// to store, what to answer after the store commits (9014), what to answer at once
// (9013), and which host requests to send (1012 time sync, 2051/2061 history pull
// to fill gaps, HJ 212-2017 §6.7), and it tracks those requests until their 9011 /
// 9012 arrive or time out. The Connection in gateway.cc performs the I/O. One
// Session per connection; not thread-safe (the connection's strand serialises it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/reading.h"
#include "hj212/builder.h"
#include "hj212/packet.h"
#include "registry/snapshot.h"
#include "store/store.h"

namespace ecohub::ingest {

struct SessionOptions {
  // Send 1012 (set device time) after the first authenticated packet and on 1013.
  bool time_sync = true;
  // Ask for the minute/hour records a device skipped (2051/2061 with BeginTime/EndTime).
  bool backfill = true;
  // Longest gap one history request covers; older gaps are left to operators.
  int64_t backfill_max_seconds = 48 * 3600;
  // HJ 212-2017 table 1 defaults for GPRS-class links: 10 s, 3 resends.
  int64_t request_timeout_ms = 10'000;
  int request_retries = 3;
  // Local time offset of DataTime/QN when a device has none configured (Beijing).
  int64_t default_utc_offset = kBeijingOffsetSeconds;
};

// A request the gateway sent and awaits answers to.
struct PendingRequest {
  std::string qn;
  std::string cn;
  std::string frame;  // resent as is on timeout
  int attempts = 1;
  int64_t deadline_ms = 0;
  bool answered = false;  // 9011 with QnRtn=1 seen; now waiting for 9012
};

// What the session made of a packet. Kept with the raw packet by its name.
enum class Verdict : uint8_t {
  kStored,           // data stored (acknowledged after the commit)
  kNoData,           // a data upload without values
  kReply,            // an answer to a request of ours (9011..9014)
  kNotify,           // a notification (e.g. the device's clock request), answered
  kKeptRaw,          // a command we do not interpret: kept raw, answered
  kUnknownMn,        // not registered, or disabled
  kBadPassword,      // registered, wrong access password
  kBadDataTime,      // DataTime missing or impossible
  kUnexpectedReply,  // an answer to nothing we asked
};
// The verdict's name as stored with the raw packet and shown by the API ("stored").
std::string_view VerdictName(Verdict v);
// Whether the packet came from a device we accept (counts as its traffic).
inline bool Accepted(Verdict v) {
  return v != Verdict::kUnknownMn && v != Verdict::kBadPassword && v != Verdict::kBadDataTime &&
         v != Verdict::kUnexpectedReply;
}
// Whether the packet failed authentication.
inline bool AuthFailed(Verdict v) { return v == Verdict::kUnknownMn || v == Verdict::kBadPassword; }

struct Outcome {
  Verdict verdict = Verdict::kStored;
  std::string mn;
  std::vector<Reading> readings;
  std::string ack_after_commit;       // 9014 frame, sent only once the batch is durable
  std::vector<std::string> send_now;  // 9013 and host requests
};

class Session {
 public:
  // `registry` says who may send (the devices of its current snapshot); it must
  // outlive the session.
  Session(const registry::Registry& registry, const SessionOptions& options, Metrics& metrics);

  Outcome OnPacket(const hj212::Packet& packet, int64_t now_ms);
  // Resends or abandons timed-out requests; returns frames to send now.
  std::vector<std::string> OnTick(int64_t now_ms);

  const std::string& mn() const { return mn_; }
  size_t pending_requests() const { return pending_.size(); }

 private:
  void HandleReply(const hj212::Packet& packet, std::string_view cn, Outcome* out);
  std::string NewQn(int64_t now_ms);
  void SendRequest(std::string_view cn, const std::vector<hj212::Field>& cp, int64_t now_ms,
                   Outcome* out);
  void MaybeBackfill(Period period, UnixSeconds data_time, int64_t now_ms, Outcome* out);

  // The device `mn` in the registry's current snapshot; null when unknown. The
  // session keeps that snapshot until the registry publishes another.
  const store::Device* Lookup(std::string_view mn);

  const registry::Registry& registry_;
  std::shared_ptr<const registry::Snapshot> snapshot_;
  SessionOptions options_;
  Metrics& metrics_;
  std::string mn_, pw_, st_;
  int version_ = 1;
  int64_t utc_offset_;
  bool synced_ = false;
  int64_t last_qn_ms_ = 0;
  std::map<std::string, PendingRequest> pending_;  // by QN
  // Latest interval start seen per period, to spot gaps in minute and hour data.
  std::optional<UnixSeconds> last_time_[kPeriodCount];
  int64_t minute_step_ = 0;  // inferred minute-data interval (MinInterval) in seconds
};

// Readings of a data upload (2011, 2051, 2061, 2031, 2021, 2041): every CP pair
// "factor-Field" whose Field is a value kind, with the factor's -Flag. Returns
// nullopt when DataTime is missing or not a valid time.
std::optional<std::vector<Reading>> ExtractReadings(const hj212::Packet& packet, Period period,
                                                    std::string_view mn, int64_t utc_offset);

}  // namespace ecohub::ingest
