#include "casework/envcode.h"

#include <algorithm>
#include <set>

namespace ecohub::casework {

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kAnswerWithin = 24 * 3600;

bool Answered(const CodeAlarm& a, UnixSeconds at) {
  return (a.ack_at && a.ack_at <= at) || (a.closed_at && a.closed_at <= at);
}

// A rule's share: `count` things of `each` points, at most `cap`.
int Points(int64_t count, int64_t each, int64_t cap) {
  return static_cast<int>(std::min(count * each, cap));
}

}  // namespace

std::string_view CodeColorCode(CodeColor c) {
  switch (c) {
    case CodeColor::kYellow:
      return "yellow";
    case CodeColor::kRed:
      return "red";
    case CodeColor::kGreen:
      break;
  }
  return "green";
}

std::string_view CodeColorName(CodeColor c) {
  switch (c) {
    case CodeColor::kYellow:
      return "黄码";
    case CodeColor::kRed:
      return "红码";
    case CodeColor::kGreen:
      break;
  }
  return "绿码";
}

EnvCode ComputeCode(const CodeFacts& f, UnixSeconds at) {
  EnvCode c;
  c.from = at - kCodeWindowSeconds;
  c.to = at;
  std::set<UnixSeconds> exceedance_days;
  int64_t offline_seconds = 0, unanswered = 0;
  for (const CodeAlarm& a : f.alarms) {
    if (a.started > at) continue;
    if (a.kind == "exceedance" && a.started > c.from)
      exceedance_days.insert(FloorBeijing(a.started, kDay));
    if (a.kind == "offline") {
      UnixSeconds end = a.ended && *a.ended < at ? *a.ended : at;
      UnixSeconds begin = std::max(a.started, c.from);
      if (end > begin) offline_seconds += end - begin;
    }
    if (a.started > c.from && a.started + kAnswerWithin <= at && !Answered(a, at)) ++unanswered;
  }
  int64_t days = static_cast<int64_t>(exceedance_days.size());
  int64_t hours = offline_seconds / 3600;
  c.points.push_back(
      {"exceedance", "超标", days, Points(days, 10, 60),
       days ? "近30日有 " + std::to_string(days) + " 天出现超标告警" : "近30日无超标告警"});
  c.points.push_back(
      {"offline", "离线", hours, Points(hours / 4, 1, 30),
       hours ? "近30日设备离线共 " + std::to_string(hours) + " 小时" : "近30日设备无离线"});
  c.points.push_back({"unanswered", "告警未响应", unanswered, Points(unanswered, 5, 20),
                      unanswered ? std::to_string(unanswered) + " 条告警超过24小时未确认或处理"
                                 : "告警均在24小时内确认或处理"});
  bool permitted = std::any_of(f.permits.begin(), f.permits.end(),
                               [&](const PermitPeriod& p) { return p.from <= at && at < p.to; });
  bool lacking = f.permits_kept && f.has_outlets && !permitted;
  c.points.push_back({"permit", "排污许可", lacking ? 1 : 0, lacking ? 40 : 0,
                      !f.permits_kept  ? "本平台未登记排污许可证，此项不计"
                      : !f.has_outlets ? "无排放口，不需排污许可"
                      : lacking        ? "有排放口但无有效的排污许可证"
                                       : "排污许可证在有效期内"});
  int taken = 0;
  for (const auto& p : c.points) taken += p.points;
  c.score = std::max(0, 100 - taken);
  c.color = c.score < 60 || days >= 5 ? CodeColor::kRed
            : c.score < 85            ? CodeColor::kYellow
                                      : CodeColor::kGreen;
  return c;
}

std::vector<CodeDay> CodeHistory(const CodeFacts& f, UnixSeconds now, int days) {
  std::vector<CodeDay> out;
  UnixSeconds today = FloorBeijing(now, kDay);
  for (int i = days - 1; i >= 0; --i) {
    UnixSeconds day = today - i * kDay;
    UnixSeconds at = i == 0 ? now : day + kDay - 1;
    out.push_back({day, ComputeCode(f, at)});
  }
  return out;
}

}  // namespace ecohub::casework
