// Day chunks on PostgreSQL (reading_days.h).
#include "store/pg/reading_days.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <tuple>

namespace ecohub::store::pg {

const char* const kReadingDaysMigration = R"sql(
CREATE TABLE reading_days (
  series BIGINT NOT NULL,
  day BIGINT NOT NULL,
  period SMALLINT NOT NULL,
  chunk BYTEA NOT NULL,
  PRIMARY KEY (series, day));
CREATE INDEX reading_days_period_day ON reading_days (period, day);
CREATE TABLE reading_days_done (
  period SMALLINT PRIMARY KEY,
  until_day BIGINT NOT NULL);
CREATE TABLE reading_days_stale (
  series BIGINT NOT NULL,
  day BIGINT NOT NULL,
  period SMALLINT NOT NULL,
  PRIMARY KEY (series, day));
)sql";

namespace {

constexpr int64_t kDay = 86400;
// A write of a time older than this may change a built day (see reading_days.h).
constexpr int64_t kLateAfter = 12 * 3600;
// Stale days rebuilt per transaction; rows fetched at a time while building.
constexpr int kStaleBatch = 2000;
constexpr int kFetchRows = 10000;

const int kChunkedPeriods[] = {static_cast<int>(Period::kHour), static_cast<int>(Period::kDay)};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }
// Days whose bounds, day * kDay and (day + 1) * kDay, fit in 64 bits: times beyond
// (a device's clock far off) are never chunked, and reads take their rows.
constexpr int64_t kMinDay = INT64_MIN / kDay + 1, kMaxDay = INT64_MAX / kDay - 1;
int64_t CeilDiv(int64_t a, int64_t b) { return a / b + (a % b != 0 && (a < 0) == (b < 0)); }

// An int8[] literal: {1,2,3}.
template <typename T, typename F>
std::string IntArray(const std::vector<T>& items, F field) {
  std::string out = "{";
  for (const T& item : items) {
    if (out.size() > 1) out.push_back(',');
    out += std::to_string(field(item));
  }
  out.push_back('}');
  return out;
}

// Collects the rows of a build, series by series and day by day in time order, into
// COPY lines of reading_days.
class ChunkWriter {
 public:
  explicit ChunkWriter(int period) : period_(period) {}

  void Add(int64_t series, int64_t t, std::string_view v, char flag) {
    const int64_t day = FloorDiv(t, kDay);
    if (series != series_ || day != day_) Flush();
    series_ = series;
    day_ = day;
    entries_.push_back({t, std::string(v), flag});
  }

  // The COPY data, every day flushed.
  const std::string& Data() {
    Flush();
    return data_;
  }

 private:
  void Flush() {
    if (entries_.empty()) return;
    data_ += std::to_string(series_) + '\t' + std::to_string(day_) + '\t' +
             std::to_string(period_) + '\t';
    AppendHex(EncodeChunk(day_ * kDay, entries_), &data_);
    data_ += '\n';
    entries_.clear();
  }

  int period_;
  int64_t series_ = 0, day_ = 0;
  std::vector<ChunkEntry> entries_;
  std::string data_;
};

char FlagOf(const Rows& r, int row, int col) {
  return r.Null(row, col) ? 0 : static_cast<char>(r.BinaryInt(row, col));
}

// `body` in a transaction as the builder: the advisory lock that makes one node the
// builder (when another node holds it, `*skipped` is set and nothing is done), then
// the lock that keeps writers of old times out.
Status AsBuilder(Conn& conn, bool* skipped, const std::function<Status()>& body) {
  return conn.InTransaction([&]() -> Status {
    auto got = conn.Query("SELECT pg_try_advisory_xact_lock(hashtext('ecohub reading days'))",
                          "reading days lock");
    if (!got.ok()) return got.status();
    if (!got->Bool(0, 0)) {
      *skipped = true;
      return Status::Ok();
    }
    Status s = conn.Exec("LOCK TABLE reading_days IN SHARE ROW EXCLUSIVE MODE");
    return s.ok() ? body() : s;
  });
}

// The first time of `period` at or after `from`, if any.
Result<std::optional<int64_t>> FirstTime(Conn& conn, int period, int64_t from) {
  auto rows = conn.Query("SELECT min(t) FROM readings WHERE period = $1 AND t >= $2",
                         "reading days: first time", period, from);
  if (!rows.ok()) return rows.status();
  return rows->OptInt(0, 0);
}

// Builds [day, day + 1) of `period` and records until_day = day + 1; `*built` counts
// its rows. `*skipped` is set when another node is building.
Status BuildDay(Conn& conn, int period, int64_t day, int64_t* built, bool* skipped) {
  return AsBuilder(conn, skipped, [&]() -> Status {
    ChunkWriter chunks(period);
    auto opened = conn.Query(
        "DECLARE build NO SCROLL CURSOR FOR SELECT series, t, v, flag FROM readings "
        "WHERE period = $1 AND t >= $2 AND t < $3 ORDER BY series, t",
        "reading days: open", period, day * kDay, (day + 1) * kDay);
    if (!opened.ok()) return opened.status();
    const std::string fetch = "FETCH " + std::to_string(kFetchRows) + " FROM build";
    for (;;) {
      auto rows = conn.QueryBinary(fetch.c_str(), "reading days: fetch", Params());
      if (!rows.ok()) return rows.status();
      for (int i = 0; i < rows->size(); ++i)
        chunks.Add(rows->BinaryInt(i, 0), rows->BinaryInt(i, 1), rows->Raw(i, 2),
                   FlagOf(*rows, i, 3));
      *built += rows->size();
      if (rows->size() < kFetchRows) break;
    }
    Status s = conn.Exec("CLOSE build");
    if (s.ok())
      s = conn.Run("DELETE FROM reading_days WHERE period = $1 AND day = $2", "reading days: clear",
                   period, day);
    if (s.ok() && !chunks.Data().empty())
      s = conn.CopyIn("COPY reading_days (series, day, period, chunk) FROM STDIN", chunks.Data());
    if (!s.ok()) return s;
    return conn.Run(
        "INSERT INTO reading_days_done (period, until_day) VALUES ($1, $2) "
        "ON CONFLICT (period) DO UPDATE SET until_day = excluded.until_day",
        "reading days: done", period, day + 1);
  });
}

// Rebuilds up to kStaleBatch stale days of `period` before `until_day`; drops the
// stale marks of later days (the forward build makes those). `*more` is set when a
// full batch was taken.
Status RebuildStale(Conn& conn, int period, int64_t until_day, bool* more, bool* skipped) {
  return AsBuilder(conn, skipped, [&]() -> Status {
    Status s = conn.Run("DELETE FROM reading_days_stale WHERE period = $1 AND day >= $2",
                        "reading days: unmark later", period, until_day);
    if (!s.ok()) return s;
    auto marked = conn.Query(
        "DELETE FROM reading_days_stale WHERE (series, day) IN (SELECT series, day FROM "
        "reading_days_stale WHERE period = $1 LIMIT $2) RETURNING series, day",
        "reading days: stale", period, kStaleBatch);
    if (!marked.ok()) return marked.status();
    *more = marked->size() == kStaleBatch;
    if (marked->empty()) return Status::Ok();
    std::vector<std::pair<int64_t, int64_t>> days;
    for (int i = 0; i < marked->size(); ++i)
      days.emplace_back(marked->Int(i, 0), marked->Int(i, 1));
    std::sort(days.begin(), days.end());
    const std::string series = IntArray(days, [](const auto& d) { return d.first; });
    const std::string day = IntArray(days, [](const auto& d) { return d.second; });
    auto rows = conn.QueryBinary(
        "SELECT r.series, r.t, r.v, r.flag FROM unnest($2::int8[], $3::int8[]) AS g(s, d) "
        "CROSS JOIN LATERAL (SELECT series, t, v, flag FROM readings WHERE period = $1 "
        "AND series = g.s AND t >= g.d * 86400 AND t < (g.d + 1) * 86400 ORDER BY t) r",
        "reading days: stale rows", Params(period, series, day));
    if (!rows.ok()) return rows.status();
    ChunkWriter chunks(period);
    for (int i = 0; i < rows->size(); ++i)
      chunks.Add(rows->BinaryInt(i, 0), rows->BinaryInt(i, 1), rows->Raw(i, 2),
                 FlagOf(*rows, i, 3));
    s = conn.Run(
        "DELETE FROM reading_days WHERE (series, day) IN "
        "(SELECT * FROM unnest($1::int8[], $2::int8[]))",
        "reading days: clear stale", series, day);
    if (s.ok() && !chunks.Data().empty())
      s = conn.CopyIn("COPY reading_days (series, day, period, chunk) FROM STDIN", chunks.Data());
    return s;
  });
}

}  // namespace

bool DayChunked(int period) {
  return std::find(std::begin(kChunkedPeriods), std::end(kChunkedPeriods), period) !=
         std::end(kChunkedPeriods);
}

Status ForgetChangedDays(Conn& w, std::span<const SeriesTime> rows, UnixSeconds wall_now) {
  struct Day {
    int64_t series, day;
    int period;
    bool operator<(const Day& o) const { return std::tie(series, day) < std::tie(o.series, o.day); }
    bool operator==(const Day& o) const { return series == o.series && day == o.day; }
  };
  std::vector<Day> days;
  for (const SeriesTime& r : rows)
    if (r.t < wall_now - kLateAfter && DayChunked(r.period) && FloorDiv(r.t, kDay) >= kMinDay)
      days.push_back({r.series, FloorDiv(r.t, kDay), r.period});
  if (days.empty()) return Status::Ok();
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  const std::string series = IntArray(days, [](const Day& d) { return d.series; });
  const std::string day = IntArray(days, [](const Day& d) { return d.day; });
  // The DELETE comes first: its lock is what a concurrent build waits for.
  Status s = w.Run(
      "DELETE FROM reading_days WHERE (series, day) IN "
      "(SELECT * FROM unnest($1::int8[], $2::int8[]))",
      "reading days: forget", series, day);
  if (!s.ok()) return s;
  // Only days already built are marked: the lock taken above makes a build of a later
  // day wait for this transaction, and then read its rows.
  return w.Run(
      "INSERT INTO reading_days_stale (series, day, period) SELECT g.s, g.d, g.p "
      "FROM unnest($1::int8[], $2::int8[], $3::int2[]) AS g(s, d, p) "
      "JOIN reading_days_done w ON w.period = g.p WHERE g.d < w.until_day "
      "ON CONFLICT DO NOTHING",
      "reading days: mark stale", series, day,
      IntArray(days, [](const Day& d) { return d.period; }));
}

Status BuildDays(Conn& conn, UnixSeconds before, UnixSeconds wall_now) {
  const int64_t end_day = std::min(FloorDiv(std::min(before, wall_now - kDay), kDay), kMaxDay);
  for (int period : kChunkedPeriods) {
    auto done = conn.Query("SELECT until_day FROM reading_days_done WHERE period = $1",
                           "reading days: progress", period);
    if (!done.ok()) return done.status();
    // Days before `until` are built; nothing built yet is INT64_MIN.
    int64_t until = done->empty() ? INT64_MIN : done->Int(0, 0);
    bool skipped = false;
    // After a day without rows (and at the start), the next day with rows is found in
    // one step, so that a year without data is not a year of transactions.
    for (bool look = until == INT64_MIN;;) {
      int64_t day = until;
      if (look) {
        auto first = FirstTime(conn, period, until == INT64_MIN ? INT64_MIN : until * kDay);
        if (!first.ok()) return first.status();
        if (!*first) break;
        day = std::max(FloorDiv(**first, kDay), kMinDay);
      }
      if (day >= end_day) break;
      int64_t built = 0;
      Status s = BuildDay(conn, period, day, &built, &skipped);
      if (!s.ok()) return s;
      if (skipped) return Status::Ok();
      until = day + 1;
      look = built == 0;
    }
    for (bool more = true; more;) {
      Status s = RebuildStale(conn, period, until, &more, &skipped);
      if (!s.ok()) return s;
      if (skipped) return Status::Ok();
    }
  }
  return Status::Ok();
}

Status PruneDays(Conn& conn, int period, UnixSeconds before) {
  if (!DayChunked(period)) return Status::Ok();
  const int64_t day = CeilDiv(before, kDay);
  Status s = conn.Run("DELETE FROM reading_days WHERE period = $1 AND day < $2",
                      "reading days: prune", period, day);
  if (!s.ok()) return s;
  return conn.Run("DELETE FROM reading_days_stale WHERE period = $1 AND day < $2",
                  "reading days: prune stale", period, day);
}

Result<std::vector<ChunkEntry>> ReadDays(Conn& conn, std::string_view mn, int period,
                                         std::string_view factor, std::string_view field,
                                         UnixSeconds from, UnixSeconds to) {
  std::vector<ChunkEntry> out;
  if (from >= to) return out;
  // Whole days inside [from, to): first_day * 86400 >= from, end_day * 86400 <= to.
  const int64_t first_day = CeilDiv(from, kDay), end_day = FloorDiv(to, kDay);
  auto days = conn.QueryBinary(
      "SELECT s.id, c.day, c.chunk FROM series s LEFT JOIN reading_days c ON c.series = s.id "
      "AND c.day >= $5 AND c.day < $6 WHERE s.mn = $1 AND s.period = $2 AND s.factor = $3 "
      "AND s.field = $4 ORDER BY c.day",
      "range: days", Params(Bytes{mn}, period, Bytes{factor}, Bytes{field}, first_day, end_day));
  if (!days.ok()) return days.status();
  if (days->empty()) return out;  // no such series
  const int64_t series = days->BinaryInt(0, 0);
  // The stretches of [from, to) that no chunk covers, read from the rows.
  std::vector<std::pair<int64_t, int64_t>> gaps;
  int64_t cursor = from;
  for (int i = 0; i < days->size(); ++i) {
    if (days->Null(i, 1)) continue;
    const int64_t start = days->BinaryInt(i, 1) * kDay;
    if (start > cursor) gaps.emplace_back(cursor, start);
    cursor = start + kDay;
  }
  if (cursor < to) gaps.emplace_back(cursor, to);
  std::vector<ChunkEntry> rows;
  if (!gaps.empty()) {
    auto got = conn.QueryBinary(
        "SELECT r.t, r.v, r.flag FROM unnest($3::int8[], $4::int8[]) AS g(a, b) "
        "CROSS JOIN LATERAL (SELECT t, v, flag FROM readings WHERE period = $2 "
        "AND series = $1 AND t >= g.a AND t < g.b ORDER BY t) r",
        "range: rows",
        Params(series, period, IntArray(gaps, [](const auto& g) { return g.first; }),
               IntArray(gaps, [](const auto& g) { return g.second; })));
    if (!got.ok()) return got.status();
    rows.reserve(got->size());
    for (int i = 0; i < got->size(); ++i)
      rows.push_back({got->BinaryInt(i, 0), std::string(got->Raw(i, 1)), FlagOf(*got, i, 2)});
  }
  // Chunks and gaps take turns in time order: merge them.
  out.reserve(rows.size() + 24 * days->size());
  size_t next = 0;
  std::vector<ChunkEntry> day;
  for (int i = 0; i < days->size(); ++i) {
    if (days->Null(i, 1)) continue;
    const int64_t start = days->BinaryInt(i, 1) * kDay;
    while (next < rows.size() && rows[next].time < start) out.push_back(std::move(rows[next++]));
    day.clear();
    Status s = DecodeChunk(start, days->Raw(i, 2), &day);
    if (!s.ok()) return s;
    for (ChunkEntry& e : day) out.push_back(std::move(e));
  }
  while (next < rows.size()) out.push_back(std::move(rows[next++]));
  return out;
}

}  // namespace ecohub::store::pg
