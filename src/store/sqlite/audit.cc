// The audit module of the SQLite store: the chained log in ecohub.db.
#include "store/audit.h"

#include <filesystem>

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
  explicit Audit(Connections& c) : OnEcohubDb(c) {}

  void UseAuditKeys(std::shared_ptr<const crypto::KeyRing> keys) override {
    std::lock_guard lock(w_.mu());
    keys_ = std::move(keys);
  }

  Status AppendAudits(std::span<AuditEntry> entries) override {
    if (entries.empty()) return Status::Ok();
    std::lock_guard lock(w_.mu());
    if (Status s = LoadDefaultKeys(); !s.ok()) return s;
    // The link to the last row is read inside the transaction that appends.
    return w_.InTransaction([&] {
      AuditEntry head;
      head.hash = kAuditGenesis;
      Stmt last(w_, std::string("SELECT ") + kColumns + " FROM audit_log ORDER BY id DESC LIMIT 1");
      if (last.Step() == kRow) head = EntryOf(last);
      for (AuditEntry& e : entries) {
        e.id = head.id + 1;
        e.prev_hash = head.hash;
        if (e.time == 0) e.time = WallMillis();
        if (Status s = SealAuditEntry(head, *keys_, &e); !s.ok()) return s;
        Status s = w_.Run(
            "INSERT INTO audit_log (id, t, actor, action, object, detail, prev_hash, hash, key_id) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            "append audit", e.id, e.time, e.actor, e.action, e.object, e.detail, e.prev_hash,
            e.hash, e.key_id);
        if (!s.ok()) return s;
        head = e;
      }
      return Status::Ok();
    });
  }

  Status ScanAudit(const std::function<bool(const AuditEntry&)>& fn) override {
    std::lock_guard lock(r_.mu());
    Stmt q(r_, std::string("SELECT ") + kColumns + " FROM audit_log ORDER BY id");
    StepResult rc;
    while ((rc = q.Step()) == kRow)
      if (!fn(EntryOf(q))) return Status::Ok();
    return rc == kDone ? Status::Ok() : r_.Error("scan audit");
  }

  Result<AuditChainHead> ReadAuditHead() override {
    std::lock_guard lock(r_.mu());
    AuditChainHead head;
    head.last.hash = kAuditGenesis;
    Stmt last(r_, std::string("SELECT ") + kColumns + " FROM audit_log ORDER BY id DESC LIMIT 1");
    StepResult rc = last.Step();
    if (rc == kRow) head.last = EntryOf(last);
    if (rc != kRow && rc != kDone) return r_.Error("read audit head");
    // Found once: keyed rows only ever follow the SHA-256 ones.
    if (keyed_from_ == 0 && !head.last.key_id.empty()) {
      Stmt first(r_, "SELECT id FROM audit_log WHERE key_id != '' ORDER BY id LIMIT 1");
      if (first.Step() == kRow) keyed_from_ = first.Int(0);
    }
    head.keyed_from = keyed_from_;
    return head;
  }

 private:
  // A store not handed keys finds them where every process of its data directory
  // does (audit_store.h), once; under w_.mu().
  Status LoadDefaultKeys() {
    if (keys_) return Status::Ok();
    Stmt q(w_, "PRAGMA database_list");  // (seq, name, file): main's file is ecohub.db
    std::string db_file = q.Step() == kRow ? q.Text(2) : "";
    std::string dir = std::filesystem::path(db_file).parent_path().string();
    auto keys = crypto::KeyRing::Resolve("", dir + "/keys", /*create=*/false);
    if (!keys.ok()) return keys.status();
    keys_ = std::make_shared<const crypto::KeyRing>(std::move(keys).value());
    return Status::Ok();
  }

  std::shared_ptr<const crypto::KeyRing> keys_;  // guarded by w_.mu()
  int64_t keyed_from_ = 0;                       // guarded by r_.mu()
};

}  // namespace

std::unique_ptr<AuditStore> NewAudit(Connections& c) { return std::make_unique<Audit>(c); }

}  // namespace ecohub::store::sqlite
