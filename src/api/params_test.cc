// ParseTime: every form a caller may write a time in, and what it must refuse.
#include "api/params.h"

#include <gtest/gtest.h>

#include "core/parse_time.h"

namespace ecohub::api {
namespace {

// 2026-03-01 00:00 Beijing = 2026-02-28T16:00:00Z.
constexpr UnixSeconds kMarch1 = 1772294400;

TEST(ParseTime, AcceptsBeijingFormsRfc3339AndUtcSeconds) {
  struct Case {
    const char* text;
    UnixSeconds want;
  };
  const Case kGood[] = {
      {"2026-03-01", kMarch1},
      {"2026-03-01T08", kMarch1 + 8 * 3600},
      {"2026-03-01T08:00", kMarch1 + 8 * 3600},
      {"2026-03-01 08:00:00", kMarch1 + 8 * 3600},
      {"1772294400", kMarch1},
      // RFC 3339, as the API writes it, and the same instant in other offsets.
      {"2026-03-01T08:00:00+08:00", kMarch1 + 8 * 3600},
      {"2026-03-01T00:00:00Z", kMarch1 + 8 * 3600},
      {"2026-03-01T00:00:00z", kMarch1 + 8 * 3600},
      {"2026-03-01T00:00:00+00:00", kMarch1 + 8 * 3600},
      {"2026-03-01T00:00:00-00:00", kMarch1 + 8 * 3600},
      {"2026-02-28T19:00:00-05:00", kMarch1 + 8 * 3600},
      {"2026-03-01T05:30:00+05:30", kMarch1 + 8 * 3600},
      {"2026-03-01 08:00:00+08:00", kMarch1 + 8 * 3600},
      // A "+" not percent-encoded in a query string arrives as a space.
      {"2026-03-01T08:00:00 08:00", kMarch1 + 8 * 3600},
      // Fractions of a second are truncated.
      {"2026-03-01T08:00:00.000+08:00", kMarch1 + 8 * 3600},
      {"2026-03-01T08:00:00.999999999Z", kMarch1 + 16 * 3600},
      {"2026-03-01T08:00:59.5+08:00", kMarch1 + 8 * 3600 + 59},
      {"2026-03-01T23:59:59+23:59", kMarch1 + 8 * 3600 + 59},
      // The shorter forms people type: compact date, minutes without seconds.
      {"20260301", kMarch1},
      {"2026-03-01T08:00+08:00", kMarch1 + 8 * 3600},
      {"2026-03-01T00:00:00-23:59", kMarch1 + 8 * 3600 + 23 * 3600 + 59 * 60},
  };
  for (const Case& c : kGood) {
    auto t = ParseTime(c.text);
    ASSERT_TRUE(t) << c.text;
    EXPECT_EQ(*t, c.want) << c.text;
  }
}

TEST(ParseTime, RefusesBadOffsetsAndOutOfRangeFields) {
  const char* const kBad[] = {
      "",
      "2026-03-01T08:00:00+0800",   // offset without its colon
      "2026-03-01T08:00:00+8:00",   // one-digit hour
      "2026-03-01T08:00:00+24:00",  // offset hour out of range
      "2026-03-01T08:00:00+08:60",  // offset minute out of range
      "2026-03-01T08:00:00+08",     // no offset minutes
      "2026-03-01T08:00:00+08:00:00",
      "2026-03-01T08:00:00UTC",
      "2026-03-01T08:00:00 Z",
      "2026-03-01T08:00:00ZZ",
      "2026-03-01+08:00",
      "2026-03-01T08:00:00.+08:00",       // a point without digits
      "2026-03-01T08:00:00.0000000000Z",  // ten digits
      "2026-03-01T08:00:00,5Z",
      "2026-03-01T24:00:00+08:00",  // hour 24
      "2026-03-01T08:60:00Z",
      "2026-03-01T08:00:60Z",       // no leap seconds
      "2026-02-30T08:00:00+08:00",  // no such day
      "2026-13-01T00:00:00Z",
      "1969-12-31T23:59:59Z",  // before 1970
      "2026-03-01x08:00:00+08:00",
      "2026-03-01T08:00:00+08:00 ",
      "2026-03-01T08:00:00-",
      "2026030",  // neither a date form nor UTC seconds
  };
  for (const char* text : kBad) EXPECT_FALSE(ParseTime(text)) << '"' << text << '"';
}

}  // namespace
}  // namespace ecohub::api
