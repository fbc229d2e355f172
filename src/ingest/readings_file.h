// Readings in a file: the shapes partner systems and old databases export (a long
// table, a wide table with one column per factor, a table with one column per site,
// XLSX sheets, JSON arrays), read into EcoHub's one long form, value by value, each
// checked and named by the row it came from. Pure: bytes in, values and errors out;
// nothing here reads the registry or the store (readings_import.h does).
//
// Without a mapping the file is EcoHub's long CSV (docs/data-import.md):
//
//   site,factor,period,time,value[,flag]
//   AIR-Dongsi,a34004,hour,2026-03-01 08:00,35,N
//
// A mapping (JSON, or TOML with the same keys) says how another shape reads as that
// one: which columns hold what, factor names to HJ 212 codes, units to convert, the
// time zone and whether an hour is labelled by its start or its end. Its keys are in
// docs/data-import.md; ParseMapping refuses an unknown key, so a misspelt one is an
// error rather than a silently ignored line.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/reading.h"
#include "core/status.h"
#include "core/time.h"

namespace ecohub::ingest {

// A bad cell or row: row 1 is the header, as a spreadsheet numbers them (a JSON
// file's element k is row k + 1); column "" when the row as a whole is wrong.
struct RowError {
  int row = 0;
  std::string column;
  std::string reason;
};

// One value in EcoHub's long form, as the file gave it (converted to the factor's
// unit), before the registry is consulted.
struct FileValue {
  int row = 0;
  std::string site;    // site code
  std::string factor;  // HJ 212-2017 code
  Period period = Period::kHour;
  UnixSeconds time = 0;  // UTC, the start of the period
  std::string value;     // a decimal, exactly
  char flag = 'N';
};

// How one source column or name becomes a factor.
struct FactorSpec {
  std::string code;     // HJ 212 code
  std::string unit;     // the source's unit; "" when it is already the factor's
  std::string to_unit;  // the unit stored; "" for the factor's default
  // "compass": a compass point (N, NNE ... NNW) becomes degrees; "C"/"CALM" is no
  // direction (counted missing). "dew_point": a dew point (°C) becomes relative
  // humidity (%), with the air temperature from column `with`.
  std::string convert;
  std::string with;
  // When set (0..6): the source writes binary fractions ("0.0333333333333333",
  // "-2.7e-17", what a program that interpolated gaps leaves): a value is read as a
  // number and rounded half to even to this many decimals, the precision the source
  // measures at. Otherwise a value must be a plain decimal and is kept exactly.
  std::optional<int> decimals;
};

struct Mapping {
  std::string name;
  std::string format;          // "csv" | "xlsx" | "json"; "" to tell from the bytes
  std::string sheet;           // XLSX sheet; "" for the first
  std::string records;         // JSON: the key of the array when the top is an object
  std::string shape = "long";  // "long" | "wide" (a column per factor) | "sites" (per site)
  // Column names: site, factor, period, time, value, flag, and for a time in parts
  // year, month, day, hour, minute, date (YYYY-MM-DD or YYYYMMDD).
  std::map<std::string, std::string> columns;
  std::string site;                               // one site for the whole file
  std::string site_prefix;                        // prepended to the site cells (after site_codes)
  std::map<std::string, std::string> site_codes;  // a site cell -> a site code
  std::string period;                             // one period for the whole file
  int64_t utc_offset_seconds = kBeijingOffsetSeconds;
  bool label_is_end = false;  // "hour_label": "end": the time labels the period's end
  std::vector<std::string> missing = {"", "NA", "N/A", "-", "—", "null", "NULL"};
  std::map<std::string, FactorSpec> factors;  // source column or factor name -> factor
  std::vector<std::string> skip;              // value columns left out on purpose
};

// Reads a mapping. `toml` for a .toml file, JSON otherwise. kInvalidInput names the
// key that is wrong.
Result<Mapping> ParseMapping(std::string_view text, bool toml);

struct FileValues {
  std::string format;   // "csv" | "xlsx" | "json"
  int rows = 0;         // data rows read (blank rows not counted)
  int64_t missing = 0;  // empty or "NA" cells, calm winds: no value, not an error
  int64_t skipped = 0;  // cells of columns or names the mapping leaves out
  std::vector<FileValue> values;
  std::vector<RowError> errors;  // every bad cell (the caller shows the first ones)
};

// Reads `bytes` by `mapping` (EcoHub's long CSV when null). A file that cannot be
// read at all (not UTF-8, a damaged XLSX, no header, a missing column) is an error
// Status (kInvalidInput); bad cells are in `errors`, and their rows give no value.
// More than `max_rows` rows is an error.
Result<FileValues> ReadValues(std::string_view bytes, const Mapping* mapping,
                              size_t max_rows = 50000);

// Whether `code` is a factor code: in EcoHub's table, an HJ 212-2017 code's shape
// (a lower-case letter and five digits or letters: a34004, e10101, i12001), or one
// of the sound levels of Table B.3 (LA, Leq, L10 ...).
bool IsFactorCode(std::string_view code);

}  // namespace ecohub::ingest
