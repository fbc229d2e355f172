// The resource catalog (资源目录): what data exists, where it comes from, who owns
// it, how fresh it is and who may read it. Built-in entries describe the data
// EcoHub itself holds and serves; administrators register further ones (data held
// in other systems, described here so that it can be found and asked for).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy.h"
#include "core/status.h"

namespace ecohub::auth {

// The six classes of the plan, each with its subclasses: {id, 中文名, English}.
struct CategoryInfo {
  std::string_view id, name_zh, name_en;
  std::vector<std::pair<std::string_view, std::string_view>> subclasses;  // id, 中文名
};
const std::vector<CategoryInfo>& Categories();

struct DatasetField {
  std::string name, type, unit, description;
};

struct Dataset {
  std::string id;  // slug: "air-aqi"
  std::string name, description;
  std::string category, subcategory;
  std::string source_system, owner_department, update_frequency;
  std::vector<DatasetField> fields;
  std::vector<std::string> formats;        // "json", "csv", "xlsx"
  std::string coverage_from, coverage_to;  // "2013-03-01", empty: open
  std::vector<std::string> keywords;
  std::string endpoint;  // the API path that serves it; empty when held elsewhere
  bool builtin = false;
  DatasetTags tags;  // tags.id == id, tags.owner_department == owner_department
};

// EcoHub's own datasets.
std::vector<Dataset> BuiltinDatasets();

nlohmann::ordered_json DatasetToJson(const Dataset& d);
// Reads a dataset as an administrator registers it: every field is checked (known
// category and subclass, known tags, slug id, sizes); unknown fields are refused.
Result<Dataset> DatasetFromJson(const nlohmann::json& j);

// Case-insensitive substring match of `text` on name, description and keywords.
bool DatasetMatches(const Dataset& d, std::string_view text);

}  // namespace ecohub::auth
