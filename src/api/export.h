// Exports of lists and series as CSV or XLSX, streamed as an HTTP response.
//
// A handler describes the columns, hands over a RowSource that pulls rows (from the
// store, page by page), and returns ExportResponse(...). Nothing is produced until the
// HTTP server calls Response::stream; from then on each call does a bounded amount of
// work, so an export of millions of rows keeps memory and per-call latency bounded:
//
//   CSV   each call pulls rows until its piece holds about `piece_bytes` (64 KiB).
//   XLSX  libxlsxwriter can only write a whole workbook when it is closed, so the
//         calls first add about `piece_bytes` of cell text each to a constant-memory
//         workbook (returning empty pieces), then one call closes it into a temporary
//         file (this call compresses the whole sheet: seconds for a million rows),
//         and the following calls send that file in `piece_bytes` pieces.
//
// Cell rules, the same for both formats where they apply:
//   - Invalid UTF-8 is replaced by U+FFFD (per maximal invalid subpart), never an error.
//   - A kNumber cell is written as a number only if its text is a finite decimal
//     number in full ("35.2", "-3.5", "1e-3"); anything else is written as text, so a
//     wrong value in a number column cannot slip a formula past the guard below.
//   - CSV: text and time cells that start with = + - @ TAB or CR get a leading
//     apostrophe (formula injection, "CSV injection"); number cells stay as they are.
//     XLSX cells are never formulas (strings are written as strings), so no guard.
//   - XLSX time cells that are RFC 3339 with the offset +08:00 (as the API writes
//     them) become Excel datetimes in Beijing wall-clock time, formatted
//     "yyyy-mm-dd hh:mm:ss", so that Excel sorts, filters and charts them; time text
//     with another offset or that does not parse stays text (never shifted silently).
//   - XLSX text is cut to Excel's 32,767 characters per cell.
//   - XLSX row limit: a sheet holds `xlsx_max_rows` rows (Excel: 1,048,576) including
//     the header. When the source has more rows than fit, the export stops and the last
//     row of the sheet says so, in Chinese and English, naming how many data rows were
//     kept (1,048,574 with Excel's limit). A source that exactly fills the sheet is
//     not marked truncated.
//
// Failure: an XLSX export that fails (temporary file, libxlsxwriter error) is logged
// with spdlog and its stream ends (returns false) without throwing; as the headers
// have been sent by then, the client sees a short or empty body. Nothing here throws
// on the data path.
//
// Thread safety: a Response's stream is not thread-safe; the server calls it from one
// thread at a time. Copies of the Response share one export.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/router.h"

namespace ecohub::api {

enum class ExportFormat { kCsv, kXlsx };

// "csv" / "xlsx" (ASCII case-insensitive, nothing else around them) -> format;
// nullopt otherwise.
std::optional<ExportFormat> ParseExportFormat(std::string_view text);

struct ExportColumn {
  std::string name;  // header, e.g. "time" or "PM2.5"
  std::string unit;  // when not empty, the header reads "PM2.5 (µg/m³)"
  enum Type { kText, kNumber, kTime } type = kText;
};

// Produces the next row into *row and returns true, or returns false when there are
// no more rows. *row arrives empty; fill one cell per column (nullopt = empty cell;
// numbers as decimal text such as "35.2"; times as RFC 3339 text with +08:00). A row
// with too few cells is padded with empty cells, extra cells are dropped (logged once
// per export, as that is a caller's bug). The source is called from the thread that
// calls Response::stream and is destroyed with the Response.
using RowSource = std::function<bool(std::vector<std::optional<std::string>>* row)>;

struct ExportOptions {
  // Target size of a streamed piece. A CSV piece exceeds it by at most one row.
  size_t piece_bytes = 64 * 1024;
  // Rows per XLSX sheet, header included. Excel's limit; smaller values are for tests.
  // Kept within [3, 1048576] (3: header, one data row, the truncation note).
  int64_t xlsx_max_rows = 1048576;
  // Where the XLSX file and libxlsxwriter's own temporary files go; empty means
  // std::filesystem::temp_directory_path(). The file is created with mode 0600 and
  // unlinked as soon as it is closed and reopened for sending, or when the Response
  // is destroyed, whichever comes first.
  std::filesystem::path temp_dir;
};

// A streamed export response: status 200, content type "text/csv; charset=utf-8" or
// the XLSX type, a Content-Disposition attachment named `filename_stem` plus ".csv" /
// ".xlsx" (see ContentDisposition), and Response::stream pulling rows from `source`
// as the client reads. The CSV body is UTF-8 with a BOM (so that Excel in zh-CN reads
// it as UTF-8), CRLF line ends and RFC 4180 quoting; its first line is the header.
//
// `on_done(rows)` is called exactly once: when the stream ends (normally or by a
// failure), or when the Response is destroyed before the end, with the number of data
// rows written to the output so far (not counting the header or a truncation note).
// It runs on the thread that made the last call to stream, or that destroyed the
// Response.
Response ExportResponse(ExportFormat format, std::string filename_stem,
                        std::vector<ExportColumn> columns, RowSource source,
                        std::function<void(int64_t rows)> on_done = {},
                        const ExportOptions& options = {});

// The Content-Disposition value for a download named `stem` + `extension` (".csv"), per
// RFC 6266: `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>`.
// First the stem is cleaned: invalid UTF-8 replaced, control characters removed, path
// separators turned into "_", spaces trimmed, cut to 100 characters ("export" if
// empty). The fallback keeps printable ASCII except " \ / % ; and turns each run of
// anything else into one "_" ("export" if nothing is left), so "广州市_PM2.5" falls
// back to "PM2.5.csv".
std::string ContentDisposition(std::string_view stem, std::string_view extension);

// `text` with each maximal invalid UTF-8 subpart (Unicode 15 §3.9, U+FFFD
// substitution of maximal subparts) replaced by U+FFFD. Overlong forms, surrogates
// and code points above U+10FFFF are invalid.
std::string ToValidUtf8(std::string_view text);

}  // namespace ecohub::api
