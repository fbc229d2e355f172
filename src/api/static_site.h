// StaticSite: the built web front end (web/dist), served on the HTTP port beside the
// API. Every file is read into memory once at start-up (the site is a few MB at
// most), with a gzip copy made at level 9 for those that compress, so a page load
// costs no disk reads and no compression.
//
// - Files under /assets/ carry content hashes in their names (Vite): they are
//   cached for a year as immutable. Everything else is revalidated (ETag).
// - A path that names no file and has no extension is a page of the single-page
//   app: it gets index.html, and the app's router shows the page (or its 404).
// - Pages carry a Content-Security-Policy that allows this origin only, so no
//   script, style, font, image or request can reach another host.
// Paths are looked up in the map read at start-up, never on the file system, so
// no request can reach a file outside the folder.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "api/router.h"
#include "core/status.h"

namespace ecohub::api {

class StaticSite {
 public:
  // Reads every regular file under `dir` (which must hold index.html); refuses a
  // site over `max_bytes` in all.
  static Result<std::unique_ptr<StaticSite>> Load(const std::string& dir,
                                                  size_t max_bytes = 64 << 20);

  // Answers a GET for `request.path` (200, 304 or 404).
  Response Serve(const Request& request) const;

  size_t files() const { return files_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  struct File {
    std::string content_type, etag, body, gzipped;  // gzipped empty: send as it is
    bool immutable = false;
  };
  Response Send(const File& file, const Request& request) const;

  std::map<std::string, File, std::less<>> files_;  // "/index.html" -> file
  size_t bytes_ = 0;
};

// The media type of a file name by its extension; "application/octet-stream" when
// unknown.
std::string ContentTypeOf(std::string_view name);

}  // namespace ecohub::api
