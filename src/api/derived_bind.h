// Bind: a named handler of a route table as the SecureHandler Api::Add takes.
//
// Stand-in until api.h declares the same function (the route-table split adds it
// there); the coordinator keeps one at the merge.
#pragma once

#include "api/api.h"
#include "api/handlers.h"

namespace ecohub::api {

// `fn` is called with a copy of `ctx` taken now (pointers, shared pointers and
// functions: cheap, and valid as long as what they point to).
inline SecureHandler Bind(const ApiContext& ctx, Response (*fn)(const ApiContext&, const Request&,
                                                                const auth::Principal&)) {
  return [ctx, fn](const Request& req, const auth::Principal& who) { return fn(ctx, req, who); };
}

}  // namespace ecohub::api
