// Helpers shared by the registry, device and readings route files (internal to
// src/api: not part of any handler's contract).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/handlers.h"
#include "api/params.h"
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

// A page of a list newest first, {items, next_cursor}: `list(before, limit)` gives
// the rows with an id below the cursor's (Result of a vector), `json_of(row)` each
// item. 400 on a bad cursor or limit (1..max), 500 when the store fails.
template <class List, class ToJson>
Response NewestFirstPage(const Request& req, size_t max, List list, ToJson json_of) {
  std::string bad;
  auto page = PageParams(req, max, &bad);
  if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  auto rows = list(page->after, page->limit);
  if (!rows.ok()) return StoreError(rows.status());
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const auto& r : *rows) items.push_back(json_of(r));
  nlohmann::json next =
      rows->size() == page->limit ? nlohmann::json(CursorAfter(rows->back().id)) : nullptr;
  return JsonResponse<nlohmann::ordered_json>({{"items", std::move(items)}, {"next_cursor", next}});
}

// A time as RFC 3339 Beijing time, or null for 0 (not yet).
nlohmann::json TimeOrNull(UnixSeconds t);

// The shortest decimal text that reads back as `v` ("116.4", "0.125").
std::string Num(double v);

}  // namespace ecohub::api
