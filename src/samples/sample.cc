#include "samples/sample.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "core/factors.h"
#include "core/parse_time.h"
#include "core/table.h"
#include "core/time.h"
#include "registry/snapshot.h"

namespace ecohub::samples {
namespace {

constexpr UnixSeconds kDay = 86400;

// A plain non-negative or negative decimal, as Decimal reads it.
std::optional<Decimal> PlainDecimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return Decimal::Parse(text);
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

const std::vector<std::string>& Kinds() {
  static const std::vector<std::string> kinds = {"water", "air", "soil", "noise", "other"};
  return kinds;
}

Result<SampleValue> ParseValue(std::string_view factor, std::string_view cell,
                               std::string_view detection_limit) {
  SampleValue v;
  v.factor = Trim(factor);
  std::string text = Trim(cell), limit = Trim(detection_limit);
  if (text.empty()) return Status::InvalidInput("the value is empty");
  if (text == "ND" || text == "nd" || text == "未检出" || text == "L") {
    if (limit.empty())
      return Status::InvalidInput("a value below detection (" + text +
                                  ") needs its detection limit");
    v.below_detection = true;
    v.detection_limit = limit;
    return v;
  }
  if (text.starts_with("<")) {
    std::string in_cell = Trim(std::string_view(text).substr(1));
    if (!limit.empty() && limit != in_cell)
      return Status::InvalidInput("the value says <" + in_cell + " but the detection limit is " +
                                  limit);
    v.below_detection = true;
    v.detection_limit = in_cell;
    return v;
  }
  if (!PlainDecimal(text)) return Status::InvalidInput("the value must be a decimal, ND or <limit");
  v.value = text;
  v.detection_limit = limit;
  return v;
}

Status Validate(const Sample& s, UnixSeconds now) {
  if (s.site_code.empty()) return Status::InvalidInput("the site is missing");
  if (std::find(Kinds().begin(), Kinds().end(), s.kind) == Kinds().end())
    return Status::InvalidInput("kind must be water, air, soil, noise or other, not \"" + s.kind +
                                "\"");
  if (s.method.empty())
    return Status::InvalidInput("the analysis method (the standard, e.g. HJ 535-2009) is missing");
  if (s.lab.empty()) return Status::InvalidInput("the laboratory is missing");
  for (const std::string* f : {&s.method, &s.lab, &s.sampler, &s.report_no})
    if (f->size() > 200) return Status::InvalidInput("a text field is longer than 200 bytes");
  if (s.sampled_at <= 0) return Status::InvalidInput("the sampling time is missing");
  if (s.sampled_at > now) return Status::InvalidInput("the sampling time is in the future");
  if (s.sampled_end != 0 &&
      (s.sampled_end <= s.sampled_at || s.sampled_end > now || s.sampled_end - s.sampled_at > kDay))
    return Status::InvalidInput(
        "a composite sample's end must be after its start, within a day, not in the future");
  if (s.values.empty()) return Status::InvalidInput("a sample needs at least one value");
  if (s.values.size() > 100) return Status::InvalidInput("at most 100 values per sample");
  std::set<std::string> seen;
  for (const SampleValue& v : s.values) {
    if (!FindFactor(v.factor))
      return Status::InvalidInput("unknown factor \"" + v.factor + "\" (not in the factor table)");
    if (!seen.insert(v.factor).second)
      return Status::InvalidInput("factor " + v.factor + " is given twice");
    if (!v.detection_limit.empty()) {
      auto dl = PlainDecimal(v.detection_limit);
      if (!dl || dl->mantissa <= 0 || dl->scale >= 15)
        return Status::InvalidInput("the detection limit of " + v.factor +
                                    " must be a positive decimal");
    }
    if (v.below_detection) {
      if (v.detection_limit.empty())
        return Status::InvalidInput(v.factor + " is below detection without a detection limit");
      if (!v.value.empty())
        return Status::InvalidInput(v.factor + " is below detection and has a value");
      continue;
    }
    auto d = PlainDecimal(v.value);
    if (!d) return Status::InvalidInput("the value of " + v.factor + " must be a decimal");
    if (d->mantissa < 0 || d->negative_zero)
      return Status::InvalidInput("the value of " + v.factor + " is negative");
  }
  return Status::Ok();
}

std::string EvaluatedValue(const SampleValue& v) {
  if (!v.below_detection) return v.value;
  auto dl = Decimal::Parse(v.detection_limit);
  if (!dl) return v.detection_limit;  // Validate refuses this; never reached for a stored value
  // Half of m·10^-s is 5m·10^-(s+1): exact, one more decimal.
  Decimal half{dl->mantissa * 5, static_cast<uint8_t>(dl->scale + 1)};
  return half.ToString();
}

std::vector<Reading> ToReadings(const Sample& s) {
  std::vector<Reading> out;
  UnixSeconds day = FloorBeijing(s.sampled_at, kDay);
  for (const SampleValue& v : s.values)
    out.push_back({registry::ManualMn(s.site_code), Period::kDay, day, v.factor, "Avg",
                   EvaluatedValue(v), 'N'});
  return out;
}

Result<CsvSamples> ReadSamplesCsv(std::string_view bytes, size_t max_rows) {
  TableOptions opt;
  opt.max_rows = max_rows + 1;
  auto table = ReadCsv(bytes, opt);
  if (!table.ok()) return table.status();
  if (table->rows.empty()) return Status::InvalidInput("the file has no header");
  std::map<std::string, int> col;
  for (size_t i = 0; i < table->rows[0].size(); ++i) col[Trim(table->rows[0][i])] = int(i);
  for (const char* need : {"site", "sampled_at", "method", "lab", "factor", "value"})
    if (!col.count(need))
      return Status::InvalidInput(std::string("the header has no column \"") + need + "\"");
  CsvSamples out;
  // A sample is the rows that share these.
  using Key = std::tuple<std::string, UnixSeconds, UnixSeconds, std::string, std::string,
                         std::string, std::string, std::string>;
  std::map<Key, size_t> index;
  for (size_t r = 1; r < table->rows.size(); ++r) {
    const auto& row = table->rows[r];
    int line = static_cast<int>(r + 1);
    auto cell = [&](const char* name) -> std::string {
      auto it = col.find(name);
      if (it == col.end() || it->second >= static_cast<int>(row.size())) return "";
      return Trim(row[it->second]);
    };
    if (std::all_of(row.begin(), row.end(), [](const std::string& c) { return Trim(c).empty(); }))
      continue;
    ++out.rows;
    std::string site = cell("site"), at_text = cell("sampled_at"), end_text = cell("sampled_end");
    std::string kind = cell("kind");
    if (kind.empty()) kind = "water";
    if (site.empty()) {
      out.errors.push_back({line, "site", "the site is empty"});
      continue;
    }
    auto at = ParseDateTime(at_text, kBeijingOffsetSeconds);
    if (!at) {
      out.errors.push_back(
          {line, "sampled_at", "not a time (YYYY-MM-DD HH:MM[:SS] or RFC 3339): " + at_text});
      continue;
    }
    UnixSeconds end = 0;
    if (!end_text.empty()) {
      auto e = ParseDateTime(end_text, kBeijingOffsetSeconds);
      if (!e) {
        out.errors.push_back({line, "sampled_end", "not a time: " + end_text});
        continue;
      }
      end = *e;
    }
    auto value = ParseValue(cell("factor"), cell("value"), cell("detection_limit"));
    if (!value.ok()) {
      out.errors.push_back({line, "value", value.status().message()});
      continue;
    }
    if (!FindFactor(value->factor)) {
      out.errors.push_back(
          {line, "factor", "unknown factor \"" + value->factor + "\" (not in the factor table)"});
      continue;
    }
    Key key{site, *at, end, cell("method"), cell("lab"), cell("report_no"), cell("sampler"), kind};
    auto [it, fresh] = index.try_emplace(key, out.samples.size());
    if (fresh) {
      Sample s;
      s.site_code = site;
      s.sampled_at = *at;
      s.sampled_end = end;
      s.kind = kind;
      s.method = std::get<3>(key);
      s.lab = std::get<4>(key);
      s.report_no = std::get<5>(key);
      s.sampler = std::get<6>(key);
      out.samples.push_back(std::move(s));
      out.first_rows.push_back(line);
    }
    Sample& s = out.samples[it->second];
    if (std::any_of(s.values.begin(), s.values.end(),
                    [&](const SampleValue& v) { return v.factor == value->factor; })) {
      out.errors.push_back({line, "factor", "factor " + value->factor + " twice in one sample"});
      continue;
    }
    s.values.push_back(std::move(*value));
  }
  return out;
}

}  // namespace ecohub::samples
