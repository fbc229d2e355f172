// The readings module of the PostgreSQL store (modules.h). Layout:
//
//   series (id, mn, period, factor, field)   one row per series; ids cached in memory
//   readings (series, t, flag, period, v)    PARTITION BY LIST (period): readings_p<N>,
//                                            each PARTITION BY RANGE (t): one partition
//                                            per UTC month, readings_p<N>_<YYYYMM>,
//                                            created on demand; readings_p<N>_early and
//                                            _late take times before 2000 and from 2100
//   raw_packets (id, received, peer, mn, verdict, bytes)
//
// Why a period level: retention is per period (real-time data for months, hours for
// years), so a month of one period is dropped whole, without a DELETE. `period`
// repeats what the series says (two bytes a row); the key (series, t, period) is the
// series' own key, since a series has one period. Values stay the exact bytes the
// device sent: on PostgreSQL a short string is smaller than a packed integer, which
// is aligned to 8 bytes. What devices send (mn, factor, field, value, the mn of a raw
// packet) is BYTEA, not TEXT: a TEXT column refuses bytes that are not UTF-8, and
// one device's stray byte would fail the group commit of every packet beside it.
// bytea compares as memcmp, the order SQLite's BINARY collation gives. The key
// makes the year of one series an index range scan over twelve partitions of one
// period, the others pruned at plan time.
//
// Appends are group commits on the writer connection: new series are COPYed into a
// temporary staging table and inserted from it; the readings are COPYed straight
// into readings, or, when the batch repeats a stored key, staged and upserted; raw
// packets are COPYed into raw_packets. Reads and retention lease a pool connection;
// scans go through a server-side cursor, a bounded number of rows at a time.
#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "store/pg/modules.h"
#include "store/pg/reading_days.h"
#include "store/series_memo.h"

namespace ecohub::store::pg {

namespace {

// Rows fetched at a time by a scan's cursor.
constexpr int kFetchRows = 10000;

const char* const kMigrations[] = {
    R"sql(
CREATE TABLE series (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  mn BYTEA NOT NULL,
  period SMALLINT NOT NULL,
  factor BYTEA NOT NULL,
  field BYTEA NOT NULL,
  UNIQUE (mn, period, factor, field));
CREATE TABLE readings (
  series BIGINT NOT NULL,
  t BIGINT NOT NULL,
  flag SMALLINT,
  period SMALLINT NOT NULL,
  v BYTEA NOT NULL,
  PRIMARY KEY (series, t, period)) PARTITION BY LIST (period);
CREATE TABLE readings_p0 PARTITION OF readings FOR VALUES IN (0) PARTITION BY RANGE (t);
CREATE TABLE readings_p1 PARTITION OF readings FOR VALUES IN (1) PARTITION BY RANGE (t);
CREATE TABLE readings_p2 PARTITION OF readings FOR VALUES IN (2) PARTITION BY RANGE (t);
CREATE TABLE readings_p3 PARTITION OF readings FOR VALUES IN (3) PARTITION BY RANGE (t);
CREATE TABLE readings_p4 PARTITION OF readings FOR VALUES IN (4) PARTITION BY RANGE (t);
CREATE TABLE readings_p5 PARTITION OF readings FOR VALUES IN (5) PARTITION BY RANGE (t);
CREATE TABLE raw_packets (
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  received BIGINT NOT NULL,
  peer TEXT NOT NULL,
  mn BYTEA NOT NULL,
  verdict TEXT NOT NULL,
  bytes BYTEA NOT NULL);
CREATE INDEX raw_packets_received ON raw_packets (received);
)sql",
    kReadingDaysMigration,
};

// Per writer session (temporary tables live as long as the connection): where a
// group commit stages its rows before the upsert.
constexpr const char* kStaging = R"sql(
CREATE TEMP TABLE IF NOT EXISTS stage_series (
  mn BYTEA, period SMALLINT, factor BYTEA, field BYTEA) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_readings (
  series BIGINT, t BIGINT, flag SMALLINT, period SMALLINT, v BYTEA) ON COMMIT DELETE ROWS;
)sql";

// Months have partitions from 2000 to 2099; the rest of time has one catch-all
// partition on each side, so a device whose clock is far off fills those instead of
// making a table for every month it invents.
constexpr int kFirstYear = 2000, kEndYear = 2100;
int64_t MonthStart(int year, int month) { return DaysFromCivil(year, month, 1) * 86400; }

// One leaf partition of readings: times [from, to) of one period.
struct Partition {
  int period = 0;
  std::string name;
  int64_t from = INT64_MIN, to = INT64_MAX;
};

std::string PeriodTable(int period) { return "readings_p" + std::to_string(period); }

Partition PartitionOf(int period, int64_t t) {
  const int64_t lo = MonthStart(kFirstYear, 1), hi = MonthStart(kEndYear, 1);
  const std::string base = PeriodTable(period) + "_";
  if (t < lo) return {period, base + "early", INT64_MIN, lo};
  if (t >= hi) return {period, base + "late", hi, INT64_MAX};
  CivilTime c = CivilFromSeconds(t);
  char month[8];
  std::snprintf(month, sizeof month, "%04d%02d", c.year, c.month);
  int64_t end = c.month == 12 ? MonthStart(c.year + 1, 1) : MonthStart(c.year, c.month + 1);
  return {period, base + month, MonthStart(c.year, c.month), end};
}

// The partition a leaf's name stands for (PartitionOf's names); nullopt for a name
// this module did not make.
std::optional<Partition> PartitionNamed(std::string_view name) {
  int period = 0, year = 0, month = 0;
  char tail[8] = {};
  std::string n(name);
  if (std::sscanf(n.c_str(), "readings_p%d_%7s", &period, tail) != 2) return std::nullopt;
  std::string_view rest(tail);
  if (rest == "early") return PartitionOf(period, INT64_MIN);
  if (rest == "late") return PartitionOf(period, INT64_MAX);
  if (rest.size() != 6 || std::sscanf(tail, "%4d%2d", &year, &month) != 2 || month < 1 ||
      month > 12 || year < kFirstYear || year >= kEndYear)
    return std::nullopt;
  return PartitionOf(period, MonthStart(year, month));
}

// Creates `p` unless it exists. Creating a partition takes its parent's exclusive
// lock (it waits for the readers of that period); finding it made costs no lock.
Status CreatePartition(Conn& conn, const Partition& p) {
  auto bound = [](int64_t v) {
    return v == INT64_MIN   ? std::string("MINVALUE")
           : v == INT64_MAX ? std::string("MAXVALUE")
                            : std::to_string(v);
  };
  const std::string sql = "CREATE TABLE IF NOT EXISTS " + p.name + " PARTITION OF " +
                          PeriodTable(p.period) + " FOR VALUES FROM (" + bound(p.from) + ") TO (" +
                          bound(p.to) + ")";
  Status s = conn.Exec(sql);
  // Another node created it at the same moment: it exists now.
  return s.ok() ? s : conn.Exec(sql);
}

// A bytea[] literal of `items` ({"\\x41","\\x42"}).
std::string ByteaArray(std::span<const std::string> items) {
  std::string out = "{";
  for (const std::string& s : items) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    AppendHex(s, &out);
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// A reading's flag is a character or absent (0, stored as NULL).
char FlagAt(const Rows& r, int row, int col) {
  return r.Null(row, col) ? 0 : static_cast<char>(r.Int(row, col));
}

std::string SeriesKey(std::string_view mn, int period, std::string_view factor,
                      std::string_view field) {
  std::string k;
  k.reserve(mn.size() + factor.size() + field.size() + 4);
  k.append(mn).push_back('\x1f');
  k.push_back(static_cast<char>('0' + period));
  k.append(factor).push_back('\x1f');
  k.append(field);
  return k;
}

// Leaf partitions of `root` (a partitioned table), by name.
Result<std::vector<Partition>> LeafPartitions(Conn& conn, const std::string& root) {
  auto rows = conn.Query(
      "SELECT c.relname FROM pg_partition_tree($1::regclass) p JOIN pg_class c ON c.oid = p.relid "
      "WHERE p.isleaf",
      "list partitions", root);
  if (!rows.ok()) return rows.status();
  std::vector<Partition> out;
  for (int i = 0; i < rows->size(); ++i)
    if (auto p = PartitionNamed(rows->Text(i, 0))) out.push_back(std::move(*p));
  return out;
}

class Readings final : public ReadingStore {
 public:
  explicit Readings(Connections& c) : c_(c) {}

  Status Open() {
    std::lock_guard lock(c_.writer_mu);
    Status s = c_.writer->Migrate("readings", kMigrations);
    if (!s.ok()) return s;
    auto rows = c_.writer->Query("SELECT id, mn, period, factor, field FROM series", "series");
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < rows->size(); ++i)
      series_ids_[SeriesKey(rows->Bytea(i, 1), static_cast<int>(rows->Int(i, 2)), rows->Bytea(i, 3),
                            rows->Bytea(i, 4))] = rows->Int(i, 0);
    return Status::Ok();
  }

  Status Append(std::span<const Batch* const> batches) override {
    std::lock_guard lock(c_.writer_mu);
    Conn& w = *c_.writer;
    if (!w.Healthy()) {
      Status s = w.Reconnect();
      if (!s.ok()) return s;
      staged_ = false;  // the temporary tables went with the old session
    }
    if (!staged_) {
      Status s = w.Exec(kStaging);
      if (!s.ok()) return s;
      staged_ = true;
    }
    Status s = EnsurePartitions(w, batches);
    if (!s.ok()) return s;
    std::vector<std::string> created;
    s = w.InTransaction([&] { return Commit(w, batches, &created); });
    if (!s.ok()) {
      // The ids the failed transaction made do not exist; a partition this node
      // believed in may have been dropped by another node's retention.
      for (const auto& k : created) series_ids_.erase(k);
      if (!created.empty()) memo_.Clear();
      partitions_.clear();
    }
    return s;
  }

  Status ScanReadings(const std::function<bool(const Reading&)>& fn) override {
    return Scan(
        "SELECT s.mn, s.period, r.t, s.factor, s.field, r.v, r.flag FROM readings r "
        "JOIN series s ON s.id = r.series ORDER BY s.mn, s.period, r.t, s.factor, s.field",
        Params(), [&](const Rows& r, int i) {
          return fn(Reading{r.Bytea(i, 0), static_cast<Period>(r.Int(i, 1)), r.Int(i, 2),
                            r.Bytea(i, 3), r.Bytea(i, 4), r.Bytea(i, 5), FlagAt(r, i, 6)});
        });
  }

  Result<std::vector<Reading>> Range(std::string_view mn, Period period, std::string_view factor,
                                     std::string_view field, UnixSeconds from,
                                     UnixSeconds to) override {
    auto lease = c_.pool->Get();
    if (!lease.ok()) return lease.status();
    std::vector<Reading> out;
    if (DayChunked(static_cast<int>(period))) {
      // A year of hours: 366 chunks rather than 8,784 rows (reading_days.h).
      auto entries = ReadDays(**lease, mn, static_cast<int>(period), factor, field, from, to);
      if (!entries.ok()) return entries.status();
      out.reserve(entries->size());
      for (ChunkEntry& e : *entries)
        out.push_back(Reading{std::string(mn), period, e.time, std::string(factor),
                              std::string(field), std::move(e.value), e.flag});
      return out;
    }
    // The period as a parameter prunes every other period's partitions, the time
    // bounds every month outside [from, to); in binary, nothing to parse or unescape.
    auto rows = (*lease)->QueryBinary(
        "SELECT r.t, r.v, r.flag FROM readings r WHERE r.period = $2 AND r.series = "
        "(SELECT id FROM series WHERE mn = $1 AND period = $2 AND factor = $3 AND field = $4) "
        "AND r.t >= $5 AND r.t < $6 ORDER BY r.t",
        "range",
        Params(Bytes{mn}, static_cast<int>(period), Bytes{factor}, Bytes{field}, from, to));
    if (!rows.ok()) return rows.status();
    out.reserve(rows->size());
    for (int i = 0; i < rows->size(); ++i)
      out.push_back(Reading{std::string(mn), period, rows->BinaryInt(i, 0), std::string(factor),
                            std::string(field), std::string(rows->Raw(i, 1)),
                            static_cast<char>(rows->Null(i, 2) ? 0 : rows->BinaryInt(i, 2))});
    return out;
  }

  Status ScanWindow(Period period, UnixSeconds from, UnixSeconds to,
                    std::span<const std::string> mns,
                    const std::function<bool(const Reading&)>& fn) override {
    std::optional<std::string> only;
    if (!mns.empty()) only = ByteaArray(mns);
    return Scan(
        "SELECT s.mn, s.factor, s.field, r.t, r.v, r.flag FROM readings r "
        "JOIN series s ON s.id = r.series WHERE r.period = $1 AND r.t >= $2 AND r.t < $3 "
        "AND ($4::bytea[] IS NULL OR s.mn = ANY ($4::bytea[])) ORDER BY r.series, r.t",
        Params(static_cast<int>(period), from, to, only), [&](const Rows& r, int i) {
          return fn(Reading{r.Bytea(i, 0), period, r.Int(i, 3), r.Bytea(i, 1), r.Bytea(i, 2),
                            r.Bytea(i, 4), FlagAt(r, i, 5)});
        });
  }

  Result<std::vector<LatestValue>> LatestAll() override { return Latest("TRUE", std::nullopt); }

  Result<std::vector<LatestValue>> LatestForSite(int64_t site_id) override {
    // `devices` is the registry module's table (pg/registry.cc).
    return Latest("s.mn IN (SELECT convert_to(mn, 'UTF8') FROM devices WHERE site_id = $1)",
                  site_id);
  }

  Result<int64_t> CountReadings() override {
    auto lease = c_.pool->Get();
    if (!lease.ok()) return lease.status();
    auto rows = (*lease)->Query("SELECT count(*) FROM readings", "count readings");
    if (!rows.ok()) return rows.status();
    return rows->Int(0, 0);
  }

  Result<std::vector<std::pair<std::string, int64_t>>> TableBytes() override {
    auto lease = c_.pool->Get();
    if (!lease.ok()) return lease.status();
    // Each table with its indexes and TOAST; readings summed over its partitions.
    auto rows = (*lease)->Query(
        "SELECT 'readings', (SELECT coalesce(sum(pg_total_relation_size(relid)), 0) "
        "FROM pg_partition_tree('readings'))::bigint "
        "UNION ALL SELECT 'series', pg_total_relation_size('series') "
        "UNION ALL SELECT 'reading_days', pg_total_relation_size('reading_days') "
        "UNION ALL SELECT 'raw_packets', pg_total_relation_size('raw_packets') ORDER BY 2 DESC",
        "table bytes");
    if (!rows.ok()) return rows.status();
    std::vector<std::pair<std::string, int64_t>> out;
    for (int i = 0; i < rows->size(); ++i)
      out.emplace_back(std::string(rows->Text(i, 0)), rows->Int(i, 1));
    return out;
  }

  Result<std::vector<RawPacket>> RawPackets(std::string_view mn, UnixMillis from, UnixMillis to,
                                            size_t limit) override {
    auto lease = c_.pool->Get();
    if (!lease.ok()) return lease.status();
    auto rows = (*lease)->Query(
        "SELECT received, peer, mn, verdict, bytes FROM raw_packets WHERE mn = $1 AND "
        "received >= $2 AND received < $3 ORDER BY received DESC, id DESC LIMIT $4",
        "raw packets", Bytes{mn}, from, to, static_cast<int64_t>(limit));
    if (!rows.ok()) return rows.status();
    std::vector<RawPacket> out;
    for (int i = 0; i < rows->size(); ++i)
      out.push_back({rows->Int(i, 0), std::string(rows->Text(i, 1)), rows->Bytea(i, 2),
                     std::string(rows->Text(i, 3)), rows->Bytea(i, 4)});
    return out;
  }

  // Retention runs on a pool connection: a long DELETE does not hold appends back.
  Status PruneRaw(UnixMillis before) override {
    auto lease = c_.pool->Get();
    if (!lease.ok()) return lease.status();
    return (*lease)->Run("DELETE FROM raw_packets WHERE received < $1", "prune raw", before);
  }

  // Months of the period wholly before `before` are dropped; what is left before it
  // (the month that straddles it, a month whose drop gave way) goes by DELETE.
  Status PruneReadings(Period period, UnixSeconds before) override {
    auto lease = c_.pool->Get();
    if (!lease.ok()) return lease.status();
    Conn& conn = **lease;
    const int p = static_cast<int>(period);
    auto leaves = LeafPartitions(conn, PeriodTable(p));
    if (!leaves.ok()) return leaves.status();
    for (const Partition& leaf : *leaves) {
      if (leaf.to > before) continue;
      {
        std::lock_guard lock(c_.writer_mu);
        partitions_.erase(leaf.name);
      }
      // A drop waits for the period's readers (a long scan holds them all) and every
      // new reader queues behind it: rather than that, it gives up after a second
      // and the DELETE removes the rows.
      Status dropped = conn.InTransaction([&] {
        Status s = conn.Exec("SET LOCAL lock_timeout = '1s'");
        return s.ok() ? conn.Exec("DROP TABLE IF EXISTS " + leaf.name) : s;
      });
      if (!dropped.ok() && !conn.Healthy()) return dropped;
    }
    Status s = PruneDays(conn, p, before);
    if (!s.ok()) return s;
    return conn.Run("DELETE FROM readings WHERE period = $1 AND t < $2", "prune readings", p,
                    before);
  }

  // Rows stay where Append put them; what compaction means here is, first, the day
  // chunks of hours and days that ended a day ago (reading_days.h: a copy beside the
  // rows, so reads see the same data before and after), and then VACUUM (ANALYZE):
  // dead row versions left by upserts and prunes become reusable and the planner's
  // statistics catch up. Compact() does every table; a partial one the partitions
  // that received times since the previous call's `before` (older months' late rows
  // are autovacuum's), and it makes the month after the one holding `before` for each
  // period, ahead of its first append. On a pool connection: VACUUM refuses a
  // transaction block, and does not block appends.
  Status Compact(UnixSeconds before) override {
    auto lease = c_.pool->Get();
    if (!lease.ok()) return lease.status();
    Conn& conn = **lease;
    std::lock_guard lock(compact_mu_);
    Status s = BuildDays(conn, before, WallMillis() / 1000);
    if (!s.ok()) return s;
    if (before == INT64_MAX)
      return conn.Exec("VACUUM (ANALYZE) readings, series, raw_packets, reading_days");
    auto leaves = LeafPartitions(conn, "readings");
    if (!leaves.ok()) return leaves.status();
    std::string names;
    for (const Partition& leaf : *leaves) {
      if (leaf.from < before && leaf.to > compacted_before_)
        names += (names.empty() ? "" : ", ") + leaf.name;
      if (s.ok() && leaf.from <= before && before < leaf.to && leaf.from != INT64_MIN &&
          leaf.to != INT64_MAX)
        s = CreatePartition(conn, PartitionOf(leaf.period, leaf.to));
    }
    if (s.ok() && !names.empty()) s = conn.Exec("VACUUM (ANALYZE) " + names);
    if (s.ok()) compacted_before_ = std::max(compacted_before_, before);
    return s;
  }

 private:
  // Creates the partitions the batches' readings fall into that this node has not
  // made or seen yet, each in its own statement before the group commit (inside it,
  // the parent's exclusive lock would be held, and readers kept out, until the
  // commit). Compact makes next month's ahead, so this is rarely more than a lookup.
  Status EnsurePartitions(Conn& w, std::span<const Batch* const> batches) {
    int last_period = -1;
    Partition last;
    for (const Batch* b : batches)
      for (const Reading& r : b->readings) {
        const int p = static_cast<int>(r.period);
        if (p == last_period && r.time >= last.from && r.time < last.to) continue;
        last_period = p;
        last = PartitionOf(p, r.time);
        if (partitions_.count(last.name)) continue;
        Status s = CreatePartition(w, last);
        if (!s.ok()) return s;
        partitions_.insert(last.name);
      }
    return Status::Ok();
  }

  // The body of Append's transaction. `created` receives the keys of series ids
  // cached by this call.
  Status Commit(Conn& w, std::span<const Batch* const> batches, std::vector<std::string>* created) {
    std::vector<int64_t> ids;
    Status s = SeriesIds(w, batches, &ids, created);
    if (!s.ok()) return s;
    // One row per (series, time): the last of duplicates wins, as it would have
    // through one upsert after another (ON CONFLICT refuses to touch a row twice).
    struct Row {
      int64_t series, t;
      const Reading* r;
    };
    std::vector<Row> rows;
    rows.reserve(ids.size());
    size_t next = 0;
    for (const Batch* b : batches)
      for (const Reading& r : b->readings) rows.push_back({ids[next++], r.time, &r});
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return std::tie(a.series, a.t) < std::tie(b.series, b.t);
    });
    std::string data;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i + 1 < rows.size() && rows[i + 1].series == rows[i].series && rows[i + 1].t == rows[i].t)
        continue;
      const Reading& r = *rows[i].r;
      data += std::to_string(rows[i].series) + '\t' + std::to_string(r.time) + '\t';
      data += r.flag ? std::to_string(static_cast<int>(r.flag)) : std::string("\\N");
      data += '\t' + std::to_string(static_cast<int>(r.period)) + '\t';
      AppendHex(r.value, &data);
      data += '\n';
    }
    if (!data.empty()) {
      std::vector<SeriesTime> times;
      times.reserve(rows.size());
      for (const Row& row : rows)
        times.push_back({row.series, static_cast<int>(row.r->period), row.t});
      s = ForgetChangedDays(w, times, WallMillis() / 1000);
      if (!s.ok()) return s;
      s = UpsertRows(w, data);
      if (!s.ok()) return s;
    }
    return CopyRaw(w, batches);
  }

  // Stores `data` (COPY lines of readings, one per key). Most batches hold only new
  // keys: they are COPYed straight into readings. A batch that repeats a stored key
  // (a device resending what was stored but not acknowledged) fails that COPY as a
  // whole; it is then staged and upserted.
  static Status UpsertRows(Conn& w, const std::string& data) {
    Status s = w.Exec("SAVEPOINT copy_new");
    if (s.ok()) s = w.CopyIn("COPY readings (series, t, flag, period, v) FROM STDIN", data);
    if (s.code() != Code::kConflict) return s;
    s = w.Exec("ROLLBACK TO SAVEPOINT copy_new");
    if (s.ok()) s = w.CopyIn("COPY stage_readings (series, t, flag, period, v) FROM STDIN", data);
    if (!s.ok()) return s;
    return w.Run(
        "INSERT INTO readings (series, t, flag, period, v) "
        "SELECT series, t, flag, period, v FROM stage_readings "
        "ON CONFLICT (series, t, period) DO UPDATE SET flag = excluded.flag, v = excluded.v",
        "upsert readings");
  }

  // The series id of every reading of the batches, in their order, creating the
  // unknown series (one COPY and one INSERT for all of them): most are found by their
  // place in their device's last batch (SeriesMemo), the rest by name. Another node
  // may create the same series at the same moment: ON CONFLICT waits for it and the
  // SELECT then finds its row.
  Status SeriesIds(Conn& w, std::span<const Batch* const> batches, std::vector<int64_t>* ids,
                   std::vector<std::string>* created) {
    std::unordered_set<std::string> unknown;
    std::string data;
    struct Pending {  // a reading of a series not known yet
      size_t i;
      const Reading* r;
      SeriesMemo::Places* memo;
      size_t place;
    };
    std::vector<Pending> pending;
    for (const Batch* b : batches) {
      const std::string* mn = nullptr;
      SeriesMemo::Places* memo = nullptr;
      size_t place = 0;
      for (const Reading& r : b->readings) {
        if (!mn || r.mn != *mn) {
          mn = &r.mn;
          memo = &memo_.Of(r.mn);
          place = 0;
        }
        const size_t at = place++;
        ids->push_back(SeriesMemo::Find(*memo, at, r.period, r.factor, r.field));
        if (ids->back() >= 0) continue;
        std::string key = SeriesKey(r.mn, static_cast<int>(r.period), r.factor, r.field);
        if (auto known = series_ids_.find(key); known != series_ids_.end()) {
          ids->back() = known->second;
          SeriesMemo::Remember(*memo, at, r.period, r.factor, r.field, known->second);
          continue;
        }
        pending.push_back({ids->size() - 1, &r, memo, at});
        if (!unknown.insert(std::move(key)).second) continue;
        AppendHex(r.mn, &data);
        data += '\t' + std::to_string(static_cast<int>(r.period)) + '\t';
        AppendHex(r.factor, &data);
        data += '\t';
        AppendHex(r.field, &data);
        data += '\n';
      }
    }
    if (unknown.empty()) return Status::Ok();
    Status s = CreateSeries(w, data, unknown.size(), created);
    if (!s.ok()) return s;
    for (const Pending& p : pending) {
      const Reading& r = *p.r;
      (*ids)[p.i] = series_ids_.at(SeriesKey(r.mn, static_cast<int>(r.period), r.factor, r.field));
      SeriesMemo::Remember(*p.memo, p.place, r.period, r.factor, r.field, (*ids)[p.i]);
    }
    return Status::Ok();
  }

  // Creates the series of `data` (COPY lines of stage_series, `count` of them) and
  // caches their ids.
  Status CreateSeries(Conn& w, const std::string& data, size_t count,
                      std::vector<std::string>* created) {
    Status s = w.CopyIn("COPY stage_series (mn, period, factor, field) FROM STDIN", data);
    if (s.ok())
      s = w.Run(
          "INSERT INTO series (mn, period, factor, field) SELECT mn, period, factor, field "
          "FROM stage_series ON CONFLICT DO NOTHING",
          "create series");
    if (!s.ok()) return s;
    auto ids = w.Query(
        "SELECT s.id, s.mn, s.period, s.factor, s.field FROM series s "
        "JOIN stage_series n USING (mn, period, factor, field)",
        "series ids");
    if (!ids.ok()) return ids.status();
    for (int i = 0; i < ids->size(); ++i) {
      std::string key = SeriesKey(ids->Bytea(i, 1), static_cast<int>(ids->Int(i, 2)),
                                  ids->Bytea(i, 3), ids->Bytea(i, 4));
      if (series_ids_.emplace(key, ids->Int(i, 0)).second) created->push_back(std::move(key));
    }
    if (created->size() != count)
      return Status::Internal("postgresql: series created but not found");
    return Status::Ok();
  }

  static Status CopyRaw(Conn& w, std::span<const Batch* const> batches) {
    std::string data;
    for (const Batch* b : batches)
      for (const RawPacket& p : b->raw) {
        data += std::to_string(p.received) + '\t';
        CopyField(p.peer, &data);
        data += '\t';
        AppendHex(p.mn, &data);
        data += '\t';
        CopyField(p.verdict, &data);
        data += '\t';
        AppendHex(p.bytes, &data);
        data += '\n';
      }
    if (data.empty()) return Status::Ok();
    return w.CopyIn("COPY raw_packets (received, peer, mn, verdict, bytes) FROM STDIN", data);
  }

  // Runs the SELECT `sql` through a server-side cursor, kFetchRows at a time, giving
  // each row to `fn` until it returns false.
  Status Scan(const std::string& sql, const Params& params,
              const std::function<bool(const Rows&, int)>& fn) {
    auto lease = c_.pool->Get();
    if (!lease.ok()) return lease.status();
    Conn& conn = **lease;
    const std::string declare = "DECLARE scan NO SCROLL CURSOR FOR " + sql;
    const std::string fetch = "FETCH " + std::to_string(kFetchRows) + " FROM scan";
    return conn.InTransaction([&]() -> Status {
      auto opened = conn.Query(declare.c_str(), "open scan", params);
      if (!opened.ok()) return opened.status();
      for (;;) {
        auto rows = conn.Query(fetch.c_str(), "scan", Params());
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < rows->size(); ++i)
          if (!fn(*rows, i)) return Status::Ok();
        if (rows->size() < kFetchRows) return Status::Ok();
      }
    });
  }

  // The newest value of each series that `where` (over series s, $1 = site) keeps,
  // ordered by (mn, period, factor, field). Per series one backward step of its
  // index, newest partition first.
  Result<std::vector<LatestValue>> Latest(const std::string& where, std::optional<int64_t> site) {
    auto lease = c_.pool->Get();
    if (!lease.ok()) return lease.status();
    const std::string sql =
        "SELECT s.mn, s.period, s.factor, s.field, l.v, l.flag, l.t FROM series s "
        "CROSS JOIN LATERAL (SELECT r.t, r.v, r.flag FROM readings r WHERE r.series = s.id "
        "AND r.period = s.period ORDER BY r.t DESC LIMIT 1) l WHERE " +
        where + " ORDER BY s.mn, s.period, s.factor, s.field";
    auto rows = site ? (*lease)->Query(sql.c_str(), "latest", *site)
                     : (*lease)->Query(sql.c_str(), "latest");
    if (!rows.ok()) return rows.status();
    std::vector<LatestValue> out;
    out.reserve(rows->size());
    for (int i = 0; i < rows->size(); ++i)
      out.push_back(LatestValue{rows->Bytea(i, 0), static_cast<Period>(rows->Int(i, 1)),
                                rows->Bytea(i, 2), rows->Bytea(i, 3), rows->Bytea(i, 4),
                                FlagAt(*rows, i, 5), rows->Int(i, 6)});
    return out;
  }

  Connections& c_;
  // Guarded by c_.writer_mu: the ids of known series (SeriesKey), the partitions this
  // node made or found, whether the writer session has its staging tables.
  std::unordered_map<std::string, int64_t> series_ids_;
  std::unordered_set<std::string> partitions_;
  bool staged_ = false;
  SeriesMemo memo_;  // the series of each device's last batch
  std::mutex compact_mu_;
  int64_t compacted_before_ = INT64_MIN;  // guarded by compact_mu_
};

}  // namespace

Result<std::unique_ptr<ReadingStore>> OpenReadings(Connections& c) {
  auto r = std::make_unique<Readings>(c);
  Status s = r->Open();
  if (!s.ok()) return s;
  return std::unique_ptr<ReadingStore>(std::move(r));
}

}  // namespace ecohub::store::pg
