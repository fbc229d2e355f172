// The SQL both enforcement stores run: one text for SQLite and PostgreSQL, written as
// task_sql.h is ($1, $2... in order of first use; CAST(... AS BIGINT)).
#pragma once

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "casework/enforcement.h"
#include "casework/enforcement_store.h"
#include "store/json_columns.h"

namespace ecohub::casework::sql {

#define CASE_COLUMNS                                                                     \
  "id, enterprise_id, district_id, task_id, inspected_at, officers, items, findings, "   \
  "violation, violation_text, legal_basis, decision_no, fine_fen, decided_at, paid_at, " \
  "rectify_text, rectify_due, rectified_at, status, created_at, version"

inline constexpr const char* kInsertCase =
    "INSERT INTO cases (enterprise_id, district_id, task_id, inspected_at, officers, items, "
    "findings, violation, violation_text, legal_basis, decision_no, fine_fen, decided_at, "
    "paid_at, rectify_text, rectify_due, rectified_at, status, created_at, version) VALUES ($1, "
    "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 1) "
    "RETURNING id";
inline constexpr const char* kInsertCaseEvent =
    "INSERT INTO case_events (case_id, at, step, actor, text) VALUES ($1, $2, $3, $4, $5)";
inline constexpr const char* kUpdateCase =
    "UPDATE cases SET decision_no = $1, fine_fen = $2, decided_at = $3, paid_at = $4, "
    "rectify_text = $5, rectify_due = $6, rectified_at = $7, status = $8, legal_basis = $9, "
    "version = version + 1 WHERE id = $10 AND version = $11";
inline constexpr const char* kCaseById = "SELECT " CASE_COLUMNS " FROM cases WHERE id = $1";
inline constexpr const char* kListCases =
    "SELECT " CASE_COLUMNS
    " FROM cases WHERE id < $1 AND ($2 = '' OR status = $2) AND "
    "(CAST($3 AS BIGINT) = 0 OR status <> 'closed') AND "
    "(CAST($4 AS BIGINT) < 0 OR district_id = $4) AND "
    "(CAST($5 AS BIGINT) = 0 OR enterprise_id = $5) AND (CAST($6 AS BIGINT) = 0 OR task_id = $6) "
    "ORDER BY id DESC LIMIT $7";
inline constexpr const char* kCaseEvents =
    "SELECT case_id, at, step, actor, text, id FROM case_events WHERE case_id = $1 ORDER BY id";
#undef CASE_COLUMNS

inline constexpr const char* kCaseTables[] = {"cases", "case_events"};

// The checklist as stored: a JSON array of {"text", "compliant", "finding"}.
inline std::string CaseItemsJson(const std::vector<CaseItem>& items) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& i : items)
    a.push_back({{"text", i.text}, {"compliant", i.compliant}, {"finding", i.finding}});
  return a.dump();
}

inline std::vector<CaseItem> CaseItemsFromJson(const std::string& text) {
  std::vector<CaseItem> out;
  nlohmann::json a = nlohmann::json::parse(text, nullptr, false);
  if (!a.is_array()) return out;
  for (const auto& i : a)
    if (i.is_object())
      out.push_back({i.value("text", ""), i.value("compliant", true), i.value("finding", "")});
  return out;
}

// A case from a row of CASE_COLUMNS, read through an accessor with Int(c), Text(c).
template <typename Row>
EnforcementCase ReadCase(const Row& r) {
  EnforcementCase c;
  c.id = r.Int(0);
  c.enterprise_id = r.Int(1);
  c.district_id = r.Int(2);
  c.task_id = r.Int(3);
  c.inspected_at = r.Int(4);
  c.officers = store::ListFromJson<int64_t>(r.Text(5));
  c.items = CaseItemsFromJson(r.Text(6));
  c.findings = r.Text(7);
  c.violation = r.Int(8) != 0;
  c.violation_text = r.Text(9);
  c.legal_basis = r.Text(10);
  c.decision_no = r.Text(11);
  c.fine_fen = r.Int(12);
  c.decided_at = r.Int(13);
  c.paid_at = r.Int(14);
  c.rectify_text = r.Text(15);
  c.rectify_due = r.Int(16);
  c.rectified_at = r.Int(17);
  c.status = CaseStatusFromCode(r.Text(18)).value_or(CaseStatus::kViolation);
  c.created_at = r.Int(19);
  c.version = r.Int(20);
  return c;
}

template <typename Row>
CaseEvent ReadCaseEvent(const Row& r) {
  return {r.Int(0),  r.Int(1),  CaseStepFromCode(r.Text(2)).value_or(CaseStep::kNote),
          r.Text(3), r.Text(4), r.Int(5)};
}

// The values of kInsertCase, in order, passed to `f`.
template <typename F>
auto WithCaseInsertValues(const EnforcementCase& c, F&& f) {
  return f(c.enterprise_id, c.district_id, c.task_id, c.inspected_at,
           nlohmann::json(c.officers).dump(), CaseItemsJson(c.items), c.findings,
           static_cast<int64_t>(c.violation), c.violation_text, c.legal_basis, c.decision_no,
           c.fine_fen, c.decided_at, c.paid_at, c.rectify_text, c.rectify_due, c.rectified_at,
           std::string(CaseStatusCode(c.status)), c.created_at);
}

// The values of kUpdateCase, in order (the record itself never changes).
template <typename F>
auto WithCaseUpdateValues(const EnforcementCase& c, F&& f) {
  return f(c.decision_no, c.fine_fen, c.decided_at, c.paid_at, c.rectify_text, c.rectify_due,
           c.rectified_at, std::string(CaseStatusCode(c.status)), c.legal_basis, c.id, c.version);
}

// The values of kListCases, in order.
template <typename F>
auto WithCaseListValues(const CaseFilter& f, F&& fn) {
  return fn(f.before > 0 ? f.before : INT64_MAX,
            f.status ? std::string(CaseStatusCode(*f.status)) : std::string(),
            static_cast<int64_t>(f.open_only), f.district_id.value_or(-1), f.enterprise_id,
            f.task_id, static_cast<int64_t>(std::min<size_t>(f.limit, INT64_MAX)));
}

inline std::string CaseConflict(int64_t id) {
  return "case " + std::to_string(id) + " was changed meanwhile; read it again";
}

// The traits of case_tables.h for enforcement cases.
struct CaseTraits {
  using Case = EnforcementCase;
  using Event = CaseEvent;
  using Change = CaseChange;
  using Filter = CaseFilter;
  static constexpr const char* kWhat = "case";
  static constexpr const char* kInsert = kInsertCase;
  static constexpr const char* kById = kCaseById;
  static constexpr const char* kList = kListCases;
  static constexpr const char* kEvents = kCaseEvents;
  static constexpr const char* kInsertEvent = kInsertCaseEvent;
  static constexpr const char* kUpdate = kUpdateCase;
  template <typename Row>
  static Case ReadCase(const Row& r) {
    return sql::ReadCase(r);
  }
  template <typename Row>
  static Event ReadEvent(const Row& r) {
    return ReadCaseEvent(r);
  }
  template <typename F>
  static auto InsertValues(const Case& c, F&& f) {
    return WithCaseInsertValues(c, f);
  }
  template <typename F>
  static auto UpdateValues(const Case& c, F&& f) {
    return WithCaseUpdateValues(c, f);
  }
  template <typename F>
  static auto ListValues(const Filter& x, F&& f) {
    return WithCaseListValues(x, f);
  }
  template <typename F>
  static auto EventValues(int64_t id, const Event& e, F&& f) {
    return f(id, e.at, std::string(CaseStepCode(e.step)), e.actor, e.text);
  }
  static int64_t CaseOf(const Event& e) { return e.case_id; }
  static std::string Conflict(int64_t id) { return CaseConflict(id); }
};

}  // namespace ecohub::casework::sql
