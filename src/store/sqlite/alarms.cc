// The alarm module of the SQLite store: alarms and their lifecycle in ecohub.db.
#include <algorithm>

#include "store/sqlite/modules.h"

namespace ecohub::store::sqlite {

namespace {

class Alarms final : public AlarmStore, private OnEcohubDb {
 public:
  explicit Alarms(Connections& c) : OnEcohubDb(c) {}

  Status UpsertAlarms(std::span<const Alarm> alarms) override {
    if (alarms.empty()) return Status::Ok();
    std::lock_guard lock(w_.mu());
    return w_.InTransaction([&] {
      UnixSeconds now = WallSeconds();
      for (const Alarm& a : alarms) {
        Status s = w_.Run(
            "INSERT INTO alarms (key, kind, site_id, site_code, enterprise_id, district_id, "
            "factor, started, ended, value, \"limit\", unit, detail, status, created) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'open',?) ON CONFLICT (key) DO UPDATE SET "
            "ended=excluded.ended, value=excluded.value, \"limit\"=excluded.\"limit\", "
            "unit=excluded.unit, detail=excluded.detail",
            "upsert alarm", a.key, a.kind, a.site_id, a.site_code,
            a.enterprise_id ? std::optional<int64_t>(a.enterprise_id) : std::nullopt, a.district_id,
            a.factor, a.started, a.ended, a.value, a.limit, a.unit, a.detail,
            a.created ? a.created : now);
        if (!s.ok()) return s;
      }
      return Status::Ok();
    });
  }

  Result<std::vector<Alarm>> QueryAlarms(const AlarmFilter& f) override {
    auto db = reads_.Acquire();
    std::string sql =
        std::string(kAlarmSelect) + AlarmWhere(f, true) + " ORDER BY started DESC, id DESC LIMIT ?";
    Stmt q(*db, sql.c_str());
    if (!q.ok()) return db->Error("query alarms");
    int i = BindAlarmFilter(q, f, true);
    q.Bind(i, static_cast<int64_t>(std::min<size_t>(f.limit, INT64_MAX)));
    std::vector<Alarm> out;
    StepResult rc;
    while ((rc = q.Step()) == kRow) out.push_back(AlarmFrom(q));
    if (rc != kDone) return db->Error("query alarms");
    return out;
  }

  Result<std::vector<AlarmCount>> CountAlarms(const AlarmFilter& f) override {
    auto db = reads_.Acquire();
    std::string sql = "SELECT kind, status, count(*) FROM alarms" + AlarmWhere(f, false) +
                      " GROUP BY kind, status ORDER BY kind, status";
    Stmt q(*db, sql.c_str());
    if (!q.ok()) return db->Error("count alarms");
    BindAlarmFilter(q, f, false);
    std::vector<AlarmCount> out;
    StepResult rc;
    while ((rc = q.Step()) == kRow) out.push_back({q.Text(0), q.Text(1), q.Int(2)});
    if (rc != kDone) return db->Error("count alarms");
    return out;
  }

  Result<Alarm> GetAlarm(int64_t id) override {
    auto db = reads_.Acquire();
    return GetAlarmOn(*db, id);
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
    std::lock_guard lock(w_.mu());
    Result<Alarm> out = Status::Internal("alarm transition did not run");
    // The check and the change in one write transaction: no other transition between.
    Status s = w_.InTransaction([&] {
      Stmt& q = w_.Cached(sql);
      q.Bind(1, id).Bind(2, by).Bind(3, at).Bind(4, comment);
      StepResult rc = q.Step();
      q.Reset();
      if (rc != kDone) return w_.Error("alarm transition");
      bool changed = w_.Changes() == 1;
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

 private:
  static constexpr const char* kAlarmSelect =
      "SELECT id, key, kind, site_id, site_code, enterprise_id, district_id, factor, started, "
      "ended, value, \"limit\", unit, detail, status, ack_by, ack_at, ack_comment, closed_by, "
      "closed_at, close_comment, created FROM alarms";

  static Alarm AlarmFrom(const Stmt& q) {
    return Alarm{q.Int(0),   q.Text(1),  q.Text(2),  q.Int(3),    q.Text(4),     q.Int(5),
                 q.Int(6),   q.Text(7),  q.Int(8),   q.OptInt(9), q.OptReal(10), q.OptReal(11),
                 q.Text(12), q.Text(13), q.Text(14), q.Text(15),  q.Int(16),     q.Text(17),
                 q.Text(18), q.Int(19),  q.Text(20), q.Int(21)};
  }

  // The caller holds db.mu(), or db on a lease.
  static Result<Alarm> GetAlarmOn(Db& db, int64_t id) {
    return db.QueryOne(
        "SELECT id, key, kind, site_id, site_code, enterprise_id, district_id, factor, started, "
        "ended, value, \"limit\", unit, detail, status, ack_by, ack_at, ack_comment, closed_by, "
        "closed_at, close_comment, created FROM alarms WHERE id = ?",
        "alarm " + std::to_string(id), AlarmFrom, id);
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
    if (f.above_id) w += " AND id > ?";
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
    if (f.above_id) q.Bind(i++, f.above_id);
    if (paged && f.after) {
      q.Bind(i, f.after->first).Bind(i + 1, f.after->first).Bind(i + 2, f.after->second);
      i += 3;
    }
    return i;
  }
};

}  // namespace

std::unique_ptr<AlarmStore> NewAlarms(Connections& c) { return std::make_unique<Alarms>(c); }

}  // namespace ecohub::store::sqlite
