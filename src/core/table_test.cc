// Reading uploaded tables: CSV by RFC 4180 and what spreadsheet programs write, and
// XLSX workbooks as libxlsxwriter (what our own templates are made with) writes them.
#include "core/table.h"

#include <gtest/gtest.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ecohub {
namespace {

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvTest, QuotesCommasNewlinesAndBom) {
  auto t = ReadCsv(
      "\xEF\xBB\xBF"
      "code,name,note\r\n"
      "A1,\"东四, 北\",\"he said \"\"hi\"\"\"\r\n"
      "A2,\"two\nlines\",\n"
      "\n"
      "A3,x");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->rows, (Rows{{"code", "name", "note"},
                           {"A1", "东四, 北", "he said \"hi\""},
                           {"A2", "two\nlines", ""},
                           {},
                           {"A3", "x"}}));
}

TEST(CsvTest, TrailingBlankLinesAreDropped) {
  auto t = ReadCsv("a,b\n1,2\n\n\n");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rows.size(), 2u);
}

TEST(CsvTest, RefusesWhatItCannotReadWhole) {
  EXPECT_EQ(ReadCsv("a\n\"open").status().code(), Code::kInvalidInput);
  EXPECT_EQ(ReadCsv("a\n\"x\"y\n").status().code(), Code::kInvalidInput);
  // GBK for 东城区: not UTF-8, and the row says where.
  auto gbk = ReadCsv("code,name\n110101,\xB6\xAB\xB3\xC7\xC7\xF8\n");
  ASSERT_FALSE(gbk.ok());
  EXPECT_NE(gbk.status().message().find("row 2"), std::string::npos);
  EXPECT_FALSE(ReadCsv("\xC0\x80\n").ok());  // overlong NUL
  std::string wide(201, ',');
  EXPECT_FALSE(ReadCsv(wide).ok());
}

// A workbook written by libxlsxwriter into memory: cells at (row, col) with text or
// numbers.
std::string Workbook(const std::function<void(lxw_worksheet*)>& fill, bool second_sheet = false) {
  std::string path = std::filesystem::temp_directory_path() /
                     ("table_test_" + std::to_string(::getpid()) + ".xlsx");
  lxw_workbook* wb = workbook_new(path.c_str());
  if (second_sheet) worksheet_write_string(workbook_add_worksheet(wb, "说明"), 0, 0, "x", nullptr);
  fill(workbook_add_worksheet(wb, "data"));
  EXPECT_EQ(workbook_close(wb), LXW_NO_ERROR);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::filesystem::remove(path);
  return ss.str();
}

TEST(XlsxTest, ReadsTheFirstSheetsCells) {
  std::string bytes = Workbook([](lxw_worksheet* ws) {
    worksheet_write_string(ws, 0, 0, "code", nullptr);
    worksheet_write_string(ws, 0, 1, "lon", nullptr);
    worksheet_write_string(ws, 1, 0, "东四", nullptr);
    worksheet_write_number(ws, 1, 1, 116.417, nullptr);
    worksheet_write_boolean(ws, 1, 3, 1, nullptr);
    worksheet_write_string(ws, 3, 0, "A3", nullptr);  // row 3 left empty
  });
  EXPECT_EQ(SniffTableFormat(bytes), TableFormat::kXlsx);
  auto t = ReadTable(bytes);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->rows, (Rows{{"code", "lon"}, {"东四", "116.417", "", "TRUE"}, {}, {"A3"}}));
}

TEST(XlsxTest, FirstSheetInWorkbookOrder) {
  std::string bytes = Workbook(
      [](lxw_worksheet* ws) { worksheet_write_string(ws, 0, 0, "second", nullptr); }, true);
  auto t = ReadXlsx(bytes);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rows, (Rows{{"x"}}));
}

TEST(XlsxTest, RefusesDamagedFiles) {
  std::string bytes =
      Workbook([](lxw_worksheet* ws) { worksheet_write_string(ws, 0, 0, "code", nullptr); });
  EXPECT_FALSE(ReadXlsx(bytes.substr(0, bytes.size() / 2)).ok());
  EXPECT_FALSE(ReadXlsx("PK\3\4 not a zip").ok());
  EXPECT_EQ(SniffTableFormat("code,name\n"), TableFormat::kCsv);
}

}  // namespace
}  // namespace ecohub
