// The SQLite NotifyStore: its own file notify.db under the data directory, fsynced on
// every commit, over the store module's SQLite helper. One connection behind its
// mutex.
#include <mutex>

#include "notify/notify_sql.h"
#include "notify/notify_store.h"
#include "store/sqlite/db.h"

namespace ecohub::notify {
namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

// Never edit a released step: add the next one.
constexpr const char* kMigrations[] = {
    // 1: subscriptions, events, inboxes, deliveries and cursors.
    R"sql(
CREATE TABLE IF NOT EXISTS notify_subscriptions (
  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, name TEXT NOT NULL, channel TEXT NOT NULL,
  target TEXT NOT NULL, secret TEXT NOT NULL, kinds TEXT NOT NULL, districts TEXT NOT NULL,
  min_severity TEXT NOT NULL, hours_from INTEGER NOT NULL, hours_to INTEGER NOT NULL,
  enabled INTEGER NOT NULL, created INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS notify_subscriptions_of ON notify_subscriptions (user_id, id);
CREATE TABLE IF NOT EXISTS notify_events (
  ref TEXT PRIMARY KEY, kind TEXT NOT NULL, severity TEXT NOT NULL, district_id INTEGER NOT NULL,
  enterprise_id INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, link TEXT NOT NULL,
  at INTEGER NOT NULL, published_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS notify_inbox (
  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, ref TEXT NOT NULL, read_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS notify_inbox_of ON notify_inbox (user_id, id);
CREATE TABLE IF NOT EXISTS notify_deliveries (
  id INTEGER PRIMARY KEY, subscription_id INTEGER NOT NULL, ref TEXT NOT NULL,
  state TEXT NOT NULL, attempts INTEGER NOT NULL, next_at INTEGER NOT NULL,
  last_error TEXT NOT NULL, done_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS notify_deliveries_due ON notify_deliveries (state, next_at);
CREATE INDEX IF NOT EXISTS notify_deliveries_of ON notify_deliveries (subscription_id, id);
CREATE TABLE IF NOT EXISTS notify_cursors (source TEXT PRIMARY KEY, value INTEGER NOT NULL);
)sql",
};

// Row accessors with the column of an event's fields after the fixed ones.
Subscription ReadSubscriptionRow(const Stmt& q) { return sql::ReadSubscription(q); }
InboxItem ReadInboxRow(const Stmt& q) { return sql::ReadInboxItem(q); }
Delivery ReadDeliveryRow(const Stmt& q) { return sql::ReadDelivery(q); }
int64_t ReadCount(const Stmt& q) { return q.Int(0); }

class SqliteNotifyStore final : public NotifyStore {
 public:
  explicit SqliteNotifyStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<Subscription> AddSubscription(const Subscription& s) override {
    std::lock_guard lock(db_->mu());
    auto id = sql::WithSubscriptionValues(s, [&](const auto&... v) {
      return db_->InsertReturningId(sql::kInsertSubscription, "record subscription", v...);
    });
    if (!id.ok()) return id.status();
    return db_->QueryOne(sql::kSubscriptionById, "no such subscription", ReadSubscriptionRow, *id);
  }

  Status SaveSubscription(const Subscription& s) override {
    std::lock_guard lock(db_->mu());
    Status st = sql::WithSubscriptionValues(s, [&](const auto&... v) {
      return db_->Run(sql::kUpdateSubscription, "save subscription", v..., s.id);
    });
    if (st.ok() && db_->Changes() != 1) return Status::NotFound("no such subscription");
    return st;
  }

  Status DeleteSubscription(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->InTransaction([&]() -> Status {
      if (Status s = db_->Run(sql::kDeleteSubscription, "remove subscription", id); !s.ok())
        return s;
      if (db_->Changes() != 1) return Status::NotFound("no such subscription");
      return db_->Run(sql::kDeletePending, "drop its deliveries", id);
    });
  }

  Result<Subscription> GetSubscription(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(sql::kSubscriptionById, "no such subscription", ReadSubscriptionRow, id);
  }

  Result<std::vector<Subscription>> Subscriptions(int64_t user_id) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kSubscriptions, "list subscriptions", ReadSubscriptionRow, user_id);
  }

  Result<std::optional<int64_t>> Cursor(std::string_view source) override {
    std::lock_guard lock(db_->mu());
    auto v = db_->QueryOne(sql::kCursor, "no cursor", ReadCount, std::string(source));
    if (v.status().code() == Code::kNotFound) return std::optional<int64_t>();
    if (!v.ok()) return v.status();
    return std::optional<int64_t>(*v);
  }

  Result<int64_t> Publish(std::string_view source, int64_t cursor, std::span<const Fanout> fanouts,
                          UnixSeconds now) override {
    std::lock_guard lock(db_->mu());
    int64_t added = 0;
    Status s = db_->InTransaction([&]() -> Status {
      auto n = sql::PublishSteps(
          source, cursor, fanouts, now,
          [&](const char* text, std::string_view what, const auto&... v) -> Result<int64_t> {
            if (Status r = db_->Run(text, what, v...); !r.ok()) return r;
            return db_->Changes();
          });
      if (!n.ok()) return n.status();
      added = *n;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return added;
  }

  Result<std::vector<InboxItem>> Inbox(int64_t user_id, bool unread_only, int64_t before,
                                       size_t limit) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kInbox, "read inbox", ReadInboxRow, user_id,
                      before > 0 ? before : INT64_MAX, static_cast<int64_t>(unread_only),
                      static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<int64_t> UnreadCount(int64_t user_id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(sql::kUnread, "count unread", ReadCount, user_id);
  }

  Result<int64_t> MarkRead(int64_t user_id, int64_t id, UnixSeconds at) override {
    std::lock_guard lock(db_->mu());
    if (id > 0) {
      auto has = db_->QueryOne(sql::kInboxHas, "find inbox item", ReadCount, user_id, id);
      if (!has.ok()) return has.status();
      if (*has == 0) return Status::NotFound("no such message");
    }
    if (Status s = db_->Run(sql::kMarkRead, "mark read", at, user_id, id); !s.ok()) return s;
    return db_->Changes();
  }

  Result<std::vector<Delivery>> Due(UnixSeconds now, size_t limit) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kDue, "due deliveries", ReadDeliveryRow, now,
                      static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Status RecordAttempt(const Delivery& d) override {
    std::lock_guard lock(db_->mu());
    Status s = sql::WithAttemptValues(
        d, [&](const auto&... v) { return db_->Run(sql::kRecordAttempt, "record attempt", v...); });
    if (s.ok() && db_->Changes() != 1) return Status::NotFound("no such delivery");
    return s;
  }

  Result<std::vector<Delivery>> Deliveries(int64_t subscription_id, size_t limit) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kDeliveries, "delivery log", ReadDeliveryRow, subscription_id,
                      static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    return store::sqlite::ReadTables(*db_, sql::kNotifyTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("notify");
  }

 private:
  std::unique_ptr<Db> db_;
};

}  // namespace

Result<std::unique_ptr<NotifyStore>> OpenSqliteNotifyStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "notify.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<NotifyStore>(std::make_unique<SqliteNotifyStore>(std::move(*db)));
}

}  // namespace ecohub::notify
