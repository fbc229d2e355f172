// Review (审核): staff confirm values, invalidate them with a reason (剔除), or correct
// one to another value (修约/修正), and close a day as reviewed (审核完成). The
// readings then hold the result (an invalidated value keeps its number and takes the
// flag of its reason, so every evaluation leaves it out; a corrected value takes the
// new number with flag N), and the review record keeps what each value was before:
// nothing is deleted, and every change can be traced and undone.
//
// This file is pure: what a review does to a list of readings. review_store.h keeps
// the record; api/review_routes.cc applies reviews and recomputes what derives from
// the values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/reading.h"
#include "core/status.h"

namespace ecohub::review {

struct Review {
  int64_t id = 0;
  std::string action;  // "confirm" | "invalidate" | "correct"
  int64_t site_id = 0;
  std::string site_code, factor;
  Period period = Period::kHour;
  UnixSeconds from = 0, to = 0;  // the period starts in [from, to)
  std::string value;             // correct: the new value
  std::string reason;            // invalidate: a reason code (ReasonFlag)
  std::string comment;
  std::string requested_by;  // "user:3"
  UnixSeconds requested_at = 0;
  // "applied"; "pending" (a closed day: waits for a second person); "refused".
  std::string status;
  std::string decided_by;
  UnixSeconds decided_at = 0;
  bool operator==(const Review&) const = default;
};

// What a review did to one stored value.
struct ReviewedValue {
  std::string mn;
  Period period = Period::kHour;
  std::string factor;
  UnixSeconds time = 0;
  std::string old_value;
  char old_flag = 'N';
  std::string new_value;
  char new_flag = 'N';
  bool operator==(const ReviewedValue&) const = default;
};

// The invalidation reasons and the HJ 212 data flag each gives the value:
// calibration C, maintenance M, fault D, power P (HJ/T 212-2005's power failure),
// stopped F; event and other I (EcoHub's: invalidated in review, no HJ 212 flag says
// it). nullopt for an unknown reason.
std::optional<char> ReasonFlag(std::string_view reason);
const std::vector<std::string>& Reasons();

// Checks a review's fields (action, reason, value, period, span). A correction names
// one value: [from, to) is exactly one period.
Status Validate(const Review& r);

// What `r` does to `stored` (the readings of the site's factor and period in
// [from, to), field Avg): one ReviewedValue per reading. Confirmations change no
// value; values already as the review would leave them are listed too (old = new).
std::vector<ReviewedValue> Plan(const Review& r, const std::vector<Reading>& stored);

}  // namespace ecohub::review
