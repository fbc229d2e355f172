#include "store/open_store.h"

#include <filesystem>
#include <regex>

#include "store/postgresql_store.h"
#include "store/sqlite_store.h"

namespace ecohub::store {

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://") ||
         url.find("dbname=") != std::string_view::npos ||
         url.find("host=") != std::string_view::npos;
}

std::string RedactUrl(std::string_view url) {
  std::string u(url);
  // scheme://user:password@host -> scheme://user:***@host; password=... -> password=***
  static const std::regex in_userinfo(R"(^([a-z]+://[^:/@]*):[^@/]*@)");
  static const std::regex keyword(R"((password\s*=\s*)('[^']*'|\S+))");
  u = std::regex_replace(u, in_userinfo, "$1:***@");
  return std::regex_replace(u, keyword, "$1***");
}

Result<std::unique_ptr<Store>> OpenStoreAt(const StoreLocation& where) {
  if (where.url.empty()) {
    SqliteOptions o;
    o.read_only = where.read_only;
    o.synchronous_full = where.synchronous_full;
    o.read_connections = where.read_connections;
    return OpenSqliteStore(where.data_dir, o);
  }
  if (!IsPostgresUrl(where.url))
    return Status::InvalidInput("store " + RedactUrl(where.url) +
                                ": not a PostgreSQL URL (postgresql://user@host:port/database)");
  // The local files (keys, anchors, exports) still go to data_dir.
  if (!where.data_dir.empty() && !where.read_only) {
    std::error_code ec;
    std::filesystem::create_directories(where.data_dir, ec);
    if (ec) return Status::IoError("cannot create " + where.data_dir + ": " + ec.message());
  }
  PostgresOptions o;
  o.keys_file = where.data_dir.empty() ? "" : where.data_dir + "/keys";
  o.application = where.application;
  auto s = OpenPostgresStore(where.url, o);
  if (!s.ok())
    return Status(s.status().code(), "store " + RedactUrl(where.url) + ": " + s.status().message());
  return s;
}

}  // namespace ecohub::store
