// Api::OpenApi: the OpenAPI 3.0 document of the routes, built from their RouteDocs
// in the order they were added. Client generators read it: operation ids are the
// RouteDocs' identifiers, errors are the one RFC 7807 Problem schema, and each 200
// answer names its media types (JSON object or list, or the route's own type, and
// CSV and XLSX for exportable routes).
#include <nlohmann/json.hpp>
#include <string>

#include "api/api.h"

namespace ecohub::api {

namespace {

using oj = nlohmann::ordered_json;

constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

oj Schema(const std::string& type) {
  if (type == "integer" || type == "number" || type == "boolean" || type == "array" ||
      type == "object")
    return {{"type", type}};
  if (type == "time")
    return {{"type", "string"},
            {"description", "2026-03-01, 2026-03-01T08:00 (Beijing time) or UTC seconds"}};
  return {{"type", "string"}};
}

oj Ref(const std::string& component) { return {{"$ref", "#/components/" + component}}; }

// The path's {captures}, then the documented query parameters, then `format` for
// exportable routes.
oj Parameters(const std::string& pattern, const RouteDoc& doc) {
  oj params = oj::array();
  for (size_t pos = pattern.find('{'); pos != std::string::npos; pos = pattern.find('{', pos)) {
    size_t end = pattern.find('}', pos);
    params.push_back({{"name", pattern.substr(pos + 1, end - pos - 1)},
                      {"in", "path"},
                      {"required", true},
                      {"schema", {{"type", "string"}}}});
    pos = end;
  }
  for (const auto& p : doc.query)
    params.push_back({{"name", p.name},
                      {"in", "query"},
                      {"required", p.required},
                      {"description", p.description},
                      {"schema", Schema(p.type)}});
  if (doc.exportable)
    params.push_back({{"name", "format"},
                      {"in", "query"},
                      {"required", false},
                      {"description", "json (default), csv or xlsx: a streamed download"},
                      {"schema", {{"type", "string"}, {"enum", {"json", "csv", "xlsx"}}}}});
  return params;
}

// The JSON body: exactly the documented fields (ParseBody refuses any other).
oj RequestBody(const std::vector<ParamDoc>& fields) {
  oj props = oj::object();
  oj required = oj::array();
  for (const auto& p : fields) {
    props[p.name] = Schema(p.type);
    if (!p.description.empty()) props[p.name]["description"] = p.description;
    if (p.required) required.push_back(p.name);
  }
  oj schema = {{"type", "object"}, {"additionalProperties", false}, {"properties", props}};
  if (!required.empty()) schema["required"] = required;
  return {{"required", true}, {"content", {{"application/json", {{"schema", schema}}}}}};
}

oj Responses(const RouteDoc& doc) {
  oj content = oj::object();
  if (!doc.media_type.empty()) {
    content[doc.media_type] = {{"schema", {{"type", "string"}}}};
  } else {
    content["application/json"] = {
        {"schema", doc.list || doc.exportable ? Ref("schemas/List") : oj{{"type", "object"}}}};
  }
  if (doc.exportable) {
    content["text/csv"] = {{"schema", {{"type", "string"}}}};
    content[kXlsxType] = {{"schema", {{"type", "string"}, {"format", "binary"}}}};
  }
  oj responses = oj::object();
  responses["200"] = {{"description", doc.response.empty() ? "OK" : doc.response},
                      {"content", content}};
  responses["400"] = Ref("responses/Problem");
  if (doc.login || !doc.dataset.empty()) {
    responses["401"] = Ref("responses/Problem");
    responses["403"] = Ref("responses/Problem");
  }
  responses["429"] = Ref("responses/Problem");
  return responses;
}

oj Components() {
  oj problem = {{"type", "object"},
                {"description", "RFC 7807 problem details"},
                {"required", {"type", "title", "status"}},
                {"properties",
                 {{"type",
                   {{"type", "string"},
                    {"format", "uri"},
                    {"description", "stable: https://ecohub.example/problems/<name>"}}},
                  {"title", {{"type", "string"}}},
                  {"status", {{"type", "integer"}}},
                  {"detail", {{"type", "string"}}}}}};
  oj list = {{"type", "object"},
             {"description", "A list; routes that page add next_cursor (null on the last page)"},
             {"required", {"items"}},
             {"properties",
              {{"items", {{"type", "array"}, {"items", oj::object()}}},
               {"next_cursor",
                {{"type", "string"},
                 {"nullable", true},
                 {"description", "the cursor parameter of the next page"}}}}}};
  return {
      {"securitySchemes",
       {{"bearer",
         {{"type", "http"},
          {"scheme", "bearer"},
          {"description", "a login token (eht_...) or an API key (ehk_...)"}}}}},
      {"schemas", {{"Problem", problem}, {"List", list}}},
      {"responses",
       {{"Problem",
         {{"description", "RFC 7807 problem"},
          {"content", {{"application/problem+json", {{"schema", Ref("schemas/Problem")}}}}}}}}}};
}

}  // namespace

nlohmann::ordered_json Api::OpenApi() const {
  oj paths = oj::object();
  for (const auto& e : entries_) {
    oj op;
    op["summary"] = e.doc.summary;
    op["tags"] = {e.doc.tag};
    op["operationId"] = e.doc.id;
    op["parameters"] = Parameters(e.pattern, e.doc);
    if (e.method != "GET" && e.method != "HEAD")
      op["parameters"].push_back(
          {{"name", "Idempotency-Key"},
           {"in", "header"},
           {"required", false},
           {"description",
            "a fresh UUID: sent again with the same request, the request runs once and the "
            "retry gets the first answer (docs/api.md)"},
           {"schema", {{"type", "string"}, {"minLength", 1}, {"maxLength", 128}}}});
    if (!e.doc.body.empty()) op["requestBody"] = RequestBody(e.doc.body);
    op["responses"] = Responses(e.doc);
    if (!e.doc.login && e.doc.dataset.empty()) op["security"] = oj::array();
    if (!e.doc.dataset.empty()) op["x-dataset"] = e.doc.dataset;
    std::string m = e.method;
    for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[e.pattern][m] = op;
  }
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "EcoHub platform API"},
            {"version", "1"},
            {"description",
             "Environmental monitoring data, derived values, the resource catalog and data "
             "sharing. Times are RFC 3339 with +08:00; values label the start of their period."}}},
          {"servers", {{{"url", "/"}}}},
          {"security", {{{"bearer", oj::array()}}}},
          {"components", Components()},
          {"paths", paths}};
}

}  // namespace ecohub::api
