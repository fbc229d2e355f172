// Session: what the gateway does with each packet of one device connection.
//
// Pure protocol logic, no I/O: given a parsed packet and the time, it decides what
// to store, what to answer after the store commits (9014), what to answer at once
// (9013), and which host requests to send (1012 time sync, 2051/2061 history pull
// to fill gaps, HJ 212-2017 §6.7, asked again a bounded number of times while the
// gap stays open; and the commands staff send, control/command.h), and it tracks
// those requests until their 9011 / data / 9012 arrive or time out. What happens to
// a tracked command comes back as RequestEvents, which the Connection in gateway.cc
// records in the command store: the session does no I/O. One Session per
// connection; not thread-safe (the connection's strand serialises it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "control/command.h"
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
  // A gap still open when its pull ends (9012 or timeout) is asked again this many
  // times, this long after the previous pull ended.
  int backfill_follow_ups = 2;
  int64_t backfill_follow_up_ms = 5 * 60'000;
  // Gaps tracked at once per connection; a device with more is left to operators.
  size_t max_open_gaps = 16;
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
  bool answered = false;   // 9011 with QnRtn=1 seen; now waiting for 9012
  int64_t command_id = 0;  // the command store's id (0: not recorded)
  int64_t gap_id = 0;      // a history-recovery pull: the gap it asks for
  // History pulls: the range asked and the record times received in it.
  UnixSeconds begin = 0, end = 0;
  std::set<UnixSeconds> got;
  std::string result;        // the device's data reply fields, "k=v;k=v"
  int64_t min_interval = 0;  // 1064: the MinInterval set, in seconds
};

// What happened to a tracked request, for the command store (control/command.h).
// Emitted only for requests with a command id and for history-recovery pulls.
struct RequestEvent {
  std::string qn, cn;
  int64_t command_id = 0;
  // A history-recovery pull just sent (command_id 0): record it as a command of
  // origin "gateway", then hand its id to Session::SetCommandId.
  bool started = false;
  bool recovery = false;  // a history-recovery pull (not a staff command)
  std::string status;     // accepted, done, failed, refused, timed_out (started: sent)
  std::string code;       // QnRtn / ExeRtn when not 1, or why it ended
  std::string result;     // data reply fields so far
  int64_t records = 0;
  // started only: the request's CP fields, the records the range should hold, and
  // the first pull of the same gap (0: this is the first).
  std::string params;
  int64_t expected = 0;
  int64_t follow_up_of = 0;
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
  std::vector<RequestEvent> events;   // for the command store
};

class Session {
 public:
  // `registry` says who may send (the devices of its current snapshot); it must
  // outlive the session.
  Session(const registry::Registry& registry, const SessionOptions& options, Metrics& metrics);

  Outcome OnPacket(const hj212::Packet& packet, int64_t now_ms);
  // Resends or abandons timed-out requests and asks again for gaps still open;
  // returns the frames to send now and the events.
  Outcome OnTick(int64_t now_ms);
  // The connection closed: every tracked request is timed out.
  Outcome OnClose();

  // A QN for a command about to be claimed (unique on this connection).
  std::string NextQn(int64_t now_ms) { return NewQn(now_ms); }
  // Sends command `c` (claimed, with `qn` from NextQn) to the device. Needs an
  // authenticated device (mn() not empty); otherwise sends nothing and returns a
  // timed_out event.
  Outcome SendCommand(const control::Command& c, const std::string& qn, int64_t now_ms);
  // The command store's id of the request `qn` (after a started event).
  void SetCommandId(const std::string& qn, int64_t id);

  const std::string& mn() const { return mn_; }
  size_t pending_requests() const { return pending_.size(); }
  size_t open_gaps() const { return gaps_.size(); }

 private:
  void HandleReply(const hj212::Packet& packet, std::string_view cn, Outcome* out, int64_t now_ms);
  std::string NewQn(int64_t now_ms);
  PendingRequest& SendRequest(std::string_view cn, const std::vector<hj212::Field>& cp,
                              int64_t now_ms, Outcome* out, std::string qn = "");
  void MaybeBackfill(Period period, UnixSeconds data_time, int64_t now_ms, Outcome* out);
  // A gap in minute or hour data, pulled back and asked again while it stays open.
  struct Gap {
    int64_t id = 0;
    std::string cn;
    UnixSeconds begin = 0, end = 0, step = 0;  // first and last missing record
    std::set<UnixSeconds> got;
    int asks = 0;
    int64_t first_command_id = 0;
    int64_t ask_at_ms = 0;  // 0: a pull is out
  };
  void AskGap(Gap& gap, int64_t now_ms, Outcome* out);
  // A request ended (`status`): its event, and what becomes of its gap.
  void Finish(PendingRequest& r, std::string status, std::string code, int64_t now_ms,
              Outcome* out);
  // Counts a data record (history answers) for the pulls and gaps it belongs to.
  void CountRecord(std::string_view cn, UnixSeconds t);
  // A data reply (1011, 1061, 1063, 3020...) to a tracked request: kept as its result.
  bool TakeDataReply(const hj212::Packet& packet, std::string_view cn, Outcome* out);
  static RequestEvent EventOf(const PendingRequest& r, std::string status, std::string code);

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
  std::vector<Gap> gaps_;
  int64_t next_gap_id_ = 1;
};

// Readings of a data upload (2011, 2051, 2061, 2031, 2021, 2041): every CP pair
// "factor-Field" whose Field is a value kind, with the factor's -Flag. Returns
// nullopt when DataTime is missing or not a valid time.
std::optional<std::vector<Reading>> ExtractReadings(const hj212::Packet& packet, Period period,
                                                    std::string_view mn, int64_t utc_offset);

}  // namespace ecohub::ingest
