// Tables people upload: a CSV file or the first sheet of an XLSX workbook, read into
// rows of text cells. What the cells mean is the caller's business (the registry's
// bulk import, api/registry_import.cc); this only reads the file's shape, and refuses
// a file it cannot read whole rather than guessing.
//
// CSV: RFC 4180 (fields separated by commas, quoted with ", "" inside quotes), lines
// ending in LF or CRLF, UTF-8 with or without a byte-order mark (what spreadsheet
// programs write when asked for "CSV UTF-8"). Text that is not UTF-8 (a GBK file) is
// refused with the row where it was found: guessing an encoding could store
// garbled names.
// XLSX: the first sheet in the workbook's order or the one named (ECMA-376
// SpreadsheetML), read with libzip and expat; shared strings, inline strings, numbers
// and booleans as text.
// Formulas give their cached value. Limits: 50,000 rows unless the caller sets
// another (TableOptions), 200 columns, 64 MiB uncompressed per part (a zip bomb is
// refused, not unpacked).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ecohub {

struct Table {
  // Rows as the file has them, the first one (the header) included; cells trimmed
  // of nothing; a short row is not padded. rows[i] is the file's row i + 1.
  std::vector<std::vector<std::string>> rows;
};

enum class TableFormat { kCsv, kXlsx };

struct TableOptions {
  // More rows than this (the header counted) are refused: an upload through HTTP
  // keeps the default; the command line reading a file it was given may allow more.
  size_t max_rows = 50000;
  // XLSX: the sheet with this name; empty for the first one. Ignored for CSV.
  std::string sheet;
};

// The format of `bytes`: XLSX when it starts as a zip archive does ("PK\3\4"), CSV
// otherwise.
TableFormat SniffTableFormat(std::string_view bytes);

Result<Table> ReadCsv(std::string_view bytes, const TableOptions& options = {});
Result<Table> ReadXlsx(std::string_view bytes, const TableOptions& options = {});
// ReadCsv or ReadXlsx, by SniffTableFormat.
Result<Table> ReadTable(std::string_view bytes, const TableOptions& options = {});

}  // namespace ecohub
