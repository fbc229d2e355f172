#include "api/export.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <system_error>
#include <utility>

#include "core/escape.h"

namespace ecohub::api {

namespace {

using Row = std::vector<std::optional<std::string>>;

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr uint32_t kInvalid = 0xFFFFFFFF;
// Excel's limit on the characters in a cell.
constexpr size_t kXlsxMaxCellChars = 32767;
// Column widths in Excel character units, for the sheet to be readable as opened.
constexpr double kMinColumnWidth = 8;
constexpr double kMaxColumnWidth = 60;
constexpr int kDateTimeWidth = 19;  // "yyyy-mm-dd hh:mm:ss"

// ---------------------------------------------------------------------------------
// UTF-8

// Decodes the code point at s[*i] and advances *i past it. On an invalid sequence,
// advances *i past its maximal subpart (the longest prefix that could have begun a
// valid sequence, at least one byte) and returns kInvalid: the Unicode (§3.9) practice
// of one U+FFFD per maximal subpart, which is also what WHATWG decoders do.
uint32_t DecodeUtf8(std::string_view s, size_t* i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(*i);
  if (c < 0x80) {
    ++*i;
    return c;
  }
  int need;
  uint32_t cp;
  // The allowed range of the second byte excludes overlongs (E0, F0), surrogates (ED)
  // and code points above U+10FFFF (F4) (Unicode Table 3-7).
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2, cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3, cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    ++*i;  // a continuation byte or C0, C1, F5..FF: never valid as a lead
    return kInvalid;
  }
  size_t j = *i + 1;
  for (int k = 0; k < need; ++k, ++j) {
    if (j >= s.size() || b(j) < lo || b(j) > hi) {
      *i = j;
      return kInvalid;
    }
    cp = (cp << 6) | (b(j) & 0x3F);
    lo = 0x80, hi = 0xBF;
  }
  *i = j;
  return cp;
}

// Appends `s` to *out with invalid sequences replaced; valid runs are copied whole.
void AppendValidUtf8(std::string_view s, std::string* out) {
  size_t run = 0, i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t start = i;
    if (DecodeUtf8(s, &i) == kInvalid) {
      out->append(s.substr(run, start - run));
      out->append(kReplacement);
      run = i;
    }
  }
  out->append(s.substr(run));
}

// East Asian Wide and Fullwidth ranges (UAX #11), coarse: what matters is that Chinese
// text gets twice the width of Latin text when sizing columns.
bool IsWide(uint32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

// Display width of valid UTF-8 text, in Latin character cells.
size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) width += IsWide(DecodeUtf8(s, &i)) ? 2 : 1;
  return width;
}

// ---------------------------------------------------------------------------------
// Cell values

// A finite decimal number spelled out in full ("35.2", "-3.5", "1e-3"). from_chars
// takes no leading whitespace, "+" or hex in this format, which is what we want.
std::optional<double> ParseNumber(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

bool ReadDigits(std::string_view s, size_t pos, size_t count, int* out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (size_t k = pos; k < pos + count; ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
    v = v * 10 + (s[k] - '0');
  }
  *out = v;
  return true;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// RFC 3339 date-time "2024-05-01T08:00:00(.fraction)+08:00" -> Beijing wall-clock
// fields. Only the offset +08:00 is accepted: an Excel datetime has no zone, so a
// value in another zone would be shown as the wrong hour.
std::optional<lxw_datetime> ParseBeijingTime(std::string_view s) {
  lxw_datetime t{};
  int sec = 0;
  if (!ReadDigits(s, 0, 4, &t.year) || s.size() < 20 || s[4] != '-' ||
      !ReadDigits(s, 5, 2, &t.month) || s[7] != '-' || !ReadDigits(s, 8, 2, &t.day) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !ReadDigits(s, 11, 2, &t.hour) ||
      s[13] != ':' || !ReadDigits(s, 14, 2, &t.min) || s[16] != ':' || !ReadDigits(s, 17, 2, &sec))
    return std::nullopt;
  size_t pos = 19;
  double fraction = 0, scale = 0.1;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, scale /= 10)
      fraction += (s[pos] - '0') * scale;
    if (pos == start) return std::nullopt;
  }
  if (s.substr(pos) != "+08:00") return std::nullopt;
  // Excel's calendar starts in 1900 and ends in 9999; a leap second (:60) has no
  // serial number, so it stays text too.
  if (t.year < 1900 || t.month < 1 || t.month > 12 || t.day < 1 ||
      t.day > DaysInMonth(t.year, t.month) || t.hour > 23 || t.min > 59 || sec > 59)
    return std::nullopt;
  t.sec = sec + fraction;
  return t;
}

bool StartsLikeFormula(std::string_view s) {
  return !s.empty() &&
         (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
}

std::string HeaderText(const ExportColumn& column) {
  if (column.unit.empty()) return column.name;
  return column.name + " (" + column.unit + ")";
}

// ---------------------------------------------------------------------------------
// CSV

// Appends one CSV field (RFC 4180). `text` is outside data: made valid UTF-8, guarded
// against formula injection when `guard`, quoted when it holds a separator.
void AppendCsvField(std::string_view text, bool guard, std::string* out, std::string* scratch) {
  scratch->clear();
  // Excel evaluates a field that begins with = + - @ as a formula (and TAB/CR are
  // stripped before that check by some importers): the OWASP "CSV injection" guard is
  // a leading apostrophe, which Excel shows as a text marker.
  if (guard && StartsLikeFormula(text)) scratch->push_back('\'');
  AppendValidUtf8(text, scratch);
  if (scratch->find_first_of(",\"\r\n") == std::string::npos) {
    out->append(*scratch);
    return;
  }
  out->push_back('"');
  for (char c : *scratch) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// ---------------------------------------------------------------------------------
// The streamed export, one per Response (shared by its copies).

class ExportStream {
 public:
  ExportStream(std::vector<ExportColumn> columns, RowSource source,
               std::function<void(int64_t)> on_done, const ExportOptions& options,
               std::string log_name)
      : columns_(std::move(columns)),
        source_(std::move(source)),
        on_done_(std::move(on_done)),
        options_(options),
        log_name_(std::move(log_name)) {
    options_.piece_bytes = std::max<size_t>(options_.piece_bytes, 1);
    options_.xlsx_max_rows = std::clamp<int64_t>(options_.xlsx_max_rows, 3, LXW_ROW_MAX);
  }
  virtual ~ExportStream() { Finish(); }
  ExportStream(const ExportStream&) = delete;
  ExportStream& operator=(const ExportStream&) = delete;

  // Response::stream: fills *piece (replacing its contents); false at the end.
  virtual bool Next(std::string* piece) = 0;
  // Whether the stream ended on a failure rather than at the last row.
  bool failed() const { return failed_; }

 protected:
  bool failed_ = false;
  // The next row from the source, exactly one cell per column; false at the end.
  // After the end the source is not called again (and is released).
  bool Pull(Row* row) {
    if (!source_) return false;
    row->clear();
    if (!source_(row)) {
      source_ = nullptr;
      return false;
    }
    if (row->size() != columns_.size()) {
      if (!warned_row_size_) {
        spdlog::warn("[export {}] row source gave {} cells for {} columns (padded/cut)", log_name_,
                     row->size(), columns_.size());
        warned_row_size_ = true;
      }
      row->resize(columns_.size());
    }
    return true;
  }

  // Ends the export once: releases the source and reports the row count.
  void Finish() {
    if (finished_) return;
    finished_ = true;
    source_ = nullptr;
    if (on_done_) on_done_(rows_);
  }

  const std::vector<ExportColumn> columns_;
  RowSource source_;
  std::function<void(int64_t)> on_done_;
  ExportOptions options_;
  const std::string log_name_;  // "<stem>.csv", for log lines
  int64_t rows_ = 0;            // data rows written to the output
  bool finished_ = false;
  bool warned_row_size_ = false;
};

class CsvStream final : public ExportStream {
 public:
  using ExportStream::ExportStream;

  bool Next(std::string* piece) override {
    piece->clear();
    if (finished_) return false;
    if (!header_sent_) {
      header_sent_ = true;
      // The BOM is how Excel (zh-CN defaults to GBK) knows the file is UTF-8.
      piece->append(kBom);
      for (size_t c = 0; c < columns_.size(); ++c) {
        if (c) piece->push_back(',');
        AppendCsvField(HeaderText(columns_[c]), true, piece, &scratch_);
      }
      piece->append("\r\n");
    }
    // Stop at the target size, so that a piece is at most one row over it.
    while (piece->size() < options_.piece_bytes) {
      if (!Pull(&row_)) {
        Finish();
        return false;  // the rows already in *piece are still sent
      }
      for (size_t c = 0; c < columns_.size(); ++c) {
        if (c) piece->push_back(',');
        const auto& cell = row_[c];
        if (!cell) continue;
        // A well-formed number needs neither quoting nor the guard ("-3.5" is a
        // value, not a formula); anything else in a number column is text.
        if (columns_[c].type == ExportColumn::kNumber && ParseNumber(*cell)) {
          piece->append(*cell);
        } else {
          AppendCsvField(*cell, true, piece, &scratch_);
        }
      }
      piece->append("\r\n");
      ++rows_;
    }
    return true;
  }

 private:
  bool header_sent_ = false;
  Row row_;
  std::string scratch_;
};

// The XLSX export. State: kBuild (rows go into a constant-memory workbook; empty
// pieces), then one call closes the workbook into the temporary file and reopens it,
// kSend (file pieces), kDone. Every resource (workbook, file name, descriptor) is
// released by Cleanup(), which the destructor also runs, so an abandoned Response
// leaves no file behind.
class XlsxStream final : public ExportStream {
 public:
  using ExportStream::ExportStream;
  ~XlsxStream() override { Cleanup(); }

  bool Next(std::string* piece) override {
    piece->clear();
    switch (state_) {
      case State::kStart:
        if (!Start()) return false;
        state_ = State::kBuild;
        [[fallthrough]];
      case State::kBuild:
        return Build(piece);
      case State::kSend:
        return Send(piece);
      case State::kDone:
        return false;
    }
    return false;
  }

 private:
  enum class State { kStart, kBuild, kSend, kDone };

  // Ends the stream on a failure: logged, not thrown; the partial file is removed.
  bool Fail(std::string_view what, std::string_view why) {
    spdlog::error("[export {}] {}: {}", log_name_, what, why);
    failed_ = true;
    Cleanup();
    state_ = State::kDone;
    Finish();
    return false;
  }
  bool Fail(std::string_view what, lxw_error error) { return Fail(what, lxw_strerror(error)); }

  void Cleanup() {
    if (workbook_) {
      // libxlsxwriter has no "abandon" call. lxw_workbook_free releases the memory but
      // not the worksheet's constant-memory temporary file (an unlinked file: its disk
      // space would stay held until the process exits), so close that first.
      if (worksheet_ && worksheet_->optimize_tmpfile) {
        fclose(worksheet_->optimize_tmpfile);
        worksheet_->optimize_tmpfile = nullptr;
      }
      lxw_workbook_free(workbook_);
      workbook_ = nullptr;
      worksheet_ = nullptr;
    }
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
    if (!path_.empty()) {
      unlink(path_.c_str());
      path_.clear();
    }
  }

  bool Start() {
    std::error_code ec;
    std::filesystem::path dir = options_.temp_dir;
    if (dir.empty()) dir = std::filesystem::temp_directory_path(ec);
    if (ec) return Fail("no temporary directory", ec.message());
    tmpdir_ = dir.string();
    // mkstemp reserves a name only we can read (0600); libxlsxwriter then writes the
    // zip to that name when the workbook is closed.
    std::string name = (dir / "ecohub-export-XXXXXX").string();
    int fd = mkstemp(name.data());
    if (fd < 0) return Fail("cannot create a temporary file in " + tmpdir_, strerror(errno));
    close(fd);
    path_ = name;

    lxw_workbook_options options{};
    // Constant memory: each row goes to a temporary file when the next one starts,
    // so memory stays flat however many rows there are. Rows must be written in order
    // (we do) and strings are written inline instead of into a shared-string table.
    options.constant_memory = LXW_TRUE;
    options.tmpdir = tmpdir_.data();
    workbook_ = workbook_new_opt(path_.c_str(), &options);
    if (!workbook_) return Fail("workbook_new_opt", "failed");
    worksheet_ = workbook_add_worksheet(workbook_, nullptr);
    if (!worksheet_) return Fail("workbook_add_worksheet", "failed");
    bold_ = workbook_add_format(workbook_);
    datetime_ = workbook_add_format(workbook_);
    if (!bold_ || !datetime_) return Fail("workbook_add_format", "failed");
    format_set_bold(bold_);
    format_set_num_format(datetime_, "yyyy-mm-dd hh:mm:ss");

    widths_.assign(columns_.size(), 0);
    for (size_t c = 0; c < columns_.size(); ++c) {
      PrepareText(HeaderText(columns_[c]));
      // Bold text is a little wider than the width estimate.
      widths_[c] = DisplayWidth(text_) + 1;
      lxw_error e =
          worksheet_write_string(worksheet_, 0, static_cast<lxw_col_t>(c), text_.c_str(), bold_);
      if (e != LXW_NO_ERROR) return Fail("header", e);
    }
    // Keeps the header in view while scrolling through the rows.
    worksheet_freeze_panes(worksheet_, 1, 0);
    return true;
  }

  // Writes about piece_bytes of cell text, then returns an empty piece, so that one
  // call does a bounded amount of work; closes the workbook at the end of the rows.
  bool Build(std::string* piece) {
    size_t budget = 0;
    const int64_t last_row = options_.xlsx_max_rows - 1;  // 0-based; row 0 is the header
    while (budget < options_.piece_bytes) {
      const int64_t sheet_row = rows_ + 1;
      if (sheet_row < last_row) {
        if (!Pull(&row_)) return Close(piece);
        if (!WriteRow(sheet_row, &budget)) return false;
        ++rows_;
        continue;
      }
      // The last row of the sheet holds a data row only if it is the source's last
      // one; otherwise it holds the note that the export was cut.
      if (!Pull(&row_)) return Close(piece);
      Row next;
      if (!Pull(&next)) {
        if (!WriteRow(sheet_row, &budget)) return false;
        ++rows_;
        return Close(piece);
      }
      std::string note = fmt::format(
          "导出已截断：超出 Excel 工作表行数上限，仅含前 {0} 行数据。"
          "Export truncated at {0} rows (Excel row limit).",
          rows_);
      lxw_error e = worksheet_write_string(worksheet_, static_cast<lxw_row_t>(sheet_row), 0,
                                           note.c_str(), nullptr);
      if (e != LXW_NO_ERROR) return Fail("truncation note", e);
      spdlog::info("[export {}] truncated at {} rows (sheet row limit {})", log_name_, rows_,
                   options_.xlsx_max_rows);
      return Close(piece);
    }
    return true;  // an empty piece; the next call continues
  }

  bool WriteRow(int64_t sheet_row, size_t* budget) {
    const auto r = static_cast<lxw_row_t>(sheet_row);
    for (size_t c = 0; c < columns_.size(); ++c) {
      const auto& cell = row_[c];
      if (!cell || cell->empty()) continue;
      *budget += cell->size() + 8;  // + the XML around a cell
      const auto col = static_cast<lxw_col_t>(c);
      lxw_error e;
      size_t width;
      std::optional<double> number;
      std::optional<lxw_datetime> time;
      if (columns_[c].type == ExportColumn::kNumber && (number = ParseNumber(*cell))) {
        e = worksheet_write_number(worksheet_, r, col, *number, nullptr);
        width = cell->size();
      } else if (columns_[c].type == ExportColumn::kTime && (time = ParseBeijingTime(*cell))) {
        e = worksheet_write_datetime(worksheet_, r, col, &*time, datetime_);
        width = kDateTimeWidth;
      } else {
        PrepareText(*cell);
        e = worksheet_write_string(worksheet_, r, col, text_.c_str(), nullptr);
        width = DisplayWidth(text_);
      }
      if (e != LXW_NO_ERROR) return Fail("writing row " + std::to_string(sheet_row), e);
      widths_[c] = std::max(widths_[c], static_cast<double>(width));
    }
    return true;
  }

  // text_ = `raw` as libxlsxwriter must be given it: valid UTF-8 without characters
  // XML cannot carry, and at most Excel's 32,767 characters (longer strings are an
  // error in libxlsxwriter).
  void PrepareText(std::string_view raw) {
    scratch_.clear();
    AppendValidUtf8(raw, &scratch_);
    text_.clear();
    size_t chars = 0;
    for (size_t i = 0; i < scratch_.size() && chars < kXlsxMaxCellChars; ++chars) {
      size_t start = i;
      uint32_t cp = DecodeUtf8(scratch_, &i);
      if (cp == 0 || cp == 0xFFFE || cp == 0xFFFF) {
        // NUL would end the C string; U+FFFE/U+FFFF are not XML characters.
        text_.append(kReplacement);
      } else if (cp == '_' && IsOoxmlEscape(std::string_view(scratch_).substr(start))) {
        // OOXML reads "_xHHHH_" in a string as an escaped character; libxlsxwriter
        // writes control characters that way but leaves such literal text alone, so
        // Excel would show "_x0041_" as "A". "_x005F_" is the escaped "_".
        text_.append("_x005F_");
      } else {
        text_.append(scratch_, start, i - start);
      }
    }
  }

  static bool IsOoxmlEscape(std::string_view s) {
    if (s.size() < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_') return false;
    for (size_t k = 2; k < 6; ++k)
      if (!std::isxdigit(static_cast<unsigned char>(s[k]))) return false;
    return true;
  }

  // Sizes the columns, writes the workbook, and reopens the file for sending.
  bool Close(std::string* piece) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      double width = std::clamp(widths_[c] + 1, kMinColumnWidth, kMaxColumnWidth);
      // Widths may be set after the rows: libxlsxwriter writes <cols> at close.
      worksheet_set_column(worksheet_, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width,
                           nullptr);
    }
    lxw_workbook* workbook = std::exchange(workbook_, nullptr);
    worksheet_ = nullptr;
    // workbook_close frees the workbook whatever it returns.
    lxw_error e = workbook_close(workbook);
    if (e != LXW_NO_ERROR) return Fail("workbook_close", e);
    fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Fail("reopening " + path_, strerror(errno));
    // The open descriptor is all we need: with the name gone, a crash from here on
    // leaves nothing on disk either.
    unlink(path_.c_str());
    path_.clear();
    struct stat st {};
    if (fstat(fd_, &st) != 0) return Fail("fstat", strerror(errno));
    size_ = st.st_size;
    state_ = State::kSend;
    return Send(piece);
  }

  bool Send(std::string* piece) {
    const size_t want = static_cast<size_t>(std::min<off_t>(size_ - sent_, options_.piece_bytes));
    piece->resize(want);
    size_t got = 0;
    while (got < want) {
      ssize_t n = read(fd_, piece->data() + got, want - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        piece->clear();
        return Fail("reading the temporary file", n < 0 ? strerror(errno) : "short file");
      }
      got += static_cast<size_t>(n);
    }
    sent_ += static_cast<off_t>(got);
    if (sent_ < size_) return true;
    // The last piece: sent with this call's false.
    Cleanup();
    state_ = State::kDone;
    Finish();
    return false;
  }

  State state_ = State::kStart;
  std::string tmpdir_;  // libxlsxwriter keeps the pointer until the workbook is closed
  std::string path_;    // the temporary file while it has a name
  int fd_ = -1;         // the closed workbook, open for sending
  off_t size_ = 0, sent_ = 0;
  lxw_workbook* workbook_ = nullptr;
  lxw_worksheet* worksheet_ = nullptr;  // owned by workbook_
  lxw_format* bold_ = nullptr;          // owned by workbook_
  lxw_format* datetime_ = nullptr;      // owned by workbook_
  std::vector<double> widths_;          // widest cell per column, in characters
  Row row_;
  std::string scratch_, text_;
};

// ---------------------------------------------------------------------------------
// Content-Disposition

std::string CleanStem(std::string_view stem) {
  std::string valid;
  AppendValidUtf8(stem, &valid);
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < valid.size() && chars < 100;) {
    size_t start = i;
    uint32_t cp = DecodeUtf8(valid, &i);
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) continue;  // C0, DEL, C1
    ++chars;
    if (cp == '/' || cp == '\\')
      out.push_back('_');
    else
      out.append(valid, start, i - start);
  }
  size_t b = out.find_first_not_of(' '), e = out.find_last_not_of(' ');
  if (b == std::string::npos) return "export";
  return out.substr(b, e - b + 1);
}

// RFC 5987 attr-char: what may stand unencoded in filename*.
bool IsAttrChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != 0 && std::strchr("!#$&+-.^_`|~", c) != nullptr);
}

}  // namespace

std::optional<ExportFormat> ParseExportFormat(std::string_view text) {
  std::string lower(text);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (lower == "csv") return ExportFormat::kCsv;
  if (lower == "xlsx") return ExportFormat::kXlsx;
  return std::nullopt;
}

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendValidUtf8(text, &out);
  return out;
}

std::string ContentDisposition(std::string_view stem, std::string_view extension) {
  const std::string clean = CleanStem(stem);
  // ASCII fallback for clients without RFC 6266 (RFC 6266 Appendix D: no % or \ in it,
  // no non-ASCII). Quotes and ; would also end the quoted-string in naive parsers.
  std::string fallback;
  for (char ch : clean) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F && !std::strchr("\"\\/%;", c))
      fallback.push_back(ch);
    else if (fallback.empty() || fallback.back() != '_')
      fallback.push_back('_');
  }
  size_t b = fallback.find_first_not_of("_ ."), e = fallback.find_last_not_of("_ .");
  fallback = b == std::string::npos ? "export" : fallback.substr(b, e - b + 1);

  const std::string encoded = PercentEncode(clean + std::string(extension), IsAttrChar);
  return "attachment; filename=\"" + fallback + std::string(extension) + "\"; filename*=UTF-8''" +
         encoded;
}

Response ExportResponse(ExportFormat format, std::string filename_stem,
                        std::vector<ExportColumn> columns, RowSource source,
                        std::function<void(int64_t rows)> on_done, const ExportOptions& options) {
  const bool csv = format == ExportFormat::kCsv;
  const std::string_view extension = csv ? ".csv" : ".xlsx";
  Response response;
  response.status = 200;
  response.content_type = csv ? "text/csv; charset=utf-8"
                              : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  response.headers.emplace_back("Content-Disposition",
                                ContentDisposition(filename_stem, extension));
  std::string log_name = CleanStem(filename_stem) + std::string(extension);
  std::shared_ptr<ExportStream> stream;
  if (csv) {
    stream = std::make_shared<CsvStream>(std::move(columns), std::move(source), std::move(on_done),
                                         options, std::move(log_name));
  } else {
    stream = std::make_shared<XlsxStream>(std::move(columns), std::move(source), std::move(on_done),
                                          options, std::move(log_name));
  }
  // The shared state is the RAII holder: when the last copy of the Response goes, the
  // export is finished (on_done) and its temporary file removed.
  response.stream = [stream = std::move(stream)](std::string* piece) {
    bool more = stream->Next(piece);
    // A failed export must not look like a complete download: throwing makes the
    // server drop the connection without the final chunk.
    if (!more && stream->failed()) throw std::runtime_error("export failed");
    return more;
  };
  return response;
}

}  // namespace ecohub::api
