// Bind: a named handler of a route table as the Api's SecureHandler.
//
// Temporary home: the same function is being added to api/api.h; whichever the
// merge keeps, route files call Bind(ctx, Handler) the same way.
#pragma once

#include "api/api.h"
#include "api/handlers.h"

namespace ecohub::api {

// A handler that calls `fn` with a copy of `ctx` (the context outlives the caller's).
inline SecureHandler Bind(const ApiContext& ctx, Response (*fn)(const ApiContext&, const Request&,
                                                                const auth::Principal&)) {
  return [ctx, fn](const Request& req, const auth::Principal& who) { return fn(ctx, req, who); };
}

}  // namespace ecohub::api
