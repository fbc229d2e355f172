#include "casework/complaint.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace ecohub::casework {

namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

bool Blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

struct StatusInfo {
  ComplaintStatus status;
  std::string_view code, name;
};
constexpr StatusInfo kStatuses[] = {
    {ComplaintStatus::kSubmitted, "submitted", "已提交"},
    {ComplaintStatus::kAccepted, "accepted", "已受理"},
    {ComplaintStatus::kDispatched, "dispatched", "已派发"},
    {ComplaintStatus::kReplied, "replied", "已答复"},
    {ComplaintStatus::kClosed, "closed", "已办结"},
    {ComplaintStatus::kRejected, "rejected", "不予受理"},
    {ComplaintStatus::kMerged, "merged", "已合并"},
};

struct StepInfo {
  Step step;
  std::string_view code, name;
  bool shown;  // on the public time line
};
constexpr StepInfo kSteps[] = {
    {Step::kSubmit, "submit", "提交举报", true},
    {Step::kAccept, "accept", "受理", true},
    {Step::kReject, "reject", "不予受理", true},
    {Step::kDispatch, "dispatch", "派发办理", true},
    {Step::kReply, "reply", "答复", true},
    {Step::kMerge, "merge", "合并办理", true},
    {Step::kClose, "close", "办结", true},
    {Step::kRate, "rate", "评价", true},
    {Step::kReopen, "reopen", "重新办理", true},
    {Step::kNote, "note", "备注", false},
    {Step::kMergedIn, "merged_in", "并入重复举报", false},
};

const StepInfo& InfoOf(Step s) {
  for (const auto& i : kSteps)
    if (i.step == s) return i;
  return kSteps[0];
}

}  // namespace

size_t Characters(std::string_view s) {
  return std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; });
}

const std::vector<Category>& Categories() {
  static const std::vector<Category> kAll = {
      {"air", "大气污染", "Air pollution"}, {"water", "水污染", "Water pollution"},
      {"noise", "噪声污染", "Noise"},       {"solid_waste", "固体废物", "Solid waste"},
      {"radiation", "辐射", "Radiation"},   {"ecology", "生态破坏", "Ecological damage"},
      {"other", "其他", "Other"},
  };
  return kAll;
}

const Category* FindCategory(std::string_view code) {
  for (const Category& c : Categories())
    if (c.code == code) return &c;
  return nullptr;
}

const std::vector<Source>& Sources() {
  static const std::vector<Source> kAll = {
      {"hotline", "12369 电话"}, {"visit", "来访"}, {"letter", "来信"}, {"transfer", "转办"}};
  return kAll;
}

const Source* FindSource(std::string_view code) {
  for (const Source& s : Sources())
    if (s.code == code) return &s;
  return nullptr;
}

std::string_view StatusCode(ComplaintStatus s) {
  for (const auto& i : kStatuses)
    if (i.status == s) return i.code;
  return "submitted";
}

std::string_view StatusName(ComplaintStatus s) {
  for (const auto& i : kStatuses)
    if (i.status == s) return i.name;
  return "";
}

std::optional<ComplaintStatus> StatusFromCode(std::string_view code) {
  for (const auto& i : kStatuses)
    if (i.code == code) return i.status;
  return std::nullopt;
}

bool IsOpen(ComplaintStatus s) {
  return s == ComplaintStatus::kSubmitted || s == ComplaintStatus::kAccepted ||
         s == ComplaintStatus::kDispatched;
}

std::string_view StepCode(Step s) { return InfoOf(s).code; }
std::string_view StepName(Step s) { return InfoOf(s).name; }
bool IsPublicStep(Step s) { return InfoOf(s).shown; }

std::optional<Step> StepFromCode(std::string_view code) {
  for (const auto& i : kSteps)
    if (i.code == code) return i.step;
  return std::nullopt;
}

Status CheckSubmission(const Submission& s, UnixSeconds now) {
  if (!FindCategory(s.category))
    return Status::InvalidInput(
        "category: one of air, water, noise, solid_waste, radiation, ecology, other");
  size_t chars = Characters(s.description);
  if (Blank(s.description) || chars < 5 || chars > 2000)
    return Status::InvalidInput("description: 5 to 2000 characters saying what was seen");
  if (s.lon.has_value() != s.lat.has_value())
    return Status::InvalidInput("lon, lat: give both, or neither");
  if (s.lon && (!std::isfinite(*s.lon) || !std::isfinite(*s.lat) || *s.lon < -180 || *s.lon > 180 ||
                *s.lat < -90 || *s.lat > 90))
    return Status::InvalidInput("lon, lat: degrees of longitude and latitude (WGS 84)");
  if (!s.address.empty() &&
      (Blank(s.address) || Characters(s.address) < 2 || Characters(s.address) > 200))
    return Status::InvalidInput("address: 2 to 200 characters");
  if (!s.lon && s.address.empty())
    return Status::InvalidInput("lon, lat or address: where it was seen is needed");
  if (s.observed_at && *s.observed_at > now + 60)
    return Status::InvalidInput("observed_at: a time in the future");
  if (s.observed_at && *s.observed_at < now - 366 * kDaySeconds)
    return Status::InvalidInput("observed_at: more than a year ago");
  return s.phone.empty() ? Status::Ok() : CheckPhone(s.phone);
}

Status CheckPhone(std::string_view phone) {
  size_t digits = 0;
  for (size_t i = 0; i < phone.size(); ++i) {
    char c = phone[i];
    if (std::isdigit(static_cast<unsigned char>(c)))
      ++digits;
    else if (!(c == ' ' || c == '-' || (c == '+' && i == 0)))
      return Status::InvalidInput("phone: digits, spaces and dashes only");
  }
  if (digits < 7 || digits > 20) return Status::InvalidInput("phone: 7 to 20 digits");
  return Status::Ok();
}

std::string NormalisePhone(std::string_view phone) {
  std::string out;
  for (size_t i = 0; i < phone.size(); ++i)
    if (std::isdigit(static_cast<unsigned char>(phone[i])) || (phone[i] == '+' && i == 0))
      out += phone[i];
  return out;
}

std::string_view NationalNumber(std::string_view normalised) {
  for (std::string_view prefix : {"+86", "0086"})
    if (normalised.size() > prefix.size() + 6 && normalised.substr(0, prefix.size()) == prefix)
      return normalised.substr(prefix.size());
  return normalised;
}

std::string MaskPhone(std::string_view phone) {
  if (phone.empty()) return "";
  if (phone.size() < 8)
    return std::string(phone.size() - 2, '*') + std::string(phone.substr(phone.size() - 2));
  return std::string(phone.substr(0, 3)) + std::string(phone.size() - 7, '*') +
         std::string(phone.substr(phone.size() - 4));
}

std::string TrackingCode(std::string_view random) {
  uint64_t bits = 0;
  for (size_t i = 0; i < 8 && i < random.size(); ++i)
    bits = (bits << 8) | static_cast<unsigned char>(random[i]);
  std::string out(12, '0');
  for (int i = 11; i >= 0; --i, bits >>= 5) out[i] = kCrockford[bits & 31];
  return out;
}

std::optional<std::string> NormaliseTrackingCode(std::string_view typed) {
  std::string out;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (u == 'O') u = '0';
    if (u == 'I' || u == 'L') u = '1';
    if (kCrockford.find(u) == std::string_view::npos) return std::nullopt;
    out += u;
  }
  if (out.size() != 12) return std::nullopt;
  return out;
}

std::string FormatTrackingCode(std::string_view code) {
  if (code.size() != 12) return std::string(code);
  return std::string(code.substr(0, 4)) + "-" + std::string(code.substr(4, 4)) + "-" +
         std::string(code.substr(8));
}

bool CanRate(const Complaint& c) { return c.status == ComplaintStatus::kReplied && c.score == 0; }

bool CanReopen(const Complaint& c, UnixSeconds now) {
  bool answered = c.status == ComplaintStatus::kReplied || c.status == ComplaintStatus::kClosed ||
                  c.status == ComplaintStatus::kRejected;
  return answered && !c.reopened && c.replied_at > 0 &&
         now - c.replied_at <= kReopenDays * kDaySeconds;
}

std::optional<std::string> RefuseStep(const Complaint& c, Step step, UnixSeconds now) {
  auto from = [&](std::string_view allowed) {
    return std::string("不能从“") + std::string(StatusName(c.status)) + "”" +
           std::string(StepName(step)) + " (a " + std::string(StatusCode(c.status)) +
           " complaint cannot be " + std::string(allowed) + ")";
  };
  switch (step) {
    case Step::kAccept:
    case Step::kReject:
      if (c.status == ComplaintStatus::kSubmitted || c.status == ComplaintStatus::kAccepted)
        return std::nullopt;
      return from(step == Step::kAccept ? "accepted" : "rejected");
    case Step::kDispatch:
      if (IsOpen(c.status)) return std::nullopt;
      return from("dispatched");
    case Step::kReply:
      if (c.status == ComplaintStatus::kAccepted || c.status == ComplaintStatus::kDispatched)
        return std::nullopt;
      return from("replied to; accept it first");
    case Step::kMerge:
      if (IsOpen(c.status)) return std::nullopt;
      return from("merged");
    case Step::kClose:
      if (c.status == ComplaintStatus::kReplied) return std::nullopt;
      return from("closed; only a replied one is");
    case Step::kRate:
      if (CanRate(c)) return std::nullopt;
      return std::string("只能对已答复且尚未评价的举报评价 (only a replied complaint, once)");
    case Step::kReopen:
      if (CanReopen(c, now)) return std::nullopt;
      return std::string("只能在答复后30日内重新办理一次 (once, within 30 days of the reply)");
    case Step::kNote:
    case Step::kMergedIn:
      return std::nullopt;
    case Step::kSubmit:
      return std::string("already submitted");
  }
  return std::string("unknown step");
}

UnixSeconds ReplyDeadline(UnixSeconds at, int days) {
  return at + (days > 0 ? days : kReplyDays) * kDaySeconds;
}

bool IsOverdue(const Complaint& c, UnixSeconds now) {
  return IsOpen(c.status) && now >= c.deadline;
}

std::string BeijingMonth(UnixSeconds t) {
  CivilTime ct = CivilFromSeconds(t + kBeijingOffsetSeconds);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", ct.year, ct.month);
  return buf;
}

double DistanceMetres(double lon1, double lat1, double lon2, double lat2) {
  constexpr double kRadius = 6371008.8;  // mean Earth radius (IUGG)
  constexpr double kRad = 3.14159265358979323846 / 180;
  double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(lat1 * kRad) *
                                                           std::cos(lat2 * kRad) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kRadius * std::asin(std::min(1.0, std::sqrt(a)));
}

bool LikelyDuplicates(const Complaint& a, const Complaint& b) {
  if (a.id == b.id && a.id != 0) return false;
  if (a.category != b.category || !a.lon || !b.lon) return false;
  if (std::llabs(a.submitted_at - b.submitted_at) > kDuplicateSeconds) return false;
  return DistanceMetres(*a.lon, *a.lat, *b.lon, *b.lat) <= kDuplicateMetres;
}

int64_t DistrictNamedIn(std::string_view address, const std::vector<NamedDistrict>& districts) {
  int64_t found = 0;
  size_t longest = 0;
  for (const auto& d : districts)
    if (!d.name.empty() && d.name.size() > longest &&
        address.find(d.name) != std::string_view::npos) {
      found = d.id;
      longest = d.name.size();
    }
  return found;
}

}  // namespace ecohub::casework
