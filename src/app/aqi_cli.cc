// `ecohub aqi`: HJ 633 AQI on stdin/stdout (contract in standards_cli.h).
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "app/commands.h"
#include "app/standards_cli.h"
#include "derive/aqi_json.h"
#include "standards/aqi.h"
#include "standards/exact.h"

namespace ecohub::app {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using namespace ecohub::standards;

// Reads one concentration. Numbers are taken as the decimal the writer meant (the
// shortest text of the double), so 74.5 and 4.05 round per GB/T 8170 as written.
// Returns an error message, empty on success.
std::string ReadValue(const json& v, AqiValue* out) {
  if (v.is_null()) return {};
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "/") {
      out->state = AqiValue::State::kNotMonitored;
      return {};
    }
    if (s == "NA" || s == "" || s == "-" || s == "—") return {};
    auto d = Decimal::Parse(s);
    if (!d) return "is not a number, null or \"/\": \"" + s + "\"";
    out->conc = *d;
  } else if (v.is_number_integer()) {
    int64_t n = v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX / 2 ? INT64_MAX / 2
                                                                            : v.get<int64_t>();
    // Beyond every top breakpoint the IAQI is 500 anyway; keep the arithmetic small.
    out->conc = MakeDecimal(n > 1'000'000'000'000'000 ? 1'000'000'000'000'000 : n, 0);
  } else if (v.is_number_float()) {
    double x = v.get<double>();
    if (x >= 1e15) x = 1e15;
    auto d = DecimalNear(x);
    if (!d) return "cannot be read as a decimal";
    out->conc = *d;
  } else {
    return "is not a number, null or \"/\"";
  }
  if (out->conc.mantissa < 0 || out->conc.negative_zero) return "is negative";
  out->state = AqiValue::State::kValue;
  return {};
}

std::string ReadRequest(const json& j, AqiInput* in) {
  if (!j.is_object()) return "a line must be a JSON object";
  if (auto e = j.find("edition"); e != j.end()) {
    auto ed = e->is_string() ? EditionFromName(e->get<std::string>()) : std::nullopt;
    if (!ed) return "edition must be \"HJ633-2012\" or \"HJ633-2026\"";
    in->edition = *ed;
  }
  if (auto m = j.find("mode"); m != j.end()) {
    if (*m == "hourly")
      in->mode = AqiMode::kHourly;
    else if (*m == "daily")
      in->mode = AqiMode::kDaily;
    else
      return "mode must be \"hourly\" or \"daily\"";
  }
  for (auto [key, field] : {std::pair{"round_inputs", &in->round_inputs},
                            std::pair{"o3_8h_in_hourly", &in->o3_8h_in_hourly}}) {
    auto f = j.find(key);
    if (f == j.end() || f->is_null()) continue;
    if (!f->is_boolean()) return std::string(key) + " must be true or false";
    *field = f->get<bool>();
  }
  auto conc = j.find("conc");
  if (conc == j.end() || !conc->is_object()) return "conc must be an object of concentrations";
  for (auto& [key, value] : conc->items()) {
    auto i = IndicatorFromName(key);
    if (!i)
      return "unknown indicator \"" + key +
             "\" (SO2_24h SO2_1h NO2_24h NO2_1h PM10_24h PM10_1h CO_24h CO_1h O3_1h O3_8h "
             "PM2.5_24h PM2.5_1h)";
    std::string err = ReadValue(value, &in->conc[static_cast<int>(*i)]);
    if (!err.empty()) return "conc." + key + " " + err;
  }
  return {};
}

}  // namespace

// Shared by the standards subcommands: runs `one` per non-blank line, prints its
// answer or {"error":...}; exit code 1 when any line failed.
int RunJsonLines(std::istream& in, std::ostream& out, const char* name,
                 const std::function<std::string(const json&, ordered_json*)>& one) {
  std::string line;
  int errors = 0;
  long line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ordered_json answer;
    std::string err;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded())
      err = "not valid JSON";
    else
      err = one(j, &answer);
    if (!err.empty()) {
      ++errors;
      std::cerr << "ecohub " << name << ": line " << line_no << ": " << err << "\n";
      answer = ordered_json{{"error", err}};
    }
    out << answer.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  }
  out.flush();
  return errors == 0 ? 0 : 1;
}

int RunAqiCli(std::istream& in, std::ostream& out) {
  return RunJsonLines(in, out, "aqi", [](const json& j, ordered_json* answer) {
    AqiInput input;
    std::string err = ReadRequest(j, &input);
    if (err.empty()) *answer = derive::AqiJson(input, ComputeAqi(input));
    return err;
  });
}

void AddAqiCommand(CLI::App& app) {
  app.add_subcommand("aqi", "HJ 633 AQI: one JSON object per stdin line -> one result per line")
      ->callback([] { ExitWith(RunAqiCli(std::cin, std::cout)); });
}

}  // namespace ecohub::app
