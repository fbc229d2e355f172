// libFuzzer target for the HTTP API's parsers of outside input. The first byte picks
// the parser, the rest is its input:
//   0  ParseQuery (a query string), then the params.h readers on what it parsed
//      (TimeParam, Limit, PageParams, ParseTime of every value); a parsed query
//      re-encoded must parse back to the same map;
//   1  ParseTime;
//   3  ReadValues (an uploaded file of readings, ingest/readings_file.h) as EcoHub's
//      long CSV and by two mappings (a wide and a per-site table): every value it
//      gives has a period's start and a plain decimal;
//   4  ParseMapping of the JSON before the first NUL, then ReadValues of the rest by
//      it (TOML mappings are only read from the operator's own files, never from a
//      request: Debian's toml++ 3 asserts on some malformed keys, found here);
//   5  CleanPhotoBytes (a complaint's photo, casework/photo.h): what it keeps is a
//      JPEG or PNG no larger than what came in, and cleaning it again changes nothing;
//   2, 6, 7 ParseBody against one of a few documented field lists (strings, integers,
//      numbers, booleans, times, arrays, objects, required fields; chosen by the
//      first byte), and DatasetFromJson on whatever JSON parses; a dataset read
//      must survive DatasetToJson -> DatasetFromJson unchanged.
// Any exception escaping a parser, a sanitizer report or a broken invariant is a crash.
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/api.h"
#include "api/params.h"
#include "api/router.h"
#include "auth/catalog.h"
#include "casework/photo.h"
#include "ingest/readings_file.h"

namespace {

using ecohub::api::ParamDoc;

std::string Encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void FuzzQuery(std::string_view in) {
  std::map<std::string, std::string> q;
  if (!ecohub::api::ParseQuery(in, &q)) return;
  std::string again;
  for (const auto& [k, v] : q) {
    if (!again.empty()) again += '&';
    again += Encode(k) + "=" + Encode(v);
  }
  std::map<std::string, std::string> q2;
  if (!ecohub::api::ParseQuery(again, &q2) || q2 != q) __builtin_trap();

  ecohub::api::Request req;
  req.query = q;
  std::string bad;
  for (const auto& [k, v] : q) {
    (void)ecohub::api::ParseTime(v);
    (void)ecohub::api::TimeParam(req, k.c_str(), 0, &bad);
  }
  bad.clear();
  (void)ecohub::api::Limit(req, &bad, 100000);
  bad.clear();
  (void)ecohub::api::PageParams(req, 1000, &bad);
  (void)ecohub::api::Param(req, "site", "");
}

void FuzzTime(std::string_view in) {
  auto t = ecohub::api::ParseTime(in);
  if (!t) return;
  // A date alone is Beijing midnight: 16:00 UTC.
  if (in.size() == 10 && in[4] == '-' && ((*t % 86400) + 86400) % 86400 != 16 * 3600)
    __builtin_trap();
}

const std::vector<std::vector<ParamDoc>>& FieldLists() {
  static const std::vector<std::vector<ParamDoc>> kLists = {
      // login
      {{"username", "string", "", true}, {"password", "string", "", true}},
      // a key: strings, integer, array, time
      {{"name", "string", "", true},
       {"expires", "time"},
       {"datasets", "array"},
       {"days", "integer"}},
      // a grant: booleans, numbers, times, objects
      {{"user_id", "integer", "", true},
       {"dataset", "string", "", true},
       {"from", "time"},
       {"to", "time"},
       {"export", "boolean"},
       {"threshold", "number"},
       {"extra", "object"}},
      // a dataset registration, as the catalog route documents it
      {{"id", "string", "", true},
       {"name", "string", "", true},
       {"description", "string"},
       {"category", "string", "", true},
       {"subcategory", "string", "", true},
       {"source_system", "string", "", true},
       {"owner_department", "string", "", true},
       {"update_frequency", "string"},
       {"fields", "array"},
       {"formats", "array"},
       {"coverage", "object"},
       {"keywords", "array"},
       {"secrecy", "string"},
       {"sharing", "string"},
       {"sharing_departments", "array"},
       {"enterprise_own_rows", "boolean"}},
      // nothing allowed
      {},
  };
  return kLists;
}

void FuzzDataset(const nlohmann::json& j) {
  auto d = ecohub::auth::DatasetFromJson(j);
  if (!d.ok()) return;
  nlohmann::ordered_json o = ecohub::auth::DatasetToJson(*d);
  o.erase("endpoint");
  o.erase("builtin");
  auto d2 = ecohub::auth::DatasetFromJson(nlohmann::json::parse(o.dump()));
  if (!d2.ok()) __builtin_trap();
  if (ecohub::auth::DatasetToJson(*d2) != ecohub::auth::DatasetToJson(*d)) __builtin_trap();
  (void)ecohub::auth::DatasetMatches(*d, "air");
}

void FuzzBody(uint8_t selector, std::string_view in) {
  const auto& lists = FieldLists();
  ecohub::api::Request req;
  req.method = "POST";
  req.body = std::string(in);
  nlohmann::json body;
  auto problem = ecohub::api::ParseBody(req, lists[selector % lists.size()], &body);
  if (problem && (problem->status != 400 || problem->body.empty())) __builtin_trap();
  // DatasetFromJson on whatever parses, whether or not ParseBody accepted it.
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return;
  FuzzDataset(j);
}

}  // namespace

void CheckValues(const ecohub::ingest::FileValues& f) {
  for (const auto& v : f.values) {
    int64_t step = v.period == ecohub::Period::kMinute ? 60
                   : v.period == ecohub::Period::kHour ? 3600
                                                       : 86400;
    if (v.period != ecohub::Period::kMinute && v.period != ecohub::Period::kHour &&
        v.period != ecohub::Period::kDay)
      __builtin_trap();
    if (step < 86400 && v.time % step != 0) __builtin_trap();
    if (!ecohub::Decimal::Parse(v.value)) __builtin_trap();
  }
}

void FuzzImportFile(std::string_view in) {
  static const auto kWide = ecohub::ingest::ParseMapping(
      R"({"shape": "wide", "period": "hour", "site_prefix": "AIR-",
          "columns": {"site": "station", "year": "year", "month": "month", "day": "day",
                      "hour": "hour"},
          "factors": {"PRES": {"code": "a01006", "unit": "hPa", "decimals": 1},
                      "DEWP": {"code": "a01002", "convert": "dew_point", "with": "TEMP"},
                      "TEMP": "a01001", "wd": {"code": "a01008", "convert": "compass"},
                      "WSPM": {"code": "a01007", "unit": "km/h"}}})",
      false);
  static const auto kSites = ecohub::ingest::ParseMapping(
      R"({"shape": "sites", "period": "hour", "hour_label": "end", "time_zone": "Z",
          "columns": {"date": "date", "hour": "hour", "factor": "type"},
          "factors": {"PM2.5": "a34004", "CO": {"code": "a21005", "unit": "ug/m3"}}})",
      false);
  if (!kWide.ok() || !kSites.ok()) __builtin_trap();
  for (const ecohub::ingest::Mapping* m :
       {static_cast<const ecohub::ingest::Mapping*>(nullptr), &*kWide, &*kSites})
    if (auto f = ecohub::ingest::ReadValues(in, m, 2000); f.ok()) CheckValues(*f);
}

void FuzzMapping(std::string_view in) {
  size_t nul = in.find('\0');
  std::string_view text = in.substr(0, nul);
  auto m = ecohub::ingest::ParseMapping(text, /*toml=*/false);
  if (!m.ok() || nul == std::string_view::npos) return;
  if (auto f = ecohub::ingest::ReadValues(in.substr(nul + 1), &*m, 2000); f.ok()) CheckValues(*f);
}

void FuzzPhoto(std::string_view in) {
  auto clean = ecohub::casework::CleanPhotoBytes(in);
  if (!clean.ok()) return;
  if (clean->bytes.size() > in.size()) __builtin_trap();
  auto again = ecohub::casework::CleanPhotoBytes(clean->bytes);
  if (!again.ok() || again->bytes != clean->bytes || again->media_type != clean->media_type)
    __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
    case 0:
      FuzzQuery(in);
      break;
    case 1:
      FuzzTime(in);
      break;
    case 3:
      FuzzImportFile(in);
      break;
    case 4:
      FuzzMapping(in);
      break;
    case 5:
      FuzzPhoto(in);
      break;
    default:
      FuzzBody(static_cast<uint8_t>(data[0] / 8), in);
      break;
  }
  return 0;
}
