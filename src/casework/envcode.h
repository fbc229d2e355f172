// The enterprise environment code (环保码, docs/enterprise-code.md): green, yellow or red
// for an enterprise, from what EcoHub holds about it over the last 30 days, with every
// point explained. The rules, "ecohub-code-1", start from 100 and take off:
//
//   exceedance  10 a day on which an exceedance alarm of its outlets began (at most 60)
//   offline      1 for every 4 full hours its outlets' devices were offline (at most 30)
//   unanswered   5 for every alarm still unanswered (neither acknowledged nor closed)
//                24 hours after it began (at most 20)
//   permit      40 when it has outlets and no valid discharge permit covers the day
//               (counted only where the bureau keeps permits in EcoHub: any permit)
//
// Red below 60, or with exceedances on 5 days or more; yellow below 85; green otherwise.
// The code at any past time is computed the same way from the same facts (its history).
//
// Pure: no I/O. The routes gather the facts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace ecohub::casework {

inline constexpr std::string_view kCodeRules = "ecohub-code-1";
inline constexpr int64_t kCodeWindowSeconds = 30 * 86400;

enum class CodeColor { kGreen, kYellow, kRed };
std::string_view CodeColorCode(CodeColor c);  // green, yellow, red
std::string_view CodeColorName(CodeColor c);  // 绿码, 黄码, 红码

// One alarm of the enterprise's outlets, as the code needs it.
struct CodeAlarm {
  std::string kind;  // exceedance, offline, anomaly
  UnixSeconds started = 0;
  std::optional<UnixSeconds> ended;
  UnixSeconds ack_at = 0, closed_at = 0;  // 0: not (yet)
};

// A valid permit's days: [from, to) in seconds.
struct PermitPeriod {
  UnixSeconds from = 0, to = 0;
};

struct CodeFacts {
  std::vector<CodeAlarm> alarms;
  bool has_outlets = false;
  std::vector<PermitPeriod> permits;
  // The deployment keeps discharge permits (it holds at least one); false: the permit
  // rule cannot be judged and takes nothing.
  bool permits_kept = true;
};

// One rule's share: what it counted, the points it took, and why, in Chinese.
struct CodePoint {
  std::string rule;  // exceedance, offline, unanswered, permit
  std::string name;  // 超标, 离线, 告警未响应, 排污许可
  int64_t count = 0;
  int points = 0;  // taken off
  std::string text;
};

struct EnvCode {
  CodeColor color = CodeColor::kGreen;
  int score = 100;
  std::vector<CodePoint> points;  // every rule, in the order above
  UnixSeconds from = 0, to = 0;   // the window
};

// The code at `at` from the 30 days before it.
EnvCode ComputeCode(const CodeFacts& f, UnixSeconds at);

// The code at the end of each of the `days` Beijing days up to and including the day of
// `now` (the last one at `now` itself), oldest first.
struct CodeDay {
  UnixSeconds day = 0;  // the Beijing day's start
  EnvCode code;
};
std::vector<CodeDay> CodeHistory(const CodeFacts& f, UnixSeconds now, int days);

}  // namespace ecohub::casework
