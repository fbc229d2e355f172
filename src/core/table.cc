#include "core/table.h"

#include <expat.h>
#include <zip.h>

#include <cstdlib>
#include <memory>
#include <optional>

namespace ecohub {
namespace {

constexpr size_t kMaxColumns = 200;
constexpr zip_uint64_t kMaxPart = 64u << 20;

// Whether `s` is well-formed UTF-8 (no overlong forms, no surrogates, at most
// U+10FFFF).
bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0 || (n > 0 && i + n >= s.size())) return false;
    uint32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (int k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

Status TooBig(size_t rows, size_t columns, size_t max_rows) {
  if (rows > max_rows)
    return Status::InvalidInput("more than " + std::to_string(max_rows) + " rows");
  if (columns > kMaxColumns)
    return Status::InvalidInput("more than " + std::to_string(kMaxColumns) + " columns");
  return Status::Ok();
}

// --- XLSX ----------------------------------------------------------------------------

// The bytes of part `name` of the open archive; kNotFound when it has none.
Result<std::string> ReadPart(zip_t* archive, const char* name) {
  zip_stat_t st;
  if (zip_stat(archive, name, 0, &st) != 0) return Status::NotFound(std::string(name));
  if (!(st.valid & ZIP_STAT_SIZE) || st.size > kMaxPart)
    return Status::InvalidInput(std::string(name) + " is over 64 MiB unpacked");
  std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen(archive, name, 0), zip_fclose);
  if (!f) return Status::InvalidInput(std::string("cannot open ") + name);
  std::string out(st.size, '\0');
  zip_int64_t got = zip_fread(f.get(), out.data(), st.size);
  if (got < 0 || static_cast<zip_uint64_t>(got) != st.size)
    return Status::InvalidInput(std::string(name) + " is damaged");
  return out;
}

// An expat parse of one part: `on_start(name, attrs)`, `on_end(name)` and
// `on_text(text)` get the local names (without namespace prefixes).
class XmlWalk {
 public:
  virtual ~XmlWalk() = default;
  virtual void OnStart(std::string_view name, const char** attrs) = 0;
  virtual void OnEnd(std::string_view name) = 0;
  virtual void OnText(std::string_view) {}

  Status Parse(std::string_view xml, const char* part) {
    std::unique_ptr<XML_ParserStruct, void (*)(XML_Parser)> p(XML_ParserCreate("UTF-8"),
                                                              XML_ParserFree);
    XML_SetUserData(p.get(), this);
    XML_SetElementHandler(
        p.get(),
        [](void* self, const char* name, const char** attrs) {
          static_cast<XmlWalk*>(self)->OnStart(Local(name), attrs);
        },
        [](void* self, const char* name) { static_cast<XmlWalk*>(self)->OnEnd(Local(name)); });
    XML_SetCharacterDataHandler(p.get(), [](void* self, const char* s, int n) {
      static_cast<XmlWalk*>(self)->OnText(std::string_view(s, n));
    });
    if (XML_Parse(p.get(), xml.data(), static_cast<int>(xml.size()), 1) != XML_STATUS_OK)
      return Status::InvalidInput(std::string(part) + ": " +
                                  XML_ErrorString(XML_GetErrorCode(p.get())) + " at line " +
                                  std::to_string(XML_GetCurrentLineNumber(p.get())));
    return error_;
  }

 protected:
  static std::string_view Local(const char* name) {
    std::string_view n(name);
    size_t colon = n.rfind(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
  }
  static const char* Attr(const char** attrs, std::string_view name) {
    for (int i = 0; attrs[i]; i += 2)
      if (Local(attrs[i]) == name) return attrs[i + 1];
    return nullptr;
  }
  Status error_;
};

// xl/sharedStrings.xml: the text of each <si>, its runs joined, phonetic hints left out.
class SharedStrings : public XmlWalk {
 public:
  std::vector<std::string> strings;
  void OnStart(std::string_view name, const char**) override {
    if (name == "si") strings.emplace_back();
    if (name == "t" && !in_phonetic_) in_t_ = true;
    if (name == "rPh") in_phonetic_ = true;
  }
  void OnEnd(std::string_view name) override {
    if (name == "t") in_t_ = false;
    if (name == "rPh") in_phonetic_ = false;
  }
  void OnText(std::string_view s) override {
    if (in_t_ && !strings.empty()) strings.back() += s;
  }

 private:
  bool in_t_ = false, in_phonetic_ = false;
};

// xl/workbook.xml: the relationship id of a sheet.
class SheetRel : public XmlWalk {
 public:
  // The sheet named `wanted`; the first one when it is empty.
  explicit SheetRel(std::string wanted) : wanted_(std::move(wanted)) {}
  std::string rel;
  bool found = false;
  void OnStart(std::string_view name, const char** attrs) override {
    if (name != "sheet" || found) return;
    const char* sheet_name = Attr(attrs, "name");
    if (!wanted_.empty() && (!sheet_name || wanted_ != sheet_name)) return;
    found = true;
    if (const char* id = Attr(attrs, "id")) rel = id;
  }
  void OnEnd(std::string_view) override {}

 private:
  std::string wanted_;
};

// xl/_rels/workbook.xml.rels: the target of relationship `id`.
class RelTarget : public XmlWalk {
 public:
  explicit RelTarget(std::string id) : id_(std::move(id)) {}
  std::string target;
  void OnStart(std::string_view name, const char** attrs) override {
    const char* id = Attr(attrs, "Id");
    const char* t = Attr(attrs, "Target");
    if (name == "Relationship" && id && t && id_ == id) target = t;
  }
  void OnEnd(std::string_view) override {}

 private:
  std::string id_;
};

// A worksheet's cells, placed by their references (B3 is row 3, column 2).
class SheetCells : public XmlWalk {
 public:
  SheetCells(const std::vector<std::string>& shared, size_t max_rows)
      : shared_(shared), max_rows_(max_rows) {}
  Table table;

  void OnStart(std::string_view name, const char** attrs) override {
    if (!error_.ok()) return;
    if (name == "row") {
      const char* r = Attr(attrs, "r");
      row_ = r ? std::strtoul(r, nullptr, 10) : row_ + 1;
      col_ = 0;
    } else if (name == "c") {
      const char* ref = Attr(attrs, "r");
      const char* t = Attr(attrs, "t");
      type_ = t ? t : "n";
      col_ = ref ? Column(ref) : col_ + 1;
      text_.clear();
      in_cell_ = true;
    } else if ((name == "v" || name == "t") && in_cell_) {
      in_value_ = true;
    }
  }
  void OnEnd(std::string_view name) override {
    if (!error_.ok()) return;
    if (name == "v" || name == "t") in_value_ = false;
    if (name != "c") return;
    in_cell_ = false;
    std::string value = text_;
    if (type_ == "s") {
      char* end = nullptr;
      unsigned long i = std::strtoul(text_.c_str(), &end, 10);
      if (text_.empty() || *end || i >= shared_.size()) {
        error_ = Status::InvalidInput("a cell names shared string " + text_ + " that is missing");
        return;
      }
      value = shared_[i];
    } else if (type_ == "b") {
      value = text_ == "1" ? "TRUE" : "FALSE";
    } else if (type_ == "e") {
      value.clear();  // #N/A, #REF!: no value
    }
    if (value.empty()) return;
    if (Status s = TooBig(row_, col_, max_rows_); !s.ok()) {
      error_ = s;
      return;
    }
    if (row_ == 0 || col_ == 0) return;
    if (table.rows.size() < row_) table.rows.resize(row_);
    auto& cells = table.rows[row_ - 1];
    if (cells.size() < col_) cells.resize(col_);
    cells[col_ - 1] = std::move(value);
  }
  void OnText(std::string_view s) override {
    if (in_value_) text_ += s;
  }

 private:
  // "AB12" -> 28.
  static size_t Column(std::string_view ref) {
    size_t c = 0;
    for (char ch : ref) {
      if (ch < 'A' || ch > 'Z') break;
      c = c * 26 + (ch - 'A' + 1);
      if (c > kMaxColumns + 1) return kMaxColumns + 1;
    }
    return c;
  }

  const std::vector<std::string>& shared_;
  size_t max_rows_;
  size_t row_ = 0, col_ = 0;
  std::string type_, text_;
  bool in_cell_ = false, in_value_ = false;
};

}  // namespace

TableFormat SniffTableFormat(std::string_view bytes) {
  return bytes.substr(0, 4) == std::string_view("PK\3\4", 4) ? TableFormat::kXlsx
                                                             : TableFormat::kCsv;
}

Result<Table> ReadCsv(std::string_view in, const TableOptions& options) {
  if (in.substr(0, 3) == "\xEF\xBB\xBF") in.remove_prefix(3);
  Table t;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, was_quoted = false;
  auto end_row = [&]() -> Status {
    row.push_back(std::move(cell));
    cell.clear();
    was_quoted = false;
    size_t line = t.rows.size() + 1;
    for (const auto& c : row)
      if (!IsUtf8(c))
        return Status::InvalidInput("row " + std::to_string(line) +
                                    " is not UTF-8 text (save the file as CSV UTF-8)");
    if (Status s = TooBig(line, row.size(), options.max_rows); !s.ok()) return s;
    bool blank = row.size() == 1 && row[0].empty();
    t.rows.push_back(blank ? std::vector<std::string>{} : std::move(row));
    row.clear();
    return Status::Ok();
  };
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (quoted) {
      if (c != '"') {
        cell += c;
      } else if (i + 1 < in.size() && in[i + 1] == '"') {
        cell += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"' && cell.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(cell));
      cell.clear();
      was_quoted = false;
    } else if (c == '\n' || (c == '\r' && i + 1 < in.size() && in[i + 1] == '\n')) {
      if (c == '\r') ++i;
      if (Status s = end_row(); !s.ok()) return s;
    } else if (was_quoted) {
      return Status::InvalidInput("row " + std::to_string(t.rows.size() + 1) +
                                  ": text after a closing quote");
    } else {
      cell += c;
    }
  }
  if (quoted)
    return Status::InvalidInput("row " + std::to_string(t.rows.size() + 1) +
                                ": a quote is never closed");
  if (!cell.empty() || !row.empty() || was_quoted)
    if (Status s = end_row(); !s.ok()) return s;
  while (!t.rows.empty() && t.rows.back().empty()) t.rows.pop_back();
  return t;
}

Result<Table> ReadXlsx(std::string_view bytes, const TableOptions& options) {
  zip_error_t zerr;
  zip_error_init(&zerr);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &zerr);
  if (!src) return Status::InvalidInput("not an XLSX file");
  zip_t* raw = zip_open_from_source(src, ZIP_RDONLY, &zerr);
  if (!raw) {
    zip_source_free(src);
    zip_error_fini(&zerr);
    return Status::InvalidInput("not an XLSX file (the zip archive cannot be read)");
  }
  std::unique_ptr<zip_t, void (*)(zip_t*)> archive(raw, zip_discard);
  auto part = [&](const char* name) { return ReadPart(archive.get(), name); };

  std::vector<std::string> shared;
  if (auto xml = part("xl/sharedStrings.xml"); xml.ok()) {
    SharedStrings walk;
    if (Status s = walk.Parse(*xml, "sharedStrings.xml"); !s.ok()) return s;
    shared = std::move(walk.strings);
  } else if (xml.status().code() != Code::kNotFound) {
    return xml.status();
  }
  std::string sheet = "xl/worksheets/sheet1.xml";
  auto workbook = part("xl/workbook.xml");
  auto rels = part("xl/_rels/workbook.xml.rels");
  if (!workbook.ok() || !rels.ok())
    return Status::InvalidInput("not an XLSX workbook (no xl/workbook.xml)");
  SheetRel first(options.sheet);
  if (Status s = first.Parse(*workbook, "workbook.xml"); !s.ok()) return s;
  if (!first.found)
    return Status::InvalidInput("the workbook has no sheet named \"" + options.sheet + "\"");
  RelTarget target(first.rel);
  if (Status s = target.Parse(*rels, "workbook.xml.rels"); !s.ok()) return s;
  if (!target.target.empty())
    sheet = target.target[0] == '/' ? target.target.substr(1) : "xl/" + target.target;
  auto xml = part(sheet.c_str());
  std::string what = options.sheet.empty() ? "the first sheet" : "sheet " + options.sheet;
  if (!xml.ok()) return Status::InvalidInput("the workbook's " + what + " is missing");
  SheetCells cells(shared, options.max_rows);
  if (Status s = cells.Parse(*xml, what.c_str()); !s.ok()) return s;
  for (size_t i = 0; i < cells.table.rows.size(); ++i)
    for (const auto& c : cells.table.rows[i])
      if (!IsUtf8(c)) return Status::InvalidInput("row " + std::to_string(i + 1) + " is not text");
  return std::move(cells.table);
}

Result<Table> ReadTable(std::string_view bytes, const TableOptions& options) {
  return SniffTableFormat(bytes) == TableFormat::kXlsx ? ReadXlsx(bytes, options)
                                                       : ReadCsv(bytes, options);
}

}  // namespace ecohub
