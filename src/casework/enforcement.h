// Enforcement cases (执法, docs/enforcement.md): what officers found at an enterprise
// (现场检查记录: the checklist item by item, the findings, the officers), and when the
// law was broken, the case that follows — the violation and its legal basis, the penalty
// decision (number, amount) and its payment, the rectification ordered with a deadline
// and its check — until the case is closed. Every step is on the case's time line.
// Pure: no I/O; EnforcementStore keeps cases, the routes act on them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace ecohub::casework {

enum class CaseStatus {
  kCompliant,   // 未发现问题: inspected, nothing against the law (closable at once)
  kViolation,   // 发现违法: a violation recorded, the decisions pending
  kRectifying,  // 整改中: a rectification ordered, not yet passed its check
  kClosed,      // 已结案
};
std::string_view CaseStatusCode(CaseStatus s);
std::string_view CaseStatusName(CaseStatus s);  // 中文
std::optional<CaseStatus> CaseStatusFromCode(std::string_view code);

enum class CaseStep {
  kRecord,   // the inspection record: opens the case
  kPenalty,  // 处罚决定: number, legal basis, amount
  kPayment,  // 缴款: the fine paid
  kOrder,    // 责令整改: what and by when
  kCheck,    // 整改复查: passed or not
  kClose,    // 结案
  kNote,     // a remark on the record
};
std::string_view CaseStepCode(CaseStep s);
std::string_view CaseStepName(CaseStep s);  // 中文
std::optional<CaseStep> CaseStepFromCode(std::string_view code);

// One checklist line of the inspection and what was found on it.
struct CaseItem {
  std::string text;
  bool compliant = true;
  std::string finding;  // may be empty
  bool operator==(const CaseItem&) const = default;
};

struct EnforcementCase {
  int64_t id = 0;
  int64_t enterprise_id = 0, district_id = 0;
  int64_t task_id = 0;  // the grid task it was done for; 0: none
  UnixSeconds inspected_at = 0;
  std::vector<int64_t> officers;  // user ids: at least two (an inspection takes two)
  std::vector<CaseItem> items;
  std::string findings;  // 检查情况
  bool violation = false;
  std::string violation_text, legal_basis;  // 违法事实, 法律依据
  // 处罚决定: number and amount in fen (分); decided_at 0 until decided.
  std::string decision_no;
  int64_t fine_fen = 0;
  UnixSeconds decided_at = 0, paid_at = 0;
  // 责令整改: what, by when; rectified_at when a check passed.
  std::string rectify_text;
  UnixSeconds rectify_due = 0, rectified_at = 0;
  CaseStatus status = CaseStatus::kCompliant;
  UnixSeconds created_at = 0;
  int64_t version = 0;
  bool operator==(const EnforcementCase&) const = default;
};

struct CaseEvent {
  int64_t case_id = 0;
  UnixSeconds at = 0;
  CaseStep step = CaseStep::kNote;
  std::string actor;  // "user:<id>"
  std::string text;
  int64_t id = 0;  // set by the store
};

// kInvalidInput naming the field: an inspection time not in the future and within a
// year, at least two distinct officers, 1..100 checklist lines of 1..200 characters
// (findings at most 500), findings of 2..4000 characters; a violation with its facts
// (2..2000) and legal basis (2..500), and one of them for any non-compliant line.
Status CheckRecord(const EnforcementCase& c, UnixSeconds now);

// The status a new record opens with: violation when it found one, compliant otherwise.
CaseStatus OpeningStatus(const EnforcementCase& c);

// What a step asks for.
struct CaseStepInput {
  std::string decision_no, legal_basis, text;
  int64_t fine_fen = 0;
  UnixSeconds at = 0;  // payment time, rectification deadline
  bool passed = false;
};

// Whether `step` may be taken on `c` at `now` with `in`; the reason (Chinese and
// English) when not: a penalty only on a violation, once, with a number and an amount
// of 0..100 000 000 yuan; a payment once, after a penalty with a fine; a rectification
// ordered on a violation with a deadline after now (again once the last one is overdue:
// a new deadline after a failed check); a check while one is ordered; a
// close when nothing is pending (an ordered rectification passed, a fine paid).
std::optional<std::string> RefuseCaseStep(const EnforcementCase& c, CaseStep step,
                                          const CaseStepInput& in, UnixSeconds now);

// The case after `step` (RefuseCaseStep said yes), status and fields.
EnforcementCase AfterCaseStep(const EnforcementCase& c, CaseStep step, const CaseStepInput& in,
                              UnixSeconds now);

// A rectification past its deadline without a passed check.
bool RectificationOverdue(const EnforcementCase& c, UnixSeconds now);

}  // namespace ecohub::casework
