// The alarm module of the PostgreSQL store (alarm_store.h), with the semantics of the
// SQLite module (sqlite/alarms.cc). Transitions are atomic across EcoHub nodes: the
// UPDATE names the statuses it moves from, and of two racing transactions the second
// waits for the first's row lock, then finds the status changed and updates nothing.
#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "store/pg/lease.h"
#include "store/pg/modules.h"

namespace ecohub::store::pg {

namespace {

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: as sqlite/migrations.h's step 6. Kind and status in binary order (collation
    // "C"), as SQLite counts them, whatever the database's collation.
    R"sql(
CREATE TABLE alarms (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, key TEXT UNIQUE NOT NULL,
  kind TEXT COLLATE "C" NOT NULL, site_id BIGINT NOT NULL, site_code TEXT NOT NULL,
  enterprise_id BIGINT,
  district_id BIGINT NOT NULL, factor TEXT NOT NULL, started BIGINT NOT NULL, ended BIGINT,
  value DOUBLE PRECISION, "limit" DOUBLE PRECISION, unit TEXT NOT NULL, detail TEXT NOT NULL,
  status TEXT COLLATE "C" NOT NULL CHECK (status IN ('open', 'acknowledged', 'closed')),
  ack_by TEXT, ack_at BIGINT, ack_comment TEXT,
  closed_by TEXT, closed_at BIGINT, close_comment TEXT, created BIGINT NOT NULL);
CREATE INDEX alarms_started ON alarms (started, id);
CREATE INDEX alarms_status ON alarms (status, started);
)sql",
};

constexpr const char* kAlarmSelect =
    "SELECT id, key, kind, site_id, site_code, enterprise_id, district_id, factor, started, "
    "ended, value, \"limit\", unit, detail, status, ack_by, ack_at, ack_comment, closed_by, "
    "closed_at, close_comment, created FROM alarms";

// The filter of alarm_store.h as one statement: a filter field that is empty or zero
// matches everything. Parameters $1..$8, in the order FilterQuery passes them; the
// statement is planned with their values, so the conditions that do not apply fold
// away.
constexpr const char* kAlarmWhere =
    " WHERE started >= $1 AND started < $2"
    " AND (cardinality($3::text[]) = 0 OR status = ANY ($3::text[]))"
    " AND ($4::text = '' OR kind = $4) AND (NOT $5::boolean OR ended IS NULL)"
    " AND ($6::bigint = 0 OR district_id = $6) AND ($7::bigint = 0 OR site_id = $7)"
    " AND ($8::bigint = 0 OR enterprise_id = $8) AND id > $9";

Alarm AlarmFrom(const Rows& q, int i) {
  return Alarm{q.Int(i, 0),      Str(q, i, 1),     Str(q, i, 2),  q.Int(i, 3),   Str(q, i, 4),
               q.Int(i, 5),      q.Int(i, 6),      Str(q, i, 7),  q.Int(i, 8),   q.OptInt(i, 9),
               q.OptReal(i, 10), q.OptReal(i, 11), Str(q, i, 12), Str(q, i, 13), Str(q, i, 14),
               Str(q, i, 15),    q.Int(i, 16),     Str(q, i, 17), Str(q, i, 18), q.Int(i, 19),
               Str(q, i, 20),    q.Int(i, 21)};
}

// The alarm `id` on `db`; kNotFound when there is none.
Result<Alarm> GetAlarmOn(Conn& db, int64_t id) {
  static const std::string sql = std::string(kAlarmSelect) + " WHERE id = $1";
  return ReadOne(db, sql.c_str(), "alarm " + std::to_string(id), AlarmFrom, id);
}

class Alarms final : public AlarmStore {
 public:
  explicit Alarms(Connections& c) : pool_(*c.pool) {}

  // One statement for the whole batch (unnest of array parameters), one round trip
  // however many alarms a sync raises.
  Status UpsertAlarms(std::span<const Alarm> alarms) override {
    if (alarms.empty()) return Status::Ok();
    UnixSeconds now = WallSeconds();
    ArrayParam key, kind, site, code, enterprise, district, factor, started, ended, value, limit,
        unit, detail, created;
    for (const Alarm& a : Merged(alarms)) {
      key.Add(a.key);
      kind.Add(a.kind);
      site.Add(a.site_id);
      code.Add(a.site_code);
      enterprise.Add(a.enterprise_id ? std::optional<int64_t>(a.enterprise_id) : std::nullopt);
      district.Add(a.district_id);
      factor.Add(a.factor);
      started.Add(a.started);
      ended.Add(a.ended);
      value.Add(a.value);
      limit.Add(a.limit);
      unit.Add(a.unit);
      detail.Add(a.detail);
      created.Add(a.created ? a.created : now);
    }
    return Run(pool_,
               "INSERT INTO alarms (key, kind, site_id, site_code, enterprise_id, district_id, "
               "factor, started, ended, value, \"limit\", unit, detail, status, created) "
               "SELECT k, kind, site, code, ent, dist, factor, started, ended, value, lim, unit, "
               "detail, 'open', created FROM unnest($1::text[], $2::text[], $3::bigint[], "
               "$4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::bigint[], $9::bigint[], "
               "$10::float8[], $11::float8[], $12::text[], $13::text[], $14::bigint[]) AS u(k, "
               "kind, site, code, ent, dist, factor, started, ended, value, lim, unit, detail, "
               "created) ON CONFLICT (key) DO UPDATE SET ended=excluded.ended, "
               "value=excluded.value, \"limit\"=excluded.\"limit\", unit=excluded.unit, "
               "detail=excluded.detail",
               "upsert alarms", key.str(), kind.str(), site.str(), code.str(), enterprise.str(),
               district.str(), factor.str(), started.str(), ended.str(), value.str(), limit.str(),
               unit.str(), detail.str(), created.str());
  }

  Result<std::vector<Alarm>> QueryAlarms(const AlarmFilter& f) override {
    std::optional<int64_t> after_started, after_id;
    if (f.after) after_started = f.after->first, after_id = f.after->second;
    std::string sql = std::string(kAlarmSelect) + kAlarmWhere +
                      " AND ($10::bigint IS NULL OR started < $10 OR (started = $10 AND id < $11))"
                      " ORDER BY started DESC, id DESC LIMIT $12";
    auto rows = FilterQuery(sql, "query alarms", f, after_started, after_id,
                            static_cast<int64_t>(std::min<size_t>(f.limit, INT64_MAX)));
    if (!rows.ok()) return rows.status();
    std::vector<Alarm> out;
    out.reserve(rows->size());
    for (int i = 0; i < rows->size(); ++i) out.push_back(AlarmFrom(*rows, i));
    return out;
  }

  Result<std::vector<AlarmCount>> CountAlarms(const AlarmFilter& f) override {
    std::string sql = std::string("SELECT kind, status, count(*) FROM alarms") + kAlarmWhere +
                      " GROUP BY kind, status ORDER BY kind, status";
    auto rows = FilterQuery(sql, "count alarms", f);
    if (!rows.ok()) return rows.status();
    std::vector<AlarmCount> out;
    for (int i = 0; i < rows->size(); ++i)
      out.push_back({Str(*rows, i, 0), Str(*rows, i, 1), rows->Int(i, 2)});
    return out;
  }

  Result<Alarm> GetAlarm(int64_t id) override {
    auto db = pool_.Get();
    if (!db.ok()) return db.status();
    return GetAlarmOn(**db, id);
  }

  Result<Alarm> TransitionAlarm(int64_t id, std::string_view status, std::string_view by,
                                std::string_view comment, UnixSeconds at) override {
    const char* sql = nullptr;
    if (status == "acknowledged")
      sql =
          "UPDATE alarms SET status='acknowledged', ack_by=$2, ack_at=$3, ack_comment=$4 "
          "WHERE id=$1 AND status='open'";
    else if (status == "closed")
      sql =
          "UPDATE alarms SET status='closed', closed_by=$2, closed_at=$3, close_comment=$4 "
          "WHERE id=$1 AND status IN ('open', 'acknowledged')";
    else
      return Status::InvalidInput("an alarm moves to acknowledged or closed only");
    Result<Alarm> out = Status::Internal("alarm transition did not run");
    // The change and the read of the result in one transaction: the row as this
    // transition left it (or, when it changed nothing, as the winner left it). Once
    // only: a retry after a lost COMMIT would find the alarm moved and refuse.
    Status s = WriteOnce(pool_, "alarm transition", [&](Conn& conn) {
      auto changed = conn.Query(sql, "alarm transition", id, by, at, comment);
      if (!changed.ok()) return changed.status();
      out = GetAlarmOn(conn, id);
      if (!out.ok()) return out.status();
      if (changed->Affected() != 1)
        return Status(Code::kConflict, "alarm " + std::to_string(id) + " is " + out->status +
                                           ": it cannot become " + std::string(status));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    // An earlier try committed and this one did not run: the row as it is now.
    if (!out.ok()) return GetAlarm(id);
    return out;
  }

 private:
  // One row per key, as upserting the alarms one after another would leave it:
  // PostgreSQL refuses to update a row twice in one statement. A key's first alarm
  // gives what an insert stores, its last what an update changes; keys stay in the
  // order they first appear (ids are given in that order).
  static std::vector<Alarm> Merged(std::span<const Alarm> alarms) {
    std::vector<Alarm> out;
    std::unordered_map<std::string_view, size_t> at;
    for (const Alarm& a : alarms) {
      auto [it, fresh] = at.try_emplace(a.key, out.size());
      if (fresh) {
        out.push_back(a);
        continue;
      }
      Alarm& m = out[it->second];
      m.ended = a.ended;
      m.value = a.value;
      m.limit = a.limit;
      m.unit = a.unit;
      m.detail = a.detail;
    }
    return out;
  }

  // Runs `sql`, whose WHERE is kAlarmWhere, with the filter's parameters and then
  // `more` ($10 on).
  template <typename... V>
  Result<Rows> FilterQuery(const std::string& sql, std::string_view what, const AlarmFilter& f,
                           const V&... more) {
    ArrayParam statuses;
    for (const std::string& s : f.statuses) statuses.Add(s);
    return Query(pool_, sql.c_str(), what, f.from, f.to, statuses.str(), f.kind, f.ongoing_only,
                 f.district_id, f.site_id, f.enterprise_id, f.above_id, more...);
  }

  Pool& pool_;
};

}  // namespace

Result<std::unique_ptr<AlarmStore>> OpenAlarms(Connections& c) {
  if (Status s = Migrate(*c.pool, "alarms", kSteps); !s.ok()) return s;
  return std::unique_ptr<AlarmStore>(std::make_unique<Alarms>(c));
}

}  // namespace ecohub::store::pg
