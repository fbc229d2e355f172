// The audit module of the SQLite store: the hash-chained log in ecohub.db.
#include "store/audit.h"

#include "store/sqlite/modules.h"

namespace ecohub::store::sqlite {

namespace {

class Audit final : public AuditStore, private OnEcohubDb {
 public:
  explicit Audit(Connections& c) : OnEcohubDb(c) {}

  Status AppendAudits(std::span<AuditEntry> entries) override {
    if (entries.empty()) return Status::Ok();
    std::lock_guard lock(w_.mu());
    // The link to the last row is read inside the transaction that appends.
    return w_.InTransaction([&] {
      int64_t id = 0;
      std::string prev = kAuditGenesis;
      Stmt last(w_, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
      if (last.Step() == kRow) {
        id = last.Int(0);
        prev = last.Text(1);
      }
      for (AuditEntry& e : entries) {
        e.id = ++id;
        e.prev_hash = prev;
        if (e.time == 0) e.time = WallMillis();
        e.hash = AuditHash(e);
        prev = e.hash;
        Status s = w_.Run(
            "INSERT INTO audit_log (id, t, actor, action, object, detail, prev_hash, hash) "
            "VALUES (?,?,?,?,?,?,?,?)",
            "append audit", e.id, e.time, e.actor, e.action, e.object, e.detail, e.prev_hash,
            e.hash);
        if (!s.ok()) return s;
      }
      return Status::Ok();
    });
  }

  Status ScanAudit(const std::function<bool(const AuditEntry&)>& fn) override {
    std::lock_guard lock(r_.mu());
    Stmt q(r_,
           "SELECT id, t, actor, action, object, detail, prev_hash, hash FROM audit_log "
           "ORDER BY id");
    StepResult rc;
    while ((rc = q.Step()) == kRow) {
      AuditEntry e{q.Int(0),  q.Int(1),  q.Text(2), q.Text(3),
                   q.Text(4), q.Text(5), q.Text(6), q.Text(7)};
      if (!fn(e)) return Status::Ok();
    }
    return rc == kDone ? Status::Ok() : r_.Error("scan audit");
  }
};

}  // namespace

std::unique_ptr<AuditStore> NewAudit(Connections& c) { return std::make_unique<Audit>(c); }

}  // namespace ecohub::store::sqlite
