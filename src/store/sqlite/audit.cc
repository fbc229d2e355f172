// The audit module of the SQLite store: the chained log in ecohub.db.
#include "store/audit.h"

#include <atomic>

#include "store/sqlite/modules.h"

namespace ecohub::store::sqlite {

namespace {

constexpr const char* kColumns = "id, t, actor, action, object, detail, prev_hash, hash, key_id";

AuditEntry EntryOf(const Stmt& q) {
  return AuditEntry{q.Int(0),  q.Int(1),  q.Text(2), q.Text(3), q.Text(4),
                    q.Text(5), q.Text(6), q.Text(7), q.Text(8)};
}

class Audit final : public AuditStore, private OnEcohubDb {
 public:
  explicit Audit(Connections& c) : OnEcohubDb(c), keys_(*c.keys) {}

  void UseAuditKeys(std::shared_ptr<const crypto::KeyRing> keys) override {
    keys_.Use(std::move(keys));
  }

  Status AppendAudits(std::span<AuditEntry> entries) override {
    if (entries.empty()) return Status::Ok();
    auto keys = keys_.Get();
    if (!keys.ok()) return keys.status();
    return AfterHead([&](AuditEntry& head) {
      for (AuditEntry& e : entries) {
        e.id = head.id + 1;
        e.prev_hash = head.hash;
        if (e.time == 0) e.time = WallMillis();
        if (Status s = SealAuditEntry(head, **keys, &e); !s.ok()) return s;
        if (Status s = Insert(e); !s.ok()) return s;
        head = e;
      }
      return Status::Ok();
    });
  }

  Status CopyAudits(std::span<const AuditEntry> entries) override {
    if (entries.empty()) return Status::Ok();
    return AfterHead([&](AuditEntry& head) {
      for (const AuditEntry& e : entries) {
        if (Status s = CheckAuditLink(head, e); !s.ok()) return s;
        if (Status s = Insert(e); !s.ok()) return s;
        head = e;
      }
      return Status::Ok();
    });
  }

  Status ScanAudit(const std::function<bool(const AuditEntry&)>& fn) override {
    auto db = reads_.Acquire();
    Stmt q(*db, std::string("SELECT ") + kColumns + " FROM audit_log ORDER BY id");
    StepResult rc;
    while ((rc = q.Step()) == kRow)
      if (!fn(EntryOf(q))) return Status::Ok();
    return rc == kDone ? Status::Ok() : db->Error("scan audit");
  }

  Result<AuditChainHead> ReadAuditHead() override {
    auto db = reads_.Acquire();
    AuditChainHead head;
    head.last.hash = kAuditGenesis;
    Stmt last(*db, std::string("SELECT ") + kColumns + " FROM audit_log ORDER BY id DESC LIMIT 1");
    StepResult rc = last.Step();
    if (rc == kRow) head.last = EntryOf(last);
    if (rc != kRow && rc != kDone) return db->Error("read audit head");
    // Found once: keyed rows only ever follow the SHA-256 ones.
    if (keyed_from_ == 0 && !head.last.key_id.empty()) {
      Stmt first(*db, "SELECT id FROM audit_log WHERE key_id != '' ORDER BY id LIMIT 1");
      if (first.Step() == kRow) keyed_from_ = first.Int(0);
    }
    head.keyed_from = keyed_from_;
    return head;
  }

 private:
  // `body(head)` in one write transaction: the link to the last row is read inside
  // the transaction that appends.
  Status AfterHead(const std::function<Status(AuditEntry&)>& body) {
    std::lock_guard lock(w_.mu());
    return w_.InTransaction([&] {
      AuditEntry head;
      head.hash = kAuditGenesis;
      Stmt last(w_, std::string("SELECT ") + kColumns + " FROM audit_log ORDER BY id DESC LIMIT 1");
      if (last.Step() == kRow) head = EntryOf(last);
      return body(head);
    });
  }

  Status Insert(const AuditEntry& e) {
    return w_.Run(
        "INSERT INTO audit_log (id, t, actor, action, object, detail, prev_hash, hash, key_id) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        "append audit", e.id, e.time, e.actor, e.action, e.object, e.detail, e.prev_hash, e.hash,
        e.key_id);
  }

  StoreKeys& keys_;
  // Readers may find it at once on two connections: they find the same id.
  std::atomic<int64_t> keyed_from_ = 0;
};

}  // namespace

std::unique_ptr<AuditStore> NewAudit(Connections& c) { return std::make_unique<Audit>(c); }

}  // namespace ecohub::store::sqlite
