// The audit module of the PostgreSQL store (audit_store.h): the chained log, with the
// semantics of the SQLite module (sqlite/audit.cc).
//
// One chain whatever the number of EcoHub nodes: an append takes a transaction-scoped
// advisory lock before it reads the head, so the read of the last row and the rows
// linked after it are one step for every session of the database; a second node
// appending at the same moment waits, then links after the first node's rows. Ids are
// assigned here (head + 1), not by a sequence, so they stay consecutive from 1 as
// VerifyAuditChain requires: a rolled-back append leaves no gap.
#include "store/audit.h"

#include <mutex>

#include "store/pg/lease.h"
#include "store/pg/modules.h"

namespace ecohub::store::pg {

namespace {

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: as sqlite/migrations.h's steps 5 and 7.
    R"sql(
CREATE TABLE audit_log (
  id BIGINT PRIMARY KEY, t BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  object TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
  key_id TEXT NOT NULL DEFAULT '');
)sql",
};

constexpr const char* kLast =
    "SELECT id, t, actor, action, object, detail, prev_hash, hash, key_id FROM audit_log "
    "ORDER BY id DESC LIMIT 1";
// A page of the log after id $1 (ScanAudit reads the log a page at a time, so a long
// log never sits in memory whole).
constexpr const char* kPage =
    "SELECT id, t, actor, action, object, detail, prev_hash, hash, key_id FROM audit_log "
    "WHERE id > $1 ORDER BY id LIMIT $2";
constexpr int64_t kPageRows = 1000;

AuditEntry EntryOf(const Rows& q, int i) {
  return AuditEntry{q.Int(i, 0),  q.Int(i, 1),  Str(q, i, 2), Str(q, i, 3), Str(q, i, 4),
                    Str(q, i, 5), Str(q, i, 6), Str(q, i, 7), Str(q, i, 8)};
}

// The last row of the log on `db`; id 0 and the genesis hash when it is empty.
Result<AuditEntry> LastOn(Conn& db, std::string_view what) {
  auto rows = db.Query(kLast, what);
  if (!rows.ok()) return rows.status();
  if (!rows->empty()) return EntryOf(*rows, 0);
  AuditEntry head;
  head.hash = kAuditGenesis;
  return head;
}

class Audit final : public AuditStore {
 public:
  explicit Audit(Connections& c) : pool_(*c.pool), keys_(*c.keys) {}

  void UseAuditKeys(std::shared_ptr<const crypto::KeyRing> keys) override {
    keys_.Use(std::move(keys));
  }

  Status AppendAudits(std::span<AuditEntry> entries) override {
    if (entries.empty()) return Status::Ok();
    auto keys = keys_.Get();
    if (!keys.ok()) return keys.status();
    return AfterHead([&](Conn& conn, AuditEntry& head) {
      for (AuditEntry& e : entries) {
        e.id = head.id + 1;
        e.prev_hash = head.hash;
        if (e.time == 0) e.time = WallMillis();
        if (Status s = SealAuditEntry(head, **keys, &e); !s.ok()) return s;
        if (Status s = Insert(conn, e); !s.ok()) return s;
        head = e;
      }
      return Status::Ok();
    });
  }

  Status CopyAudits(std::span<const AuditEntry> entries) override {
    if (entries.empty()) return Status::Ok();
    return AfterHead([&](Conn& conn, AuditEntry& head) {
      for (const AuditEntry& e : entries) {
        if (Status s = CheckAuditLink(head, e); !s.ok()) return s;
        if (Status s = Insert(conn, e); !s.ok()) return s;
        head = e;
      }
      return Status::Ok();
    });
  }

  Status ScanAudit(const std::function<bool(const AuditEntry&)>& fn) override {
    auto db = pool_.Get();
    if (!db.ok()) return db.status();
    for (int64_t after = 0;;) {
      auto rows = (*db)->Query(kPage, "scan audit", after, kPageRows);
      if (!rows.ok()) return rows.status();
      for (int i = 0; i < rows->size(); ++i)
        if (!fn(EntryOf(*rows, i))) return Status::Ok();
      if (rows->size() < kPageRows) return Status::Ok();
      after = rows->Int(rows->size() - 1, 0);
    }
  }

  Result<AuditChainHead> ReadAuditHead() override {
    auto db = pool_.Get();
    if (!db.ok()) return db.status();
    auto last = LastOn(**db, "read audit head");
    if (!last.ok()) return last.status();
    AuditChainHead head;
    head.last = std::move(*last);
    std::lock_guard lock(mu_);
    // Found once: keyed rows only ever follow the SHA-256 ones.
    if (keyed_from_ == 0 && !head.last.key_id.empty()) {
      auto first =
          (*db)->Query("SELECT min(id) FROM audit_log WHERE key_id != ''", "read audit head");
      if (!first.ok()) return first.status();
      keyed_from_ = first->Int(0, 0);
    }
    head.keyed_from = keyed_from_;
    return head;
  }

 private:
  // `body(conn, head)` in one transaction that holds the chain: the head is read
  // under a transaction-scoped advisory lock, so no other session reads it until
  // COMMIT or ROLLBACK. Once only: entries appended again after a lost COMMIT would
  // stand in the chain twice.
  Status AfterHead(const std::function<Status(Conn&, AuditEntry&)>& body) {
    return WriteOnce(pool_, "append audit", [&](Conn& conn) {
      Status s = conn.Run("SELECT pg_advisory_xact_lock(hashtext('ecohub audit'))", "audit lock");
      if (!s.ok()) return s;
      auto head = LastOn(conn, "audit head");
      if (!head.ok()) return head.status();
      return body(conn, *head);
    });
  }

  static Status Insert(Conn& conn, const AuditEntry& e) {
    return conn.Run(
        "INSERT INTO audit_log (id, t, actor, action, object, detail, prev_hash, hash, key_id) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        "append audit", e.id, e.time, e.actor, e.action, e.object, e.detail, e.prev_hash, e.hash,
        e.key_id);
  }

  Pool& pool_;
  StoreKeys& keys_;
  std::mutex mu_;
  int64_t keyed_from_ = 0;  // guarded by mu_
};

}  // namespace

Result<std::unique_ptr<AuditStore>> OpenAudit(Connections& c) {
  if (Status s = Migrate(*c.pool, "audit", kSteps); !s.ok()) return s;
  return std::unique_ptr<AuditStore>(std::make_unique<Audit>(c));
}

}  // namespace ecohub::store::pg
