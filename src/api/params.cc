#include "api/params.h"

#include <algorithm>
#include <charconv>

#include "core/parse_time.h"

namespace ecohub::api {

std::optional<UnixSeconds> ParseTime(std::string_view s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      s.size() > 8) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) return v;
    return std::nullopt;
  }
  return ParseDateTime(s, kBeijingOffsetSeconds);
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
