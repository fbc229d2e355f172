#include "core/time.h"

#include <chrono>
#include <cstdio>

#include "core/parse_time.h"

namespace ecohub {

UnixMillis WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Howard Hinnant's days_from_civil algorithm (public domain description of the
// proleptic Gregorian calendar arithmetic).
int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime CivilFromSeconds(int64_t s) {
  int64_t days = s / 86400;
  int64_t rem = s % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  CivilTime c;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = static_cast<int>(yoe + era * 400 + (c.month <= 2));
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.second = static_cast<int>(rem % 60);
  return c;
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

}  // namespace

std::optional<UnixSeconds> ParseCompactLocal(std::string_view s, int64_t offset) {
  if (s.size() != 14 && s.size() != 17) return std::nullopt;
  CivilTime c;
  if (!Digits(s, 0, 4, &c.year) || !Digits(s, 4, 2, &c.month) || !Digits(s, 6, 2, &c.day) ||
      !Digits(s, 8, 2, &c.hour) || !Digits(s, 10, 2, &c.minute) || !Digits(s, 12, 2, &c.second))
    return std::nullopt;
  if (s.size() == 17 && !Digits(s, 14, 3, &c.millis)) return std::nullopt;
  if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > DaysInMonth(c.year, c.month) ||
      c.hour > 23 || c.minute > 59 || c.second > 59)
    return std::nullopt;
  return DaysFromCivil(c.year, c.month, c.day) * 86400 + c.hour * 3600 + c.minute * 60 + c.second -
         offset;
}

namespace {

// Reads digits from a string_view left to right.
struct Scan {
  std::string_view s;
  size_t i = 0;
  bool End() const { return i >= s.size(); }
  bool Eat(char c) {
    if (i < s.size() && s[i] == c) return ++i, true;
    return false;
  }
  // min..max digits as a number.
  std::optional<int> Number(size_t min, size_t max) {
    size_t start = i;
    int v = 0;
    while (i < s.size() && i - start < max && s[i] >= '0' && s[i] <= '9')
      v = v * 10 + (s[i++] - '0');
    if (i - start < min) return std::nullopt;
    return v;
  }
};

}  // namespace

std::optional<int64_t> ParseUtcOffset(std::string_view s) {
  if (s == "Z" || s == "z") return 0;
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-' && s[0] != ' ') || s[3] != ':')
    return std::nullopt;
  int h = 0, m = 0;
  if (!Digits(s, 1, 2, &h) || !Digits(s, 4, 2, &m) || h > 23 || m > 59) return std::nullopt;
  int64_t off = h * 3600 + m * 60;
  return s[0] == '-' ? -off : off;
}

std::optional<UnixSeconds> ParseDateTime(std::string_view text,
                                         std::optional<int64_t> default_offset) {
  Scan c{text};
  std::optional<int> y = c.Number(4, 4), mo, d;
  if (!y) return std::nullopt;
  if (c.Eat('-') || c.Eat('/')) {
    char sep = text[c.i - 1];
    mo = c.Number(1, 2);
    if (!mo || !c.Eat(sep)) return std::nullopt;
    d = c.Number(1, 2);
  } else {
    mo = c.Number(2, 2);
    if (mo) d = c.Number(2, 2);
  }
  if (!mo || !d || *y < 1970 || *mo < 1 || *mo > 12 || *d < 1 || *d > DaysInMonth(*y, *mo))
    return std::nullopt;
  int h = 0, mi = 0, sec = 0;
  bool timed = false;
  if (c.Eat('T') || c.Eat('t') || c.Eat(' ')) {
    timed = true;
    auto hh = c.Number(1, 2);
    if (!hh) return std::nullopt;
    h = *hh;
    if (c.Eat(':')) {
      auto mm = c.Number(2, 2);
      if (!mm) return std::nullopt;
      mi = *mm;
      if (c.Eat(':')) {
        auto ss = c.Number(2, 2);
        if (!ss) return std::nullopt;
        sec = *ss;
        if (c.Eat('.') && !c.Number(1, 9)) return std::nullopt;
      }
    }
    if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  }
  std::optional<int64_t> offset = default_offset;
  if (!c.End()) {
    if (!timed) return std::nullopt;  // "2026-03-01+08:00" is neither form
    offset = ParseUtcOffset(text.substr(c.i));
  }
  if (!offset) return std::nullopt;
  return DaysFromCivil(*y, *mo, *d) * 86400 + h * 3600 + mi * 60 + sec - *offset;
}

std::string FormatCompactLocal(UnixSeconds t, int64_t offset) {
  CivilTime c = CivilFromSeconds(t + offset);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

std::string FormatQn(UnixMillis t, int64_t offset) {
  int64_t secs = t / 1000, ms = t % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03d", static_cast<int>(ms));
  return FormatCompactLocal(secs, offset) + buf;
}

std::string FormatRfc3339Beijing(UnixSeconds t) {
  CivilTime c = CivilFromSeconds(t + kBeijingOffsetSeconds);
  if (c.year < 0 || c.year > 9999) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", c.year, c.month, c.day,
                  c.hour, c.minute, c.second);
    return buf;
  }
  // By hand: API series format thousands of these per answer, and snprintf was a
  // sixth of a year query's time.
  std::string out = "0000-00-00T00:00:00+08:00";
  auto put2 = [&](size_t at, int v) {
    out[at] = static_cast<char>('0' + v / 10);
    out[at + 1] = static_cast<char>('0' + v % 10);
  };
  put2(0, c.year / 100);
  put2(2, c.year % 100);
  put2(5, c.month);
  put2(8, c.day);
  put2(11, c.hour);
  put2(14, c.minute);
  put2(17, c.second);
  return out;
}

}  // namespace ecohub
