#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <unordered_map>

#include "store/audit.h"
#include "store/chunk.h"
#include "store/schema/sqlite_migrations.h"
#include "store/sqlite_util.h"

namespace ecohub::store {

namespace {

constexpr int64_t kDay = 86400;
int64_t DayOf(int64_t t) { return (t >= 0 ? t : t - kDay + 1) / kDay * kDay; }

// Packs a plain decimal into one integer column; nullopt when it must stay text.
std::optional<int64_t> Pack(std::string_view text) {
  auto d = Decimal::Parse(text);
  if (!d || d->mantissa >= (int64_t{1} << 57) || d->mantissa <= -(int64_t{1} << 57))
    return std::nullopt;
  return static_cast<int64_t>(static_cast<uint64_t>(d->mantissa) << 5) | (d->scale << 1) |
         (d->negative_zero ? 1 : 0);
}

std::string Unpack(int64_t v) {
  Decimal d;
  d.mantissa = v >> 5;  // arithmetic shift keeps the sign
  d.scale = static_cast<uint8_t>((v >> 1) & 0xf);
  d.negative_zero = v & 1;
  return d.ToString();
}

struct SeriesKey {
  std::string mn;
  Period period;
  std::string factor, field;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, const SqliteOptions& o) : path_(path), options_(o) {}
  ~SqliteStore() override {
    {
      std::lock_guard lock(w_mu_);
      w_stmts_.clear();
    }
    {
      std::lock_guard lock(r_mu_);
      r_stmts_.clear();
    }
    {
      std::lock_guard lock(d_mu_);
      d_stmts_.clear();
    }
    if (w_) sqlite3_close_v2(w_);
    if (r_) sqlite3_close_v2(r_);
    if (d_) sqlite3_close_v2(d_);
  }

  Status Open() {
    int flags =
        options_.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path_.c_str(), &w_, flags, nullptr) != SQLITE_OK) return Error(w_, "open");
    sqlite3_busy_timeout(w_, options_.busy_timeout_ms);
    if (!options_.read_only) {
      // Must precede the first table; lets a full compaction give space back.
      Status s = Exec(w_, "PRAGMA auto_vacuum=INCREMENTAL");
      if (s.ok()) s = Exec(w_, "PRAGMA journal_mode=WAL");
      if (!s.ok()) return s;
      s = Exec(w_,
               options_.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      if (!s.ok()) return s;
      // The right edge of the time-major table and the pages a group commit touches
      // stay in memory: without this every commit re-reads pages with pread.
      s = Exec(w_, "PRAGMA cache_size=-65536");  // 64 MiB
      if (!s.ok()) return s;
      s = Migrate();
      if (!s.ok()) return s;
    }
    if (sqlite3_open_v2(path_.c_str(), &r_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK)
      return Error(r_, "open for reading");
    sqlite3_busy_timeout(r_, options_.busy_timeout_ms);
    Exec(r_, "PRAGMA cache_size=-32768");  // 32 MiB for readers
    if (!options_.read_only) {
      std::lock_guard lock(w_mu_);
      Stmt q(w_, "SELECT id, mn, period, factor, field FROM series");
      while (q.Step() == SQLITE_ROW)
        series_ids_[SeriesName(q.Text(1), static_cast<int>(q.Int(2)), q.Text(3), q.Text(4))] =
            q.Int(0);
    }
    return OpenDerived();
  }

  // derived.db beside ecohub.db (see kSqliteDerivedSchema). Read-only opens leave it
  // alone when it does not exist: queries then find nothing.
  Status OpenDerived() {
    std::string path = std::filesystem::path(path_).parent_path() / "derived.db";
    std::error_code ec;
    if (options_.read_only && !std::filesystem::exists(path, ec)) return Status::Ok();
    int flags =
        options_.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path.c_str(), &d_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
      return Error(d_, "open derived.db");
    sqlite3_busy_timeout(d_, options_.busy_timeout_ms);
    if (options_.read_only) return Status::Ok();
    Status s = Exec(d_, "PRAGMA journal_mode=WAL");
    if (s.ok()) s = Exec(d_, "PRAGMA synchronous=NORMAL");
    if (s.ok()) s = Exec(d_, "PRAGMA cache_size=-16384");
    if (s.ok()) s = Exec(d_, kSqliteDerivedSchema);
    return s;
  }

  Status Append(std::span<const Batch* const> batches) override {
    std::lock_guard lock(w_mu_);
    Status s = Exec(w_, "BEGIN IMMEDIATE");
    if (!s.ok()) return s;
    Stmt& ins =
        W("INSERT INTO readings (t, series, v, txt, flag, p) VALUES (?,?,?,?,?,?) "
          "ON CONFLICT (t, series) DO UPDATE SET v = excluded.v, txt = excluded.txt, "
          "flag = excluded.flag");
    Stmt& raw =
        W("INSERT INTO raw_packets (received, peer, mn, verdict, bytes) VALUES (?,?,?,?,?)");
    std::vector<std::pair<std::string, int64_t>> new_series;
    for (const Batch* b : batches) {
      for (const Reading& r : b->readings) {
        auto id = SeriesId(r.mn, r.period, r.factor, r.field, &new_series);
        if (!id.ok()) return Rollback(id.status(), new_series);
        ins.Bind(1, r.time).Bind(2, *id);
        if (auto v = Pack(r.value))
          ins.Bind(3, *v).BindNull(4);
        else
          ins.BindNull(3).Bind(4, r.value);
        if (r.flag)
          ins.Bind(5, int64_t{r.flag});
        else
          ins.BindNull(5);
        ins.Bind(6, int64_t{static_cast<int>(r.period)});
        int rc = ins.Step();
        ins.Reset();
        if (rc != SQLITE_DONE) return Rollback(Error(w_, "insert reading"), new_series);
      }
      for (const RawPacket& p : b->raw) {
        raw.Bind(1, p.received)
            .Bind(2, p.peer)
            .Bind(3, p.mn)
            .Bind(4, p.verdict)
            .BindBlob(5, p.bytes);
        int rc = raw.Step();
        raw.Reset();
        if (rc != SQLITE_DONE) return Rollback(Error(w_, "insert raw packet"), new_series);
      }
    }
    s = Exec(w_, "COMMIT");
    if (!s.ok()) return Rollback(s, new_series);
    return Status::Ok();
  }

  Status ScanReadings(const std::function<bool(const Reading&)>& fn) override {
    std::lock_guard lock(r_mu_);
    Status s = Exec(r_, "BEGIN");
    if (!s.ok()) return s;
    // Series ordered by (mn, period); within a group, readings ordered by (time,
    // factor, field): gather a group, sort, emit.
    std::vector<std::pair<int64_t, SeriesKey>> series;
    {
      Stmt q(r_,
             "SELECT id, mn, period, factor, field FROM series ORDER BY mn, period, factor, field");
      while (q.Step() == SQLITE_ROW)
        series.push_back(
            {q.Int(0), {q.Text(1), static_cast<Period>(q.Int(2)), q.Text(3), q.Text(4)}});
    }
    // The hot table is time-major: read it once, grouped by series.
    std::unordered_map<int64_t, std::vector<ChunkEntry>> hot;
    {
      Stmt q(r_, "SELECT series, t, v, txt, flag FROM readings ORDER BY series, t");
      while (q.Step() == SQLITE_ROW) hot[q.Int(0)].push_back(EntryFrom(q, 1));
    }
    Stmt chunks(r_, "SELECT day, data FROM chunks WHERE series = ? ORDER BY day");
    bool go = true;
    for (size_t i = 0; i < series.size() && go;) {
      size_t j = i;
      std::vector<Reading> group;
      while (j < series.size() && series[j].second.mn == series[i].second.mn &&
             series[j].second.period == series[i].second.period) {
        std::vector<ChunkEntry> entries;
        s = LoadChunks(chunks, series[j].first, INT64_MIN, INT64_MAX, &entries);
        if (!s.ok()) break;
        auto h = hot.find(series[j].first);
        if (h != hot.end()) entries = MergeEntries(entries, h->second);
        const SeriesKey& k = series[j].second;
        for (auto& e : entries)
          group.push_back(
              Reading{k.mn, k.period, e.time, k.factor, k.field, std::move(e.value), e.flag});
        ++j;
      }
      if (!s.ok()) break;
      std::stable_sort(group.begin(), group.end(), [](const Reading& a, const Reading& b) {
        return std::tie(a.time, a.factor, a.field) < std::tie(b.time, b.factor, b.field);
      });
      for (const auto& r : group)
        if (!(go = fn(r))) break;
      i = j;
    }
    Exec(r_, "COMMIT");
    return s;
  }

  Result<std::vector<Reading>> Range(std::string_view mn, Period period, std::string_view factor,
                                     std::string_view field, UnixSeconds from,
                                     UnixSeconds to) override {
    std::lock_guard lock(r_mu_);
    Exec(r_, "BEGIN");
    std::vector<Reading> out;
    Stmt& id_q =
        R("SELECT id FROM series WHERE mn = ? AND period = ? AND factor = ? AND field = ?");
    id_q.Bind(1, mn).Bind(2, int64_t{static_cast<int>(period)}).Bind(3, factor).Bind(4, field);
    int64_t id = id_q.Step() == SQLITE_ROW ? id_q.Int(0) : -1;
    id_q.Reset();
    if (id >= 0) {
      std::vector<ChunkEntry> entries, hot;
      Stmt& cq =
          R("SELECT day, data FROM chunks WHERE series = ? AND day >= ? AND day < ? ORDER BY day");
      Status s = LoadChunks(cq, id, DayOf(from), to, &entries);
      if (!s.ok()) {
        Exec(r_, "COMMIT");
        return s;
      }
      // Hourly and daily data by the partial index (series, t); real-time and minute
      // rows by time (migration 4).
      Stmt& hq =
          period < Period::kHour
              ? R("SELECT t, v, txt, flag FROM readings WHERE t >= ? AND t < ? AND series = ?")
              : R("SELECT t, v, txt, flag FROM readings WHERE series = ?3 AND t >= ?1 AND "
                  "t < ?2 AND p >= 2");
      hq.Bind(1, from).Bind(2, to).Bind(3, id);
      while (hq.Step() == SQLITE_ROW) hot.push_back(EntryFrom(hq, 0));
      hq.Reset();
      std::sort(hot.begin(), hot.end(), [](auto& a, auto& b) { return a.time < b.time; });
      auto merged = MergeEntries(entries, hot);
      out.reserve(out.size() + merged.size());
      for (auto& e : merged)
        if (e.time >= from && e.time < to)
          out.push_back(Reading{std::string(mn), period, e.time, std::string(factor),
                                std::string(field), std::move(e.value), e.flag});
    }
    Exec(r_, "COMMIT");
    return out;
  }

  Status ScanWindow(Period period, UnixSeconds from, UnixSeconds to,
                    std::span<const std::string> mns,
                    const std::function<bool(const Reading&)>& fn) override {
    std::lock_guard lock(r_mu_);
    Status s = Exec(r_, "BEGIN");
    if (!s.ok()) return s;
    std::unordered_map<int64_t, SeriesKey> keys;
    std::unordered_map<int64_t, std::vector<ChunkEntry>> chunked, hot;
    {
      Stmt q(r_, "SELECT id, mn, period, factor, field FROM series WHERE period = ?");
      q.Bind(1, int64_t{static_cast<int>(period)});
      while (q.Step() == SQLITE_ROW) {
        std::string mn = q.Text(1);
        if (!mns.empty() && !std::binary_search(mns.begin(), mns.end(), mn)) continue;
        keys[q.Int(0)] = {std::move(mn), static_cast<Period>(q.Int(2)), q.Text(3), q.Text(4)};
      }
    }
    // Chunks by (series, day): one seek per series of the period.
    Stmt cq(r_,
            "SELECT day, data FROM chunks WHERE series = ? AND day >= ? AND day < ? ORDER BY day");
    for (auto& [id, key] : keys) {
      s = LoadChunks(cq, id, DayOf(from), to, &chunked[id]);
      if (!s.ok()) break;
    }
    // Hourly and daily data: one index seek per series. Real-time and minute data:
    // the hot table is time-major, the window is one range scan.
    if (s.ok() && period >= Period::kHour) {
      Stmt& q =
          R("SELECT t, v, txt, flag FROM readings WHERE series = ?3 AND t >= ?1 AND "
            "t < ?2 AND p >= 2");
      for (auto& [id, key] : keys) {
        q.Bind(1, from).Bind(2, to).Bind(3, id);
        while (q.Step() == SQLITE_ROW) hot[id].push_back(EntryFrom(q, 0));
        q.Reset();
      }
    } else if (s.ok()) {
      Stmt q(r_, "SELECT series, t, v, txt, flag FROM readings WHERE t >= ? AND t < ?");
      q.Bind(1, from).Bind(2, to);
      while (q.Step() == SQLITE_ROW) {
        int64_t id = q.Int(0);
        if (keys.count(id)) hot[id].push_back(EntryFrom(q, 1));
      }
    }
    for (auto it = keys.begin(); s.ok() && it != keys.end(); ++it) {
      auto& c = chunked[it->first];
      auto h = hot.find(it->first);
      if (h != hot.end()) {
        std::sort(h->second.begin(), h->second.end(),
                  [](auto& a, auto& b) { return a.time < b.time; });
        c = MergeEntries(c, h->second);
      }
      const SeriesKey& k = it->second;
      bool go = true;
      for (auto& e : c) {
        if (e.time < from || e.time >= to) continue;
        if (!(go = fn(
                  Reading{k.mn, k.period, e.time, k.factor, k.field, std::move(e.value), e.flag})))
          break;
      }
      if (!go) break;
    }
    Exec(r_, "COMMIT");
    return s;
  }

  Result<std::vector<LatestValue>> LatestAll() override {
    return Latest(
        "SELECT id, mn, period, factor, field FROM series ORDER BY mn, period, factor, field",
        "SELECT series, max(t), v, txt, flag FROM readings GROUP BY series", -1);
  }

  Result<std::vector<LatestValue>> LatestForSite(int64_t site_id) override {
    return Latest(
        "SELECT id, mn, period, factor, field FROM series WHERE mn IN "
        "(SELECT mn FROM devices WHERE site_id = ?1) ORDER BY mn, period, factor, field",
        "SELECT series, max(t), v, txt, flag FROM readings WHERE series IN (SELECT id FROM "
        "series WHERE mn IN (SELECT mn FROM devices WHERE site_id = ?1)) GROUP BY series",
        site_id);
  }

  Result<int64_t> CountReadings() override {
    std::lock_guard lock(r_mu_);
    Exec(r_, "BEGIN");
    int64_t n = 0;
    Stmt q(r_, "SELECT count(*) FROM readings");
    if (q.Step() == SQLITE_ROW) n = q.Int(0);
    // Chunk counts are the leading varint of each blob.
    Stmt c(r_, "SELECT day, data FROM chunks");
    while (c.Step() == SQLITE_ROW) {
      std::string d = c.Text(1);
      uint64_t v = 0;
      int shift = 0;
      for (unsigned char b : d) {
        v |= uint64_t{b & 0x7fu} << shift;
        shift += 7;
        if (!(b & 0x80)) break;
      }
      n += static_cast<int64_t>(v);
    }
    Exec(r_, "COMMIT");
    return n;
  }

  Result<std::vector<std::pair<std::string, int64_t>>> TableBytes() override {
    std::lock_guard lock(r_mu_);
    std::vector<std::pair<std::string, int64_t>> out;
    // dbstat is compiled into Debian's SQLite; without it the answer is empty.
    Stmt q(r_, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC");
    if (!q.ok()) return out;
    while (q.Step() == SQLITE_ROW) out.push_back({q.Text(0), q.Int(1)});
    return out;
  }

  Result<std::vector<RawPacket>> RawPackets(std::string_view mn, UnixMillis from, UnixMillis to,
                                            size_t limit) override {
    std::lock_guard lock(r_mu_);
    std::vector<RawPacket> out;
    Stmt& q =
        R("SELECT received, peer, mn, verdict, bytes FROM raw_packets WHERE mn = ? AND "
          "received >= ? AND received < ? ORDER BY received DESC, id DESC LIMIT ?");
    q.Bind(1, mn).Bind(2, from).Bind(3, to).Bind(4, static_cast<int64_t>(limit));
    while (q.Step() == SQLITE_ROW)
      out.push_back({q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)});
    q.Reset();
    return out;
  }

  Status PruneRaw(UnixMillis before) override {
    std::lock_guard lock(w_mu_);
    Stmt q(w_, "DELETE FROM raw_packets WHERE received < ?");
    q.Bind(1, before);
    return q.Step() == SQLITE_DONE ? Status::Ok() : Error(w_, "prune raw");
  }

  Status PruneReadings(Period period, UnixSeconds before) override {
    std::lock_guard lock(w_mu_);
    Status s = Exec(w_, "BEGIN IMMEDIATE");
    if (!s.ok()) return s;
    Stmt a(
        w_,
        "DELETE FROM readings WHERE t < ? AND series IN (SELECT id FROM series WHERE period = ?)");
    a.Bind(1, before).Bind(2, int64_t{static_cast<int>(period)});
    // Whole chunk days go at once; the one day that straddles `before` is rewritten.
    Stmt b(w_,
           "DELETE FROM chunks WHERE day + 86400 <= ? AND series IN (SELECT id FROM series WHERE "
           "period = ?)");
    b.Bind(1, before).Bind(2, int64_t{static_cast<int>(period)});
    if (a.Step() != SQLITE_DONE || b.Step() != SQLITE_DONE) {
      Status e = Error(w_, "prune readings");
      Exec(w_, "ROLLBACK");
      return e;
    }
    int64_t day = DayOf(before);
    if (day < before) {
      Stmt q(w_,
             "SELECT series, data FROM chunks WHERE day = ? AND series IN (SELECT id FROM series "
             "WHERE period = ?)");
      q.Bind(1, day).Bind(2, int64_t{static_cast<int>(period)});
      Stmt put(w_, "UPDATE chunks SET data = ? WHERE series = ? AND day = ?");
      Stmt del(w_, "DELETE FROM chunks WHERE series = ? AND day = ?");
      std::vector<std::pair<int64_t, std::string>> rows;
      while (q.Step() == SQLITE_ROW) rows.emplace_back(q.Int(0), q.Text(1));
      for (auto& [series, data] : rows) {
        std::vector<ChunkEntry> e, keep;
        s = DecodeChunk(day, data, &e);
        if (!s.ok()) break;
        for (auto& x : e)
          if (x.time >= before) keep.push_back(std::move(x));
        if (keep.size() == e.size()) continue;
        int rc;
        if (keep.empty()) {
          del.Bind(1, series).Bind(2, day);
          rc = del.Step();
          del.Reset();
        } else {
          put.BindBlob(1, EncodeChunk(day, keep)).Bind(2, series).Bind(3, day);
          rc = put.Step();
          put.Reset();
        }
        if (rc != SQLITE_DONE) {
          s = Error(w_, "prune chunk");
          break;
        }
      }
      if (!s.ok()) {
        Exec(w_, "ROLLBACK");
        return s;
      }
    }
    return Exec(w_, "COMMIT");
  }

  Status Compact(UnixSeconds before) override {
    // Day by day, one transaction each, so appends wait at most one day's merge;
    // days without hot rows are skipped (late data can leave far-apart days).
    for (int64_t from = INT64_MIN;;) {
      int64_t first = 0;
      {
        std::lock_guard lock(w_mu_);
        Stmt q(w_, "SELECT min(t) FROM readings WHERE t >= ? AND t < ?");
        q.Bind(1, from).Bind(2, before);
        if (q.Step() != SQLITE_ROW) return Error(w_, "compact");
        if (q.Null(0)) break;
        first = q.Int(0);
      }
      int64_t day = DayOf(first);
      int64_t end = day > INT64_MAX - kDay ? INT64_MAX : day + kDay;
      Status s = CompactDay(day, std::min(before, end));
      if (!s.ok()) return s;
      if (end >= before) break;
      from = end;
    }
    std::lock_guard lock(w_mu_);
    // In steady state the pages freed here are reused by new rows; a full compaction
    // (db stats, before a backup, the bench) returns them to the file system.
    if (before == INT64_MAX) {
      Status s = Exec(w_, "PRAGMA incremental_vacuum");
      if (!s.ok()) return s;
    }
    sqlite3_wal_checkpoint_v2(w_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    return Status::Ok();
  }

  Status ReplaceDerived(std::string_view kind, std::string_view scope, UnixSeconds from,
                        UnixSeconds to, std::span<const DerivedRow> rows) override {
    std::lock_guard lock(d_mu_);
    if (!d_) return Status::Unavailable("derived.db is not open (read-only store)");
    return InTransaction(d_, [&] {
      Stmt& del = D("DELETE FROM derived WHERE kind = ? AND scope = ? AND t >= ? AND t < ?");
      del.Bind(1, kind).Bind(2, scope).Bind(3, from).Bind(4, to);
      int rc = del.Step();
      del.Reset();
      return rc == SQLITE_DONE ? InsertDerived(rows) : Error(d_, "replace derived");
    });
  }
  Status PutDerived(std::span<const DerivedRow> rows) override {
    std::lock_guard lock(d_mu_);
    if (!d_) return Status::Unavailable("derived.db is not open (read-only store)");
    return InTransaction(d_, [&] { return InsertDerived(rows); });
  }
  Result<std::vector<DerivedRow>> QueryDerived(std::string_view kind, std::string_view scope,
                                               UnixSeconds from, UnixSeconds to,
                                               size_t limit) override {
    std::lock_guard lock(d_mu_);
    std::vector<DerivedRow> out;
    if (!d_) return out;
    bool prefix = !scope.empty() && scope.back() == '*';
    if (prefix) scope.remove_suffix(1);
    const char* sql =
        scope.empty() && !prefix ? "SELECT kind, scope, t, value, body, updated FROM derived WHERE "
                                   "kind = ?1 AND t >= ?3 "
                                   "AND t < ?4 ORDER BY t, scope LIMIT ?5"
        : prefix ? "SELECT kind, scope, t, value, body, updated FROM derived WHERE kind = ?1 AND "
                   "t >= ?3 AND t < ?4 AND substr(scope, 1, length(?2)) = ?2 ORDER BY t, scope "
                   "LIMIT ?5"
                 : "SELECT kind, scope, t, value, body, updated FROM derived WHERE kind = ?1 AND "
                   "scope = ?2 AND t >= ?3 AND t < ?4 ORDER BY t LIMIT ?5";
    Stmt& q = D(sql);
    q.Bind(1, kind).Bind(2, scope).Bind(3, from).Bind(4, to).Bind(
        5, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      DerivedRow r{q.Text(0), q.Text(1), q.Int(2), std::nullopt, q.Text(4), q.Int(5)};
      if (!q.Null(3)) r.value = q.Real(3);
      out.push_back(std::move(r));
    }
    q.Reset();
    if (rc != SQLITE_DONE) return Error(d_, "query derived");
    return out;
  }

  Status AppendAudits(std::span<AuditEntry> entries) override {
    if (entries.empty()) return Status::Ok();
    std::lock_guard lock(w_mu_);
    // The link to the last row is read inside the transaction that appends.
    return InTransaction(w_, [&] {
      int64_t id = 0;
      std::string prev = kAuditGenesis;
      Stmt last(w_, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
      if (last.Step() == SQLITE_ROW) {
        id = last.Int(0);
        prev = last.Text(1);
      }
      Stmt ins(w_,
               "INSERT INTO audit_log (id, t, actor, action, object, detail, prev_hash, hash) "
               "VALUES (?,?,?,?,?,?,?,?)");
      for (AuditEntry& e : entries) {
        e.id = ++id;
        e.prev_hash = prev;
        if (e.time == 0) e.time = WallMillis();
        e.hash = AuditHash(e);
        prev = e.hash;
        ins.Bind(1, e.id).Bind(2, e.time).Bind(3, e.actor).Bind(4, e.action).Bind(5, e.object);
        ins.Bind(6, e.detail).Bind(7, e.prev_hash).Bind(8, e.hash);
        if (ins.Step() != SQLITE_DONE) return Error(w_, "append audit");
        ins.Reset();
      }
      return Status::Ok();
    });
  }
  Status ScanAudit(const std::function<bool(const AuditEntry&)>& fn) override {
    std::lock_guard lock(r_mu_);
    Stmt q(r_,
           "SELECT id, t, actor, action, object, detail, prev_hash, hash FROM audit_log "
           "ORDER BY id");
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      AuditEntry e{q.Int(0),  q.Int(1),  q.Text(2), q.Text(3),
                   q.Text(4), q.Text(5), q.Text(6), q.Text(7)};
      if (!fn(e)) return Status::Ok();
    }
    return rc == SQLITE_DONE ? Status::Ok() : Error(r_, "scan audit");
  }

  Status UpsertAlarms(std::span<const Alarm> alarms) override {
    if (alarms.empty()) return Status::Ok();
    std::lock_guard lock(w_mu_);
    return InTransaction(w_, [&] {
      Stmt& q = W(
          "INSERT INTO alarms (key, kind, site_id, site_code, enterprise_id, district_id, factor, "
          "started, ended, value, \"limit\", unit, detail, status, created) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'open',?) ON CONFLICT (key) DO UPDATE SET "
          "ended=excluded.ended, value=excluded.value, \"limit\"=excluded.\"limit\", "
          "unit=excluded.unit, detail=excluded.detail");
      UnixSeconds now = WallSeconds();
      for (const Alarm& a : alarms) {
        q.Bind(1, a.key).Bind(2, a.kind).Bind(3, a.site_id).Bind(4, a.site_code);
        if (a.enterprise_id)
          q.Bind(5, a.enterprise_id);
        else
          q.BindNull(5);
        q.Bind(6, a.district_id).Bind(7, a.factor).Bind(8, a.started);
        if (a.ended)
          q.Bind(9, *a.ended);
        else
          q.BindNull(9);
        if (a.value)
          q.Bind(10, *a.value);
        else
          q.BindNull(10);
        if (a.limit)
          q.Bind(11, *a.limit);
        else
          q.BindNull(11);
        q.Bind(12, a.unit).Bind(13, a.detail).Bind(14, a.created ? a.created : now);
        int rc = q.Step();
        q.Reset();
        if (rc != SQLITE_DONE) return Error(w_, "upsert alarm");
      }
      return Status::Ok();
    });
  }

  Result<std::vector<Alarm>> QueryAlarms(const AlarmFilter& f) override {
    std::lock_guard lock(r_mu_);
    std::string sql =
        std::string(kAlarmSelect) + AlarmWhere(f, true) + " ORDER BY started DESC, id DESC LIMIT ?";
    Stmt q(r_, sql.c_str());
    if (!q.ok()) return Error(r_, "query alarms");
    int i = BindAlarmFilter(q, f, true);
    q.Bind(i, static_cast<int64_t>(std::min<size_t>(f.limit, INT64_MAX)));
    std::vector<Alarm> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) out.push_back(AlarmFrom(q));
    if (rc != SQLITE_DONE) return Error(r_, "query alarms");
    return out;
  }

  Result<std::vector<AlarmCount>> CountAlarms(const AlarmFilter& f) override {
    std::lock_guard lock(r_mu_);
    std::string sql = "SELECT kind, status, count(*) FROM alarms" + AlarmWhere(f, false) +
                      " GROUP BY kind, status ORDER BY kind, status";
    Stmt q(r_, sql.c_str());
    if (!q.ok()) return Error(r_, "count alarms");
    BindAlarmFilter(q, f, false);
    std::vector<AlarmCount> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) out.push_back({q.Text(0), q.Text(1), q.Int(2)});
    if (rc != SQLITE_DONE) return Error(r_, "count alarms");
    return out;
  }

  Result<Alarm> GetAlarm(int64_t id) override {
    std::lock_guard lock(r_mu_);
    return GetAlarmOn(r_, id);
  }

  Result<Alarm> TransitionAlarm(int64_t id, std::string_view status, std::string_view by,
                                std::string_view comment, UnixSeconds at) override {
    const char* sql = nullptr;
    if (status == "acknowledged")
      sql =
          "UPDATE alarms SET status='acknowledged', ack_by=?2, ack_at=?3, ack_comment=?4 "
          "WHERE id=?1 AND status='open'";
    else if (status == "closed")
      sql =
          "UPDATE alarms SET status='closed', closed_by=?2, closed_at=?3, close_comment=?4 "
          "WHERE id=?1 AND status IN ('open', 'acknowledged')";
    else
      return Status::InvalidInput("an alarm moves to acknowledged or closed only");
    std::lock_guard lock(w_mu_);
    Result<Alarm> out = Status::Internal("alarm transition did not run");
    // The check and the change in one write transaction: no other transition between.
    Status s = InTransaction(w_, [&] {
      Stmt& q = W(sql);
      q.Bind(1, id).Bind(2, by).Bind(3, at).Bind(4, comment);
      int rc = q.Step();
      q.Reset();
      if (rc != SQLITE_DONE) return Error(w_, "alarm transition");
      bool changed = sqlite3_changes(w_) == 1;
      out = GetAlarmOn(w_, id);
      if (!out.ok()) return out.status();
      if (!changed)
        return Status(Code::kConflict, "alarm " + std::to_string(id) + " is " + out->status +
                                           ": it cannot become " + std::string(status));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<int64_t> PutDistrict(const District& d) override {
    std::lock_guard lock(w_mu_);
    Stmt q(w_,
           "INSERT INTO districts (code, name, lon, lat, geojson) VALUES (?,?,?,?,?) "
           "ON CONFLICT (code) DO UPDATE SET name=excluded.name, lon=excluded.lon, "
           "lat=excluded.lat, geojson=excluded.geojson RETURNING id");
    q.Bind(1, d.code).Bind(2, d.name).Bind(3, d.lon).Bind(4, d.lat).Bind(5, d.geojson);
    return Returning(q, "put district");
  }
  Result<int64_t> PutEnterprise(const Enterprise& e) override {
    std::lock_guard lock(w_mu_);
    Stmt q(w_,
           "INSERT INTO enterprises (credit_code, name, industry, district_id, lon, lat, key_unit, "
           "permit_no) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (credit_code) DO UPDATE SET "
           "name=excluded.name, industry=excluded.industry, district_id=excluded.district_id, "
           "lon=excluded.lon, lat=excluded.lat, key_unit=excluded.key_unit, "
           "permit_no=excluded.permit_no RETURNING id");
    q.Bind(1, e.credit_code)
        .Bind(2, e.name)
        .Bind(3, e.industry)
        .Bind(4, e.district_id)
        .Bind(5, e.lon)
        .Bind(6, e.lat)
        .Bind(7, int64_t{e.key_unit})
        .Bind(8, e.permit_no);
    return Returning(q, "put enterprise");
  }
  Result<int64_t> PutSite(const Site& s) override {
    std::lock_guard lock(w_mu_);
    Stmt q(w_,
           "INSERT INTO sites (code, name, kind, district_id, enterprise_id, lon, lat, simulated, "
           "attrs) "
           "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (code) DO UPDATE SET name=excluded.name, "
           "kind=excluded.kind, district_id=excluded.district_id, "
           "enterprise_id=excluded.enterprise_id, "
           "lon=excluded.lon, lat=excluded.lat, simulated=excluded.simulated, attrs=excluded.attrs "
           "RETURNING id");
    q.Bind(1, s.code)
        .Bind(2, s.name)
        .Bind(3, s.kind)
        .Bind(4, s.district_id)
        .Bind(5, s.enterprise_id)
        .Bind(6, s.lon)
        .Bind(7, s.lat)
        .Bind(8, int64_t{s.simulated})
        .Bind(9, s.attrs_json);
    return Returning(q, "put site");
  }
  Status PutDevice(const Device& d) override {
    std::lock_guard lock(w_mu_);
    Stmt q(w_,
           "INSERT INTO devices (mn, site_id, password, protocol_version, charset, enabled, "
           "crc_variant) "
           "VALUES (?,?,?,?,?,?,?) ON CONFLICT (mn) DO UPDATE SET site_id=excluded.site_id, "
           "password=excluded.password, protocol_version=excluded.protocol_version, "
           "charset=excluded.charset, enabled=excluded.enabled, crc_variant=excluded.crc_variant");
    q.Bind(1, d.mn)
        .Bind(2, d.site_id)
        .Bind(3, d.password)
        .Bind(4, int64_t{d.protocol_version})
        .Bind(5, d.charset)
        .Bind(6, int64_t{d.enabled})
        .Bind(7, d.crc_variant);
    return q.Step() == SQLITE_DONE ? Status::Ok() : Error(w_, "put device");
  }

  // Caller holds d_mu_ inside a transaction on d_.
  Status InsertDerived(std::span<const DerivedRow> rows) {
    Stmt& ins =
        D("INSERT INTO derived (kind, scope, t, value, body, updated) VALUES (?,?,?,?,?,?) "
          "ON CONFLICT (kind, t, scope) DO UPDATE SET value=excluded.value, "
          "body=excluded.body, updated=excluded.updated");
    UnixSeconds now = WallSeconds();
    for (const DerivedRow& r : rows) {
      ins.Bind(1, r.kind).Bind(2, r.scope).Bind(3, r.time);
      if (r.value)
        ins.Bind(4, *r.value);
      else
        ins.BindNull(4);
      ins.Bind(5, r.body).Bind(6, r.updated ? r.updated : now);
      int rc = ins.Step();
      ins.Reset();
      if (rc != SQLITE_DONE) return Error(d_, "insert derived");
    }
    return Status::Ok();
  }

  Result<std::vector<District>> Districts() override {
    std::lock_guard lock(r_mu_);
    std::vector<District> out;
    Stmt q(r_, "SELECT id, code, name, lon, lat, geojson FROM districts ORDER BY id");
    while (q.Step() == SQLITE_ROW)
      out.push_back({q.Int(0), q.Text(1), q.Text(2), q.Real(3), q.Real(4), q.Text(5)});
    return out;
  }
  Result<std::vector<Enterprise>> Enterprises() override {
    std::lock_guard lock(r_mu_);
    std::vector<Enterprise> out;
    Stmt q(r_,
           "SELECT id, name, credit_code, industry, district_id, lon, lat, key_unit, permit_no "
           "FROM enterprises ORDER BY id");
    while (q.Step() == SQLITE_ROW)
      out.push_back({q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Int(4), q.Real(5), q.Real(6),
                     q.Int(7) != 0, q.Text(8)});
    return out;
  }
  Result<std::vector<Site>> Sites() override {
    std::lock_guard lock(r_mu_);
    std::vector<Site> out;
    Stmt q(r_, kSiteSelect);
    while (q.Step() == SQLITE_ROW) out.push_back(SiteFrom(q));
    return out;
  }
  Result<Site> GetSite(int64_t id) override {
    std::lock_guard lock(r_mu_);
    Stmt q(r_, (std::string(kSiteSelect).substr(0, std::string(kSiteSelect).find(" ORDER")) +
                " WHERE id = ?")
                   .c_str());
    q.Bind(1, id);
    if (q.Step() != SQLITE_ROW) return Status::NotFound("site " + std::to_string(id));
    return SiteFrom(q);
  }
  Result<std::vector<Device>> Devices() override {
    std::lock_guard lock(r_mu_);
    std::vector<Device> out;
    Stmt q(r_,
           "SELECT mn, site_id, password, protocol_version, charset, enabled, crc_variant FROM "
           "devices ORDER BY mn");
    while (q.Step() == SQLITE_ROW) out.push_back(DeviceFrom(q));
    return out;
  }
  Result<Device> GetDevice(std::string_view mn) override {
    std::lock_guard lock(r_mu_);
    Stmt& q =
        R("SELECT mn, site_id, password, protocol_version, charset, enabled, crc_variant FROM "
          "devices "
          "WHERE mn = ?");
    q.Bind(1, mn);
    int rc = q.Step();
    Result<Device> out = rc == SQLITE_ROW ? Result<Device>(DeviceFrom(q))
                         : rc == SQLITE_DONE
                             ? Result<Device>(Status::NotFound("device " + std::string(mn)))
                             : Result<Device>(Error(r_, "get device"));
    q.Reset();
    return out;
  }

 private:
  static constexpr const char* kAlarmSelect =
      "SELECT id, key, kind, site_id, site_code, enterprise_id, district_id, factor, started, "
      "ended, value, \"limit\", unit, detail, status, ack_by, ack_at, ack_comment, closed_by, "
      "closed_at, close_comment, created FROM alarms";

  static Alarm AlarmFrom(const Stmt& q) {
    Alarm a;
    a.id = q.Int(0);
    a.key = q.Text(1);
    a.kind = q.Text(2);
    a.site_id = q.Int(3);
    a.site_code = q.Text(4);
    a.enterprise_id = q.Null(5) ? 0 : q.Int(5);
    a.district_id = q.Int(6);
    a.factor = q.Text(7);
    a.started = q.Int(8);
    if (!q.Null(9)) a.ended = q.Int(9);
    if (!q.Null(10)) a.value = q.Real(10);
    if (!q.Null(11)) a.limit = q.Real(11);
    a.unit = q.Text(12);
    a.detail = q.Text(13);
    a.status = q.Text(14);
    a.ack_by = q.Text(15);
    a.ack_at = q.Int(16);
    a.ack_comment = q.Text(17);
    a.closed_by = q.Text(18);
    a.closed_at = q.Int(19);
    a.close_comment = q.Text(20);
    a.created = q.Int(21);
    return a;
  }

  // The caller holds the mutex of `db`.
  Result<Alarm> GetAlarmOn(sqlite3* db, int64_t id) {
    Stmt& q = db == w_ ? W("SELECT id, key, kind, site_id, site_code, enterprise_id, district_id, "
                           "factor, started, ended, value, \"limit\", unit, detail, status, "
                           "ack_by, ack_at, ack_comment, closed_by, closed_at, close_comment, "
                           "created FROM alarms WHERE id = ?")
                       : R("SELECT id, key, kind, site_id, site_code, enterprise_id, district_id, "
                           "factor, started, ended, value, \"limit\", unit, detail, status, "
                           "ack_by, ack_at, ack_comment, closed_by, closed_at, close_comment, "
                           "created FROM alarms WHERE id = ?");
    q.Bind(1, id);
    int rc = q.Step();
    Result<Alarm> out = rc == SQLITE_ROW ? Result<Alarm>(AlarmFrom(q))
                        : rc == SQLITE_DONE
                            ? Result<Alarm>(Status::NotFound("alarm " + std::to_string(id)))
                            : Result<Alarm>(Error(db, "get alarm"));
    q.Reset();
    return out;
  }

  // " WHERE ..." of a filter; BindAlarmFilter binds its values in the same order and
  // returns the next parameter index.
  static std::string AlarmWhere(const AlarmFilter& f, bool paged) {
    std::string w = " WHERE started >= ? AND started < ?";
    if (!f.statuses.empty()) {
      w += " AND status IN (";
      for (size_t i = 0; i < f.statuses.size(); ++i) w += i ? ",?" : "?";
      w += ")";
    }
    if (!f.kind.empty()) w += " AND kind = ?";
    if (f.ongoing_only) w += " AND ended IS NULL";
    if (f.district_id) w += " AND district_id = ?";
    if (f.site_id) w += " AND site_id = ?";
    if (f.enterprise_id) w += " AND enterprise_id = ?";
    if (paged && f.after) w += " AND (started < ? OR (started = ? AND id < ?))";
    return w;
  }
  static int BindAlarmFilter(Stmt& q, const AlarmFilter& f, bool paged) {
    int i = 1;
    q.Bind(1, f.from).Bind(2, f.to);
    i = 3;
    for (const auto& s : f.statuses) q.Bind(i++, s);
    if (!f.kind.empty()) q.Bind(i++, f.kind);
    if (f.district_id) q.Bind(i++, f.district_id);
    if (f.site_id) q.Bind(i++, f.site_id);
    if (f.enterprise_id) q.Bind(i++, f.enterprise_id);
    if (paged && f.after) {
      q.Bind(i, f.after->first).Bind(i + 1, f.after->first).Bind(i + 2, f.after->second);
      i += 3;
    }
    return i;
  }

  static constexpr const char* kSiteSelect =
      "SELECT id, code, name, kind, district_id, enterprise_id, lon, lat, simulated, attrs FROM "
      "sites ORDER BY id";

  static Site SiteFrom(const Stmt& q) {
    return Site{q.Int(0), q.Text(1), q.Text(2), q.Text(3),     q.Int(4),
                q.Int(5), q.Real(6), q.Real(7), q.Int(8) != 0, q.Text(9)};
  }

  static Device DeviceFrom(const Stmt& q) {
    return Device{q.Text(0), q.Int(1),      q.Text(2), static_cast<int>(q.Int(3)),
                  q.Text(4), q.Int(5) != 0, q.Text(6)};
  }

  // Newest value per series: the newer of the newest hot row and the last entry of
  // the newest chunk (late data can put an older hot row beside newer chunks).
  // `site` binds ?1 when >= 0.
  Result<std::vector<LatestValue>> Latest(const char* series_sql, const char* hot_sql,
                                          int64_t site) {
    std::lock_guard lock(r_mu_);
    Status s = Exec(r_, "BEGIN");
    if (!s.ok()) return s;
    std::unordered_map<int64_t, ChunkEntry> hot;
    {
      Stmt q(r_, hot_sql);
      if (site >= 0) q.Bind(1, site);
      while (q.Step() == SQLITE_ROW) hot[q.Int(0)] = EntryFrom(q, 1);
    }
    std::vector<LatestValue> out;
    Stmt sq(r_, series_sql);
    if (site >= 0) sq.Bind(1, site);
    Stmt& cq = R("SELECT day, data FROM chunks WHERE series = ? ORDER BY day DESC LIMIT 1");
    while (s.ok() && sq.Step() == SQLITE_ROW) {
      int64_t id = sq.Int(0);
      std::optional<ChunkEntry> best;
      if (auto h = hot.find(id); h != hot.end()) best = std::move(h->second);
      cq.Bind(1, id);
      if (cq.Step() == SQLITE_ROW) {
        std::vector<ChunkEntry> e;
        s = DecodeChunk(cq.Int(0), cq.Text(1), &e);
        if (s.ok() && !e.empty() && (!best || e.back().time > best->time))
          best = std::move(e.back());
      }
      cq.Reset();
      if (!best) continue;
      out.push_back(LatestValue{sq.Text(1), static_cast<Period>(sq.Int(2)), sq.Text(3), sq.Text(4),
                                std::move(best->value), best->flag, best->time});
    }
    Exec(r_, "COMMIT");
    if (!s.ok()) return s;
    return out;
  }

  static ChunkEntry EntryFrom(const Stmt& q, int c) {
    ChunkEntry e;
    e.time = q.Int(c);
    e.value = q.Null(c + 1) ? q.Text(c + 2) : Unpack(q.Int(c + 1));
    e.flag = q.Null(c + 3) ? 0 : static_cast<char>(q.Int(c + 3));
    return e;
  }

  static Status LoadChunks(Stmt& q, int64_t series, int64_t from_day, int64_t to,
                           std::vector<ChunkEntry>* out) {
    q.Bind(1, series);
    if (from_day != INT64_MIN) q.Bind(2, from_day).Bind(3, to);
    Status s;
    while (s.ok() && q.Step() == SQLITE_ROW) s = DecodeChunk(q.Int(0), q.Text(1), out);
    q.Reset();
    return s;
  }

  Result<int64_t> Returning(Stmt& q, const char* what) {
    if (q.Step() != SQLITE_ROW) return Error(w_, what);
    int64_t id = q.Int(0);
    q.Step();
    return id;
  }

  static void SeriesName(std::string_view mn, int period, std::string_view factor,
                         std::string_view field, std::string* k) {
    k->clear();
    k->append(mn).push_back('\x1f');
    k->push_back(static_cast<char>('0' + period));
    k->append(factor).push_back('\x1f');
    k->append(field);
  }
  static std::string SeriesName(std::string_view mn, int period, std::string_view factor,
                                std::string_view field) {
    std::string k;
    SeriesName(mn, period, factor, field, &k);
    return k;
  }

  // Id of a series, created inside the current transaction when new. Called with
  // w_mu_ held.
  Result<int64_t> SeriesId(const std::string& mn, Period p, const std::string& factor,
                           const std::string& field,
                           std::vector<std::pair<std::string, int64_t>>* created) {
    // The key is built in a reused buffer: no allocation per reading on the hot path.
    SeriesName(mn, static_cast<int>(p), factor, field, &series_key_);
    auto it = series_ids_.find(series_key_);
    if (it != series_ids_.end()) return it->second;
    const std::string key = series_key_;
    Stmt& q = W("INSERT INTO series (mn, period, factor, field) VALUES (?,?,?,?) RETURNING id");
    q.Bind(1, mn).Bind(2, int64_t{static_cast<int>(p)}).Bind(3, factor).Bind(4, field);
    if (q.Step() != SQLITE_ROW) {
      Status e = Error(w_, "create series");
      q.Reset();
      return e;
    }
    int64_t id = q.Int(0);
    q.Step();
    q.Reset();
    series_ids_.emplace(key, id);
    created->push_back({key, id});
    return id;
  }

  // Rolls back and forgets the series ids the failed transaction created.
  Status Rollback(Status s, const std::vector<std::pair<std::string, int64_t>>& created) {
    Exec(w_, "ROLLBACK");
    for (auto& [k, id] : created) series_ids_.erase(k);
    return s;
  }

  Status CompactDay(int64_t day, int64_t before) {
    std::lock_guard lock(w_mu_);
    Status s = Exec(w_, "BEGIN IMMEDIATE");
    if (!s.ok()) return s;
    std::map<int64_t, std::vector<ChunkEntry>> rows;
    {
      Stmt q(w_, "SELECT series, t, v, txt, flag FROM readings WHERE t >= ? AND t < ?");
      q.Bind(1, day).Bind(2, before);
      while (q.Step() == SQLITE_ROW) rows[q.Int(0)].push_back(EntryFrom(q, 1));
    }
    Stmt get(w_, "SELECT day, data FROM chunks WHERE series = ? AND day = ?");
    Stmt put(w_, "INSERT OR REPLACE INTO chunks (series, day, data) VALUES (?,?,?)");
    for (auto& [series, entries] : rows) {
      std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.time < b.time; });
      std::vector<ChunkEntry> old;
      get.Bind(1, series).Bind(2, day);
      if (get.Step() == SQLITE_ROW) s = DecodeChunk(day, get.Text(1), &old);
      get.Reset();
      if (!s.ok()) break;
      put.Bind(1, series).Bind(2, day).BindBlob(3, EncodeChunk(day, MergeEntries(old, entries)));
      int rc = put.Step();
      put.Reset();
      if (rc != SQLITE_DONE) {
        s = Error(w_, "write chunk");
        break;
      }
    }
    if (s.ok()) {
      Stmt del(w_, "DELETE FROM readings WHERE t >= ? AND t < ?");
      del.Bind(1, day).Bind(2, before);
      if (del.Step() != SQLITE_DONE) s = Error(w_, "delete compacted rows");
    }
    if (!s.ok()) {
      Exec(w_, "ROLLBACK");
      return s;
    }
    return Exec(w_, "COMMIT");
  }

  Status Migrate() {
    Status s = Exec(w_, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    if (!s.ok()) return s;
    int64_t version = 0;
    {
      Stmt q(w_, "SELECT max(version) FROM schema_version");
      if (q.Step() == SQLITE_ROW && !q.Null(0)) version = q.Int(0);
    }
    int64_t known = static_cast<int64_t>(std::size(kSqliteMigrations));
    if (version > known)
      return Status::Corruption("database schema version " + std::to_string(version) +
                                " is newer than this ecohub (" + std::to_string(known) + ")");
    for (int64_t v = version; v < known; ++v) {
      s = Exec(w_, "BEGIN IMMEDIATE");
      if (s.ok()) s = Exec(w_, kSqliteMigrations[v]);
      if (s.ok())
        s = Exec(w_, ("INSERT INTO schema_version VALUES (" + std::to_string(v + 1) + ")").c_str());
      if (s.ok()) s = Exec(w_, "COMMIT");
      if (!s.ok()) {
        Exec(w_, "ROLLBACK");
        return Status(s.code(), "migration " + std::to_string(v + 1) + ": " + s.message());
      }
    }
    return Status::Ok();
  }

  Stmt& W(const char* sql) { return Cached(w_stmts_, w_, sql); }
  Stmt& R(const char* sql) { return Cached(r_stmts_, r_, sql); }
  Stmt& D(const char* sql) { return Cached(d_stmts_, d_, sql); }
  static Stmt& Cached(std::unordered_map<const char*, Stmt>& cache, sqlite3* db, const char* sql) {
    auto it = cache.find(sql);
    if (it == cache.end()) it = cache.emplace(sql, Stmt(db, sql)).first;
    return it->second;
  }

  std::string path_;
  SqliteOptions options_;
  sqlite3* w_ = nullptr;
  sqlite3* r_ = nullptr;
  sqlite3* d_ = nullptr;  // derived.db, guarded by d_mu_
  std::mutex w_mu_, r_mu_, d_mu_;
  std::unordered_map<const char*, Stmt> w_stmts_, r_stmts_, d_stmts_;
  std::unordered_map<std::string, int64_t> series_ids_;
  std::string series_key_;  // scratch for SeriesId, guarded by w_mu_
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& data_dir,
                                               const SqliteOptions& options) {
  std::error_code ec;
  if (options.read_only) {
    if (!std::filesystem::exists(data_dir + "/ecohub.db", ec))
      return Status::NotFound("no EcoHub store in " + data_dir);
  } else {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return Status::IoError("cannot create " + data_dir + ": " + ec.message());
  }
  auto store = std::make_unique<SqliteStore>(data_dir + "/ecohub.db", options);
  Status s = store->Open();
  if (!s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ecohub::store
