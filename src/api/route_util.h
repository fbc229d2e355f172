// Helpers shared by the registry, device and readings route files (internal to
// src/api: not part of any handler's contract).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/router.h"
#include "core/status.h"
#include "core/time.h"

namespace ecohub::api {

constexpr UnixSeconds kDay = 86400;

// A store failure as a 500 problem (logged: the caller did nothing wrong).
Response StoreError(const Status& s);

// Whether the request asks for a download (format=csv or xlsx) rather than JSON.
bool Exporting(const Request& req);

// Sets `*field` from the body's `name` when the body gives it (a null leaves it):
// how a PATCH applies a checked body over the row as it was.
template <class T>
void Assign(const nlohmann::json& b, const char* name, T* field) {
  if (b.contains(name) && !b[name].is_null()) *field = b[name].get<T>();
}

// The shortest decimal text that reads back as `v` ("116.4", "0.125").
std::string Num(double v);

}  // namespace ecohub::api
