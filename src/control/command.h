// Commands staff send to a device (reverse control, HJ 212-2017 table 9): which
// kinds exist, their CN and parameter rules, and a command's lifecycle as the
// gateway moves it. Pure: no I/O, the caller passes the time.
//
// Lifecycle (docs/control.md):
//   queued -> sent -> accepted (9011 QnRtn=1) -> done (9012 ExeRtn=1)
//                                             -> failed (ExeRtn != 1)
//                  -> refused (9011 QnRtn != 1)
//          sent/accepted -> timed_out (no answer after the resends, or the link closed)
//   queued -> expired (the device did not connect within the TTL)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace ecohub::control {

using Params = std::vector<std::pair<std::string, std::string>>;

struct Command {
  int64_t id = 0;
  std::string mn;
  std::string kind;    // "set_rtd_interval"...
  std::string cn;      // the request's CN, "1062"
  std::string params;  // the request's CP fields as HJ 212 text "RtdInterval=60"
  std::string origin;  // "api" (staff) or "gateway" (history recovery)
  std::string created_by;
  UnixSeconds created_at = 0;
  std::string status;  // see the lifecycle above
  UnixSeconds updated_at = 0;
  std::string node;          // the gateway node that sent it
  std::string qn;            // the request's QN once sent
  std::string code;          // QnRtn / ExeRtn when not 1, or why it ended
  std::string result;        // the device's data reply fields, HJ 212 text "RtdInterval=60"
  int64_t records = 0;       // history: records received
  int64_t expected = 0;      // history: records the range should hold (0: unknown)
  int64_t follow_up_of = 0;  // a repeated history pull: the first pull of its gap
  bool operator==(const Command&) const = default;
};

// Whether no answer can change `status` any more.
bool Terminal(std::string_view status);

// The command kinds, in the order the API documents them.
std::vector<std::string_view> Kinds();

// A queued command of `kind` for device `mn` from `params` (HJ 212 names:
// RtdInterval, MinInterval, PolId, InfoId, BeginTime/EndTime as YYYYMMDDhhmmss
// local time; "period" minute|hour|day for history). kInvalidInput naming the kind
// or parameter that is wrong; unknown parameters are refused too.
Result<Command> NewCommand(std::string_view mn, std::string_view kind, const Params& params,
                           std::string_view created_by, UnixSeconds now);

// "k=v;k=v" <-> pairs. Values never hold ';', '=', ',' or '&' (NewCommand refuses
// them), so the text splits back exactly.
std::string FormatCp(const Params& params);
Params ParseCp(std::string_view text);

// The CP fields of the request to send now: the params, and SystemTime = `now`
// for time_sync (HJ 212 SystemTime is the device's local time at `utc_offset`).
Params RequestFields(const Command& c, UnixSeconds now, int64_t utc_offset);

// Longest range a history command may ask for, by CN: a logger answers a pull
// record by record, and a long one holds its link for minutes.
int64_t MaxHistorySeconds(std::string_view cn);
// The step of a history CN's records (minute records: 0, the device's MinInterval).
int64_t HistoryStep(std::string_view cn);

}  // namespace ecohub::control
