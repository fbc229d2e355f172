// ReviewStore: the record of reviews (review.h), the values each changed with what
// they were before, and the days closed as reviewed. Behind one small interface,
// every backend running the same contract suite (review_store_test.cc); the SQLite
// backend keeps its own file, reviews.db.
//
// Thread-safety: every method may be called from any thread.
// Errors: kNotFound for an id that does not exist, kConflict for a decision on a
// review that is not pending or a day closed twice, kIoError when the backend fails.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/table_rows.h"
#include "review/review.h"

namespace ecohub::review {

struct ClosedDay {
  UnixSeconds day = 0;  // the start of the Beijing day
  std::string closed_by;
  UnixSeconds closed_at = 0;
  bool operator==(const ClosedDay&) const = default;
};

class ReviewStore {
 public:
  virtual ~ReviewStore() = default;
  // Records `r` (its id ignored) with the values it changed, in one transaction.
  virtual Result<int64_t> Add(const Review& r, std::span<const ReviewedValue> values) = 0;
  // A pending review decided: status "applied" (with the values it changed) or
  // "refused". kConflict when it is not pending.
  virtual Status Decide(int64_t id, const std::string& status, const std::string& by,
                        UnixSeconds at, std::span<const ReviewedValue> values) = 0;
  virtual Result<Review> Get(int64_t id) = 0;
  // Newest first: ids below `before` (0: from the newest).
  virtual Result<std::vector<Review>> List(int64_t before, size_t limit) = 0;
  virtual Result<std::vector<ReviewedValue>> Values(int64_t id) = 0;
  // The newest applied review that changed or confirmed this key, and what it did.
  virtual Result<std::optional<std::pair<Review, ReviewedValue>>> LatestFor(
      const std::string& mn, Period period, const std::string& factor, UnixSeconds time) = 0;

  // kConflict when the day is closed already.
  virtual Status CloseDay(const ClosedDay& d) = 0;
  // The closed days with a start in [from, to), in order.
  virtual Result<std::vector<ClosedDay>> ClosedDays(UnixSeconds from, UnixSeconds to) = 0;

  // For `ecohub db migrate`, as the other modules' stores.
  virtual Result<std::vector<TableRows>> ExportTables() = 0;
  virtual Status ImportTables(const std::vector<TableRows>& tables) = 0;
};

// Opens or creates `data_dir`/reviews.db.
Result<std::unique_ptr<ReviewStore>> OpenSqliteReviewStore(const std::string& data_dir);
// The tables in the PostgreSQL database at `url`.
Result<std::unique_ptr<ReviewStore>> OpenPostgresReviewStore(const std::string& url);

}  // namespace ecohub::review
