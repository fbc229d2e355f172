// FetchHttp: one HTTP/1.1 exchange as a client (core/http_fetch.h), on Boost.Beast,
// over TLS for https:// URLs (the peer's certificate checked against the system's
// trusted roots, or `ca_file`, and its name against the URL's host, with SNI).
// Blocking: it runs its own io_context on the calling thread, the whole exchange
// bounded by `timeout`; callers on the network threads must not use it.
#pragma once

#include <chrono>
#include <string>

#include "core/http_fetch.h"

namespace ecohub::api {

struct HttpClientOptions {
  std::chrono::seconds timeout{10};
  std::string ca_file;  // PEM; empty: the system's roots
  size_t max_body_bytes = 1024 * 1024;
};

Result<HttpReply> FetchHttp(const HttpCall& call, const HttpClientOptions& options);

// FetchHttp with `options`, as an HttpFetch.
HttpFetch HttpFetcher(HttpClientOptions options);

}  // namespace ecohub::api
