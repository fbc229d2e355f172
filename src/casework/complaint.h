// Complaints from the public (12369 环保举报, docs/complaints.md): what one is, its
// categories and statuses, the checks a submission passes, its tracking code, the
// steps staff and the complainant may take from each status, and how near two must
// be to be the same complaint. Pure: no I/O; the store keeps them, the routes act.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace ecohub::casework {

inline constexpr int64_t kDaySeconds = 86400;

struct Category {
  std::string_view code, name, name_en;
};
// air, water, noise, solid_waste, radiation, ecology, other.
const std::vector<Category>& Categories();
const Category* FindCategory(std::string_view code);

// How staff received a complaint they record (a portal submission's source is
// "portal"): hotline (12369 电话), visit (来访), letter (来信), transfer (转办, passed on
// by another office). nullptr for another code.
struct Source {
  std::string_view code, name;
};
const std::vector<Source>& Sources();
const Source* FindSource(std::string_view code);

enum class ComplaintStatus {
  kSubmitted,   // 已提交: routed to a district (or the city), nobody has looked yet
  kAccepted,    // 已受理: staff took it up (and classified it)
  kDispatched,  // 已派发: sent on to a district or its grid to be handled
  kReplied,     // 已答复: the complainant has the bureau's answer
  kClosed,      // 已办结: rated by the complainant, or closed by staff after the reply
  kRejected,    // 不予受理: not the bureau's matter; the reason is the reply
  kMerged,      // 已合并: a duplicate, followed under another complaint
};
std::string_view StatusCode(ComplaintStatus s);
std::string_view StatusName(ComplaintStatus s);  // 中文
std::optional<ComplaintStatus> StatusFromCode(std::string_view code);
// Still waiting for the bureau: submitted, accepted or dispatched.
bool IsOpen(ComplaintStatus s);

// What happens to a complaint: each is one line of its time line.
enum class Step {
  kSubmit,    // the public
  kAccept,    // staff: take it up, perhaps as another category
  kReject,    // staff: not the bureau's matter
  kDispatch,  // staff: to a district or grid to handle
  kReply,     // staff: the answer
  kMerge,     // staff: a duplicate of another
  kClose,     // staff: done after the reply
  kRate,      // the complainant: a score, which closes it
  kReopen,    // the complainant: once, not satisfied
  kNote,      // staff: a remark on the record (internal)
  kMergedIn,  // another complaint was merged into this one (internal)
};
std::string_view StepCode(Step s);
std::string_view StepName(Step s);  // 中文
std::optional<Step> StepFromCode(std::string_view code);
// Whether the public sees this step on its time line (internal notes are not shown).
bool IsPublicStep(Step s);

struct Complaint {
  int64_t id = 0;
  std::string tracking_code;  // 12 characters of Crockford base32, as stored
  std::string category;       // a Category code
  std::string description;
  std::optional<double> lon, lat;
  std::string address;
  std::optional<UnixSeconds> observed_at;
  UnixSeconds submitted_at = 0;
  std::string phone;        // sealed at rest (the store keeps what it is given)
  int64_t district_id = 0;  // 0: the city's (no district covers the place)
  ComplaintStatus status = ComplaintStatus::kSubmitted;
  UnixSeconds deadline = 0;  // the reply is due before this instant
  std::string reply;
  UnixSeconds replied_at = 0;
  int score = 0;  // the complainant's rating 1..5; 0: none
  std::string rating_comment;
  bool reopened = false;
  int64_t merged_into = 0;
  std::string source;   // "portal", or one of Sources()
  std::string month;    // YYYY-MM of submitted_at in Beijing time, for statistics
  int64_t version = 0;  // changes with every step (optimistic concurrency)
};

struct ComplaintEvent {
  int64_t complaint_id = 0;
  UnixSeconds at = 0;
  Step step = Step::kNote;
  std::string actor;  // "public" or "user:<id>"
  std::string text;   // what the step says (reply, reason, note); may be empty
  int64_t id = 0;     // set by the store: the line's place in all time lines
};

// --- the submission -------------------------------------------------------------

// Characters of UTF-8 text (bytes that do not continue a sequence): how the length
// limits of every text a complaint carries are counted.
size_t Characters(std::string_view s);

struct Submission {
  std::string category, description, address, phone;
  std::optional<double> lon, lat;
  std::optional<UnixSeconds> observed_at;
};
// kInvalidInput naming the field: an unknown category, a description of 5..2000
// characters, a location (both lon and lat, in degrees) or an address of 2..200
// characters, an observation time not in the future (a minute's slack) and not more
// than a year back, a phone of 7..20 digits (spaces, dashes, a leading +).
Status CheckSubmission(const Submission& s, UnixSeconds now);
// kInvalidInput naming the phone unless it has 7..20 digits (spaces, dashes and a
// leading + allowed).
Status CheckPhone(std::string_view phone);
// The phone as stored before sealing: digits with a leading + kept.
std::string NormalisePhone(std::string_view phone);
// A normalised phone without China's country code (+86, 0086), so that one number
// written both ways compares equal.
std::string_view NationalNumber(std::string_view normalised);
// "138****5678": the first three and the last four digits; shorter numbers keep only
// their last two. Empty for empty.
std::string MaskPhone(std::string_view phone);

// --- the tracking code ------------------------------------------------------------

// A tracking code from 60 random bits (`random` holds at least 8 bytes): 12
// characters of Crockford base32 (no I, L, O or U), easy to read out on the phone.
std::string TrackingCode(std::string_view random);
// What a person typed, as stored: upper case, dashes and spaces dropped, and the
// look-alikes Crockford allows read as their digits (O→0, I and L→1). nullopt when it
// cannot be a code.
std::optional<std::string> NormaliseTrackingCode(std::string_view typed);
// "7KQ2-M9XD-4HWT", for people.
std::string FormatTrackingCode(std::string_view code);

// --- the steps --------------------------------------------------------------------

// Whether `step` may be taken from `status`; the reason when not, in Chinese and
// English for the 409's detail. Rating and reopening also need the complaint's own
// state (see CanRate, CanReopen).
std::optional<std::string> RefuseStep(const Complaint& c, Step step, UnixSeconds now);
bool CanRate(const Complaint& c);
// Once, after a reply (or a refusal), within kReopenDays of it.
bool CanReopen(const Complaint& c, UnixSeconds now);
inline constexpr int kReopenDays = 30;

// The reply deadline of a complaint of `category` submitted at `at`: at plus the
// category's days (`days`, 0 for the default kReplyDays).
UnixSeconds ReplyDeadline(UnixSeconds at, int days = 0);
inline constexpr int kReplyDays = 15;
bool IsOverdue(const Complaint& c, UnixSeconds now);

// YYYY-MM of `t` in Beijing time.
std::string BeijingMonth(UnixSeconds t);

// --- duplicates ------------------------------------------------------------------

// Two complaints are likely the same when they are of one category, both located,
// at most kDuplicateMetres apart and submitted at most kDuplicateSeconds apart.
inline constexpr double kDuplicateMetres = 1000;
inline constexpr int64_t kDuplicateSeconds = 3 * 86400;
bool LikelyDuplicates(const Complaint& a, const Complaint& b);
// The great-circle distance in metres (haversine, mean Earth radius).
double DistanceMetres(double lon1, double lat1, double lon2, double lat2);

// Where a located complaint has no district (or none was given), the district whose
// name the address mentions, the longest name first; 0 when none does.
struct NamedDistrict {
  int64_t id;
  std::string name;
};
int64_t DistrictNamedIn(std::string_view address, const std::vector<NamedDistrict>& districts);

}  // namespace ecohub::casework
