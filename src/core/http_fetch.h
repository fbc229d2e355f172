// One HTTP exchange as a value, so that code which calls other systems (an identity
// provider, a partner's service) takes the transport as a function and tests hand it
// a fake one. api/http_client.h has the real one.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace ecohub {

struct HttpCall {
  std::string method = "GET";
  std::string url;  // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpReply {
  int status = 0;
  std::string body;
};

// kUnavailable when the exchange failed (name, connection, TLS, timeout, a reply
// that does not parse); any HTTP status is a reply.
using HttpFetch = std::function<Result<HttpReply>(const HttpCall&)>;

}  // namespace ecohub
