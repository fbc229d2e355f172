#include "api/params.h"

#include <algorithm>
#include <charconv>

namespace ecohub::api {

namespace {
constexpr UnixSeconds kHour = 3600, kDay = 86400;
}  // namespace

static bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (s.size() < pos + n) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// The RFC 3339 tail after "YYYY-MM-DDTHH:MM:SS": an optional fraction of a second
// (1 to 9 digits, truncated) and an offset, "Z" or +HH:MM / -HH:MM, where a space
// stands for "+" (an unencoded "+" in a query string arrives as a space). Sets the
// offset east of UTC; false for anything else.
static bool ParseRfc3339Tail(std::string_view rest, int64_t* offset) {
  if (!rest.empty() && rest[0] == '.') {
    size_t k = 1;
    while (k < rest.size() && rest[k] >= '0' && rest[k] <= '9') ++k;
    if (k == 1 || k > 10) return false;
    rest.remove_prefix(k);
  }
  if (rest == "Z" || rest == "z") {
    *offset = 0;
    return true;
  }
  int oh = 0, om = 0;
  if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-' && rest[0] != ' ') ||
      !Digits(rest, 1, 2, &oh) || rest[3] != ':' || !Digits(rest, 4, 2, &om) || oh > 23 || om > 59)
    return false;
  *offset = (rest[0] == '-' ? -1 : 1) * (oh * kHour + om * 60);
  return true;
}

std::optional<UnixSeconds> ParseTime(std::string_view s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      s.size() > 8) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) return v;
    return std::nullopt;
  }
  // Beijing local unless an RFC 3339 offset follows the seconds.
  int64_t offset = kBeijingOffsetSeconds;
  if (s.size() > 19) {
    if (!ParseRfc3339Tail(s.substr(19), &offset)) return std::nullopt;
    s = s.substr(0, 19);
  }
  int y, m, d, hh = 0, mm = 0, ss = 0;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &m) || s[7] != '-' ||
      !Digits(s, 8, 2, &d))
    return std::nullopt;
  size_t n = s.size();
  if (n > 10) {
    if ((s[10] != 'T' && s[10] != ' ') || !Digits(s, 11, 2, &hh)) return std::nullopt;
    if (n > 13 && (s[13] != ':' || !Digits(s, 14, 2, &mm))) return std::nullopt;
    if (n > 16 && (s[16] != ':' || !Digits(s, 17, 2, &ss))) return std::nullopt;
    if (n != 13 && n != 16 && n != 19) return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59 || y < 1970 || y > 9999)
    return std::nullopt;
  // Reject 2026-02-30 and the like: the date must read back the same.
  CivilTime back = CivilFromSeconds(DaysFromCivil(y, m, d) * kDay);
  if (back.month != m || back.day != d) return std::nullopt;
  return DaysFromCivil(y, m, d) * kDay + hh * kHour + mm * 60 + ss - offset;
}

// A query parameter as a time; `fallback` when absent; sets *bad on a bad value.
UnixSeconds TimeParam(const Request& req, const char* name, UnixSeconds fallback,
                      std::string* bad) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return fallback;
  auto t = ParseTime(it->second);
  if (!t) {
    *bad = std::string(name) +
           " must be a date (2026-03-01), a Beijing time (2026-03-01T08:00), "
           "RFC 3339 with an offset (2026-03-01T08:00:00+08:00) or UTC seconds, not \"" +
           it->second + "\"";
    return fallback;
  }
  return *t;
}

int Limit(const Request& req, std::string* bad, size_t max_rows) {
  auto it = req.query.find("limit");
  if (it == req.query.end()) return 1000;
  int v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || v < 1 ||
      v > static_cast<int>(max_rows)) {
    *bad = "limit must be an integer 1.." + std::to_string(max_rows);
    return 0;
  }
  return v;
}

std::string Param(const Request& req, const char* name, const char* fallback) {
  auto it = req.query.find(name);
  return it == req.query.end() || it->second.empty() ? fallback : it->second;
}

std::optional<Page> PageParams(const Request& req, size_t max, std::string* bad) {
  Page p;
  p.limit = std::min<size_t>(100, max);
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    int64_t v = 0;
    auto [e, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || e != it->second.data() + it->second.size() || v < 1 ||
        v > static_cast<int64_t>(max)) {
      *bad = "limit must be an integer 1.." + std::to_string(max);
      return std::nullopt;
    }
    p.limit = static_cast<size_t>(v);
  }
  if (auto it = req.query.find("cursor"); it != req.query.end() && !it->second.empty()) {
    const std::string& c = it->second;
    int64_t v = 0;
    auto [e, ec] = c.size() > 1 && c[0] == 'a'
                       ? std::from_chars(c.data() + 1, c.data() + c.size(), v)
                       : std::from_chars_result{c.data(), std::errc::invalid_argument};
    if (ec != std::errc() || e != c.data() + c.size() || v < 0) {
      *bad = "cursor is not one this API returned";
      return std::nullopt;
    }
    p.after = v;
  }
  return p;
}

bool ParseId(std::string_view s, int64_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size() && *v > 0;
}

std::string CursorAfter(int64_t id) { return "a" + std::to_string(id); }

}  // namespace ecohub::api
