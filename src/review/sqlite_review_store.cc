// The SQLite ReviewStore: its own file reviews.db under the data directory, fsynced
// on every commit, over the store module's SQLite helper. One connection behind its
// mutex.
#include <algorithm>
#include <filesystem>
#include <mutex>

#include "review/review_store.h"
#include "store/sqlite/db.h"

namespace ecohub::review {
namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

constexpr const char* kMigrations[] = {
    // 1: reviews, the values they changed, the closed days.
    R"sql(
CREATE TABLE IF NOT EXISTS reviews (
  id INTEGER PRIMARY KEY, action TEXT NOT NULL, site_id INTEGER NOT NULL,
  site_code TEXT NOT NULL, factor TEXT NOT NULL, period INTEGER NOT NULL,
  t_from INTEGER NOT NULL, t_to INTEGER NOT NULL, value TEXT NOT NULL, reason TEXT NOT NULL,
  comment TEXT NOT NULL, requested_by TEXT NOT NULL, requested_at INTEGER NOT NULL,
  status TEXT NOT NULL, decided_by TEXT NOT NULL, decided_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS review_values (
  review_id INTEGER NOT NULL, mn TEXT NOT NULL, period INTEGER NOT NULL, factor TEXT NOT NULL,
  time INTEGER NOT NULL, old_value TEXT NOT NULL, old_flag TEXT NOT NULL,
  new_value TEXT NOT NULL, new_flag TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS review_values_key
  ON review_values (mn, period, factor, time, review_id);
CREATE TABLE IF NOT EXISTS review_days (
  day INTEGER PRIMARY KEY, closed_by TEXT NOT NULL, closed_at INTEGER NOT NULL);
)sql",
};

#define REVIEW_COLUMNS                                                                      \
  "r.id, r.action, r.site_id, r.site_code, r.factor, r.period, r.t_from, r.t_to, r.value, " \
  "r.reason, r.comment, r.requested_by, r.requested_at, r.status, r.decided_by, r.decided_at"
constexpr const char* kInsert =
    "INSERT INTO reviews (action, site_id, site_code, factor, period, t_from, t_to, value, "
    "reason, comment, requested_by, requested_at, status, decided_by, decided_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr const char* kInsertValue =
    "INSERT INTO review_values (review_id, mn, period, factor, time, old_value, old_flag, "
    "new_value, new_flag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kDecide =
    "UPDATE reviews SET status = ?, decided_by = ?, decided_at = ? "
    "WHERE id = ? AND status = 'pending'";
constexpr const char* kById = "SELECT " REVIEW_COLUMNS " FROM reviews r WHERE r.id = ?";
constexpr const char* kList =
    "SELECT " REVIEW_COLUMNS " FROM reviews r WHERE r.id < ? ORDER BY r.id DESC LIMIT ?";
constexpr const char* kValues =
    "SELECT mn, period, factor, time, old_value, old_flag, new_value, new_flag "
    "FROM review_values WHERE review_id = ? ORDER BY mn, time";
constexpr const char* kLatest =
    "SELECT " REVIEW_COLUMNS
    ", v.mn, v.period, v.factor, v.time, v.old_value, v.old_flag, v.new_value, v.new_flag "
    "FROM review_values v JOIN reviews r ON r.id = v.review_id "
    "WHERE v.mn = ? AND v.period = ? AND v.factor = ? AND v.time = ? AND r.status = 'applied' "
    "ORDER BY v.review_id DESC LIMIT 1";
constexpr const char* kClose =
    "INSERT INTO review_days (day, closed_by, closed_at) VALUES (?, ?, ?)";
constexpr const char* kDays =
    "SELECT day, closed_by, closed_at FROM review_days WHERE day >= ? AND day < ? ORDER BY day";
#undef REVIEW_COLUMNS

char Flag(const std::string& s) { return s.empty() ? 'N' : s[0]; }

Review ReadReview(const Stmt& q) {
  return {q.Int(0),  q.Text(1),  q.Int(2),   q.Text(3), q.Text(4),  static_cast<Period>(q.Int(5)),
          q.Int(6),  q.Int(7),   q.Text(8),  q.Text(9), q.Text(10), q.Text(11),
          q.Int(12), q.Text(13), q.Text(14), q.Int(15)};
}

ReviewedValue ReadValue(const Stmt& q, int c) {
  return {q.Text(c),     static_cast<Period>(q.Int(c + 1)),
          q.Text(c + 2), q.Int(c + 3),
          q.Text(c + 4), Flag(q.Text(c + 5)),
          q.Text(c + 6), Flag(q.Text(c + 7))};
}

class SqliteReviewStore final : public ReviewStore {
 public:
  explicit SqliteReviewStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<int64_t> Add(const Review& r, std::span<const ReviewedValue> values) override {
    std::lock_guard lock(db_->mu());
    int64_t id = 0;
    Status s = db_->InTransaction([&]() -> Status {
      auto made = db_->InsertReturningId(kInsert, "record review", r.action, r.site_id, r.site_code,
                                         r.factor, static_cast<int64_t>(r.period), r.from, r.to,
                                         r.value, r.reason, r.comment, r.requested_by,
                                         r.requested_at, r.status, r.decided_by, r.decided_at);
      if (!made.ok()) return made.status();
      id = *made;
      return InsertValues(id, values);
    });
    if (!s.ok()) return s;
    return id;
  }

  Status Decide(int64_t id, const std::string& status, const std::string& by, UnixSeconds at,
                std::span<const ReviewedValue> values) override {
    std::lock_guard lock(db_->mu());
    return db_->InTransaction([&]() -> Status {
      if (Status s = db_->Run(kDecide, "decide review", status, by, at, id); !s.ok()) return s;
      if (db_->Changes() == 0) {
        auto r = db_->QueryOne(kById, "no such review", ReadReview, id);
        return r.ok() ? Status(Code::kConflict, "review " + std::to_string(id) + " is " +
                                                    r->status + ", not pending")
                      : r.status();
      }
      return InsertValues(id, values);
    });
  }

  Result<Review> Get(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(kById, "no such review", ReadReview, id);
  }

  Result<std::vector<Review>> List(int64_t before, size_t limit) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(kList, "list reviews", ReadReview, before > 0 ? before : INT64_MAX,
                      static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<std::vector<ReviewedValue>> Values(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(
        kValues, "review values", [](const Stmt& q) { return ReadValue(q, 0); }, id);
  }

  Result<std::optional<std::pair<Review, ReviewedValue>>> LatestFor(const std::string& mn,
                                                                    Period period,
                                                                    const std::string& factor,
                                                                    UnixSeconds time) override {
    std::lock_guard lock(db_->mu());
    using Found = std::pair<Review, ReviewedValue>;
    auto got = db_->QueryOne(
        kLatest, "not reviewed",
        [](const Stmt& q) {
          return Found{ReadReview(q), ReadValue(q, 16)};
        },
        mn, static_cast<int64_t>(period), factor, time);
    if (got.status().code() == Code::kNotFound) return std::optional<Found>();
    if (!got.ok()) return got.status();
    return std::optional<Found>(std::move(*got));
  }

  Status CloseDay(const ClosedDay& d) override {
    std::lock_guard lock(db_->mu());
    return db_->Run(kClose, "close day", d.day, d.closed_by, d.closed_at);
  }

  Result<std::vector<ClosedDay>> ClosedDays(UnixSeconds from, UnixSeconds to) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(
        kDays, "closed days",
        [](const Stmt& q) {
          return ClosedDay{q.Int(0), q.Text(1), q.Int(2)};
        },
        from, to);
  }

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    constexpr const char* kTables[] = {"reviews", "review_values", "review_days"};
    return store::sqlite::ReadTables(*db_, kTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("reviews");
  }

 private:
  Status InsertValues(int64_t id, std::span<const ReviewedValue> values) {
    for (const ReviewedValue& v : values)
      if (Status s = db_->Run(kInsertValue, "record reviewed value", id, v.mn,
                              static_cast<int64_t>(v.period), v.factor, v.time, v.old_value,
                              std::string(1, v.old_flag), v.new_value, std::string(1, v.new_flag));
          !s.ok())
        return s;
    return Status::Ok();
  }

  std::unique_ptr<Db> db_;
};

}  // namespace

Result<std::unique_ptr<ReviewStore>> OpenSqliteReviewStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "reviews.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ReviewStore>(std::make_unique<SqliteReviewStore>(std::move(*db)));
}

}  // namespace ecohub::review
