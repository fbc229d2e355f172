#include "ingest/readings_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/factors.h"
#include "core/parse_time.h"
#include "core/table.h"
#include "ingest/units.h"

namespace ecohub::ingest {
namespace {

using nlohmann::json;

// --- values ----------------------------------------------------------------------------

// Wind from a compass point, in degrees; -1 for calm; nullopt when not a point.
std::optional<double> CompassDegrees(std::string_view s) {
  static const std::unordered_map<std::string_view, double> kPoints = {
      {"N", 0},    {"NNE", 22.5},  {"NE", 45},  {"ENE", 67.5},  {"E", 90},   {"ESE", 112.5},
      {"SE", 135}, {"SSE", 157.5}, {"S", 180},  {"SSW", 202.5}, {"SW", 225}, {"WSW", 247.5},
      {"W", 270},  {"WNW", 292.5}, {"NW", 315}, {"NNW", 337.5}, {"北", 0},   {"东北", 45},
      {"东", 90},  {"东南", 135},  {"南", 180}, {"西南", 225},  {"西", 270}, {"西北", 315},
      {"C", -1},   {"CALM", -1},   {"静风", -1}};
  std::string up(s);
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto it = kPoints.find(up);
  if (it == kPoints.end()) return std::nullopt;
  return it->second;
}

// Relative humidity (%) from the dew point and the air temperature (°C), by the
// Magnus formula with the coefficients of Alduchov and Eskridge (1996).
double HumidityFromDewPoint(double dew_point, double temperature) {
  constexpr double a = 17.625, b = 243.04;
  double rh = 100 * std::exp(a * dew_point / (b + dew_point) - a * temperature / (b + temperature));
  return std::min(rh, 100.0);
}

// A value cell as a Decimal. Spreadsheets and JSON write binary fractions
// ("35.700000000000003", "1E-3"): with `binary`, those are read back at 15
// significant digits. A CSV's value is a plain decimal.
std::optional<Decimal> ParseValue(std::string_view text, bool binary) {
  if (auto d = Decimal::Parse(text)) return d;
  if (!binary) return std::nullopt;
  std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  if (s.find_first_not_of("0123456789.-+eE") != std::string::npos) return std::nullopt;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  std::string g = buf;
  if (g.find('e') != std::string::npos) std::snprintf(buf, sizeof buf, "%.15f", v);
  g = buf;
  if (g.find('.') != std::string::npos) {
    while (g.back() == '0') g.pop_back();
    if (g.back() == '.') g.pop_back();
  }
  return Decimal::Parse(g);
}

// A number written in binary ("0.0333333333333333", "1e-17") rounded half to even
// to `decimals` places.
std::optional<Decimal> RoundedValue(std::string_view text, int decimals) {
  std::string s(text);
  if (s.empty() || s.find_first_not_of("0123456789.-+eE") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  double scaled = v * std::pow(10.0, decimals);
  if (end != s.c_str() + s.size() || !std::isfinite(scaled) || std::fabs(scaled) > 9e15)
    return std::nullopt;
  double r = std::nearbyint(scaled);  // the default rounding mode: half to even
  Decimal d;
  d.mantissa = static_cast<int64_t>(std::fabs(r));
  d.scale = static_cast<uint8_t>(decimals);
  if (r < 0) d.mantissa = -d.mantissa;
  return d;
}

}  // namespace

bool IsFactorCode(std::string_view s) {
  if (FindFactor(s)) return true;
  static const std::set<std::string_view> kNoise = {"LA",  "Leq", "L5", "L10", "L50", "L90",
                                                    "L95", "Ld",  "Ln", "Ldn", "LMx", "LMn"};
  if (kNoise.count(s)) return true;
  if (s.size() != 6 || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin() + 1, s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); });
}

namespace {

bool IsFlag(std::string_view s) {
  return s.size() == 1 && std::string_view("NFMSDCTBP0123").find(s[0]) != std::string_view::npos;
}

int64_t PeriodSeconds(Period p) {
  return p == Period::kMinute ? 60 : p == Period::kHour ? 3600 : 86400;
}

// --- times -----------------------------------------------------------------------------

bool ValidCivil(int y, int mo, int d) {
  if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= (mo == 2 && !leap ? 28 : kDays[mo - 1]);
}

// Excel's serial date (days since 1899-12-30, a fraction for the time of day), as an
// XLSX cell formatted as a date holds it, read at `offset` from UTC and rounded to
// the second.
std::optional<UnixSeconds> ParseSerialDate(std::string_view text, int64_t offset) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 1 || v > 200000)
    return std::nullopt;
  int64_t local = std::llround((v - 25569.0) * 86400.0);  // 25569: 1970-01-01
  return local - offset;
}

// The parts of a time in separate columns (year, month, day, hour, minute; or date
// and hour).
struct TimeColumns {
  int time = -1, date = -1, year = -1, month = -1, day = -1, hour = -1, minute = -1;
};

// --- the file as a table -----------------------------------------------------------------

std::string CellText(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  return "\x01";  // an object or array: not a cell
}

Result<Table> JsonTable(std::string_view bytes, const std::string& records, size_t max_rows) {
  json doc = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidInput("not a JSON document");
  const json* arr = &doc;
  if (doc.is_object()) {
    if (!records.empty()) {
      if (!doc.contains(records) || !doc[records].is_array())
        return Status::InvalidInput("the JSON document has no array \"" + records + "\"");
      arr = &doc[records];
    } else {
      arr = nullptr;
      for (auto& [k, v] : doc.items())
        if (v.is_array()) {
          if (arr) return Status::InvalidInput("several arrays in the JSON: name one (records)");
          arr = &v;
        }
      if (!arr) return Status::InvalidInput("the JSON document holds no array of records");
    }
  }
  if (!arr->is_array()) return Status::InvalidInput("the JSON document is not an array");
  if (arr->size() + 1 > max_rows)
    return Status::InvalidInput("more than " + std::to_string(max_rows) + " rows");
  Table t;
  std::vector<std::string> header;
  std::unordered_map<std::string, size_t> index;
  for (const json& rec : *arr)
    if (rec.is_object())
      for (auto& [k, v] : rec.items())
        if (index.emplace(k, header.size()).second) header.push_back(k);
  t.rows.push_back(header);
  for (const json& rec : *arr) {
    std::vector<std::string> row(header.size());
    if (!rec.is_object()) {
      t.rows.push_back({"\x02"});  // not a record: reported by the reader
      continue;
    }
    for (auto& [k, v] : rec.items()) row[index[k]] = CellText(v);
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

namespace {

// Reads one file by one mapping; the state of that one reading.
class Reader {
 public:
  Reader(const Mapping& m, FileValues* out) : m_(m), out_(out) {}

  Status Run(const Table& t) {
    if (t.rows.empty() || t.rows[0].empty()) return Status::InvalidInput("the file has no header");
    header_ = t.rows[0];
    for (auto& h : header_) h = Trim(h);
    if (Status s = FindColumns(); !s.ok()) return s;
    for (size_t r = 1; r < t.rows.size(); ++r) {
      const auto& row = t.rows[r];
      if (row.empty() || (row.size() == 1 && Trim(row[0]).empty())) continue;
      ++out_->rows;
      int line = static_cast<int>(r) + 1;
      if (row.size() == 1 && row[0] == "\x02") {
        Error(line, "", "not an object");
        continue;
      }
      ReadRow(line, row);
    }
    return Status::Ok();
  }

 private:
  int Column(const std::string& name) const {
    for (size_t i = 0; i < header_.size(); ++i)
      if (header_[i] == name) return static_cast<int>(i);
    return -1;
  }
  std::string ColumnName(const std::string& role) const {
    auto it = m_.columns.find(role);
    return it != m_.columns.end() ? it->second : role;
  }
  // The column of `role`, required or not.
  Status Need(const std::string& role, bool required, int* out) {
    *out = Column(ColumnName(role));
    if (*out < 0 && (required || m_.columns.count(role)))
      return Status::InvalidInput("the header has no column \"" + ColumnName(role) + "\"" +
                                  (ColumnName(role) == role ? "" : " (" + role + ")"));
    return Status::Ok();
  }

  Status FindColumns() {
    bool long_shape = m_.shape == "long";
    if (Status s = Need("site", m_.site.empty() && m_.shape != "sites", &site_); !s.ok()) return s;
    if (Status s = Need("period", m_.period.empty(), &period_); !s.ok()) return s;
    if (Status s = Need("flag", false, &flag_); !s.ok()) return s;
    if (long_shape || m_.shape == "sites")
      if (Status s = Need("factor", true, &factor_); !s.ok()) return s;
    if (long_shape)
      if (Status s = Need("value", true, &value_); !s.ok()) return s;
    // The time: one column, or its parts.
    bool parts = m_.columns.count("year") || m_.columns.count("date");
    if (!parts) {
      if (Status s = Need("time", true, &time_.time); !s.ok()) return s;
    } else {
      if (m_.columns.count("date")) {
        if (Status s = Need("date", true, &time_.date); !s.ok()) return s;
      } else {
        for (auto [role, out] : {std::pair{"year", &time_.year}, std::pair{"month", &time_.month},
                                 std::pair{"day", &time_.day}})
          if (Status s = Need(role, true, out); !s.ok()) return s;
      }
      if (Status s = Need("hour", false, &time_.hour); !s.ok()) return s;
      if (Status s = Need("minute", false, &time_.minute); !s.ok()) return s;
    }
    std::set<int> used = {site_,      period_,    flag_,       factor_,   value_,     time_.time,
                          time_.date, time_.year, time_.month, time_.day, time_.hour, time_.minute};
    if (m_.shape == "wide") {
      for (const auto& [name, spec] : m_.factors) {
        int c = Column(name);
        if (c < 0) return Status::InvalidInput("the header has no column \"" + name + "\"");
        value_columns_.push_back({c, &spec});
        if (spec.convert == "dew_point" && Column(spec.with) < 0)
          return Status::InvalidInput("the header has no column \"" + spec.with + "\"");
      }
      for (size_t c = 0; c < header_.size(); ++c)
        if (std::find(m_.skip.begin(), m_.skip.end(), header_[c]) != m_.skip.end())
          skipped_columns_.push_back(static_cast<int>(c));
    } else if (m_.shape == "sites") {
      for (size_t c = 0; c < header_.size(); ++c) {
        if (used.count(static_cast<int>(c)) || header_[c].empty()) continue;
        if (std::find(m_.skip.begin(), m_.skip.end(), header_[c]) != m_.skip.end()) continue;
        site_columns_.push_back(static_cast<int>(c));
      }
    }
    for (const auto& [name, spec] : m_.factors) {
      std::string to = spec.to_unit.empty() ? DefaultUnit(spec.code) : spec.to_unit;
      if (spec.unit.empty() && spec.to_unit.empty()) continue;
      auto c = UnitConversion::Between(spec.unit.empty() ? to : spec.unit, to);
      if (!c.ok()) return Status::InvalidInput("factor " + name + ": " + c.status().message());
      conversions_.emplace(&spec, *c);
    }
    return Status::Ok();
  }

  void Error(int row, const std::string& column, std::string reason) {
    out_->errors.push_back({row, column, std::move(reason)});
  }
  static std::string Cell(const std::vector<std::string>& row, int c) {
    return c >= 0 && static_cast<size_t>(c) < row.size() ? Trim(row[c]) : "";
  }
  bool Missing(const std::string& cell) const {
    return std::find(m_.missing.begin(), m_.missing.end(), cell) != m_.missing.end();
  }
  std::string Name(int c) const { return header_[c]; }

  std::optional<UnixSeconds> RowTime(int line, const std::vector<std::string>& row, Period period) {
    int64_t off = m_.utc_offset_seconds;
    std::optional<UnixSeconds> t;
    if (time_.time >= 0) {
      std::string text = Cell(row, time_.time);
      t = ParseDateTime(text, off);
      if (!t && (format_ == "xlsx" || format_ == "json")) t = ParseSerialDate(text, off);
      if (!t) {
        Error(line, Name(time_.time),
              text.empty() ? "no time"
                           : "\"" + text + "\" is not a time (YYYY-MM-DD HH:MM[:SS] or RFC 3339)");
        return std::nullopt;
      }
    } else {
      auto num = [&](int c, int lo, int hi, std::optional<int>* v) {
        std::string text = Cell(row, c);
        int x = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
        if (text.empty() || ec != std::errc() || p != text.data() + text.size() || x < lo ||
            x > hi) {
          Error(line, Name(c),
                "\"" + text + "\" is not a number from " + std::to_string(lo) + " to " +
                    std::to_string(hi));
          return false;
        }
        *v = x;
        return true;
      };
      std::optional<int64_t> days;
      if (time_.date >= 0) {
        std::string text = Cell(row, time_.date);
        auto t = ParseDateTime(text, 0);
        if (t && *t % 86400 == 0) days = *t / 86400;
        if (!days) {
          Error(line, Name(time_.date), "\"" + text + "\" is not a date");
          return std::nullopt;
        }
      } else {
        std::optional<int> y, mo, d;
        if (!num(time_.year, 1900, 2200, &y) || !num(time_.month, 1, 12, &mo) ||
            !num(time_.day, 1, 31, &d))
          return std::nullopt;
        if (!ValidCivil(*y, *mo, *d)) {
          Error(line, Name(time_.day), "no such day");
          return std::nullopt;
        }
        days = DaysFromCivil(*y, *mo, *d);
      }
      std::optional<int> h = 0, mi = 0;
      // An hour labelled by its end may say 24 for the last hour of the day.
      if (time_.hour >= 0 && !num(time_.hour, 0, m_.label_is_end ? 24 : 23, &h))
        return std::nullopt;
      if (time_.minute >= 0 && !num(time_.minute, 0, 59, &mi)) return std::nullopt;
      t = *days * 86400 + *h * 3600 + *mi * 60 - off;
    }
    if (m_.label_is_end) *t -= PeriodSeconds(period);
    // The period's start, in Beijing time for days (the days of every report).
    int64_t step = PeriodSeconds(period);
    bool aligned = period == Period::kDay ? FloorBeijing(*t, 86400) == *t : *t % step == 0;
    if (!aligned) {
      int c = time_.time >= 0 ? time_.time : time_.date >= 0 ? time_.date : time_.day;
      Error(line, Name(c),
            std::string("not the ") + (m_.label_is_end ? "end" : "start") + " of " +
                (period == Period::kMinute ? "a minute"
                 : period == Period::kHour ? "an hour"
                                           : "a Beijing day"));
      return std::nullopt;
    }
    return t;
  }

  // Converts one value cell by `spec` (null: a long file's value, no conversion).
  void AddValue(int line, int column, const std::vector<std::string>& row, const std::string& site,
                const std::string& factor, const FactorSpec* spec, Period period, UnixSeconds t,
                char flag) {
    std::string text = Cell(row, column);
    if (Missing(text)) {
      ++out_->missing;
      return;
    }
    std::string value;
    if (spec && spec->convert == "compass") {
      auto deg = CompassDegrees(text);
      if (!deg) {
        Error(line, Name(column), "\"" + text + "\" is not a compass point (N, NNE ... NNW, C)");
        return;
      }
      if (*deg < 0) {
        ++out_->missing;  // calm: no direction
        return;
      }
      value = FormatFixed(*deg, *deg == std::floor(*deg) ? 0 : 1);
    } else {
      auto d = spec && spec->decimals ? RoundedValue(text, *spec->decimals)
                                      : ParseValue(text, format_ != "csv");
      if (!d) {
        Error(line, Name(column), "\"" + text + "\" is not a decimal number");
        return;
      }
      if (spec && spec->convert == "dew_point") {
        int tc = Column(spec->with);
        std::string temp = Cell(row, tc);
        if (Missing(temp)) {
          ++out_->missing;
          return;
        }
        auto with = m_.factors.find(spec->with);
        auto td = with != m_.factors.end() && with->second.decimals
                      ? RoundedValue(temp, *with->second.decimals)
                      : ParseValue(temp, format_ != "csv");
        if (!td) {
          // A bad temperature that is a value of its own is reported there.
          if (with == m_.factors.end())
            Error(line, Name(tc), "\"" + temp + "\" is not a decimal number");
          return;
        }
        value = FormatFixed(HumidityFromDewPoint(d->ToDouble(), td->ToDouble()), 1);
      } else if (auto it = conversions_.find(spec); spec && it != conversions_.end()) {
        auto v = it->second.Apply(*d);
        if (!v) {
          Error(line, Name(column), "\"" + text + "\" is too large to convert");
          return;
        }
        value = *v;
      } else {
        value = d->ToString();
      }
    }
    out_->values.push_back({line, site, factor, period, t, std::move(value), flag});
  }

  // The factor a long or per-site row names: by the mapping, else as an HJ 212 code.
  // Null spec with an empty code: skipped.
  bool RowFactor(int line, const std::vector<std::string>& row, std::string* code,
                 const FactorSpec** spec) {
    std::string name = Cell(row, factor_);
    if (auto it = m_.factors.find(name); it != m_.factors.end()) {
      *spec = &it->second;
      *code = it->second.code;
      return true;
    }
    *spec = nullptr;
    if (std::find(m_.skip.begin(), m_.skip.end(), name) != m_.skip.end() ||
        (m_.shape == "sites" && !m_.factors.empty() && !IsFactorCode(name))) {
      code->clear();
      return true;
    }
    if (!IsFactorCode(name)) {
      Error(line, Name(factor_),
            name.empty() ? "no factor" : "\"" + name + "\" is not an HJ 212 factor code");
      return false;
    }
    *code = name;
    return true;
  }

  std::string SiteCode(const std::string& cell) const {
    auto it = m_.site_codes.find(cell);
    return m_.site_prefix + (it != m_.site_codes.end() ? it->second : cell);
  }

  void ReadRow(int line, const std::vector<std::string>& row) {
    size_t before = out_->errors.size();
    // Period.
    Period period = Period::kHour;
    std::string ptext = period_ >= 0 ? Cell(row, period_) : m_.period;
    auto p = PeriodFromName(ptext);
    if (!p || (*p != Period::kMinute && *p != Period::kHour && *p != Period::kDay)) {
      Error(line, period_ >= 0 ? Name(period_) : "period",
            "\"" + ptext + "\" is not a period (minute, hour or day)");
    } else {
      period = *p;
    }
    // Flag.
    char flag = 'N';
    if (flag_ >= 0) {
      std::string f = Cell(row, flag_);
      if (!f.empty() && !IsFlag(f))
        Error(line, Name(flag_), "\"" + f + "\" is not an HJ 212 data flag (N F M S D C T B)");
      else if (!f.empty())
        flag = f[0];
    }
    // Site.
    std::string site = m_.site;
    if (site_ >= 0) {
      std::string cell = Cell(row, site_);
      if (cell.empty())
        Error(line, Name(site_), "no site");
      else
        site = SiteCode(cell);
    }
    if (out_->errors.size() != before) return;
    auto t = RowTime(line, row, period);
    if (!t) return;
    if (m_.shape == "long") {
      std::string code;
      const FactorSpec* spec = nullptr;
      if (!RowFactor(line, row, &code, &spec)) return;
      if (code.empty()) {
        ++out_->skipped;
        return;
      }
      AddValue(line, value_, row, site, code, spec, period, *t, flag);
    } else if (m_.shape == "wide") {
      for (const auto& [c, spec] : value_columns_)
        AddValue(line, c, row, site, spec->code, spec, period, *t, flag);
      for (int c : skipped_columns_)
        if (!Missing(Cell(row, c))) ++out_->skipped;
    } else {
      std::string code;
      const FactorSpec* spec = nullptr;
      if (!RowFactor(line, row, &code, &spec)) return;
      for (int c : site_columns_) {
        if (code.empty()) {
          if (!Missing(Cell(row, c))) ++out_->skipped;
          continue;
        }
        AddValue(line, c, row, SiteCode(header_[c]), code, spec, period, *t, flag);
      }
    }
  }

 public:
  std::string format_;

 private:
  const Mapping& m_;
  FileValues* out_;
  std::vector<std::string> header_;
  int site_ = -1, period_ = -1, flag_ = -1, factor_ = -1, value_ = -1;
  TimeColumns time_;
  std::vector<std::pair<int, const FactorSpec*>> value_columns_;
  std::vector<int> skipped_columns_, site_columns_;
  std::unordered_map<const FactorSpec*, UnitConversion> conversions_;
};

// The same key twice: the second with another value is an error; an equal one is
// dropped (a file may repeat a row).
void DropRepeats(FileValues* out) {
  struct Key {
    std::string site, factor;
    Period period;
    UnixSeconds time;
    bool operator==(const Key&) const = default;
  };
  struct Hash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string>()(k.site) * 31 + std::hash<std::string>()(k.factor) * 7 +
             static_cast<size_t>(k.time) * 3 + static_cast<size_t>(k.period);
    }
  };
  std::unordered_map<Key, size_t, Hash> seen;
  std::vector<FileValue> kept;
  kept.reserve(out->values.size());
  for (auto& v : out->values) {
    auto [it, fresh] = seen.emplace(Key{v.site, v.factor, v.period, v.time}, kept.size());
    if (fresh) {
      kept.push_back(std::move(v));
      continue;
    }
    const FileValue& first = kept[it->second];
    if (first.value != v.value || first.flag != v.flag)
      out->errors.push_back({v.row, "",
                             "the same site, factor, period and time as row " +
                                 std::to_string(first.row) + ", with another value"});
  }
  out->values = std::move(kept);
}

}  // namespace

Result<FileValues> ReadValues(std::string_view bytes, const Mapping* mapping, size_t max_rows) {
  static const Mapping kLong;  // EcoHub's long CSV
  const Mapping& m = mapping ? *mapping : kLong;
  FileValues out;
  std::string format = m.format;
  if (format.empty()) {
    size_t i = bytes.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (i < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[i]))) ++i;
    format = SniffTableFormat(bytes) == TableFormat::kXlsx              ? "xlsx"
             : i < bytes.size() && (bytes[i] == '[' || bytes[i] == '{') ? "json"
                                                                        : "csv";
  }
  out.format = format;
  Result<Table> table = Status::InvalidInput("");
  TableOptions opts{max_rows, m.sheet};
  if (format == "json")
    table = JsonTable(bytes, m.records, max_rows);
  else if (format == "xlsx")
    table = ReadXlsx(bytes, opts);
  else
    table = ReadCsv(bytes, opts);
  if (!table.ok()) return table.status();
  Reader reader(m, &out);
  reader.format_ = format;
  if (Status s = reader.Run(*table); !s.ok()) return s;
  DropRepeats(&out);
  std::stable_sort(out.errors.begin(), out.errors.end(),
                   [](const RowError& a, const RowError& b) { return a.row < b.row; });
  return out;
}

}  // namespace ecohub::ingest