// The API's own description: the OpenAPI document for machines and one HTML page
// for people, both built from the routes' RouteDocs (Api::OpenApi), so they list
// exactly what is served.
#include <map>

#include "api/handlers.h"
#include "api/routes.h"

namespace ecohub::api {

using auth::Principal;

namespace {

std::string HtmlEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

constexpr const char* kPageHead =
    "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    "<title>EcoHub API</title><style>body{font:15px/1.5 system-ui,sans-serif;"
    "max-width:960px;margin:2em auto;padding:0 1em;color:#1d2a33}"
    "h2{border-bottom:1px solid #cfd8dc;margin-top:2em}code{background:#eef3f5;"
    "padding:0 .3em;border-radius:3px}.m{display:inline-block;min-width:4.5em;"
    "font-weight:600;color:#00695c}.p{color:#546e7a;font-size:13px;margin-left:5.2em}"
    "</style></head><body><h1>EcoHub platform API</h1><p>"
    "JSON over HTTPS, <code>Authorization: Bearer &lt;token or API key&gt;</code>; "
    "errors are RFC 7807 problems; times are RFC 3339 with +08:00 and label the start "
    "of their period. Machine-readable: <a href=\"/api/v1/openapi.json\">"
    "/api/v1/openapi.json</a>.</p>";

// One operation of the document as a paragraph: method, path, summary, query
// parameters, and whether it needs a login.
std::string OperationHtml(const std::string& path, const std::string& method,
                          const nlohmann::ordered_json& op) {
  std::string s = "<p><span class=\"m\">" + HtmlEscape(method) + "</span><code>" +
                  HtmlEscape(path) + "</code> " + HtmlEscape(op["summary"].get<std::string>());
  std::string params;
  for (const auto& p : op["parameters"])
    if (p["in"] == "query")
      params += (params.empty() ? "" : ", ") + HtmlEscape(p["name"].get<std::string>());
  if (!params.empty()) s += "<br><span class=\"p\">query: " + params + "</span>";
  if (op.contains("security")) s += " <em>(no login)</em>";
  return s + "</p>";
}

Response OpenApiDocument(const Api& api) { return JsonResponse(api.OpenApi()); }

// The operations grouped by tag, tags in alphabetical order.
Response ApiPage(const Api& api) {
  auto doc = api.OpenApi();
  std::map<std::string, std::string> by_tag;
  for (const auto& [path, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items())
      by_tag[op["tags"][0].get<std::string>()] += OperationHtml(path, method, op);
  std::string html = kPageHead;
  for (const auto& [tag, s] : by_tag) html += "<h2>" + HtmlEscape(tag) + "</h2>" + s;
  html += "</body></html>";
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  return r;
}

// These handlers read the routes of the Api itself rather than ApiContext.
SecureHandler BindApi(const Api& api, Response (*fn)(const Api&)) {
  return [&api, fn](const Request&, const Principal&) { return fn(api); };
}

}  // namespace

void AddDocsRoutes(Api& api) {
  api.Add("GET", "/api/v1/openapi.json",
          {.summary = "This API as an OpenAPI 3 document",
           .tag = "Operations",
           .login = false,
           .id = "getOpenApi"},
          BindApi(api, OpenApiDocument));
  api.Add("GET", "/api/docs",
          {.summary = "The API described for people (HTML)",
           .tag = "Operations",
           .login = false,
           .id = "getApiPage",
           .media_type = "text/html"},
          BindApi(api, ApiPage));
}

}  // namespace ecohub::api
