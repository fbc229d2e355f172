// The SQL both complaint stores run: one text for SQLite and PostgreSQL. Parameters
// are $1, $2... in order of first use (SQLite numbers named parameters that way), and
// casts are CAST(... AS BIGINT), which both read.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "casework/complaint.h"
#include "casework/complaint_store.h"

namespace ecohub::casework::sql {

#define COMPLAINT_COLUMNS                                                                      \
  "id, tracking_code, category, description, lon, lat, address, observed_at, submitted_at, "   \
  "phone, district_id, status, deadline, reply, replied_at, score, rating_comment, reopened, " \
  "merged_into, source, month, version"

inline constexpr const char* kInsert =
    "INSERT INTO complaints (tracking_code, category, description, lon, lat, address, "
    "observed_at, submitted_at, phone, district_id, status, deadline, reply, replied_at, score, "
    "rating_comment, reopened, merged_into, source, month, version) VALUES ($1, $2, $3, $4, $5, "
    "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 1) RETURNING id";
inline constexpr const char* kInsertEvent =
    "INSERT INTO complaint_events (complaint_id, at, step, actor, text) "
    "VALUES ($1, $2, $3, $4, $5)";
inline constexpr const char* kUpdate =
    "UPDATE complaints SET category = $1, district_id = $2, status = $3, deadline = $4, "
    "reply = $5, replied_at = $6, score = $7, rating_comment = $8, reopened = $9, "
    "merged_into = $10, phone = $11, version = version + 1 WHERE id = $12 AND version = $13";
inline constexpr const char* kById = "SELECT " COMPLAINT_COLUMNS " FROM complaints WHERE id = $1";
inline constexpr const char* kByCode =
    "SELECT " COMPLAINT_COLUMNS " FROM complaints WHERE tracking_code = $1";
inline constexpr const char* kList =
    "SELECT " COMPLAINT_COLUMNS
    " FROM complaints WHERE id < $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR category = $3) "
    "AND (CAST($4 AS BIGINT) < 0 OR district_id = $4) AND (CAST($5 AS BIGINT) = 0 OR "
    "(status IN ('submitted', 'accepted', 'dispatched') AND deadline <= $5)) "
    "AND submitted_at >= $6 AND submitted_at < $7 AND (CAST($8 AS BIGINT) = 0 OR "
    "merged_into = $8) AND (CAST($9 AS BIGINT) = 0 OR (status IN ('closed', 'rejected', "
    "'merged') AND phone <> '')) ORDER BY id DESC LIMIT $10";
inline constexpr const char* kEvents =
    "SELECT complaint_id, at, step, actor, text, id FROM complaint_events WHERE complaint_id = "
    "$1 ORDER BY id";
inline constexpr const char* kStepsAfter =
    "SELECT complaint_id, at, step, actor, text, id FROM complaint_events WHERE id > $1 ORDER BY "
    "id LIMIT $2";
inline constexpr const char* kNear =
    "SELECT " COMPLAINT_COLUMNS
    " FROM complaints WHERE category = $1 AND submitted_at >= $2 AND submitted_at < $3 "
    "AND lon IS NOT NULL AND lon >= $4 AND lat >= $5 AND lon <= $6 AND lat <= $7 "
    "ORDER BY id DESC LIMIT $8";
inline constexpr const char* kCounts =
    "SELECT district_id, category, month, status, COUNT(*), SUM(CASE WHEN status IN "
    "('submitted', 'accepted', 'dispatched') AND deadline <= $1 THEN 1 ELSE 0 END) "
    "FROM complaints WHERE submitted_at >= $2 AND submitted_at < $3 "
    "GROUP BY district_id, category, month, status ORDER BY district_id, category, month, status";
inline constexpr const char* kPhotoCount =
    "SELECT COUNT(*) FROM complaint_photos WHERE complaint_id = $1";
inline constexpr const char* kInsertPhoto =
    "INSERT INTO complaint_photos (complaint_id, ord, media_type, size, at, bytes) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
inline constexpr const char* kPhotos =
    "SELECT ord, media_type, size, at FROM complaint_photos WHERE complaint_id = $1 ORDER BY ord";
inline constexpr const char* kPhoto =
    "SELECT ord, media_type, size, at, bytes FROM complaint_photos WHERE complaint_id = $1 "
    "AND ord = $2";
#undef COMPLAINT_COLUMNS

// A complaint from a row of COMPLAINT_COLUMNS, read through an accessor with
// Int(c), Text(c), OptInt(c) and OptReal(c).
template <typename Row>
Complaint ReadComplaint(const Row& r) {
  Complaint c;
  c.id = r.Int(0);
  c.tracking_code = r.Text(1);
  c.category = r.Text(2);
  c.description = r.Text(3);
  c.lon = r.OptReal(4);
  c.lat = r.OptReal(5);
  c.address = r.Text(6);
  c.observed_at = r.OptInt(7);
  c.submitted_at = r.Int(8);
  c.phone = r.Text(9);
  c.district_id = r.Int(10);
  c.status = StatusFromCode(r.Text(11)).value_or(ComplaintStatus::kSubmitted);
  c.deadline = r.Int(12);
  c.reply = r.Text(13);
  c.replied_at = r.Int(14);
  c.score = static_cast<int>(r.Int(15));
  c.rating_comment = r.Text(16);
  c.reopened = r.Int(17) != 0;
  c.merged_into = r.Int(18);
  c.source = r.Text(19);
  c.month = r.Text(20);
  c.version = r.Int(21);
  return c;
}

template <typename Row>
ComplaintEvent ReadEvent(const Row& r) {
  return {r.Int(0),  r.Int(1),  StepFromCode(r.Text(2)).value_or(Step::kNote),
          r.Text(3), r.Text(4), r.Int(5)};
}

template <typename Row>
ComplaintCount ReadCount(const Row& r) {
  return {r.Int(0),  r.Text(1),
          r.Text(2), StatusFromCode(r.Text(3)).value_or(ComplaintStatus::kSubmitted),
          r.Int(4),  r.Int(5)};
}

// The values of kInsert, in order, passed to `f`.
template <typename F>
auto WithInsertValues(const Complaint& c, F&& f) {
  return f(c.tracking_code, c.category, c.description, c.lon, c.lat, c.address, c.observed_at,
           c.submitted_at, c.phone, c.district_id, std::string(StatusCode(c.status)), c.deadline,
           c.reply, c.replied_at, static_cast<int64_t>(c.score), c.rating_comment,
           static_cast<int64_t>(c.reopened), c.merged_into, c.source, c.month);
}

// The values of kUpdate, in order.
template <typename F>
auto WithUpdateValues(const Complaint& c, F&& f) {
  return f(c.category, c.district_id, std::string(StatusCode(c.status)), c.deadline, c.reply,
           c.replied_at, static_cast<int64_t>(c.score), c.rating_comment,
           static_cast<int64_t>(c.reopened), c.merged_into, c.phone, c.id, c.version);
}

// The values of kList, in order.
template <typename F>
auto WithListValues(const ComplaintFilter& f, F&& fn) {
  return fn(f.before > 0 ? f.before : INT64_MAX,
            f.status ? std::string(StatusCode(*f.status)) : std::string(), f.category,
            f.district_id.value_or(-1), f.overdue_at, f.from, f.to, f.merged_into,
            static_cast<int64_t>(f.ended_with_contact),
            static_cast<int64_t>(std::min<size_t>(f.limit, INT64_MAX)));
}

// A photo from a row of kPhotos (and its bytes, the fifth column, when `bytes`).
template <typename Row>
ComplaintPhoto ReadPhoto(const Row& r) {
  return {static_cast<int>(r.Int(0)), r.Text(1), r.Int(2), r.Int(3), {}};
}

inline Status PhotosFull(int64_t id, int max) {
  return Status(Code::kConflict, "complaint " + std::to_string(id) + " has " + std::to_string(max) +
                                     " photos already");
}

inline std::string ConflictMessage(int64_t id) {
  return "complaint " + std::to_string(id) + " was changed meanwhile; read it again";
}

// The traits of case_tables.h for complaints.
struct ComplaintTraits {
  using Case = Complaint;
  using Event = ComplaintEvent;
  using Change = ComplaintChange;
  using Filter = ComplaintFilter;
  static constexpr const char* kWhat = "complaint";
  static constexpr const char* kInsert = sql::kInsert;
  static constexpr const char* kById = sql::kById;
  static constexpr const char* kList = sql::kList;
  static constexpr const char* kEvents = sql::kEvents;
  static constexpr const char* kInsertEvent = sql::kInsertEvent;
  static constexpr const char* kUpdate = sql::kUpdate;
  template <typename Row>
  static Case ReadCase(const Row& r) {
    return ReadComplaint(r);
  }
  template <typename Row>
  static Event ReadEvent(const Row& r) {
    return sql::ReadEvent(r);
  }
  template <typename F>
  static auto InsertValues(const Case& c, F&& f) {
    return WithInsertValues(c, f);
  }
  template <typename F>
  static auto UpdateValues(const Case& c, F&& f) {
    return WithUpdateValues(c, f);
  }
  template <typename F>
  static auto ListValues(const Filter& x, F&& f) {
    return WithListValues(x, f);
  }
  template <typename F>
  static auto EventValues(int64_t id, const Event& e, F&& f) {
    return f(id, e.at, std::string(StepCode(e.step)), e.actor, e.text);
  }
  static int64_t CaseOf(const Event& e) { return e.complaint_id; }
  static std::string Conflict(int64_t id) { return ConflictMessage(id); }
};

}  // namespace ecohub::casework::sql
