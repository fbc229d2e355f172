// Mappings: how a partner's file reads as readings (readings_file.h), from JSON or
// TOML, every key checked.
#include <toml++/toml.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/parse_time.h"
#include "ingest/readings_file.h"
#include "ingest/units.h"

namespace ecohub::ingest {
namespace {

using nlohmann::json;

Status Wrong(const std::string& key, const std::string& why) {
  return Status::InvalidInput("mapping: \"" + key + "\" " + why);
}

Result<std::string> Str(const json& j, const std::string& key) {
  if (!j.is_string()) return Wrong(key, "must be text");
  return j.get<std::string>();
}

Result<FactorSpec> ParseFactorSpec(const json& j, const std::string& key) {
  FactorSpec f;
  if (j.is_string()) {
    f.code = j.get<std::string>();
  } else if (j.is_object()) {
    for (auto& [k, v] : j.items()) {
      if (k == "decimals") {
        if (!v.is_number_integer() || v.get<int>() < 0 || v.get<int>() > 6)
          return Wrong(key + ".decimals", "must be a whole number from 0 to 6");
        f.decimals = v.get<int>();
        continue;
      }
      std::string* out = k == "code"      ? &f.code
                         : k == "unit"    ? &f.unit
                         : k == "to_unit" ? &f.to_unit
                         : k == "convert" ? &f.convert
                         : k == "with"    ? &f.with
                                          : nullptr;
      if (!out) return Wrong(key + "." + k, "is not a key of a factor");
      auto s = Str(v, key + "." + k);
      if (!s.ok()) return s.status();
      *out = *s;
    }
  } else {
    return Wrong(key, "must be a factor code or an object with \"code\"");
  }
  if (!IsFactorCode(f.code)) return Wrong(key, "names \"" + f.code + "\", not an HJ 212 code");
  if (!f.convert.empty() && f.convert != "compass" && f.convert != "dew_point")
    return Wrong(key + ".convert", "must be \"compass\" or \"dew_point\"");
  if (f.convert == "dew_point" && f.with.empty())
    return Wrong(key + ".with", "must name the air temperature's column");
  return f;
}

}  // namespace

Result<Mapping> ParseMapping(std::string_view text, bool toml) {
  json j;
  if (toml) {
    toml::table t;
    try {
      t = toml::parse(text);
    } catch (const toml::parse_error& e) {
      std::ostringstream where;
      where << e.source().begin;
      return Status::InvalidInput("mapping: not TOML (" + std::string(e.description()) + " at " +
                                  where.str() + ")");
    }
    std::ostringstream out;
    out << toml::json_formatter{t};
    j = json::parse(out.str(), nullptr, false);
  } else {
    j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return Status::InvalidInput("mapping: not JSON");
  }
  if (!j.is_object()) return Status::InvalidInput("mapping: the top level must be an object");
  Mapping m;
  m.shape = "";
  for (auto& [k, v] : j.items()) {
    std::string* text_key = k == "name"          ? &m.name
                            : k == "format"      ? &m.format
                            : k == "sheet"       ? &m.sheet
                            : k == "records"     ? &m.records
                            : k == "shape"       ? &m.shape
                            : k == "site"        ? &m.site
                            : k == "site_prefix" ? &m.site_prefix
                            : k == "period"      ? &m.period
                                                 : nullptr;
    if (text_key) {
      auto s = Str(v, k);
      if (!s.ok()) return s.status();
      *text_key = *s;
    } else if (k == "note" || k == "notes") {
      // Free text for people reading the mapping.
    } else if (k == "columns" || k == "site_codes") {
      if (!v.is_object()) return Wrong(k, "must be an object of names");
      auto& out = k == "columns" ? m.columns : m.site_codes;
      for (auto& [name, col] : v.items()) {
        auto s = Str(col, k + "." + name);
        if (!s.ok()) return s.status();
        out[name] = *s;
      }
    } else if (k == "time_zone") {
      auto s = Str(v, k);
      if (!s.ok()) return s.status();
      auto off = *s == "UTC" ? std::optional<int64_t>(0) : ParseUtcOffset(*s);
      if (!off) return Wrong(k, "must be an offset such as \"+08:00\" or \"Z\"");
      m.utc_offset_seconds = *off;
    } else if (k == "hour_label") {
      auto s = Str(v, k);
      if (!s.ok()) return s.status();
      if (*s != "start" && *s != "end") return Wrong(k, "must be \"start\" or \"end\"");
      m.label_is_end = *s == "end";
    } else if (k == "missing" || k == "skip") {
      if (!v.is_array()) return Wrong(k, "must be a list of text");
      std::vector<std::string> list;
      for (const json& e : v) {
        auto s = Str(e, k);
        if (!s.ok()) return s.status();
        list.push_back(*s);
      }
      (k == "missing" ? m.missing : m.skip) = std::move(list);
    } else if (k == "factors") {
      if (!v.is_object()) return Wrong(k, "must be an object: source name -> factor");
      for (auto& [name, spec] : v.items()) {
        auto f = ParseFactorSpec(spec, "factors." + name);
        if (!f.ok()) return f.status();
        m.factors[name] = *f;
      }
    } else {
      return Wrong(k, "is not a mapping key (docs/data-import.md lists them)");
    }
  }
  if (m.shape.empty()) m.shape = m.factors.empty() ? "long" : "wide";
  if (m.shape != "long" && m.shape != "wide" && m.shape != "sites")
    return Wrong("shape", "must be \"long\", \"wide\" or \"sites\"");
  if (!m.format.empty() && m.format != "csv" && m.format != "xlsx" && m.format != "json")
    return Wrong("format", "must be \"csv\", \"xlsx\" or \"json\"");
  if (!m.period.empty() && m.period != "minute" && m.period != "hour" && m.period != "day")
    return Wrong("period", "must be \"minute\", \"hour\" or \"day\"");
  if (m.shape != "long" && m.factors.empty())
    return Wrong("factors", "must name the value columns of a " + m.shape + " table");
  static const std::set<std::string> kColumns = {"site",  "factor", "period", "time",
                                                 "value", "flag",   "date",   "year",
                                                 "month", "day",    "hour",   "minute"};
  for (const auto& [k, v] : m.columns)
    if (!kColumns.count(k)) return Wrong("columns." + k, "is not a column EcoHub reads");
  for (const auto& [name, f] : m.factors) {
    if (f.unit.empty() && f.to_unit.empty()) continue;
    std::string to = f.to_unit.empty() ? DefaultUnit(f.code) : f.to_unit;
    auto c = UnitConversion::Between(f.unit.empty() ? to : f.unit, to);
    if (!c.ok()) return Wrong("factors." + name, c.status().message());
  }
  return m;
}

}  // namespace ecohub::ingest
