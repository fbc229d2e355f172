#include "ingest/mqtt_payload.h"

#include <array>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/parse_time.h"
#include "hj212/builder.h"

namespace ecohub::ingest {

namespace {

bool CodeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

bool AllOf(std::string_view s, bool (*ok)(char)) {
  for (char c : s)
    if (!ok(c)) return false;
  return true;
}

// A decimal as HJ 212 carries it: sign, digits, one point, an exponent (some loggers).
bool DecimalChar(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' ||
         c == 'e' || c == 'E';
}

// The JSON field names and the HJ 212 Field each stands for (HJ 212-2017 table 4).
constexpr std::array<std::string_view, 14> kFields = {
    "Rtd",   "Avg",   "Min", "Max", "Cou",  "ZsRtd",   "ZsAvg",
    "ZsMin", "ZsMax", "RS",  "RT",  "Data", "DayData", "NightData"};

std::optional<std::string_view> CanonicalField(std::string_view name) {
  for (std::string_view f : kFields) {
    if (f.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < f.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(f[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return f;
  }
  return std::nullopt;
}

// A JSON value as HJ 212 value text; nullopt when it is neither a finite number nor
// a decimal text.
std::optional<std::string> ValueText(const nlohmann::json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) {
    if (!std::isfinite(v.get<double>())) return std::nullopt;
    return v.dump();
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 32 || !AllOf(s, DecimalChar)) return std::nullopt;
    return s;
  }
  return std::nullopt;
}

Status Bad(std::string what) { return Status::InvalidInput(std::move(what)); }

}  // namespace

bool ValidTopicMn(std::string_view mn) {
  return !mn.empty() && mn.size() <= 64 && AllOf(mn, CodeChar);
}

Result<MqttTopic> ParseMqttTopic(std::string_view topic, std::string_view prefix) {
  if (topic.size() <= prefix.size() || topic.substr(0, prefix.size()) != prefix ||
      topic[prefix.size()] != '/')
    return Bad("topic outside " + std::string(prefix) + "/");
  std::string_view rest = topic.substr(prefix.size() + 1);
  MqttTopic t;
  if (rest.starts_with("hj212/")) {
    t.form = MqttForm::kHj212;
    rest.remove_prefix(6);
  } else if (rest.starts_with("json/")) {
    t.form = MqttForm::kJson;
    rest.remove_prefix(5);
  } else {
    return Bad("topic is neither " + std::string(prefix) + "/hj212/MN nor " + std::string(prefix) +
               "/json/MN");
  }
  if (!ValidTopicMn(rest)) return Bad("topic's MN is empty or not [0-9A-Za-z_.-]{1,64}");
  t.mn = rest;
  return t;
}

Result<std::string> JsonUploadToFrame(std::string_view text, std::string_view mn,
                                      int64_t utc_offset, size_t max_bytes) {
  if (text.size() > max_bytes)
    return Bad("JSON of " + std::to_string(text.size()) + " bytes, above " +
               std::to_string(max_bytes));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("not JSON");
  if (!j.is_object()) return Bad("not a JSON object");
  auto text_member = [&](const char* key, bool required, std::string* out) -> Status {
    auto it = j.find(key);
    if (it == j.end()) return required ? Bad(std::string("no \"") + key + "\"") : Status::Ok();
    if (!it->is_string()) return Bad(std::string("\"") + key + "\" is not a string");
    *out = it->get<std::string>();
    return Status::Ok();
  };
  std::string pw, cn, data_time, qn, st = "22";
  for (auto [key, required, out] : {std::tuple{"pw", true, &pw}, std::tuple{"cn", true, &cn},
                                    std::tuple{"data_time", true, &data_time},
                                    std::tuple{"qn", false, &qn}, std::tuple{"st", false, &st}})
    if (Status s = text_member(key, required, out); !s.ok()) return s;
  // A JSON "mn" is optional; the topic names the device and must agree with it.
  if (auto it = j.find("mn"); it != j.end() && (!it->is_string() || it->get<std::string>() != mn))
    return Bad("\"mn\" differs from the topic's MN");
  if (pw.size() > 64 || !AllOf(pw, [](char c) {
        return c > ' ' && c < 127 && c != ';' && c != ',' && c != '=' && c != '&';
      }))
    return Bad("\"pw\" holds characters HJ 212 cannot carry");
  if (cn.size() != 4 || !AllOf(cn, [](char c) { return c >= '0' && c <= '9'; }))
    return Bad("\"cn\" is not four digits");
  if (st.empty() || st.size() > 4 || !AllOf(st, [](char c) { return c >= '0' && c <= '9'; }))
    return Bad("\"st\" is not a number");
  if (!qn.empty() && (qn.size() != 17 || !AllOf(qn, [](char c) { return c >= '0' && c <= '9'; })))
    return Bad("\"qn\" is not 17 digits (YYYYMMDDhhmmsszzz)");
  std::string compact;
  if (data_time.size() == 14 && AllOf(data_time, [](char c) { return c >= '0' && c <= '9'; })) {
    if (!ParseCompactLocal(data_time, utc_offset)) return Bad("\"data_time\" is not a valid time");
    compact = data_time;
  } else {
    auto t = ParseDateTime(data_time, std::nullopt);
    if (!t) return Bad("\"data_time\" is neither RFC 3339 with an offset nor YYYYMMDDhhmmss");
    compact = FormatCompactLocal(*t, utc_offset);
  }
  auto values = j.find("values");
  if (values == j.end()) return Bad("no \"values\"");
  if (!values->is_object()) return Bad("\"values\" is not an object");
  std::vector<hj212::Field> cp{{"DataTime", compact}};
  for (const auto& [factor, fields] : values->items()) {
    if (factor.empty() || factor.size() > 32 || !AllOf(factor, CodeChar))
      return Bad("factor code '" + factor.substr(0, 32) + "' is not [0-9A-Za-z_.-]{1,32}");
    if (!fields.is_object()) return Bad("values of " + factor + " are not an object");
    size_t before = cp.size();
    for (const auto& [name, v] : fields.items()) {
      if (name == "flag" || name == "Flag") {
        if (!v.is_string() || v.get_ref<const std::string&>().size() != 1 ||
            !std::isalpha(static_cast<unsigned char>(v.get_ref<const std::string&>()[0])))
          return Bad(factor + ".flag is not one letter");
        cp.push_back({factor + "-Flag", v.get<std::string>()});
        continue;
      }
      auto field = CanonicalField(name);
      if (!field) return Bad(factor + "." + name.substr(0, 32) + " is not an HJ 212 value kind");
      auto value = ValueText(v);
      if (!value) return Bad(factor + "." + name + " is not a finite number or decimal text");
      cp.push_back({factor + "-" + std::string(*field), *value});
    }
    if (cp.size() == before) return Bad("values of " + factor + " are empty");
  }
  if (cp.size() == 1) return Bad("\"values\" is empty");
  if (qn.empty()) qn = compact + "000";
  // Flag=4: HJ 212-2017, no 9014 asked for (the PUBACK is the answer over MQTT).
  std::string segment = hj212::BuildSegment(
      {{"QN", qn}, {"ST", st}, {"CN", cn}, {"PW", pw}, {"MN", std::string(mn)}, {"Flag", "4"}}, cp);
  return hj212::Frame(segment);
}

}  // namespace ecohub::ingest
