// Bulk registration: a CSV or XLSX file of enterprises, sites or devices, checked row
// by row with exactly the checks of a single write through the API
// (api/registry_rows.h: fields, references, the caller's rights), and stored in one
// transaction only when every row passes. Idempotent: rows are keyed by credit code,
// site code and MN, and a row equal to what is stored is counted unchanged and not
// written. Used by POST /api/v1/registry/import and `ecohub registry import`.
//
// The file: a header row naming its columns, then one row per object. A header cell
// is a column's field name (credit_code), its Chinese label (统一社会信用代码), or both
// as the templates write them ("统一社会信用代码 [credit_code]"). References are by
// natural key: a district by its GB/T 2260 code, an enterprise by its credit code, a
// site by its code. An empty cell leaves the stored value (a default when new). Row
// numbers count the header as row 1, as a spreadsheet shows them.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/export.h"
#include "api/handlers.h"
#include "auth/policy.h"

namespace ecohub::api {

struct ImportError {
  int row = 0;         // 1 = the header
  std::string column;  // the column's field name; "" when the row as a whole is wrong
  std::string reason;
};

struct ImportReport {
  std::string kind, format;  // "enterprises" | "sites" | "devices"; "csv" | "xlsx"
  int rows = 0;              // data rows (the header and blank rows not counted)
  int created = 0, updated = 0, unchanged = 0;
  std::vector<ImportError> errors;  // the first 1,000
  bool committed = false;
};

// The kinds a file may hold.
bool IsImportKind(std::string_view kind);

// The template of `kind`: its columns (label and field), no rows.
std::vector<ExportColumn> ImportColumns(std::string_view kind);

// The field a header cell of a `kind` file names ("站点编码 [code]", "站点编码" or
// "code" -> "code"); "" when it names none.
std::string ImportFieldOf(std::string_view kind, const std::string& header);

// Reads, checks and (unless `dry_run` or a row is bad) stores `bytes` as rows of
// `kind` for `who`. `progress(done, total)` is called as rows are checked. Errors in
// the rows are in the report; an unreadable file or an unknown kind is an error
// Status (kInvalidInput), and a store failure leaves nothing written.
Result<ImportReport> ImportRegistry(const ApiContext& ctx, const auth::Principal& who,
                                    std::string_view kind, std::string_view bytes, bool dry_run,
                                    const std::function<void(size_t, size_t)>& progress = {});

nlohmann::ordered_json ImportReportJson(const ImportReport& r);

}  // namespace ecohub::api
