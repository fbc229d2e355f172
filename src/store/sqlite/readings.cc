// The readings module of the SQLite store: the hot table, compressed chunks,
// series ids, raw packets, retention and compaction (sqlite_store.h has the layout).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <span>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "store/chunk.h"
#include "store/series_memo.h"
#include "store/sqlite/modules.h"

namespace ecohub::store::sqlite {

namespace {

constexpr int64_t kDay = 86400;
// Hot rows merged into chunks, and hot rows deleted, per transaction of the
// compaction (Readings::CompactDay): a few milliseconds of the writer's connection,
// the longest an append waits for it.
constexpr int64_t kCompactSliceRows = 2000;
constexpr int64_t kDeleteSliceRows = 4000;
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

class Readings final : public ReadingStore, private OnEcohubDb {
 public:
  Readings(Connections& c, bool synchronous_full)
      : OnEcohubDb(c), synchronous_full_(synchronous_full) {}

  // Loads the ids of the known series (a read-only store creates none).
  void LoadSeriesIds() {
    std::lock_guard lock(w_.mu());
    Stmt q(w_, "SELECT id, mn, period, factor, field FROM series");
    while (q.Step() == kRow)
      series_ids_[SeriesName(q.Text(1), static_cast<int>(q.Int(2)), q.Text(3), q.Text(4))] =
          q.Int(0);
  }

  Status Append(std::span<const Batch* const> batches) override {
    // The writer's turn: the compaction lets it go first (CompactDay).
    appends_waiting_.fetch_add(1);
    std::lock_guard lock(w_.mu());
    appends_waiting_.fetch_sub(1);
    Status s = w_.Exec("BEGIN IMMEDIATE");
    if (!s.ok()) return s;
    Stmt& ins = w_.Cached(
        "INSERT INTO readings (t, series, v, txt, flag, p) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT (t, series) DO UPDATE SET v = excluded.v, txt = excluded.txt, "
        "flag = excluded.flag");
    Stmt& raw = w_.Cached(
        "INSERT INTO raw_packets (received, peer, mn, verdict, bytes) VALUES (?,?,?,?,?)");
    std::vector<std::pair<std::string, int64_t>> new_series;
    for (const Batch* b : batches) {
      const std::string* mn = nullptr;  // the device of the current run of readings
      SeriesMemo::Places* places = nullptr;
      size_t place = 0;
      for (const Reading& r : b->readings) {
        if (!mn || r.mn != *mn) {
          mn = &r.mn;
          places = &memo_.Of(r.mn);
          place = 0;
        }
        int64_t id = SeriesMemo::Find(*places, place, r.period, r.factor, r.field);
        if (id < 0) {
          auto found = SeriesId(r.mn, r.period, r.factor, r.field, &new_series);
          if (!found.ok()) return Rollback(found.status(), new_series);
          id = *found;
          SeriesMemo::Remember(*places, place, r.period, r.factor, r.field, id);
        }
        ++place;
        ins.Bind(1, r.time).Bind(2, id);
        if (auto v = Pack(r.value))
          ins.Bind(3, *v).BindNull(4);
        else
          ins.BindNull(3).Bind(4, r.value);
        if (r.flag)
          ins.Bind(5, int64_t{r.flag});
        else
          ins.BindNull(5);
        ins.Bind(6, int64_t{static_cast<int>(r.period)});
        StepResult rc = ins.Step();
        ins.Reset();
        if (rc != kDone) return Rollback(w_.Error("insert reading"), new_series);
      }
      for (const RawPacket& p : b->raw) {
        raw.Bind(1, p.received)
            .Bind(2, p.peer)
            .Bind(3, p.mn)
            .Bind(4, p.verdict)
            .BindBlob(5, p.bytes);
        StepResult rc = raw.Step();
        raw.Reset();
        if (rc != kDone) return Rollback(w_.Error("insert raw packet"), new_series);
      }
    }
    s = w_.Exec("COMMIT");
    if (!s.ok()) return Rollback(s, new_series);
    return Status::Ok();
  }

  Status ScanReadings(const std::function<bool(const Reading&)>& fn) override {
    auto db = reads_.Acquire();
    Status s = db->Exec("BEGIN");
    if (!s.ok()) return s;
    // Series ordered by (mn, period); within a group, readings ordered by (time,
    // factor, field): gather a group, sort, emit.
    std::vector<std::pair<int64_t, SeriesKey>> series;
    {
      Stmt q(*db,
             "SELECT id, mn, period, factor, field FROM series ORDER BY mn, period, factor, field");
      while (q.Step() == kRow)
        series.push_back(
            {q.Int(0), {q.Text(1), static_cast<Period>(q.Int(2)), q.Text(3), q.Text(4)}});
    }
    // The hot table is time-major: read it once, grouped by series.
    std::unordered_map<int64_t, std::vector<ChunkEntry>> hot;
    {
      Stmt q(*db, "SELECT series, t, v, txt, flag FROM readings ORDER BY series, t");
      while (q.Step() == kRow) hot[q.Int(0)].push_back(EntryFrom(q, 1));
    }
    Stmt chunks(*db, "SELECT day, data FROM chunks WHERE series = ? ORDER BY day");
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
    db->Exec("COMMIT");
    return s;
  }

  Result<std::vector<Reading>> Range(std::string_view mn, Period period, std::string_view factor,
                                     std::string_view field, UnixSeconds from,
                                     UnixSeconds to) override {
    auto db = reads_.Acquire();
    db->Exec("BEGIN");
    std::vector<Reading> out;
    Stmt& id_q = db->Cached(
        "SELECT id FROM series WHERE mn = ? AND period = ? AND factor = ? AND field = ?");
    id_q.Bind(1, mn).Bind(2, int64_t{static_cast<int>(period)}).Bind(3, factor).Bind(4, field);
    int64_t id = id_q.Step() == kRow ? id_q.Int(0) : -1;
    id_q.Reset();
    if (id >= 0) {
      std::vector<ChunkEntry> entries, hot;
      Stmt& cq = db->Cached(
          "SELECT day, data FROM chunks WHERE series = ? AND day >= ? AND day < ? ORDER BY day");
      Status s = LoadChunks(cq, id, DayOf(from), to, &entries);
      if (!s.ok()) {
        db->Exec("COMMIT");
        return s;
      }
      // Hourly and daily data by the partial index (series, t); real-time and minute
      // rows by time (migration 4).
      Stmt& hq =
          period < Period::kHour
              ? db->Cached(
                    "SELECT t, v, txt, flag FROM readings WHERE t >= ? AND t < ? AND series = ?")
              : db->Cached(
                    "SELECT t, v, txt, flag FROM readings WHERE series = ?3 AND t >= ?1 AND "
                    "t < ?2 AND p >= 2");
      hq.Bind(1, from).Bind(2, to).Bind(3, id);
      while (hq.Step() == kRow) hot.push_back(EntryFrom(hq, 0));
      hq.Reset();
      std::sort(hot.begin(), hot.end(), [](auto& a, auto& b) { return a.time < b.time; });
      auto merged = MergeEntries(entries, hot);
      out.reserve(out.size() + merged.size());
      for (auto& e : merged)
        if (e.time >= from && e.time < to)
          out.push_back(Reading{std::string(mn), period, e.time, std::string(factor),
                                std::string(field), std::move(e.value), e.flag});
    }
    db->Exec("COMMIT");
    return out;
  }

  Status ScanWindow(Period period, UnixSeconds from, UnixSeconds to,
                    std::span<const std::string> mns,
                    const std::function<bool(const Reading&)>& fn) override {
    auto db = reads_.Acquire();
    Status s = db->Exec("BEGIN");
    if (!s.ok()) return s;
    std::unordered_map<int64_t, SeriesKey> keys;
    std::unordered_map<int64_t, std::vector<ChunkEntry>> chunked, hot;
    {
      Stmt q(*db, "SELECT id, mn, period, factor, field FROM series WHERE period = ?");
      q.Bind(1, int64_t{static_cast<int>(period)});
      while (q.Step() == kRow) {
        std::string mn = q.Text(1);
        if (!mns.empty() && !std::binary_search(mns.begin(), mns.end(), mn)) continue;
        keys[q.Int(0)] = {std::move(mn), static_cast<Period>(q.Int(2)), q.Text(3), q.Text(4)};
      }
    }
    // Chunks by (series, day): one seek per series of the period.
    Stmt cq(*db,
            "SELECT day, data FROM chunks WHERE series = ? AND day >= ? AND day < ? ORDER BY day");
    for (auto& [id, key] : keys) {
      s = LoadChunks(cq, id, DayOf(from), to, &chunked[id]);
      if (!s.ok()) break;
    }
    // Hourly and daily data: one index seek per series. Real-time and minute data:
    // the hot table is time-major, the window is one range scan.
    if (s.ok() && period >= Period::kHour) {
      Stmt& q = db->Cached(
          "SELECT t, v, txt, flag FROM readings WHERE series = ?3 AND t >= ?1 AND "
          "t < ?2 AND p >= 2");
      for (auto& [id, key] : keys) {
        q.Bind(1, from).Bind(2, to).Bind(3, id);
        while (q.Step() == kRow) hot[id].push_back(EntryFrom(q, 0));
        q.Reset();
      }
    } else if (s.ok()) {
      Stmt q(*db, "SELECT series, t, v, txt, flag FROM readings WHERE t >= ? AND t < ?");
      q.Bind(1, from).Bind(2, to);
      while (q.Step() == kRow) {
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
    db->Exec("COMMIT");
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
    auto db = reads_.Acquire();
    db->Exec("BEGIN");
    int64_t n = 0;
    Stmt q(*db, "SELECT count(*) FROM readings");
    if (q.Step() == kRow) n = q.Int(0);
    // Chunk counts are the leading varint of each blob.
    Stmt c(*db, "SELECT day, data FROM chunks");
    while (c.Step() == kRow) {
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
    db->Exec("COMMIT");
    return n;
  }

  Result<std::vector<std::pair<std::string, int64_t>>> TableBytes() override {
    auto db = reads_.Acquire();
    std::vector<std::pair<std::string, int64_t>> out;
    // dbstat is compiled into Debian's SQLite; without it the answer is empty.
    Stmt q(*db, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC");
    if (!q.ok()) return out;
    while (q.Step() == kRow) out.push_back({q.Text(0), q.Int(1)});
    return out;
  }

  Result<std::vector<RawPacket>> RawPackets(std::string_view mn, UnixMillis from, UnixMillis to,
                                            size_t limit) override {
    auto db = reads_.Acquire();
    std::vector<RawPacket> out;
    Stmt& q = db->Cached(
        "SELECT received, peer, mn, verdict, bytes FROM raw_packets WHERE mn = ? AND "
        "received >= ? AND received < ? ORDER BY received DESC, id DESC LIMIT ?");
    q.Bind(1, mn).Bind(2, from).Bind(3, to).Bind(4, static_cast<int64_t>(limit));
    while (q.Step() == kRow) out.push_back({q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)});
    q.Reset();
    return out;
  }

  Status PruneRaw(UnixMillis before) override {
    std::lock_guard lock(w_.mu());
    Stmt q(w_, "DELETE FROM raw_packets WHERE received < ?");
    q.Bind(1, before);
    return q.Step() == kDone ? Status::Ok() : w_.Error("prune raw");
  }

  Status PruneReadings(Period period, UnixSeconds before) override {
    std::lock_guard lock(w_.mu());
    Status s = w_.Exec("BEGIN IMMEDIATE");
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
    if (a.Step() != kDone || b.Step() != kDone) {
      Status e = w_.Error("prune readings");
      w_.Exec("ROLLBACK");
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
      while (q.Step() == kRow) rows.emplace_back(q.Int(0), q.Text(1));
      for (auto& [series, data] : rows) {
        std::vector<ChunkEntry> e, keep;
        s = DecodeChunk(day, data, &e);
        if (!s.ok()) break;
        for (auto& x : e)
          if (x.time >= before) keep.push_back(std::move(x));
        if (keep.size() == e.size()) continue;
        StepResult rc;
        if (keep.empty()) {
          del.Bind(1, series).Bind(2, day);
          rc = del.Step();
          del.Reset();
        } else {
          put.BindBlob(1, EncodeChunk(day, keep)).Bind(2, series).Bind(3, day);
          rc = put.Step();
          put.Reset();
        }
        if (rc != kDone) {
          s = w_.Error("prune chunk");
          break;
        }
      }
      if (!s.ok()) {
        w_.Exec("ROLLBACK");
        return s;
      }
    }
    return w_.Exec("COMMIT");
  }

  Status Compact(UnixSeconds before) override {
    // Day by day, each in slices (CompactDay), so appends wait at most one slice's
    // merge; days without hot rows are skipped (late data can leave far-apart days).
    for (int64_t from = INT64_MIN;;) {
      int64_t first = 0;
      {
        std::lock_guard lock(w_.mu());
        Stmt q(w_, "SELECT min(t) FROM readings WHERE t >= ? AND t < ?");
        q.Bind(1, from).Bind(2, before);
        if (q.Step() != kRow) return w_.Error("compact");
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
    // In steady state the pages freed here are reused by new rows, and the WAL is
    // kept short by the checkpointer without holding up the writer. A full
    // compaction (db stats, before a backup, the bench) returns the pages to the
    // file system and empties the WAL: that waits for the readers, and appends wait
    // meanwhile, so a routine pass must not do it (it stalled acks for seconds).
    if (before != INT64_MAX) return Status::Ok();
    std::lock_guard lock(w_.mu());
    Status s = w_.Exec("PRAGMA incremental_vacuum");
    if (!s.ok()) return s;
    w_.CheckpointTruncate();
    return Status::Ok();
  }

 private:
  // the newest chunk (late data can put an older hot row beside newer chunks).
  // `site` binds ?1 when >= 0.
  Result<std::vector<LatestValue>> Latest(const char* series_sql, const char* hot_sql,
                                          int64_t site) {
    auto db = reads_.Acquire();
    Status s = db->Exec("BEGIN");
    if (!s.ok()) return s;
    std::unordered_map<int64_t, ChunkEntry> hot;
    {
      Stmt q(*db, hot_sql);
      if (site >= 0) q.Bind(1, site);
      while (q.Step() == kRow) hot[q.Int(0)] = EntryFrom(q, 1);
    }
    std::vector<LatestValue> out;
    Stmt sq(*db, series_sql);
    if (site >= 0) sq.Bind(1, site);
    Stmt& cq =
        db->Cached("SELECT day, data FROM chunks WHERE series = ? ORDER BY day DESC LIMIT 1");
    while (s.ok() && sq.Step() == kRow) {
      int64_t id = sq.Int(0);
      std::optional<ChunkEntry> best;
      if (auto h = hot.find(id); h != hot.end()) best = std::move(h->second);
      cq.Bind(1, id);
      if (cq.Step() == kRow) {
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
    db->Exec("COMMIT");
    if (!s.ok()) return s;
    return out;
  }

  static ChunkEntry EntryFrom(const Stmt& q, int c) {
    return EntryOf(q.Int(c), q.OptInt(c + 1), q.Null(c + 1) ? q.Text(c + 2) : std::string(),
                   q.OptInt(c + 3));
  }
  // A hot row's columns (t, v, txt, flag) as a chunk entry: v packs the value when
  // it is not null, txt holds it otherwise.
  static ChunkEntry EntryOf(int64_t t, std::optional<int64_t> v, std::string txt,
                            std::optional<int64_t> flag) {
    return {.time = t,
            .value = v ? Unpack(*v) : std::move(txt),
            .flag = flag ? static_cast<char>(*flag) : char{0}};
  }

  static Status LoadChunks(Stmt& q, int64_t series, int64_t from_day, int64_t to,
                           std::vector<ChunkEntry>* out) {
    q.Bind(1, series);
    if (from_day != INT64_MIN) q.Bind(2, from_day).Bind(3, to);
    Status s;
    while (s.ok() && q.Step() == kRow) s = DecodeChunk(q.Int(0), q.Text(1), out);
    q.Reset();
    return s;
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
  // w_.mu() held.
  Result<int64_t> SeriesId(const std::string& mn, Period p, const std::string& factor,
                           const std::string& field,
                           std::vector<std::pair<std::string, int64_t>>* created) {
    // The key is built in a reused buffer: no allocation per reading on the hot path.
    SeriesName(mn, static_cast<int>(p), factor, field, &series_key_);
    auto it = series_ids_.find(series_key_);
    if (it != series_ids_.end()) return it->second;
    const std::string key = series_key_;
    auto id = w_.InsertReturningId(
        "INSERT INTO series (mn, period, factor, field) VALUES (?,?,?,?) RETURNING id",
        "create series", mn, static_cast<int>(p), factor, field);
    if (!id.ok()) return id;
    series_ids_.emplace(key, *id);
    created->push_back({key, *id});
    return id;
  }

  // Rolls back and forgets the series ids the failed transaction created.
  Status Rollback(Status s, const std::vector<std::pair<std::string, int64_t>>& created) {
    w_.Exec("ROLLBACK");
    for (auto& [k, id] : created) series_ids_.erase(k);
    if (!created.empty()) memo_.Clear();
    return s;
  }

  // The hot rows of [day, before) into the day's chunks, in two steps, each in short
  // transactions so that the writer, and the acks waiting on it, gets the connection
  // back often:
  //  1. the chunks, a slice of series at a time (about kCompactSliceRows rows), so
  //     each series' chunk is rewritten once;
  //  2. the rows leave the hot table in its own order (time, then series), about
  //     kDeleteSliceRows at a time, so each of its pages is written once. Deleted a
  //     series slice at a time, a page (rows of a hundred series) was written again
  //     by every slice with a row on it, and the writer's next fsync carried it all.
  // The rows come from a read snapshot, without the writer's lock. Between the steps a
  // row is in both places and the hot row wins on reading, as it does for a
  // correction; a row is deleted only if it is still as read, so a correction written
  // meanwhile stays hot. Rows that arrive later stay hot until the next pass.
  Status CompactDay(int64_t day, int64_t before) {
    std::vector<std::pair<int64_t, HotRow>> rows;  // (series, row)
    {
      auto db = reads_.Acquire();
      Stmt q(*db, "SELECT series, t, v, txt, flag FROM readings WHERE t >= ? AND t < ?");
      q.Bind(1, day).Bind(2, before);
      StepResult rc;
      while ((rc = q.Step()) == kRow)
        rows.emplace_back(q.Int(0),
                          HotRow{q.Int(1), q.OptInt(2),
                                 q.Null(3) ? std::nullopt : std::optional(q.Text(3)), q.OptInt(4)});
      if (rc != kDone) return db->Error("compact: hot rows");
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t from = 0; from < rows.size();) {
      size_t end = std::min(rows.size(), from + static_cast<size_t>(kCompactSliceRows));
      while (end < rows.size() && rows[end].first == rows[end - 1].first) ++end;  // whole series
      Status s =
          Unsynced([&] { return WriteChunks(day, std::span(rows).subspan(from, end - from)); });
      if (!s.ok()) return s;
      from = end;
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return std::tie(a.second.t, a.first) < std::tie(b.second.t, b.first);
    });
    for (size_t from = 0; from < rows.size(); from += kDeleteSliceRows) {
      const size_t n = std::min(rows.size() - from, static_cast<size_t>(kDeleteSliceRows));
      Status s = Unsynced([&] { return DeleteMoved(std::span(rows).subspan(from, n)); });
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  // A hot row as read: the columns of `readings` but the series.
  struct HotRow {
    int64_t t;
    std::optional<int64_t> v;
    std::optional<std::string> txt;
    std::optional<int64_t> flag;
  };

  // `body` (BEGIN IMMEDIATE ... COMMIT) under the write lock, after any append that is
  // waiting for it, and without an fsync of its own: a compaction step lost in a crash
  // leaves the rows hot, and the next durable commit (the writer's) syncs the log up
  // to and past it.
  Status Unsynced(const std::function<Status()>& body) {
    // A mutex is not fair: released and taken again at once, it would keep an append
    // (and the acks behind it) waiting for several steps.
    while (appends_waiting_.load() > 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    std::lock_guard lock(w_.mu());
    if (synchronous_full_) {
      Status s = w_.Exec("PRAGMA synchronous=NORMAL");
      if (!s.ok()) return s;
    }
    Status s = w_.Exec("BEGIN IMMEDIATE");
    if (s.ok()) {
      s = body();
      if (s.ok()) s = w_.Exec("COMMIT");
      if (!s.ok()) w_.Exec("ROLLBACK");
    }
    if (synchronous_full_) {
      Status full = w_.Exec("PRAGMA synchronous=FULL");
      if (s.ok()) s = full;
    }
    return s;
  }

  // Merges `rows` (by series, then time; all within `day`) into their series' chunks.
  Status WriteChunks(int64_t day, std::span<const std::pair<int64_t, HotRow>> rows) {
    Stmt get(w_, "SELECT day, data FROM chunks WHERE series = ? AND day = ?");
    Stmt put(w_, "INSERT OR REPLACE INTO chunks (series, day, data) VALUES (?,?,?)");
    std::vector<ChunkEntry> entries, old;
    for (size_t i = 0; i < rows.size();) {
      const int64_t series = rows[i].first;
      entries.clear();
      for (; i < rows.size() && rows[i].first == series; ++i) {
        const HotRow& r = rows[i].second;
        entries.push_back(EntryOf(r.t, r.v, r.txt.value_or(""), r.flag));
      }
      old.clear();
      get.Bind(1, series).Bind(2, day);
      Status s = Status::Ok();
      if (get.Step() == kRow) s = DecodeChunk(day, get.Text(1), &old);
      get.Reset();
      if (!s.ok()) return s;
      put.Bind(1, series).Bind(2, day).BindBlob(3, EncodeChunk(day, MergeEntries(old, entries)));
      StepResult rc = put.Step();
      put.Reset();
      if (rc != kDone) return w_.Error("write chunk");
    }
    return Status::Ok();
  }

  // Deletes the hot rows of `rows` (in the table's order) that are still as read.
  Status DeleteMoved(std::span<const std::pair<int64_t, HotRow>> rows) {
    Stmt take(w_,
              "DELETE FROM readings WHERE t = ?1 AND series = ?2 AND v IS ?3 AND txt IS ?4 AND "
              "flag IS ?5");
    for (const auto& [series, r] : rows) {
      take.BindAll(r.t, series, r.v, r.txt, r.flag);
      StepResult rc = take.Step();
      take.Reset();
      if (rc != kDone) return w_.Error("compact: delete moved row");
    }
    return Status::Ok();
  }

  const bool synchronous_full_;  // ecohub.db's setting (SqliteOptions)
  std::atomic<int> appends_waiting_{0};
  std::unordered_map<std::string, int64_t> series_ids_;  // guarded by w_.mu()
  std::string series_key_;                               // scratch for SeriesId, guarded by w_.mu()
  SeriesMemo memo_;  // the ids of each device's last batch, guarded by w_.mu()
};

}  // namespace

Result<std::unique_ptr<ReadingStore>> OpenReadings(Connections& c, const SqliteOptions& options) {
  auto r = std::make_unique<Readings>(c, options.synchronous_full);
  if (!options.read_only) r->LoadSeriesIds();
  return std::unique_ptr<ReadingStore>(std::move(r));
}

}  // namespace ecohub::store::sqlite
