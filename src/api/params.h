// Query parameter readers shared by the API's handlers: times, limits, cursors.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/router.h"
#include "core/time.h"

namespace ecohub::api {

// A time as a caller writes it (docs/api.md, "Times"): any form of ParseDateTime
// (core/time.h), Beijing time unless an offset is given, or a plain number of more
// than 8 digits as UTC seconds. Nullopt for anything else.
std::optional<UnixSeconds> ParseTime(std::string_view s);
// A query parameter as a time; `fallback` when absent; sets *bad on a bad value.
UnixSeconds TimeParam(const Request& req, const char* name, UnixSeconds fallback, std::string* bad);
// `limit` as 1..max_rows (default 1000, or max_rows when smaller); sets *bad.
int Limit(const Request& req, std::string* bad, size_t max_rows);
// A positive decimal id ("17"); false for anything else.
bool ParseId(std::string_view text, int64_t* id);
// A query parameter, or `fallback` when absent or empty.
std::string Param(const Request& req, const char* name, const char* fallback);

// Cursor paging over lists ordered by a positive id: `cursor` is the opaque text
// the previous page returned as next_cursor (the id of its last item).
struct Page {
  int64_t after = 0;
  size_t limit = 100;
};
// Reads `cursor` and `limit` (1..max, default 100); nullopt and *bad on bad input.
std::optional<Page> PageParams(const Request& req, size_t max, std::string* bad);
std::string CursorAfter(int64_t id);

// The from/to window (times) and the cursor page (1..max) of a newest-first list,
// set on a filter with fields from, to, before and limit; the 400 when any is bad.
template <typename Filter>
std::optional<Response> ReadListWindow(const Request& req, size_t max, Filter* f) {
  std::string bad;
  f->to = TimeParam(req, "to", INT64_MAX, &bad);
  f->from = TimeParam(req, "from", INT64_MIN, &bad);
  auto page = PageParams(req, max, &bad);
  if (!bad.empty() || !page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  f->before = page->after;
  f->limit = page->limit;
  return std::nullopt;
}

}  // namespace ecohub::api
