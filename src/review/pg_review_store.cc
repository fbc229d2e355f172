// The PostgreSQL ReviewStore: the same tables as reviews.db, every write applied once
// across a failover (store/pg/lease.h).
#include <algorithm>
#include <charconv>

#include "review/review_store.h"
#include "store/pg/lease.h"

namespace ecohub::review {
namespace {

using store::pg::Conn;
using store::pg::Pool;
using store::pg::Rows;
using store::pg::Str;

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: reviews, the values they changed, the closed days.
    R"sql(
CREATE TABLE reviews (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, action TEXT NOT NULL,
  site_id BIGINT NOT NULL, site_code TEXT NOT NULL, factor TEXT NOT NULL, period INTEGER NOT NULL,
  t_from BIGINT NOT NULL, t_to BIGINT NOT NULL, value TEXT NOT NULL, reason TEXT NOT NULL,
  comment TEXT NOT NULL, requested_by TEXT NOT NULL, requested_at BIGINT NOT NULL,
  status TEXT NOT NULL, decided_by TEXT NOT NULL, decided_at BIGINT NOT NULL);
CREATE TABLE review_values (
  review_id BIGINT NOT NULL, mn TEXT NOT NULL, period INTEGER NOT NULL, factor TEXT NOT NULL,
  time BIGINT NOT NULL, old_value TEXT NOT NULL, old_flag TEXT NOT NULL,
  new_value TEXT NOT NULL, new_flag TEXT NOT NULL);
CREATE INDEX review_values_key ON review_values (mn, period, factor, time, review_id);
CREATE TABLE review_days (
  day BIGINT PRIMARY KEY, closed_by TEXT NOT NULL, closed_at BIGINT NOT NULL);
)sql",
};

#define REVIEW_COLUMNS                                                                      \
  "r.id, r.action, r.site_id, r.site_code, r.factor, r.period, r.t_from, r.t_to, r.value, " \
  "r.reason, r.comment, r.requested_by, r.requested_at, r.status, r.decided_by, r.decided_at"
constexpr const char* kInsert =
    "INSERT INTO reviews (action, site_id, site_code, factor, period, t_from, t_to, value, "
    "reason, comment, requested_by, requested_at, status, decided_by, decided_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
constexpr const char* kDecide =
    "UPDATE reviews SET status = $1, decided_by = $2, decided_at = $3 "
    "WHERE id = $4 AND status = 'pending' RETURNING id";
constexpr const char* kById = "SELECT " REVIEW_COLUMNS " FROM reviews r WHERE r.id = $1";
constexpr const char* kList =
    "SELECT " REVIEW_COLUMNS " FROM reviews r WHERE r.id < $1 ORDER BY r.id DESC LIMIT $2";
constexpr const char* kValues =
    "SELECT mn, period, factor, time, old_value, old_flag, new_value, new_flag "
    "FROM review_values WHERE review_id = $1 ORDER BY mn, time";
constexpr const char* kLatest =
    "SELECT " REVIEW_COLUMNS
    ", v.mn, v.period, v.factor, v.time, v.old_value, v.old_flag, v.new_value, v.new_flag "
    "FROM review_values v JOIN reviews r ON r.id = v.review_id "
    "WHERE v.mn = $1 AND v.period = $2 AND v.factor = $3 AND v.time = $4 "
    "AND r.status = 'applied' ORDER BY v.review_id DESC LIMIT 1";
constexpr const char* kClose =
    "INSERT INTO review_days (day, closed_by, closed_at) VALUES ($1, $2, $3)";
constexpr const char* kDays =
    "SELECT day, closed_by, closed_at FROM review_days WHERE day >= $1 AND day < $2 "
    "ORDER BY day";
#undef REVIEW_COLUMNS

char Flag(std::string_view s) { return s.empty() ? 'N' : s[0]; }

Review ReadReview(const Rows& q, int i) {
  return {q.Int(i, 0),  Str(q, i, 1),  q.Int(i, 2),
          Str(q, i, 3), Str(q, i, 4),  static_cast<Period>(q.Int(i, 5)),
          q.Int(i, 6),  q.Int(i, 7),   Str(q, i, 8),
          Str(q, i, 9), Str(q, i, 10), Str(q, i, 11),
          q.Int(i, 12), Str(q, i, 13), Str(q, i, 14),
          q.Int(i, 15)};
}

ReviewedValue ReadValueAt(const Rows& q, int i, int c) {
  return {Str(q, i, c),     static_cast<Period>(q.Int(i, c + 1)),
          Str(q, i, c + 2), q.Int(i, c + 3),
          Str(q, i, c + 4), Flag(q.Text(i, c + 5)),
          Str(q, i, c + 6), Flag(q.Text(i, c + 7))};
}

Status CopyValues(Conn& db, int64_t id, std::span<const ReviewedValue> values) {
  if (values.empty()) return Status::Ok();
  TableRows rows{"review_values",
                 {"review_id", "mn", "period", "factor", "time", "old_value", "old_flag",
                  "new_value", "new_flag"}};
  for (const ReviewedValue& v : values)
    rows.rows.push_back({std::to_string(id), v.mn, std::to_string(static_cast<int>(v.period)),
                         v.factor, std::to_string(v.time), v.old_value, std::string(1, v.old_flag),
                         v.new_value, std::string(1, v.new_flag)});
  return store::pg::CopyTable(db, rows);
}

class PgReviewStore final : public ReviewStore {
 public:
  explicit PgReviewStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}

  Result<int64_t> Add(const Review& r, std::span<const ReviewedValue> values) override {
    auto id = store::pg::WriteOnceReturning(
        *pool_, "record review", [&](Conn& db) -> Result<std::string> {
          auto made = store::pg::ReturnedId(
              db.Query(kInsert, "record review", r.action, r.site_id, r.site_code, r.factor,
                       static_cast<int64_t>(r.period), r.from, r.to, r.value, r.reason, r.comment,
                       r.requested_by, r.requested_at, r.status, r.decided_by, r.decided_at));
          if (!made.ok()) return made.status();
          if (Status s = CopyValues(db, *made, values); !s.ok()) return s;
          return std::to_string(*made);
        });
    if (!id.ok()) return id.status();
    int64_t out = 0;
    std::from_chars(id->data(), id->data() + id->size(), out);
    return out;
  }

  Status Decide(int64_t id, const std::string& status, const std::string& by, UnixSeconds at,
                std::span<const ReviewedValue> values) override {
    return store::pg::WriteOnce(*pool_, "decide review", [&](Conn& db) -> Status {
      auto done = db.Query(kDecide, "decide review", status, by, at, id);
      if (!done.ok()) return done.status();
      if (done->empty()) {
        auto r = store::pg::ReadOne(db, kById, "no such review", ReadReview, id);
        return r.ok() ? Status(Code::kConflict, "review " + std::to_string(id) + " is " +
                                                    r->status + ", not pending")
                      : r.status();
      }
      return CopyValues(db, id, values);
    });
  }

  Result<Review> Get(int64_t id) override {
    return store::pg::ReadOne(*pool_, kById, "no such review", ReadReview, id);
  }

  Result<std::vector<Review>> List(int64_t before, size_t limit) override {
    return store::pg::Read(*pool_, kList, "list reviews", ReadReview,
                           before > 0 ? before : INT64_MAX,
                           static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<std::vector<ReviewedValue>> Values(int64_t id) override {
    return store::pg::Read(
        *pool_, kValues, "review values", [](const Rows& q, int i) { return ReadValueAt(q, i, 0); },
        id);
  }

  Result<std::optional<std::pair<Review, ReviewedValue>>> LatestFor(const std::string& mn,
                                                                    Period period,
                                                                    const std::string& factor,
                                                                    UnixSeconds time) override {
    using Found = std::pair<Review, ReviewedValue>;
    auto got = store::pg::Read(
        *pool_, kLatest, "latest review",
        [](const Rows& q, int i) {
          return Found{ReadReview(q, i), ReadValueAt(q, i, 16)};
        },
        mn, static_cast<int64_t>(period), factor, time);
    if (!got.ok()) return got.status();
    if (got->empty()) return std::optional<Found>();
    return std::optional<Found>(std::move(got->front()));
  }

  Status CloseDay(const ClosedDay& d) override {
    return store::pg::WriteOnce(*pool_, "close day", [&](Conn& db) -> Status {
      auto r = db.Query(kClose, "close day", d.day, d.closed_by, d.closed_at);
      return r.ok() ? Status::Ok() : r.status();
    });
  }

  Result<std::vector<ClosedDay>> ClosedDays(UnixSeconds from, UnixSeconds to) override {
    return store::pg::Read(
        *pool_, kDays, "closed days",
        [](const Rows& q, int i) {
          return ClosedDay{q.Int(i, 0), Str(q, i, 1), q.Int(i, 2)};
        },
        from, to);
  }

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("reviews");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }

 private:
  std::unique_ptr<Pool> pool_;
};

}  // namespace

Result<std::unique_ptr<ReviewStore>> OpenPostgresReviewStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub reviews", "reviews", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<ReviewStore>(std::make_unique<PgReviewStore>(std::move(*pool)));
}

}  // namespace ecohub::review
