#include "api/export.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ecohub::api {
namespace {

namespace fs = std::filesystem;
using Row = std::vector<std::optional<std::string>>;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// A fresh directory under the system temporary directory, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string name = (fs::temp_directory_path() / "export_test-XXXXXX").string();
    if (mkdtemp(name.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = name;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  bool empty() const { return fs::is_empty(path_); }

 private:
  fs::path path_;
};

int OpenDescriptors() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n;
}

RowSource FromRows(std::vector<Row> rows) {
  auto next = std::make_shared<size_t>(0);
  return [rows = std::move(rows), next](Row* row) {
    if (*next >= rows.size()) return false;
    *row = rows[(*next)++];
    return true;
  };
}

// Rows "i" (number), "站点i" (text), for i in [0, count).
RowSource Counting(int64_t count) {
  auto i = std::make_shared<int64_t>(0);
  return [count, i](Row* row) {
    if (*i >= count) return false;
    row->push_back(std::to_string(*i));
    row->push_back("站点" + std::to_string(*i));
    ++*i;
    return true;
  };
}

const std::vector<ExportColumn> kCountingColumns = {{"n", "", ExportColumn::kNumber},
                                                    {"站点", "", ExportColumn::kText}};

// Drives the response as the HTTP server does; records each piece's size.
std::string Drain(Response& response, std::vector<size_t>* sizes = nullptr) {
  std::string body, piece;
  for (int calls = 0; calls < 10'000'000; ++calls) {
    piece = "left over";  // stream must replace, not append
    bool more = response.stream(&piece);
    body += piece;
    if (sizes) sizes->push_back(piece.size());
    if (!more) {
      // After the end it stays ended.
      EXPECT_FALSE(response.stream(&piece));
      EXPECT_TRUE(piece.empty());
      return body;
    }
  }
  ADD_FAILURE() << "stream never ended";
  return body;
}

std::string Header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

// RFC 4180 reader for the tests: rows of fields, CRLF line ends.
std::vector<std::vector<std::string>> ParseCsv(std::string_view s) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '"') {
      for (++i; i < s.size(); ++i) {
        if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (s[i] == '"') {
          ++i;
          break;
        } else {
          field += s[i];
        }
      }
    } else if (s[i] == ',') {
      row.push_back(std::move(field));
      field.clear();
      ++i;
    } else if (s.substr(i, 2) == "\r\n") {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      i += 2;
    } else {
      field += s[i++];
    }
  }
  EXPECT_TRUE(row.empty() && field.empty()) << "CSV does not end with CRLF";
  return rows;
}

std::string CsvOf(std::vector<ExportColumn> columns, std::vector<Row> rows,
                  int64_t* done_rows = nullptr) {
  Response r = ExportResponse(ExportFormat::kCsv, "t", std::move(columns),
                              FromRows(std::move(rows)), [done_rows](int64_t n) {
                                if (done_rows) *done_rows = n;
                              });
  std::string body = Drain(r);
  EXPECT_EQ(body.substr(0, 3), kBom);
  return body.substr(std::min<size_t>(3, body.size()));
}

// ---------------------------------------------------------------------------------
// Formats, names, UTF-8

TEST(ParseExportFormat, AcceptsCsvAndXlsxInAnyCase) {
  EXPECT_EQ(ParseExportFormat("csv"), ExportFormat::kCsv);
  EXPECT_EQ(ParseExportFormat("CSV"), ExportFormat::kCsv);
  EXPECT_EQ(ParseExportFormat("xlsx"), ExportFormat::kXlsx);
  EXPECT_EQ(ParseExportFormat("XlSx"), ExportFormat::kXlsx);
  for (std::string_view bad : {"", "xls", "json", " csv", "csv ", ".csv", "c sv"})
    EXPECT_EQ(ParseExportFormat(bad), std::nullopt) << bad;
  EXPECT_EQ(ParseExportFormat(std::string_view("csv\0", 4)), std::nullopt);
}

TEST(ContentDisposition, ChineseStemHasAsciiFallbackAndUtf8Name) {
  EXPECT_EQ(ContentDisposition("广州市空气质量_PM2.5", ".csv"),
            "attachment; filename=\"PM2.5.csv\"; "
            "filename*=UTF-8''%E5%B9%BF%E5%B7%9E%E5%B8%82%E7%A9%BA%E6%B0%94%E8%B4%A8%E9%87%8F"
            "_PM2.5.csv");
  Response r = ExportResponse(ExportFormat::kXlsx, "广州市", {}, FromRows({}));
  EXPECT_EQ(Header(r, "Content-Disposition"),
            "attachment; filename=\"export.xlsx\"; "
            "filename*=UTF-8''%E5%B9%BF%E5%B7%9E%E5%B8%82.xlsx");
}

TEST(ContentDisposition, StemCannotInjectHeadersOrPaths) {
  // CR LF would split the header; quotes would end the quoted string; / and \ are
  // paths; % is decoded by some clients.
  EXPECT_EQ(ContentDisposition("a\r\nSet-Cookie: x=\"1\"; ../b\\c%41", ".csv"),
            "attachment; filename=\"aSet-Cookie: x=_1_ .._b_c_41.csv\"; "
            "filename*=UTF-8''aSet-Cookie%3A%20x%3D%221%22%3B%20.._b_c%2541.csv");
  EXPECT_EQ(ContentDisposition("", ".csv"),
            "attachment; filename=\"export.csv\"; filename*=UTF-8''export.csv");
  EXPECT_EQ(ContentDisposition("site-1 2024", ".csv"),
            "attachment; filename=\"site-1 2024.csv\"; filename*=UTF-8''site-1%202024.csv");
}

TEST(ToValidUtf8, ReplacesEachMaximalInvalidSubpart) {
  struct Case {
    std::string_view in, out;
  } cases[] = {
      {"", ""},
      {"PM2.5 µg/m³ 广州", "PM2.5 µg/m³ 广州"},
      {"\xF0\x9F\x8C\x8F", "\xF0\x9F\x8C\x8F"},                  // U+1F30F, 4 bytes
      {"a\x80z", "a\xEF\xBF\xBDz"},                              // lone continuation
      {"\xFF", "\xEF\xBF\xBD"},                                  // never a lead byte
      {"\xE5\xB9", "\xEF\xBF\xBD"},                              // 广 cut short: one U+FFFD
      {"\xE5\xB9x", "\xEF\xBF\xBDx"},                            //   ... followed by ASCII
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                  // overlong "/"
      {"\xE0\x80\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // overlong, 3 bytes
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // surrogate U+D800
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // >10FFFF
      {"\xF0\x9F\x8C", "\xEF\xBF\xBD"},                                          // 4-byte cut short
  };
  for (const auto& c : cases) EXPECT_EQ(ToValidUtf8(c.in), c.out) << c.in;
}

// ---------------------------------------------------------------------------------
// CSV

TEST(CsvExport, HeaderWithUnitsAfterBom) {
  int64_t done = -1;
  Response r = ExportResponse(ExportFormat::kCsv, "aq",
                              {{"time", "", ExportColumn::kTime},
                               {"PM2.5", "µg/m³", ExportColumn::kNumber},
                               {"站点", "", ExportColumn::kText}},
                              FromRows({}), [&](int64_t n) { done = n; });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(Header(r, "Content-Disposition"),
            "attachment; filename=\"aq.csv\"; filename*=UTF-8''aq.csv");
  EXPECT_EQ(Drain(r), "\xEF\xBB\xBFtime,PM2.5 (µg/m³),站点\r\n");
  EXPECT_EQ(done, 0);
}

TEST(CsvExport, QuotesCommasQuotesAndLineBreaks) {
  std::vector<ExportColumn> cols = {{"a"}, {"b"}, {"c"}, {"d"}, {"e"}};
  std::string body = CsvOf(cols, {{"1,5", "say \"hi\"", "line1\nline2", "cr\rhere", "plain"}});
  EXPECT_EQ(body,
            "a,b,c,d,e\r\n\"1,5\",\"say \"\"hi\"\"\",\"line1\nline2\",\"cr\rhere\",plain\r\n");
  auto rows = ParseCsv(body);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1],
            (std::vector<std::string>{"1,5", "say \"hi\"", "line1\nline2", "cr\rhere", "plain"}));
}

TEST(CsvExport, ChineseTextRoundTrips) {
  std::vector<std::string> cells = {"广州市黄埔区监测站", "二氧化硫（SO₂）", "优，“良”", "µg/m³"};
  std::vector<ExportColumn> cols = {{"名称"}, {"项目"}, {"等级"}, {"单位"}};
  int64_t done = -1;
  std::string body = CsvOf(cols, {Row(cells.begin(), cells.end())}, &done);
  auto rows = ParseCsv(body);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"名称", "项目", "等级", "单位"}));
  EXPECT_EQ(rows[1], cells);
  EXPECT_EQ(done, 1);
}

TEST(CsvExport, FormulaGuardOnTextNotOnNumbers) {
  std::vector<ExportColumn> cols = {
      {"text"}, {"value", "", ExportColumn::kNumber}, {"time", "", ExportColumn::kTime}};
  std::string body = CsvOf(cols, {{"=1+2", "-3.5", "2024-05-01T08:00:00+08:00"},
                                  {"+86 20", "1e-3", "=cmd|' /C calc'!A0"},
                                  {"-x", "=1+2", std::nullopt},
                                  {"@SUM(A1)", "+5", std::nullopt},
                                  {"\tx", "nan", std::nullopt},
                                  {"\rx", "35.2", std::nullopt},
                                  {"a=b", "0", std::nullopt}});
  auto rows = ParseCsv(body);
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"'=1+2", "-3.5", "2024-05-01T08:00:00+08:00"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"'+86 20", "1e-3", "'=cmd|' /C calc'!A0"}));
  // Not a number in a number column: text, so guarded.
  EXPECT_EQ(rows[3], (std::vector<std::string>{"'-x", "'=1+2", ""}));
  EXPECT_EQ(rows[4], (std::vector<std::string>{"'@SUM(A1)", "'+5", ""}));
  EXPECT_EQ(rows[5], (std::vector<std::string>{"'\tx", "nan", ""}));
  EXPECT_EQ(rows[6], (std::vector<std::string>{"'\rx", "35.2", ""}));
  EXPECT_EQ(rows[7], (std::vector<std::string>{"a=b", "0", ""}));
  // The apostrophe goes inside the quotes.
  EXPECT_NE(body.find("\"'\rx\""), std::string::npos);
}

TEST(CsvExport, EmptyCellsAndShortRows) {
  std::vector<ExportColumn> cols = {{"a"}, {"b", "", ExportColumn::kNumber}, {"c"}};
  std::string body = CsvOf(cols, {{"x", std::nullopt, ""},
                                  {std::nullopt, std::nullopt, std::nullopt},
                                  {"short"},
                                  {"1", "2", "3", "extra"}});
  EXPECT_EQ(body, "a,b,c\r\nx,,\r\n,,\r\nshort,,\r\n1,2,3\r\n");
}

TEST(CsvExport, InvalidUtf8IsReplaced) {
  std::string body = CsvOf({{"a"}, {"b"}}, {{"bad\xFF", "\xE5\xB9,x"}});
  EXPECT_EQ(body, "a,b\r\nbad\xEF\xBF\xBD,\"\xEF\xBF\xBD,x\"\r\n");
}

TEST(CsvExport, Streams200000RowsInBoundedPieces) {
  int done_calls = 0;
  int64_t done = -1;
  Response r = ExportResponse(ExportFormat::kCsv, "big", kCountingColumns, Counting(200'000),
                              [&](int64_t n) {
                                ++done_calls;
                                done = n;
                              });
  std::vector<size_t> sizes;
  std::string body = Drain(r, &sizes);
  EXPECT_EQ(done_calls, 1);
  EXPECT_EQ(done, 200'000);
  EXPECT_GT(sizes.size(), 20u) << "not streamed in pieces";
  for (size_t s : sizes) EXPECT_LE(s, 128u * 1024);
  size_t lines = 0;
  for (size_t p = body.find("\r\n"); p != std::string::npos; p = body.find("\r\n", p + 2)) ++lines;
  EXPECT_EQ(lines, 200'001u);
  EXPECT_TRUE(body.ends_with("\r\n199999,站点199999\r\n"));
}

TEST(CsvExport, OnDoneCalledOnceWhenAbandoned) {
  int done_calls = 0;
  int64_t done = -1;
  {
    Response r = ExportResponse(ExportFormat::kCsv, "big", kCountingColumns, Counting(100'000),
                                [&](int64_t n) {
                                  ++done_calls;
                                  done = n;
                                });
    std::string piece;
    ASSERT_TRUE(r.stream(&piece));
    Response copy = r;  // copies share the export
    ASSERT_TRUE(copy.stream(&piece));
  }
  EXPECT_EQ(done_calls, 1);
  EXPECT_GT(done, 0);
  EXPECT_LT(done, 100'000);
}

// ---------------------------------------------------------------------------------
// XLSX

// The files `members` of the zip `body`, each checked to be well-formed XML (python3's
// zipfile and ElementTree: one process, as starting python3 takes a while), or empty
// strings with a test failure.
std::vector<std::string> Unzip(const std::string& body, std::vector<std::string> members) {
  TempDir dir;
  fs::path zip = dir.path() / "x.xlsx";
  std::ofstream(zip, std::ios::binary) << body;
  std::string cmd =
      "python3 -c \"import sys, zipfile, xml.etree.ElementTree as ET\n"
      "z = zipfile.ZipFile(sys.argv[1])\n"
      "for i, m in enumerate(sys.argv[3:]):\n"
      "  d = z.read(m); ET.fromstring(d); open(sys.argv[2] + '/' + str(i), 'wb').write(d)\" '" +
      zip.string() + "' '" + dir.path().string() + "'";
  for (const auto& m : members) cmd += " '" + m + "'";
  int rc = std::system(cmd.c_str());
  std::vector<std::string> out(members.size());
  if (rc != 0) {
    ADD_FAILURE() << "unzip/parse failed: " << rc;
    return out;
  }
  for (size_t i = 0; i < members.size(); ++i) {
    std::stringstream ss;
    ss << std::ifstream(dir.path() / std::to_string(i), std::ios::binary).rdbuf();
    out[i] = ss.str();
  }
  return out;
}

struct Xlsx {
  std::string body, sheet, styles;
  int64_t rows = -1;
  int done_calls = 0;
};

Xlsx XlsxOf(std::vector<ExportColumn> columns, RowSource source, ExportOptions options = {}) {
  TempDir tmp;
  options.temp_dir = tmp.path();
  Xlsx x;
  Response r = ExportResponse(
      ExportFormat::kXlsx, "测试", std::move(columns), std::move(source),
      [&](int64_t n) {
        ++x.done_calls;
        x.rows = n;
      },
      options);
  EXPECT_EQ(r.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  x.body = Drain(r);
  EXPECT_TRUE(tmp.empty()) << "temporary file left after the end";
  EXPECT_EQ(x.done_calls, 1);
  EXPECT_EQ(x.body.substr(0, 4), std::string_view("PK\x03\x04", 4));
  auto files = Unzip(x.body, {"xl/worksheets/sheet1.xml", "xl/styles.xml"});
  x.sheet = files[0];
  x.styles = files[1];
  return x;
}

TEST(XlsxExport, NumbersTimesAndChineseText) {
  Xlsx x = XlsxOf({{"time", "", ExportColumn::kTime},
                   {"站点", "", ExportColumn::kText},
                   {"PM2.5", "µg/m³", ExportColumn::kNumber}},
                  FromRows({{"2024-05-01T08:00:00+08:00", "广州市黄埔区监测站", "35.2"},
                            {"2024-05-01T00:00:00Z", "=1+2", "n/a"},
                            {std::nullopt, "", "-3.5"}}));
  EXPECT_EQ(x.rows, 3);
  const std::string& s = x.sheet;
  // Header: bold (a cell style), units, frozen.
  EXPECT_NE(s.find("<c r=\"B1\" s=\"1\" t=\"inlineStr\"><is><t>站点</t></is></c>"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("<t>PM2.5 (µg/m³)</t>"), std::string::npos);
  EXPECT_NE(s.find("state=\"frozen\""), std::string::npos);
  EXPECT_NE(s.find("<cols>"), std::string::npos);
  // A number cell holds the value, not a string.
  EXPECT_NE(s.find("<c r=\"C2\"><v>35.2</v></c>"), std::string::npos);
  EXPECT_NE(s.find("<c r=\"C4\"><v>-3.5</v></c>"), std::string::npos);
  EXPECT_NE(s.find("<c r=\"B2\" t=\"inlineStr\"><is><t>广州市黄埔区监测站</t></is></c>"),
            std::string::npos);
  // 2024-05-01 08:00 Beijing time: Excel serial 45413 + 8/24, with a date format.
  EXPECT_NE(s.find("<c r=\"A2\" s=\"2\"><v>45413.33333333"), std::string::npos);
  // Another offset stays text; text is never a formula; a non-number is text.
  EXPECT_NE(s.find("<c r=\"A3\" t=\"inlineStr\"><is><t>2024-05-01T00:00:00Z</t>"),
            std::string::npos);
  EXPECT_NE(s.find("<c r=\"B3\" t=\"inlineStr\"><is><t>=1+2</t>"), std::string::npos);
  EXPECT_EQ(s.find("<f>"), std::string::npos);
  EXPECT_NE(s.find("<c r=\"C3\" t=\"inlineStr\"><is><t>n/a</t>"), std::string::npos);
  // Empty cells are absent.
  EXPECT_EQ(s.find("r=\"A4\""), std::string::npos);
  EXPECT_EQ(s.find("r=\"B4\""), std::string::npos);
  EXPECT_NE(x.styles.find("yyyy-mm-dd hh:mm:ss"), std::string::npos);
}

TEST(XlsxExport, InvalidUtf8AndXmlUnsafeTextStayWellFormed) {
  // Unzip checks that the sheet parses as XML.
  Xlsx x = XlsxOf({{"a"}, {"b"}, {"c"}, {"d"}},
                  FromRows({{"bad\xFF", std::string("nul\0x", 5), "a\x01z", "_x0041_"},
                            {std::string(40'000, 'a'), "\xEF\xBF\xBE", "<&>", "ok"}}));
  const std::string& s = x.sheet;
  EXPECT_NE(s.find("<t>bad\xEF\xBF\xBD</t>"), std::string::npos);
  EXPECT_NE(s.find("<t>nul\xEF\xBF\xBDx</t>"), std::string::npos);
  EXPECT_NE(s.find("<t>a_x0001_z</t>"), std::string::npos);
  EXPECT_NE(s.find("<t>_x005F_x0041_</t>"), std::string::npos);  // shown as "_x0041_"
  EXPECT_NE(s.find("<t>\xEF\xBF\xBD</t>"), std::string::npos);
  EXPECT_NE(s.find("<t>&lt;&amp;&gt;</t>"), std::string::npos);
  // Excel's 32,767-character cell limit.
  EXPECT_NE(s.find("<t>" + std::string(32'767, 'a') + "</t>"), std::string::npos);
}

TEST(XlsxExport, StopsAtRowLimitWithNote) {
  ExportOptions options;
  options.xlsx_max_rows = 10;  // header + 8 data rows + the note
  Xlsx x = XlsxOf(kCountingColumns, Counting(20), options);
  EXPECT_EQ(x.rows, 8);
  EXPECT_NE(x.sheet.find("<c r=\"B9\" t=\"inlineStr\"><is><t>站点7</t>"), std::string::npos);
  EXPECT_NE(x.sheet.find("<row r=\"10\""), std::string::npos);
  EXPECT_NE(x.sheet.find("Export truncated at 8 rows"), std::string::npos);
  EXPECT_EQ(x.sheet.find("<row r=\"11\""), std::string::npos);
}

TEST(XlsxExport, SourceThatExactlyFillsTheSheetIsNotTruncated) {
  ExportOptions options;
  options.xlsx_max_rows = 10;
  Xlsx x = XlsxOf(kCountingColumns, Counting(9), options);
  EXPECT_EQ(x.rows, 9);
  EXPECT_NE(x.sheet.find("<c r=\"B10\" t=\"inlineStr\"><is><t>站点8</t>"), std::string::npos);
  EXPECT_EQ(x.sheet.find("truncated"), std::string::npos);
}

TEST(XlsxExport, BuildsInBoundedStepsAndSendsInPieces) {
  TempDir tmp;
  ExportOptions options;
  options.temp_dir = tmp.path();
  int64_t done = -1;
  Response r = ExportResponse(
      ExportFormat::kXlsx, "big", kCountingColumns, Counting(100'000), [&](int64_t n) { done = n; },
      options);
  std::vector<size_t> sizes;
  std::string body = Drain(r, &sizes);
  EXPECT_EQ(done, 100'000);
  EXPECT_TRUE(tmp.empty());
  size_t empty = 0, full = 0;
  for (size_t s : sizes) {
    EXPECT_LE(s, 64u * 1024);
    empty += s == 0;
    full += s == 64u * 1024;
  }
  EXPECT_GT(empty, 10u) << "the workbook was built in one call";
  EXPECT_GT(full, 2u) << "the file was not sent in pieces";
  std::string sheet = Unzip(body, {"xl/worksheets/sheet1.xml"})[0];
  EXPECT_NE(sheet.find("<c r=\"A100001\"><v>99999</v></c>"), std::string::npos);
}

TEST(XlsxExport, TemporaryFileGoneWhenAbandonedWhileBuilding) {
  TempDir tmp;
  ExportOptions options;
  options.temp_dir = tmp.path();
  options.piece_bytes = 1024;
  int fds = OpenDescriptors();
  int done_calls = 0;
  {
    Response r = ExportResponse(
        ExportFormat::kXlsx, "big", kCountingColumns, Counting(100'000),
        [&](int64_t) { ++done_calls; }, options);
    std::string piece;
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(r.stream(&piece));
      EXPECT_TRUE(piece.empty());
    }
    EXPECT_FALSE(tmp.empty()) << "the workbook's file should exist while building";
  }
  EXPECT_TRUE(tmp.empty());
  EXPECT_EQ(OpenDescriptors(), fds) << "a descriptor leaked";
  EXPECT_EQ(done_calls, 1);
}

TEST(XlsxExport, TemporaryFileGoneWhenAbandonedWhileSending) {
  TempDir tmp;
  ExportOptions options;
  options.temp_dir = tmp.path();
  int fds = OpenDescriptors();
  int done_calls = 0;
  {
    Response r = ExportResponse(
        ExportFormat::kXlsx, "big", kCountingColumns, Counting(100'000),
        [&](int64_t) { ++done_calls; }, options);
    std::string piece;
    while (piece.empty()) ASSERT_TRUE(r.stream(&piece));
    EXPECT_EQ(piece.substr(0, 4), std::string_view("PK\x03\x04", 4));
    EXPECT_GT(OpenDescriptors(), fds);  // the file being sent
  }
  EXPECT_TRUE(tmp.empty());
  EXPECT_EQ(OpenDescriptors(), fds) << "a descriptor leaked";
  EXPECT_EQ(done_calls, 1);
}

// A failure throws out of Response::stream, so that the server drops the connection
// instead of sending the final chunk of what would look like a complete file.
TEST(XlsxExport, FailureAbortsTheStream) {
  ExportOptions options;
  options.temp_dir = "/nonexistent/export_test";
  int64_t done = -1;
  Response r = ExportResponse(
      ExportFormat::kXlsx, "x", kCountingColumns, Counting(10), [&](int64_t n) { done = n; },
      options);
  std::string piece;
  EXPECT_THROW(r.stream(&piece), std::runtime_error);
  EXPECT_TRUE(piece.empty());
  EXPECT_EQ(done, 0);
}

}  // namespace
}  // namespace ecohub::api
