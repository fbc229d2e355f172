#include "review/review.h"

namespace ecohub::review {
namespace {

int64_t Seconds(Period p) { return p == Period::kMinute ? 60 : p == Period::kHour ? 3600 : 86400; }

}  // namespace

const std::vector<std::string>& Reasons() {
  static const std::vector<std::string> kReasons = {"calibration", "maintenance", "fault", "power",
                                                    "stopped",     "event",       "other"};
  return kReasons;
}

std::optional<char> ReasonFlag(std::string_view reason) {
  if (reason == "calibration") return 'C';
  if (reason == "maintenance") return 'M';
  if (reason == "fault") return 'D';
  if (reason == "power") return 'P';
  if (reason == "stopped") return 'F';
  if (reason == "event" || reason == "other") return 'I';
  return std::nullopt;
}

Status Validate(const Review& r) {
  if (r.action != "confirm" && r.action != "invalidate" && r.action != "correct")
    return Status::InvalidInput("action must be confirm, invalidate or correct");
  if (r.period != Period::kMinute && r.period != Period::kHour && r.period != Period::kDay)
    return Status::InvalidInput("period must be minute, hour or day");
  if (r.factor.empty()) return Status::InvalidInput("a review names its factor");
  if (r.from >= r.to) return Status::InvalidInput("from must be before to");
  if (r.to - r.from > 366 * 86400) return Status::InvalidInput("a review spans at most a year");
  if (r.action == "invalidate" && !ReasonFlag(r.reason))
    return Status::InvalidInput(
        "an invalidation needs its reason: calibration, maintenance, fault, power, stopped, "
        "event or other");
  if (r.action == "correct") {
    if (!Decimal::Parse(r.value)) return Status::InvalidInput("value must be a decimal number");
    if (r.to - r.from != Seconds(r.period))
      return Status::InvalidInput("a correction names one value: to = from + one period");
  }
  if ((r.action == "invalidate" || r.action == "correct") && r.comment.empty() && r.reason.empty())
    return Status::InvalidInput("say why (reason or comment)");
  return Status::Ok();
}

std::vector<ReviewedValue> Plan(const Review& r, const std::vector<Reading>& stored) {
  std::vector<ReviewedValue> out;
  for (const Reading& x : stored) {
    if (x.time < r.from || x.time >= r.to || x.factor != r.factor || x.period != r.period) continue;
    char flag = x.flag ? x.flag : 'N';
    ReviewedValue v{x.mn, x.period, x.factor, x.time, x.value, flag, x.value, flag};
    if (r.action == "invalidate") v.new_flag = *ReasonFlag(r.reason);
    if (r.action == "correct") {
      v.new_value = Decimal::Parse(r.value)->ToString();
      v.new_flag = 'N';
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace ecohub::review
