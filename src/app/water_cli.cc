// `ecohub water-class`: GB 3838 single-factor class, one JSON object per line.
//
// In:  {"site_type":"river"|"lake"|"reservoir","values":{item: number|null},
//       "items":[item...] | "routine" | "auto_station"}   ("items" optional)
// Out: {"class":"I".."V"|"劣V"|null,"exceeding":[...],"exceed_multiple":{item: number|null},
//       "item_class":{item: class},"reference_only":{item: class} (only when non-empty),
//       "grade":"优"...|null,"items_used":"routine"|"custom"}
// Item keys are echoed as the input spelled them. Other top-level keys are ignored.
// A line that cannot be used prints {"error":"..."} on stdout and a message on stderr;
// the next line is still read and the exit code is then 1. The contract is in
// docs/standards-water-emission.md.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/commands.h"
#include "app/standards_cli.h"
#include "standards/exact.h"
#include "standards/water.h"

namespace ecohub::app {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using standards::kWaterItemCount;
using standards::WaterItem;

// The key a value of DO saturation (percent) may come under; it only lifts DO to
// class I (GB 3838 Table 1: "饱和率90%(或7.5)").
constexpr const char* kDoSaturationKey = "DO_saturation";

struct Request {
  standards::WaterBody body = standards::WaterBody::kRiver;
  standards::WaterSample sample;
  standards::WaterItemSet items = standards::WaterItemSet::Routine();
  bool custom = false;
  std::string key[kWaterItemCount];  // the input spelling of each item
};

// A JSON number as the decimal a person wrote: integers exactly, fractions as the
// shortest decimal of the double (0.2 is 0.2).
std::optional<Decimal> NumberToDecimal(const json& v) {
  if (v.is_number_integer() && !v.is_number_unsigned()) {
    return standards::MakeDecimal(v.get<int64_t>(), 0);
  }
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return standards::MakeDecimal(static_cast<int64_t>(u), 0);
  }
  if (v.is_number_float()) return standards::DecimalNear(v.get<double>());
  return std::nullopt;
}

bool IsNegative(const Decimal& d) { return standards::Compare(d, Decimal{}) < 0; }

// Reads one request; returns the error message, empty on success.
std::string ParseRequest(const json& in, Request* req) {
  if (!in.is_object()) return "a line must be a JSON object";
  auto site = in.find("site_type");
  if (site == in.end() || !site->is_string()) {
    return "site_type must be \"river\" or \"lake\"";
  }
  auto body = standards::WaterBodyFromName(site->get<std::string>());
  if (!body) return "unknown site_type \"" + site->get<std::string>() + "\" (river or lake)";
  req->body = *body;

  auto values = in.find("values");
  if (values == in.end() || !values->is_object()) return "values must be an object";
  for (auto it = values->begin(); it != values->end(); ++it) {
    const std::string& name = it.key();
    const json& v = it.value();
    bool is_saturation = name == kDoSaturationKey;
    auto item = standards::WaterItemFromName(name);
    bool ignored = standards::IsUnclassifiedWaterParameter(name);
    if (!item && !is_saturation && !ignored) return "unknown item \"" + name + "\"";
    if (v.is_null()) continue;  // not measured
    if (!v.is_number()) return "value of " + name + " must be a number or null";
    auto d = NumberToDecimal(v);
    if (!d) return "value of " + name + " needs more than 15 decimals or 18 digits";
    if (IsNegative(*d)) return "negative value of " + name;
    if (ignored) continue;
    if (is_saturation) {
      req->sample.do_saturation_percent = *d;
      continue;
    }
    int i = static_cast<int>(*item);
    if (!req->key[i].empty()) {
      return "item " + std::string(standards::WaterItemName(*item)) + " given twice (\"" +
             req->key[i] + "\" and \"" + name + "\")";
    }
    req->key[i] = name;
    req->sample.Set(*item, *d);
  }

  auto items = in.find("items");
  if (items == in.end() || items->is_null()) return "";
  if (items->is_string()) {
    std::string set = items->get<std::string>();
    // The reference implementation's names of the two sets are accepted too.
    if (set == "routine" || set == "ROUTINE_ITEMS") return "";
    if (set != "auto_station" && set != "AUTO_STATION_ITEMS") {
      return "items must be a list, \"routine\" or \"auto_station\"";
    }
    req->items = standards::WaterItemSet::AutoStation();
    req->custom = true;
    return "";
  }
  if (!items->is_array()) return "items must be a list, \"routine\" or \"auto_station\"";
  req->items = standards::WaterItemSet();
  req->custom = true;
  for (const json& name : *items) {
    if (!name.is_string()) return "items must hold item names";
    auto item = standards::WaterItemFromName(name.get<std::string>());
    if (!item) return "unknown item \"" + name.get<std::string>() + "\" in items";
    req->items.Add(*item);
  }
  return "";
}

ordered_json Evaluate(const Request& req, std::string* error) {
  Result<standards::WaterResult> r = standards::ClassifySite(req.sample, req.body, req.items);
  if (!r.ok()) {
    *error = r.status().message();
    return {};
  }
  auto key = [&](WaterItem i) { return req.key[static_cast<int>(i)]; };
  ordered_json out;
  out["class"] = r->site_class ? ordered_json(standards::WaterClassName(*r->site_class))
                               : ordered_json(nullptr);
  ordered_json exceeding = ordered_json::array();
  for (WaterItem i : r->exceeding) exceeding.push_back(key(i));
  out["exceeding"] = exceeding;
  // Numbers, in Table 1 order; the double of a 2-decimal value prints as that value.
  ordered_json multiples = ordered_json::object();
  for (const standards::WaterItemResult& it : r->items) {
    if (it.cls <= standards::WaterClass::kIII) continue;
    multiples[key(it.item)] =
        it.multiple ? ordered_json(it.multiple->ToDouble()) : ordered_json(nullptr);
  }
  out["exceed_multiple"] = multiples;
  ordered_json item_class = ordered_json::object();
  for (const standards::WaterItemResult& it : r->items) {
    item_class[key(it.item)] = standards::WaterClassName(it.cls);
  }
  out["item_class"] = item_class;
  if (!r->reference_only.empty()) {
    ordered_json ref = ordered_json::object();
    for (const standards::WaterItemResult& it : r->reference_only) {
      ref[key(it.item)] = standards::WaterClassName(it.cls);
    }
    out["reference_only"] = ref;
  }
  out["grade"] =
      r->site_class
          ? ordered_json(standards::WaterGradeName(standards::GradeOfClass(*r->site_class)))
          : ordered_json(nullptr);
  out["items_used"] = req.custom ? "custom" : "routine";
  return out;
}

}  // namespace

int RunWaterClassCli(std::istream& in, std::ostream& out) {
  return RunJsonLines(in, out, "water-class", [](const json& parsed, ordered_json* answer) {
    Request req;
    std::string error = ParseRequest(parsed, &req);
    if (error.empty()) *answer = Evaluate(req, &error);
    return error;
  });
}

void AddWaterCommand(CLI::App& app) {
  app.add_subcommand("water-class",
                     "GB 3838 water class: one JSON object per stdin line -> one result per line")
      ->callback([] { ExitWith(RunWaterClassCli(std::cin, std::cout)); });
}

}  // namespace ecohub::app
