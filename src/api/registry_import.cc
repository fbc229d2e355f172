#include "api/registry_import.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "api/registry_rows.h"
#include "api/route_util.h"
#include "api/site_directory.h"
#include "core/table.h"

namespace ecohub::api {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using Snapshot = registry::Snapshot;

constexpr size_t kMaxErrors = 1000;

// How a column's text becomes the body field of the single write.
enum class Cell {
  kText,
  kNumber,
  kInteger,
  kBool,
  kList,        // names separated by , ， 、 or ;
  kDistrict,    // a district code -> district_id
  kEnterprise,  // a credit code -> enterprise_id
  kSite,        // a site code -> site_id
  kAttr,        // a key of the site's attrs
  kAttrs,       // a JSON object of more attrs (the kAttr columns win over it)
};

struct Column {
  const char* field;  // the body field (for references: the column's own name)
  const char* label;  // 中文
  Cell cell = Cell::kText;
};

const std::vector<Column>& ColumnsOf(std::string_view kind) {
  static const std::vector<Column> kEnterprises = {
      {"credit_code", "统一社会信用代码"},
      {"name", "企业名称"},
      {"district", "区县代码", Cell::kDistrict},
      {"industry", "行业代码"},
      {"address", "地址"},
      {"lon", "经度", Cell::kNumber},
      {"lat", "纬度", Cell::kNumber},
      {"key_media", "重点排污单位类别", Cell::kList},
      {"permit_no", "排污许可证编号"},
      {"contact_name", "联系人"},
      {"contact_phone", "联系电话"},
      {"status", "状态"},
  };
  static const std::vector<Column> kSites = {
      {"code", "站点编码"},
      {"name", "站点名称"},
      {"kind", "类型"},
      {"district", "区县代码", Cell::kDistrict},
      {"enterprise", "企业统一社会信用代码", Cell::kEnterprise},
      {"lon", "经度", Cell::kNumber},
      {"lat", "纬度", Cell::kNumber},
      {"level", "级别", Cell::kAttr},
      {"water_type", "水体类型", Cell::kAttr},
      {"river", "河流", Cell::kAttr},
      {"target_class", "目标水质类别", Cell::kAttr},
      {"zone", "声环境功能区", Cell::kAttr},
      {"active", "启用", Cell::kBool},
      {"simulated", "模拟数据", Cell::kBool},
      {"attrs", "其他属性", Cell::kAttrs},
  };
  static const std::vector<Column> kDevices = {
      {"mn", "设备MN"},         {"site", "站点编码", Cell::kSite},
      {"password", "访问密码"}, {"protocol_version", "协议版本", Cell::kInteger},
      {"charset", "字符集"},    {"enabled", "启用", Cell::kBool},
  };
  static const std::vector<Column> kNone;
  return kind == "enterprises" ? kEnterprises
         : kind == "sites"     ? kSites
         : kind == "devices"   ? kDevices
                               : kNone;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// The column a header cell names: "field", "标签" or "标签 [field]"; -1 when none.
int ColumnOfHeader(const std::vector<Column>& cols, const std::string& header) {
  std::string h = Trim(header);
  size_t open = h.rfind('['), close = h.rfind(']');
  if (open != std::string::npos && close != std::string::npos && close > open)
    h = Trim(std::string_view(h).substr(open + 1, close - open - 1));
  for (size_t i = 0; i < cols.size(); ++i)
    if (h == cols[i].field || h == cols[i].label) return static_cast<int>(i);
  return -1;
}

std::optional<bool> ParseBool(const std::string& v) {
  for (const char* t : {"true", "TRUE", "True", "1", "是", "yes"})
    if (v == t) return true;
  for (const char* f : {"false", "FALSE", "False", "0", "否", "no"})
    if (v == f) return false;
  return std::nullopt;
}

// One file row turned into the body of the single write.
class RowReader {
 public:
  RowReader(const std::vector<Column>& cols, const std::vector<int>& at, const Snapshot& snap)
      : cols_(cols), at_(at), snap_(snap) {}

  // The body of `cells`, or the error of the first cell that cannot be read.
  std::optional<ImportError> Read(const std::vector<std::string>& cells, int row, json* body) {
    *body = json::object();
    json attrs = json::object(), more = json::object();
    for (size_t i = 0; i < at_.size(); ++i) {
      if (at_[i] < 0) continue;
      const Column& c = cols_[at_[i]];
      std::string v = i < cells.size() ? Trim(cells[i]) : "";
      if (v.empty()) continue;
      std::string bad = Convert(c, v, body, c.cell == Cell::kAttrs ? &more : &attrs);
      if (!bad.empty()) return ImportError{row, c.field, bad};
    }
    more.update(attrs);
    if (!more.empty()) (*body)["attrs_set"] = more;
    return std::nullopt;
  }

 private:
  // Puts `v` of column `c` into the body; the reason when it cannot.
  std::string Convert(const Column& c, const std::string& v, json* body, json* attrs) {
    json& b = *body;
    switch (c.cell) {
      case Cell::kText:
        b[c.field] = v;
        return "";
      case Cell::kNumber:
        return Whole<double>(v, "not a number: ", &b[c.field]);
      case Cell::kInteger:
        return Whole<int64_t>(v, "not a whole number: ", &b[c.field]);
      case Cell::kBool: {
        auto x = ParseBool(v);
        if (!x) return "not yes or no (是/否, true/false, 1/0): " + v;
        b[c.field] = *x;
        return "";
      }
      case Cell::kList: {
        json list = json::array();
        std::string item;
        auto flush = [&] {
          if (!Trim(item).empty()) list.push_back(Trim(item));
          item.clear();
        };
        for (size_t i = 0; i < v.size(); ++i) {
          if (v[i] == ',' || v[i] == ';') {
            flush();
          } else if (v.compare(i, 3, "，") == 0 || v.compare(i, 3, "、") == 0) {
            flush();
            i += 2;
          } else {
            item += v[i];
          }
        }
        flush();
        b[c.field] = list;
        return "";
      }
      case Cell::kDistrict: {
        const store::District* d = snap_.DistrictByCode(v);
        if (!d) return "no district has the code " + v;
        b["district_id"] = d->id;
        return "";
      }
      case Cell::kEnterprise: {
        const store::Enterprise* e = snap_.EnterpriseByCode(v);
        if (!e) return "no enterprise has the credit code " + v;
        b["enterprise_id"] = e->id;
        return "";
      }
      case Cell::kSite: {
        const store::Site* s = snap_.SiteByCode(v);
        if (!s) return "no site has the code " + v;
        b["site_id"] = s->id;
        return "";
      }
      case Cell::kAttr:
        (*attrs)[c.field] = v;
        return "";
      case Cell::kAttrs: {
        json o = json::parse(v, nullptr, false);
        if (!o.is_object()) return "not a JSON object ({\"key\": value, ...}): " + v;
        *attrs = std::move(o);
        return "";
      }
    }
    return "";
  }

  // `v` read whole as a T into `*out`; otherwise the reason (`what` and the text).
  template <class T>
  static std::string Whole(const std::string& v, const char* what, json* out) {
    T x{};
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size()) return what + v;
    *out = x;
    return "";
  }

  const std::vector<Column>& cols_;
  const std::vector<int>& at_;
  const Snapshot& snap_;
};

// The reason a single write's problem gives, and the column it is about when its
// text starts with a field name.
ImportError ErrorOf(const Response& problem, int row, const std::vector<Column>& cols) {
  auto p = json::parse(problem.body, nullptr, false);
  std::string reason = p.is_object() ? p.value("title", "") : "";
  std::string detail = p.is_object() ? p.value("detail", "") : "";
  if (!detail.empty()) reason += (reason.empty() ? "" : ": ") + detail;
  if (problem.status == 403) reason = "not allowed" + (detail.empty() ? "" : ": " + detail);
  std::string column;
  for (const Column& c : cols) {
    std::string f = c.cell == Cell::kDistrict     ? "district_id"
                    : c.cell == Cell::kEnterprise ? "enterprise_id"
                    : c.cell == Cell::kSite       ? "site_id"
                                                  : c.field;
    if (reason.rfind(f, 0) == 0 || detail.rfind(f, 0) == 0) column = c.field;
  }
  // A refusal is about where the row puts its object: its district (devices: their
  // site).
  if (problem.status == 403 && column.empty())
    for (const Column& c : cols)
      if (c.cell == Cell::kDistrict || c.cell == Cell::kSite) column = c.field;
  return {row, column, reason};
}

// A site's attrs with the keys of `set` given (the attrs columns change only theirs).
json MergedAttrs(const store::Site* old, const json& set) {
  json attrs = old && !old->attrs_json.empty() ? json::parse(old->attrs_json, nullptr, false)
                                               : json::object();
  if (!attrs.is_object()) attrs = json::object();
  for (const auto& [k, v] : set.items()) attrs[k] = v;
  return attrs;
}

// The rows checked, waiting to be stored.
struct Staged {
  store::RegistryRows rows;
  std::vector<std::pair<std::string, ordered_json>> audits;  // action, object+detail
  std::vector<store::Device> devices_changed;
};

}  // namespace

bool IsImportKind(std::string_view kind) { return !ColumnsOf(kind).empty(); }

std::string ImportFieldOf(std::string_view kind, const std::string& header) {
  const std::vector<Column>& cols = ColumnsOf(kind);
  int c = ColumnOfHeader(cols, header);
  return c < 0 ? "" : cols[c].field;
}

std::vector<ExportColumn> ImportColumns(std::string_view kind) {
  std::vector<ExportColumn> out;
  for (const Column& c : ColumnsOf(kind))
    out.push_back({std::string(c.label) + " [" + c.field + "]"});
  return out;
}

Result<ImportReport> ImportRegistry(const ApiContext& ctx, const auth::Principal& who,
                                    std::string_view kind, std::string_view bytes, bool dry_run,
                                    const std::function<void(size_t, size_t)>& progress) {
  const std::vector<Column>& cols = ColumnsOf(kind);
  if (cols.empty()) return Status::InvalidInput("kind must be enterprises, sites or devices");
  auto table = ReadTable(bytes);
  if (!table.ok()) return table.status();
  ImportReport report;
  report.kind = std::string(kind);
  report.format = SniffTableFormat(bytes) == TableFormat::kXlsx ? "xlsx" : "csv";
  auto add_error = [&](ImportError e) {
    if (report.errors.size() < kMaxErrors) report.errors.push_back(std::move(e));
  };
  if (table->rows.empty()) return Status::InvalidInput("the file is empty: no header row");

  // The header: every cell a known column, each column once, the key column there.
  std::vector<int> at;
  std::vector<bool> seen(cols.size());
  for (const std::string& h : table->rows[0]) {
    int c = Trim(h).empty() ? -1 : ColumnOfHeader(cols, h);
    if (c < 0 && !Trim(h).empty()) add_error({1, Trim(h), "unknown column"});
    if (c >= 0 && seen[c]) add_error({1, cols[c].field, "the column appears twice"});
    if (c >= 0) seen[c] = true;
    at.push_back(c);
  }
  if (!seen[0]) add_error({1, cols[0].field, "the key column is missing"});
  if (!report.errors.empty()) return report;

  auto snap = ctx.sites->Get();
  RowReader reader(cols, at, *snap);
  Staged staged;
  std::map<std::string, int> first_row;  // natural key -> row
  size_t total = table->rows.size() - 1;
  for (size_t i = 1; i < table->rows.size(); ++i) {
    int row = static_cast<int>(i + 1);
    if (progress && (i % 100 == 0 || i == total)) progress(i, total);
    const auto& cells = table->rows[i];
    if (std::all_of(cells.begin(), cells.end(), [](const auto& c) { return Trim(c).empty(); }))
      continue;
    report.rows++;
    json body;
    if (auto bad = reader.Read(cells, row, &body)) {
      add_error(*bad);
      continue;
    }
    std::string key = body.value(cols[0].field, "");
    if (key.empty()) {
      add_error({row, cols[0].field, "empty: every row needs its key"});
      continue;
    }
    auto [it, fresh] = first_row.emplace(key, row);
    if (!fresh) {
      add_error({row, cols[0].field, "the same as row " + std::to_string(it->second)});
      continue;
    }
    std::optional<Response> problem;
    bool changed = true, existed = false;
    ordered_json detail = {{"via", "import"}, {"row", row}};
    if (kind == "enterprises") {
      store::Enterprise e;
      const store::Enterprise* old = nullptr;
      problem = PrepareEnterpriseRow(ctx, who, *snap, body, &e, &old);
      existed = old;
      changed = !old || !(e == *old);
      if (!problem && changed) staged.rows.enterprises.push_back(e);
      detail["object"] = "enterprise:" + e.credit_code;
    } else if (kind == "sites") {
      store::Site s;
      const store::Site* old = snap->SiteByCode(key);
      if (body.contains("attrs_set")) body["attrs"] = MergedAttrs(old, body["attrs_set"]);
      body.erase("attrs_set");
      problem = PrepareSiteRow(ctx, who, *snap, body, &s, &old);
      existed = old;
      changed = !old || !(s == *old);
      if (!problem && changed) {
        staged.rows.sites.push_back(s);
        for (store::Device& d : DevicesDisabledWith(s, *snap)) {
          staged.rows.devices.push_back(d);
          staged.devices_changed.push_back(std::move(d));
        }
      }
      detail["object"] = "site:" + s.code;
    } else {
      store::Device d;
      const store::Device* old = nullptr;
      problem = PrepareDeviceRow(ctx, who, *snap, body, &d, &old);
      existed = old;
      changed = !old || !(d == *old);
      if (!problem && changed) {
        staged.rows.devices.push_back(d);
        staged.devices_changed.push_back(d);
      }
      detail["object"] = "device:" + d.mn;
      if (body.contains("password")) detail["password_changed"] = true;
    }
    if (problem) {
      add_error(ErrorOf(*problem, row, cols));
      continue;
    }
    if (!changed) {
      report.unchanged++;
      continue;
    }
    (existed ? report.updated : report.created)++;
    std::string noun = kind == "enterprises" ? "enterprise" : kind == "sites" ? "site" : "device";
    staged.audits.emplace_back(noun + (existed ? ".update" : ".create"), std::move(detail));
  }
  if (!report.errors.empty() || dry_run) return report;

  if (Status s = ctx.store->PutRows(staged.rows); !s.ok()) return s;
  report.committed = true;
  ctx.sites->Invalidate();
  for (const store::Device& d : staged.devices_changed)
    if (ctx.device_changed) ctx.device_changed(d);
  for (auto& [action, detail] : staged.audits) {
    std::string object = detail["object"];
    detail.erase("object");
    Audit(ctx, who, action, object, detail);
  }
  Audit(ctx, who, "registry.import", "registry:" + report.kind,
        {{"format", report.format},
         {"rows", report.rows},
         {"created", report.created},
         {"updated", report.updated},
         {"unchanged", report.unchanged}});
  spdlog::info("registry import of {} by {}: {} rows, {} created, {} updated, {} unchanged",
               report.kind, who.name, report.rows, report.created, report.updated,
               report.unchanged);
  return report;
}

ordered_json ImportReportJson(const ImportReport& r) {
  ordered_json errors = ordered_json::array();
  for (const ImportError& e : r.errors)
    errors.push_back({{"row", e.row}, {"column", e.column}, {"reason", e.reason}});
  return {{"kind", r.kind},
          {"format", r.format},
          {"rows", r.rows},
          {"created", r.created},
          {"updated", r.updated},
          {"unchanged", r.unchanged},
          {"errors", std::move(errors)},
          {"committed", r.committed}};
}

}  // namespace ecohub::api

namespace ecohub::api {
namespace {

// GET /registry/templates/{kind}: the columns of a kind's file, as JSON, or as the
// header row of a CSV or XLSX file to fill in (format=csv|xlsx). Only for those who
// may write the registry somewhere (admin, staff).
Response GetTemplate(const ApiContext&, const Request& req, const auth::Principal& who) {
  const std::string& kind = req.params.at("kind");
  if (!IsImportKind(kind))
    return Problem(404, "not-found", "No such template", "enterprises, sites or devices");
  if (who.role != auth::Role::kAdmin && who.role != auth::Role::kStaff)
    return Problem(403, "forbidden", "Not allowed", "templates are for registry staff");
  if (Exporting(req))
    return ExportResponse(*ParseExportFormat(req.query.at("format")), "ecohub-" + kind,
                          ImportColumns(kind),
                          [](std::vector<std::optional<std::string>>*) { return false; });
  ordered_json items = ordered_json::array();
  for (const ExportColumn& c : ImportColumns(kind)) items.push_back({{"header", c.name}});
  return JsonResponse<ordered_json>({{"items", std::move(items)}, {"next_cursor", nullptr}});
}

// POST /registry/import?kind=&dry_run=: the file in the body; 200 with the report
// when every row passed (stored unless dry_run), 422 with it when any did not.
Response PostImport(const ApiContext& ctx, const Request& req, const auth::Principal& who) {
  auto param = [&](const char* k) {
    auto it = req.query.find(k);
    return it == req.query.end() ? std::string() : it->second;
  };
  std::string kind = param("kind"), dry = param("dry_run");
  if (!IsImportKind(kind))
    return Problem(400, "bad-parameter", "kind must be enterprises, sites or devices", kind);
  if (!dry.empty() && dry != "true" && dry != "false")
    return Problem(400, "bad-parameter", "dry_run must be true or false", dry);
  if (who.key_id || (who.role != auth::Role::kAdmin && who.role != auth::Role::kStaff))
    return Problem(who.role == auth::Role::kPublic ? 401 : 403, "forbidden", "Not allowed",
                   "the registry is written by administrators and district staff");
  if (req.body.empty()) return Problem(400, "bad-body", "The file is empty");
  auto report = ImportRegistry(ctx, who, kind, req.body, dry == "true");
  if (!report.ok()) {
    if (report.status().code() == Code::kInvalidInput) {
      spdlog::warn("registry import by {} refused: {}", who.name, report.status().message());
      return Problem(400, "bad-file", "The file cannot be read", report.status().message());
    }
    return StoreError(report.status());
  }
  return JsonResponse(ImportReportJson(*report), report->errors.empty() ? 200 : 422);
}

}  // namespace

void AddRegistryImportRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/registry/templates/{kind}",
          {.summary = "The columns of a kind's file (enterprises, sites, devices); with "
                      "format=csv or xlsx, the template to fill in",
           .tag = "Registry",
           .exportable = true,
           .id = "getRegistryTemplate"},
          Bind(ctx, GetTemplate));
  api.Add("POST", "/api/v1/registry/import",
          {.summary = "Bulk registration from a CSV or XLSX file (the request body): every row "
                      "checked as a single write; stored all or none",
           .tag = "Registry",
           .query = {{"kind", "string", "enterprises, sites or devices", true},
                     {"dry_run", "boolean", "true: check only, store nothing"}},
           .response = "{kind, format, rows, created, updated, unchanged, errors[{row, column, "
                       "reason}], committed}; 422 when a row is bad (nothing stored)",
           .id = "importRegistry"},
          Bind(ctx, PostImport));
}

}  // namespace ecohub::api
