#include "api/route_util.h"

#include <spdlog/spdlog.h>

#include <charconv>

namespace ecohub::api {

Response StoreError(const Status& s) {
  spdlog::error("api store error: {}", s.ToString());
  return Problem(500, "store", "Store error", s.message());
}

bool Exporting(const Request& req) {
  auto it = req.query.find("format");
  return it != req.query.end() && it->second != "json";
}

std::string Num(double v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

nlohmann::json TimeOrNull(UnixSeconds t) {
  return t ? nlohmann::json(FormatRfc3339Beijing(t)) : nlohmann::json(nullptr);
}

}  // namespace ecohub::api
