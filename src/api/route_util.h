// Helpers shared by the registry, device and readings route files (internal to
// src/api: not part of any handler's contract).
#pragma once

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

// The shortest decimal text that reads back as `v` ("116.4", "0.125").
std::string Num(double v);

}  // namespace ecohub::api
