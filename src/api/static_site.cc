#include "api/static_site.h"

#include <openssl/sha.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/http_server.h"

namespace ecohub::api {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPageSecurity =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

std::string ShortHash(std::string_view bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (int i = 0; i < 12; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out + "\"";
}

// If-None-Match holds one or more entity tags, or "*".
bool Matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

std::string ContentTypeOf(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, type] : kTypes)
    if (name.ends_with(ext)) return std::string(type);
  return "application/octet-stream";
}

Result<std::unique_ptr<StaticSite>> StaticSite::Load(const std::string& dir, size_t max_bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(dir) / "index.html", ec))
    return Status::InvalidInput("web folder '" + dir +
                                "' has no index.html (scripts/setup.sh builds web/dist)");
  auto site = std::make_unique<StaticSite>();
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string rel = "/" + fs::relative(it->path(), dir, ec).generic_string();
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in && !in.eof()) return Status::IoError("cannot read " + it->path().string());
    File f;
    f.body = std::move(body).str();
    site->bytes_ += f.body.size();
    if (site->bytes_ > max_bytes)
      return Status::InvalidInput("web folder '" + dir + "' is larger than " +
                                  std::to_string(max_bytes >> 20) + " MB");
    f.content_type = ContentTypeOf(rel);
    f.etag = ShortHash(f.body);
    f.immutable = rel.starts_with("/assets/");
    std::string zipped;
    if (IsCompressible(f.content_type) && f.body.size() >= kGzipMinBytes &&
        GzipBytes(f.body, 9, &zipped) && zipped.size() < f.body.size())
      f.gzipped = std::move(zipped);
    site->files_.emplace(std::move(rel), std::move(f));
  }
  if (ec) return Status::IoError("cannot list web folder '" + dir + "': " + ec.message());
  return site;
}

Response StaticSite::Send(const File& file, const Request& request) const {
  Response r;
  r.content_type = file.content_type;
  r.headers.push_back({"ETag", file.etag});
  r.headers.push_back(
      {"Cache-Control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache"});
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  if (file.content_type.starts_with("text/html")) {
    r.headers.push_back({"Content-Security-Policy", std::string(kPageSecurity)});
    r.headers.push_back({"Referrer-Policy", "no-referrer"});
  }
  if (!file.gzipped.empty()) r.headers.push_back({"Vary", "Accept-Encoding"});
  if (Matches(request.if_none_match, file.etag)) {
    r.status = 304;
    return r;
  }
  if (!file.gzipped.empty() && AcceptsGzip(request.accept_encoding)) {
    r.headers.push_back({"Content-Encoding", "gzip"});
    r.body = file.gzipped;
  } else {
    r.body = file.body;
  }
  return r;
}

Response StaticSite::Serve(const Request& request) const {
  std::string_view path = request.path;
  if (path == "/") path = "/index.html";
  if (auto it = files_.find(path); it != files_.end()) return Send(it->second, request);
  // /api/..., anything with an extension and dot segments ("/../") that are not
  // here are really missing; other paths are the app's own pages.
  std::string_view last = path.substr(path.rfind('/') + 1);
  if (path.starts_with("/api/") || last.find('.') != std::string_view::npos ||
      path.find("/.") != std::string_view::npos)
    return Problem(404, "not-found", "No such resource", path);
  return Send(files_.find("/index.html")->second, request);
}

}  // namespace ecohub::api
