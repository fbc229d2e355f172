// Self-declarations (自行申报) of an enterprise for one of its outlets: the outlet is
// stopped (停产), its monitoring equipment is faulty (故障) or under maintenance (检修),
// or something else is abnormal (异常), over a window of time. The enterprise
// submits; staff of the district accept or reject. Once accepted, a declaration
// annotates or suppresses the alarms raised in its window (the rule table below,
// docs/declarations.md says why), and it is checked against the data the outlet
// sent in that window: a declaration the data contradicts is flagged for staff.
//
// This file is pure: validation, the rule table, the data check. declaration_store.h
// keeps the record; alarms.h applies accepted declarations to alarms.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/reading.h"
#include "core/status.h"

namespace ecohub::declare {

// The kinds, by their API names: "stopped" 停产, "fault" 故障, "maintenance" 检修,
// "abnormal" 异常.
const std::vector<std::string>& Kinds();
bool IsKind(std::string_view kind);
std::string_view KindLabel(std::string_view kind);  // the Chinese name

// Lifecycle: submitted -> accepted | rejected | withdrawn (by the enterprise before
// a decision); accepted -> ended (an open window closed). Accepted and ended
// declarations cover their window.
struct Declaration {
  int64_t id = 0;
  int64_t site_id = 0;
  std::string site_code;
  int64_t enterprise_id = 0;
  int64_t district_id = 0;
  std::string kind;
  UnixSeconds from = 0;
  std::optional<UnixSeconds> to;  // open (停产 only) until ended
  std::string reason;
  std::string submitted_by;  // "user:3"
  UnixSeconds submitted_at = 0;
  std::string status = "submitted";
  std::string decided_by;  // accept, reject, withdraw
  UnixSeconds decided_at = 0;
  std::string decision_comment;
  std::string ended_by;
  UnixSeconds ended_at = 0;
  bool operator==(const Declaration&) const = default;
};

// Whether `d` covers the instant `t` (accepted or ended, t in [from, to)).
bool Covers(const Declaration& d, UnixSeconds t);
// Whether two windows overlap (an open window runs on forever).
bool Overlaps(const Declaration& a, const Declaration& b);

// Limits of a window (docs/declarations.md).
inline constexpr int64_t kMaxWindowSeconds = 90 * 86400;  // a closed window
inline constexpr int64_t kMaxLateSeconds = 30 * 86400;    // from, before submission
inline constexpr int64_t kMaxAheadSeconds = 90 * 86400;   // from, after submission
inline constexpr size_t kMaxReasonBytes = 2000;

// Checks a new declaration submitted at `now`: kind, window order and length, not
// in the far past or far future, a reason, and no overlap with `accepted` (the
// outlet's accepted declarations). kInvalidInput or kConflict (an overlap).
Status Validate(const Declaration& d, UnixSeconds now, std::span<const Declaration> accepted = {});

// What an accepted declaration does to an alarm raised in its window.
enum class Effect { kNone, kAnnotate, kSuppress };
std::string_view EffectName(Effect e);
// The rule table: declaration kind x alarm kind ("exceedance", "anomaly",
// "offline"). Exceedances are never suppressed. kNone for unknown kinds.
Effect RuleFor(std::string_view declaration_kind, std::string_view alarm_kind);

// A contradiction between a declaration and the data of its window.
struct Finding {
  std::string code;    // "flow_while_stopped", "valid_while_fault", "valid_while_maintenance"
  std::string factor;  // the factor concerned ("" for all)
  int64_t hours = 0;   // hours that contradict
  int64_t of = 0;      // hours with data in the window
  UnixSeconds first = 0;
  std::string text;  // in words
  bool operator==(const Finding&) const = default;
};

// The flow factors: 污水流量 w00000, 废气流量 a00000.
bool IsFlowFactor(std::string_view factor);

// Checks `d` against `hours`, the outlet's hour values (field Avg) in its window
// (readings outside [from, to), or `until` when open, are ignored):
//   stopped: valid (flag N) flow above zero -> flow_while_stopped;
//   fault / maintenance: hours whose values are all flagged N (valid, not D or M)
//     -> valid_while_fault / valid_while_maintenance.
std::vector<Finding> Check(const Declaration& d, std::span<const Reading> hours, UnixSeconds until);

}  // namespace ecohub::declare
