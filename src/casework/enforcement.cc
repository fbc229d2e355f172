#include "casework/enforcement.h"

#include <set>

#include "casework/complaint.h"
#include "casework/named.h"

namespace ecohub::casework {
namespace {

using named::ByCode;
using named::CodeOf;
using named::Named;
using named::NameOf;

constexpr Named<CaseStatus> kStatuses[] = {
    {CaseStatus::kCompliant, "compliant", "未发现问题"},
    {CaseStatus::kViolation, "violation", "发现违法"},
    {CaseStatus::kRectifying, "rectifying", "整改中"},
    {CaseStatus::kClosed, "closed", "已结案"},
};

constexpr Named<CaseStep> kSteps[] = {
    {CaseStep::kRecord, "record", "现场检查"},   {CaseStep::kPenalty, "penalty", "处罚决定"},
    {CaseStep::kPayment, "payment", "缴纳罚款"}, {CaseStep::kOrder, "order", "责令整改"},
    {CaseStep::kCheck, "check", "整改复查"},     {CaseStep::kClose, "close", "结案"},
    {CaseStep::kNote, "note", "备注"},
};

constexpr int64_t kYear = 366 * 86400;
constexpr int64_t kMaxFineFen = 100'000'000LL * 100;  // 1 亿元

Status Field(const char* name, const std::string& what) {
  return Status::InvalidInput(std::string(name) + ": " + what);
}

bool Between(const std::string& s, size_t lo, size_t hi) {
  size_t n = Characters(s);
  return n >= lo && n <= hi;
}

}  // namespace

std::string_view CaseStatusCode(CaseStatus s) { return CodeOf(kStatuses, s); }
std::string_view CaseStatusName(CaseStatus s) { return NameOf(kStatuses, s); }
std::optional<CaseStatus> CaseStatusFromCode(std::string_view c) {
  return ByCode<CaseStatus>(kStatuses, c);
}
std::string_view CaseStepCode(CaseStep s) { return CodeOf(kSteps, s); }
std::string_view CaseStepName(CaseStep s) { return NameOf(kSteps, s); }
std::optional<CaseStep> CaseStepFromCode(std::string_view c) { return ByCode<CaseStep>(kSteps, c); }

Status CheckRecord(const EnforcementCase& c, UnixSeconds now) {
  if (c.inspected_at > now || c.inspected_at < now - kYear)
    return Field("inspected_at", "not in the future, and within a year");
  std::set<int64_t> officers(c.officers.begin(), c.officers.end());
  if (officers.size() < 2 || officers.size() != c.officers.size() || officers.count(0))
    return Field("officers", "at least two different officers (user ids)");
  if (c.items.empty() || c.items.size() > 100) return Field("items", "1 to 100 checklist lines");
  bool any_bad = false;
  for (const auto& i : c.items) {
    if (!Between(i.text, 1, 200)) return Field("items", "each line 1 to 200 characters");
    if (Characters(i.finding) > 500) return Field("items", "a finding of at most 500 characters");
    any_bad = any_bad || !i.compliant;
  }
  if (!Between(c.findings, 2, 4000)) return Field("findings", "2 to 4000 characters");
  if (any_bad && !c.violation)
    return Field("violation", "a line found not compliant: record the violation");
  if (c.violation) {
    if (!Between(c.violation_text, 2, 2000))
      return Field("violation_text", "the facts, 2 to 2000 characters");
    if (!Between(c.legal_basis, 2, 500)) return Field("legal_basis", "2 to 500 characters");
  }
  return Status::Ok();
}

CaseStatus OpeningStatus(const EnforcementCase& c) {
  return c.violation ? CaseStatus::kViolation : CaseStatus::kCompliant;
}

bool RectificationOverdue(const EnforcementCase& c, UnixSeconds now) {
  return c.rectify_due && !c.rectified_at && now > c.rectify_due;
}

std::optional<std::string> RefuseCaseStep(const EnforcementCase& c, CaseStep step,
                                          const CaseStepInput& in, UnixSeconds now) {
  if (step == CaseStep::kNote) {
    if (!Between(in.text, 1, 500)) return "备注 1 到 500 字 / a note of 1 to 500 characters";
    return std::nullopt;
  }
  if (c.status == CaseStatus::kClosed) return "案件已结案 / the case is closed";
  switch (step) {
    case CaseStep::kPenalty:
      if (!c.violation) return "未发现违法，不能处罚 / no violation to penalize";
      if (c.decided_at) return "已作出处罚决定 / a penalty was decided already";
      if (!Between(in.decision_no, 2, 60))
        return "处罚决定书文号 2 到 60 字 / a decision number of 2 to 60 characters";
      if (in.fine_fen < 0 || in.fine_fen > kMaxFineFen)
        return "罚款金额应在 0 到 1 亿元之间 / a fine of 0 to 100 000 000 yuan";
      if (!in.legal_basis.empty() && !Between(in.legal_basis, 2, 500))
        return "处罚依据 2 到 500 字 / a legal basis of 2 to 500 characters";
      return std::nullopt;
    case CaseStep::kPayment:
      if (!c.decided_at || c.fine_fen == 0) return "没有应缴的罚款 / no fine to pay";
      if (c.paid_at) return "罚款已缴纳 / the fine was paid already";
      if (in.at > now || in.at < c.decided_at)
        return "缴款时间应在决定之后、现在之前 / paid after the decision, not in the future";
      return std::nullopt;
    case CaseStep::kOrder:
      if (!c.violation) return "未发现违法，无需整改 / no violation to rectify";
      if (c.status == CaseStatus::kRectifying && !RectificationOverdue(c, now))
        return "整改期限未到 / a rectification is ordered and not yet due";
      if (in.at <= now || in.at > now + kYear)
        return "整改期限应在今后一年内 / a deadline after now, within a year";
      if (!Between(in.text, 2, 1000))
        return "整改要求 2 到 1000 字 / what to rectify, 2 to 1000 characters";
      return std::nullopt;
    case CaseStep::kCheck:
      if (c.status != CaseStatus::kRectifying)
        return "没有待复查的整改 / no rectification to check";
      if (!Between(in.text, 2, 1000))
        return "复查情况 2 到 1000 字 / what the check found, 2 to 1000 characters";
      return std::nullopt;
    case CaseStep::kClose:
      if (c.status == CaseStatus::kRectifying)
        return "整改尚未通过复查 / the rectification is not checked";
      if (c.decided_at && c.fine_fen > 0 && !c.paid_at) return "罚款尚未缴纳 / the fine is unpaid";
      if (c.violation && !c.decided_at && !c.rectified_at)
        return "发现违法但未作处罚或整改 / a violation with neither penalty nor rectification";
      return std::nullopt;
    case CaseStep::kRecord:
      return "检查记录只在立案时填写 / the record opens the case";
    case CaseStep::kNote:
      break;
  }
  return std::nullopt;
}

EnforcementCase AfterCaseStep(const EnforcementCase& c, CaseStep step, const CaseStepInput& in,
                              UnixSeconds now) {
  EnforcementCase out = c;
  switch (step) {
    case CaseStep::kPenalty:
      out.decision_no = in.decision_no;
      out.fine_fen = in.fine_fen;
      out.decided_at = now;
      if (!in.legal_basis.empty()) out.legal_basis = in.legal_basis;
      break;
    case CaseStep::kPayment:
      out.paid_at = in.at;
      break;
    case CaseStep::kOrder:
      out.rectify_text = in.text;
      out.rectify_due = in.at;
      out.rectified_at = 0;
      out.status = CaseStatus::kRectifying;
      break;
    case CaseStep::kCheck:
      if (in.passed) {
        out.rectified_at = now;
        out.status = CaseStatus::kViolation;
      }
      break;
    case CaseStep::kClose:
      out.status = CaseStatus::kClosed;
      break;
    case CaseStep::kRecord:
    case CaseStep::kNote:
      break;
  }
  return out;
}

}  // namespace ecohub::casework
