// DerivedStore: values EcoHub derived from readings (AQI, water classes, exceedance
// events, quality rates). Everything here can be computed again from the readings,
// so a backend may keep it less durably than them. Part of Store (store.h), whose
// notes on thread-safety and errors apply; its contract suite is
// derived_contract_test.cc.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace ecohub::store {

// A value EcoHub derived from readings (an hourly AQI, a day's water class, an
// exceedance event, a day's data-quality rates): one JSON document under
// (kind, scope, time). `scope` names what it is about (a site code, a district
// code, "city", or "site/factor" for events); `time` is the start of its period
// (UTC). `value` is the headline number (AQI, class, peak) used for sorting.
struct DerivedRow {
  std::string kind, scope;
  UnixSeconds time = 0;
  std::optional<double> value;
  std::string body;  // JSON
  UnixSeconds updated = 0;
};

class DerivedStore {
 public:
  virtual ~DerivedStore() = default;

  // ReplaceDerived deletes the rows of (kind, scope) with time in [from, to) and
  // inserts `rows` (which must be of that kind and scope), in one transaction: a
  // recomputation that finds fewer events than before leaves no stale ones.
  // kUnavailable on a read-only store.
  virtual Status ReplaceDerived(std::string_view kind, std::string_view scope, UnixSeconds from,
                                UnixSeconds to, std::span<const DerivedRow> rows) = 0;
  // Upserts rows by (kind, scope, time), all in one transaction; a row's `updated`
  // of 0 becomes now. kUnavailable on a read-only store.
  virtual Status PutDerived(std::span<const DerivedRow> rows) = 0;
  // Rows of `kind` with time in [from, to), of one scope (or every scope when `scope`
  // is empty, or every scope starting with it when it ends with '*'), ordered by
  // (time, scope), at most `limit`.
  virtual Result<std::vector<DerivedRow>> QueryDerived(std::string_view kind,
                                                       std::string_view scope, UnixSeconds from,
                                                       UnixSeconds to, size_t limit) = 0;
};

}  // namespace ecohub::store
