#include "derive/bodies.h"

namespace ecohub::derive {

using nlohmann::ordered_json;

namespace {

// --- writing --------------------------------------------------------------------

template <class T>
ordered_json OrNull(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

template <class T, class Fn>
ordered_json Object(const Named<T>& values, Fn&& to_json) {
  ordered_json o = ordered_json::object();
  for (const auto& [k, v] : values) o[k] = to_json(v);
  return o;
}

template <class T>
ordered_json Object(const Named<T>& values) {
  return Object(values, [](const T& v) { return ordered_json(v); });
}

// --- reading: a field of the wrong type reads as absent ------------------------

template <class T>
std::optional<T> Get(const ordered_json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) return it->template get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (it->is_boolean()) return it->template get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (it->is_number_integer()) return it->template get<T>();
  } else {
    if (it->is_number()) return it->template get<T>();
  }
  return std::nullopt;
}

std::string Str(const ordered_json& o, const char* key) {
  return Get<std::string>(o, key).value_or("");
}

std::vector<std::string> Strings(const ordered_json& o, const char* key) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || !it->is_array()) return out;
  for (const auto& x : *it)
    if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

// The members of the object `key` that `read` accepts, in their order.
template <class T, class Fn>
Named<T> ReadNamed(const ordered_json& o, const char* key, Fn&& read) {
  Named<T> out;
  auto it = o.find(key);
  if (it == o.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items())
    if (std::optional<T> x = read(v)) out.emplace_back(k, std::move(*x));
  return out;
}

std::optional<double> Number(const ordered_json& v) {
  return v.is_number() ? std::optional(v.get<double>()) : std::nullopt;
}

template <class Int>
std::optional<Int> Integer(const ordered_json& v) {
  return v.is_number_integer() ? std::optional(v.get<Int>()) : std::nullopt;
}

std::optional<ordered_json> ParseObject(std::string_view text) {
  ordered_json j = ordered_json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

RatesBody ReadRates(const ordered_json& o) {
  RatesBody r;
  r.expected = Get<int64_t>(o, "expected").value_or(0);
  r.received = Get<int64_t>(o, "received").value_or(0);
  r.valid = Get<int64_t>(o, "valid").value_or(0);
  r.transmission = Get<double>(o, "transmission");
  r.validity = Get<double>(o, "validity");
  r.transmission_validity = Get<double>(o, "transmission_validity");
  r.completeness = Get<double>(o, "completeness");
  return r;
}

// Anomalies without a kind or an integer start are left out and counted.
std::vector<AnomalyBody> ReadAnomalies(const ordered_json& list, int64_t* bad) {
  std::vector<AnomalyBody> out;
  for (const auto& x : list) {
    std::optional<UnixSeconds> start;
    if (x.is_object()) start = Get<UnixSeconds>(x, "start");
    if (!start || Str(x, "kind").empty()) {
      ++*bad;
      continue;
    }
    out.push_back({Str(x, "kind"), *start, Get<UnixSeconds>(x, "end"), Get<int64_t>(x, "count"),
                   Get<std::string>(x, "detail")});
  }
  return out;
}

}  // namespace

ordered_json ToJson(const AqiResultBody& b) {
  ordered_json o;
  o["aqi"] = OrNull(b.aqi);
  o["level"] = OrNull(b.level);
  o["category"] = OrNull(b.category);
  o["primary"] = b.primary;
  o["iaqi"] = Object(b.iaqi);
  o["published"] = b.published;
  o["color"] = OrNull(b.color);
  o["edition"] = b.edition;
  o["mode"] = b.mode;
  o["level_name"] = OrNull(b.level_name);
  o["category_en"] = OrNull(b.category_en);
  o["missing"] = b.missing;
  o["not_monitored"] = b.not_monitored;
  if (b.over_standard) o["over_standard"] = *b.over_standard;
  if (b.health_effect) o["health_effect"] = *b.health_effect;
  if (b.advice) o["advice"] = *b.advice;
  return o;
}

ordered_json ToJson(const AqiBody& b) {
  ordered_json o = ToJson(static_cast<const AqiResultBody&>(b));
  o["conc"] = Object(b.conc);
  if (!b.unrounded.empty())
    o["unrounded"] = Object(b.unrounded, [](const UnroundedValue& u) {
      return ordered_json::array({u.sum, u.n});
    });
  if (b.time_label) o["time_label"] = *b.time_label;
  if (b.coverage) {
    o["coverage"] = {{"unit", b.coverage->unit},
                     {"expected", b.coverage->expected},
                     {"present", b.coverage->present}};
    if (b.coverage->required) o["coverage"]["required"] = *b.coverage->required;
  }
  if (!b.stations.empty()) o["stations"] = Object(b.stations);
  if (!b.validity.empty())
    o["validity"] = Object(b.validity, [](const AqiBody::Validity& v) {
      return ordered_json{{v.windows ? "windows" : "hours", v.count}, {"valid", v.valid}};
    });
  if (b.standard) o["standard"] = *b.standard;
  if (b.district_name) o["district_name"] = *b.district_name;
  return o;
}

std::optional<AqiBody> ParseAqiBody(std::string_view text) {
  auto j = ParseObject(text);
  if (!j) return std::nullopt;
  const ordered_json& o = *j;
  AqiBody b;
  b.aqi = Get<int>(o, "aqi");
  b.level = Get<int>(o, "level");
  b.category = Get<std::string>(o, "category");
  b.primary = Strings(o, "primary");
  b.iaqi = ReadNamed<int>(o, "iaqi", Integer<int>);
  b.published = Get<bool>(o, "published").value_or(false);
  b.color = Get<std::string>(o, "color");
  b.edition = Str(o, "edition");
  b.mode = Str(o, "mode");
  b.level_name = Get<std::string>(o, "level_name");
  b.category_en = Get<std::string>(o, "category_en");
  b.missing = Strings(o, "missing");
  b.not_monitored = Strings(o, "not_monitored");
  if (o.contains("over_standard")) b.over_standard = Strings(o, "over_standard");
  b.health_effect = Get<std::string>(o, "health_effect");
  b.advice = Get<std::string>(o, "advice");
  b.conc = ReadNamed<double>(o, "conc", Number);
  b.unrounded = ReadNamed<UnroundedValue>(
      o, "unrounded", [](const ordered_json& v) -> std::optional<UnroundedValue> {
        if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number_integer())
          return std::nullopt;
        auto n = v[1].get<int64_t>();
        if (n < 1) return std::nullopt;
        return UnroundedValue{v[0].get<double>(), n};
      });
  b.time_label = Get<std::string>(o, "time_label");
  if (auto c = o.find("coverage"); c != o.end() && c->is_object())
    b.coverage = Coverage{Str(*c, "unit"), Get<int>(*c, "expected").value_or(0),
                          Get<int>(*c, "present").value_or(0), Get<int>(*c, "required")};
  b.stations = ReadNamed<int>(o, "stations", Integer<int>);
  b.validity = ReadNamed<AqiBody::Validity>(
      o, "validity", [](const ordered_json& v) -> std::optional<AqiBody::Validity> {
        if (!v.is_object()) return std::nullopt;
        bool windows = v.contains("windows");
        return AqiBody::Validity{Get<int>(v, windows ? "windows" : "hours").value_or(0),
                                 Get<bool>(v, "valid").value_or(false), windows};
      });
  b.standard = Get<std::string>(o, "standard");
  b.district_name = Get<std::string>(o, "district_name");
  return b;
}

ordered_json ToJson(const WaterDayBody& b) {
  ordered_json o;
  o["class"] = OrNull(b.water_class);
  if (b.grade) o["grade"] = *b.grade;
  if (b.color) o["color"] = *b.color;
  if (b.meets_target) o["meets_target"] = *b.meets_target;
  o["target_class"] = OrNull(b.target_class);
  o["item_class"] = Object(b.item_class);
  o["exceeding"] = b.exceeding;
  o["exceed_multiple"] = Object(b.exceed_multiple, OrNull<double>);
  o["values"] = Object(b.values);
  o["site_type"] = b.site_type;
  o["items_used"] = b.items_used;
  o["standard"] = b.standard;
  o["coverage"] = {{"unit", b.coverage_unit}, {"items", Object(b.coverage_items)}};
  return o;
}

std::optional<WaterDayBody> ParseWaterDayBody(std::string_view text) {
  auto j = ParseObject(text);
  if (!j) return std::nullopt;
  const ordered_json& o = *j;
  WaterDayBody b;
  b.water_class = Get<std::string>(o, "class");
  b.grade = Get<std::string>(o, "grade");
  b.color = Get<std::string>(o, "color");
  b.meets_target = Get<bool>(o, "meets_target");
  b.target_class = Get<std::string>(o, "target_class");
  b.item_class = ReadNamed<std::string>(o, "item_class", [](const ordered_json& v) {
    return v.is_string() ? std::optional(v.get<std::string>()) : std::nullopt;
  });
  b.exceeding = Strings(o, "exceeding");
  b.exceed_multiple = ReadNamed<std::optional<double>>(
      o, "exceed_multiple", [](const ordered_json& v) { return std::optional(Number(v)); });
  b.values = ReadNamed<double>(o, "values", Number);
  b.site_type = Str(o, "site_type");
  b.items_used = Str(o, "items_used");
  b.standard = Str(o, "standard");
  if (auto c = o.find("coverage"); c != o.end() && c->is_object()) {
    b.coverage_unit = Str(*c, "unit");
    b.coverage_items = ReadNamed<int64_t>(*c, "items", Integer<int64_t>);
  }
  return b;
}

ordered_json ToJson(const ExceedanceBody& b) {
  return ordered_json{
      {"site", b.site},
      {"site_name", b.site_name},
      {"district", b.district},
      {"factor", b.factor},
      {"start", b.start},
      {"end", OrNull(b.end)},
      {"start_text", FormatRfc3339Beijing(b.start)},
      {"end_text", b.end ? ordered_json(FormatRfc3339Beijing(*b.end)) : ordered_json(nullptr)},
      {"hours", OrNull(b.hours)},
      {"peak", OrNull(b.peak)},
      {"peak_hour", OrNull(b.peak_hour)},
      {"multiple", OrNull(b.multiple)},
      {"limit", OrNull(b.limit)},
      {"unit", b.unit},
      {"basis", b.basis},
      {"compared", b.compared},
      {"ongoing", b.ongoing}};
}

std::optional<ExceedanceBody> ParseExceedanceBody(std::string_view text) {
  auto j = ParseObject(text);
  if (!j) return std::nullopt;
  const ordered_json& o = *j;
  auto start = Get<UnixSeconds>(o, "start");
  if (!start) return std::nullopt;
  ExceedanceBody b;
  b.site = Str(o, "site");
  b.site_name = Str(o, "site_name");
  b.district = Str(o, "district");
  b.factor = Str(o, "factor");
  b.start = *start;
  b.end = Get<UnixSeconds>(o, "end");
  b.hours = Get<int64_t>(o, "hours");
  b.peak = Get<double>(o, "peak");
  b.peak_hour = Get<UnixSeconds>(o, "peak_hour");
  b.multiple = Get<double>(o, "multiple");
  b.limit = Get<double>(o, "limit");
  b.unit = Str(o, "unit");
  b.basis = Str(o, "basis");
  b.compared = Str(o, "compared");
  b.ongoing = Get<bool>(o, "ongoing").value_or(false);
  return b;
}

ordered_json ToJson(const RatesBody& r) {
  return ordered_json{{"expected", r.expected},
                      {"received", r.received},
                      {"valid", r.valid},
                      {"transmission", OrNull(r.transmission)},
                      {"validity", OrNull(r.validity)},
                      {"transmission_validity", OrNull(r.transmission_validity)},
                      {"completeness", OrNull(r.completeness)},
                      // Per-reading arrival times are not recorded yet (only the raw
                      // packets carry them): no timeliness rate rather than a guess.
                      {"timeliness", nullptr}};
}

ordered_json ToJson(const QualityDayBody& b) {
  ordered_json o;
  o["factors"] = Object(b.factors, [](const QualityDayBody::Factor& f) {
    ordered_json j = ToJson(f.rates);
    ordered_json list = ordered_json::array();
    for (const auto& a : f.anomalies)
      list.push_back({{"kind", a.kind},
                      {"start", a.start},
                      {"end", OrNull(a.end)},
                      {"count", OrNull(a.count)},
                      {"detail", OrNull(a.detail)}});
    j["anomalies"] = std::move(list);
    return j;
  });
  o["site_kind"] = b.site_kind;
  o["district"] = b.district;
  o["totals"] = ToJson(b.totals);
  return o;
}

std::optional<QualityDayBody> ParseQualityDayBody(std::string_view text, int64_t* bad) {
  auto j = ParseObject(text);
  if (!j) return std::nullopt;
  const ordered_json& o = *j;
  int64_t ignored = 0;
  if (!bad) bad = &ignored;
  QualityDayBody b;
  b.factors = ReadNamed<QualityDayBody::Factor>(
      o, "factors", [bad](const ordered_json& f) -> std::optional<QualityDayBody::Factor> {
        if (!f.is_object()) return std::nullopt;
        QualityDayBody::Factor out{ReadRates(f), {}};
        if (auto a = f.find("anomalies"); a != f.end()) {
          if (a->is_array())
            out.anomalies = ReadAnomalies(*a, bad);
          else
            ++*bad;
        }
        return out;
      });
  b.site_kind = Str(o, "site_kind");
  b.district = Str(o, "district");
  if (auto t = o.find("totals"); t != o.end() && t->is_object()) b.totals = ReadRates(*t);
  return b;
}

}  // namespace ecohub::derive
