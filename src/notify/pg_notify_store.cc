// The PostgreSQL NotifyStore: the same tables as notify.db. Publishing is idempotent by
// the events' refs, so a transaction retried after a failover adds nothing twice.
#include "notify/notify_sql.h"
#include "notify/notify_store.h"
#include "store/pg/lease.h"

namespace ecohub::notify {
namespace {

using store::pg::Conn;
using store::pg::Pool;
using store::pg::RowAt;
using store::pg::Rows;

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: subscriptions, events, inboxes, deliveries and cursors.
    R"sql(
CREATE TABLE notify_subscriptions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id BIGINT NOT NULL,
  name TEXT NOT NULL, channel TEXT NOT NULL, target TEXT NOT NULL, secret TEXT NOT NULL,
  kinds TEXT NOT NULL, districts TEXT NOT NULL, min_severity TEXT NOT NULL,
  hours_from BIGINT NOT NULL, hours_to BIGINT NOT NULL, enabled BIGINT NOT NULL,
  created BIGINT NOT NULL);
CREATE INDEX notify_subscriptions_of ON notify_subscriptions (user_id, id);
CREATE TABLE notify_events (
  ref TEXT PRIMARY KEY, kind TEXT NOT NULL, severity TEXT NOT NULL, district_id BIGINT NOT NULL,
  enterprise_id BIGINT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, link TEXT NOT NULL,
  at BIGINT NOT NULL, published_at BIGINT NOT NULL);
CREATE TABLE notify_inbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id BIGINT NOT NULL,
  ref TEXT NOT NULL, read_at BIGINT NOT NULL);
CREATE INDEX notify_inbox_of ON notify_inbox (user_id, id);
CREATE TABLE notify_deliveries (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, subscription_id BIGINT NOT NULL,
  ref TEXT NOT NULL, state TEXT NOT NULL, attempts BIGINT NOT NULL, next_at BIGINT NOT NULL,
  last_error TEXT NOT NULL, done_at BIGINT NOT NULL);
CREATE INDEX notify_deliveries_due ON notify_deliveries (state, next_at);
CREATE INDEX notify_deliveries_of ON notify_deliveries (subscription_id, id);
CREATE TABLE notify_cursors (source TEXT PRIMARY KEY, value BIGINT NOT NULL);
)sql",
};

Subscription ReadSubscriptionRow(const Rows& q, int i) {
  return sql::ReadSubscription(RowAt{q, i});
}
InboxItem ReadInboxRow(const Rows& q, int i) { return sql::ReadInboxItem(RowAt{q, i}); }
Delivery ReadDeliveryRow(const Rows& q, int i) { return sql::ReadDelivery(RowAt{q, i}); }
int64_t ReadCount(const Rows& q, int i) { return q.Int(i, 0); }

// How many rows a statement changed.
template <typename... V>
Result<int64_t> Changed(Conn& db, const char* text, std::string_view what, const V&... v) {
  auto r = db.Query(text, what, v...);
  if (!r.ok()) return r.status();
  return int64_t{r->Affected()};
}

class PgNotifyStore final : public NotifyStore {
 public:
  explicit PgNotifyStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}

  Result<Subscription> AddSubscription(const Subscription& s) override {
    auto id = sql::WithSubscriptionValues(s, [&](const auto&... v) {
      return store::pg::InsertOnce(*pool_, sql::kInsertSubscription, "record subscription", v...);
    });
    if (!id.ok()) return id.status();
    return GetSubscription(*id);
  }

  Status SaveSubscription(const Subscription& s) override {
    return Changing("no such subscription", [&](Conn& db) {
      return sql::WithSubscriptionValues(s, [&](const auto&... v) {
        return Changed(db, sql::kUpdateSubscription, "save subscription", v..., s.id);
      });
    });
  }

  Status DeleteSubscription(int64_t id) override {
    return store::pg::Transaction(*pool_, [&](Conn& db) -> Status {
      auto n = Changed(db, sql::kDeleteSubscription, "remove subscription", id);
      if (!n.ok()) return n.status();
      if (*n != 1) return Status::NotFound("no such subscription");
      return Changed(db, sql::kDeletePending, "drop its deliveries", id).status();
    });
  }

  Result<Subscription> GetSubscription(int64_t id) override {
    return store::pg::ReadOne(*pool_, sql::kSubscriptionById, "no such subscription",
                              ReadSubscriptionRow, id);
  }

  Result<std::vector<Subscription>> Subscriptions(int64_t user_id) override {
    return store::pg::Read(*pool_, sql::kSubscriptions, "list subscriptions", ReadSubscriptionRow,
                           user_id);
  }

  Result<std::optional<int64_t>> Cursor(std::string_view source) override {
    auto v = store::pg::ReadOne(*pool_, sql::kCursor, "no cursor", ReadCount, std::string(source));
    if (v.status().code() == Code::kNotFound) return std::optional<int64_t>();
    if (!v.ok()) return v.status();
    return std::optional<int64_t>(*v);
  }

  Result<int64_t> Publish(std::string_view source, int64_t cursor, std::span<const Fanout> fanouts,
                          UnixSeconds now) override {
    int64_t added = 0;
    Status s = store::pg::Transaction(*pool_, [&](Conn& db) -> Status {
      auto n = sql::PublishSteps(source, cursor, fanouts, now,
                                 [&](const char* text, std::string_view what, const auto&... v) {
                                   return Changed(db, text, what, v...);
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
    return store::pg::Read(*pool_, sql::kInbox, "read inbox", ReadInboxRow, user_id,
                           before > 0 ? before : INT64_MAX, static_cast<int64_t>(unread_only),
                           static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<int64_t> UnreadCount(int64_t user_id) override {
    return store::pg::ReadOne(*pool_, sql::kUnread, "count unread", ReadCount, user_id);
  }

  Result<int64_t> MarkRead(int64_t user_id, int64_t id, UnixSeconds at) override {
    if (id > 0) {
      auto has =
          store::pg::ReadOne(*pool_, sql::kInboxHas, "find inbox item", ReadCount, user_id, id);
      if (!has.ok()) return has.status();
      if (*has == 0) return Status::NotFound("no such message");
    }
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    return Changed(**db, sql::kMarkRead, "mark read", at, user_id, id);
  }

  Result<std::vector<Delivery>> Due(UnixSeconds now, size_t limit) override {
    return store::pg::Read(*pool_, sql::kDue, "due deliveries", ReadDeliveryRow, now,
                           static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Status RecordAttempt(const Delivery& d) override {
    return Changing("no such delivery", [&](Conn& db) {
      return sql::WithAttemptValues(d, [&](const auto&... v) {
        return Changed(db, sql::kRecordAttempt, "record attempt", v...);
      });
    });
  }

  Result<std::vector<Delivery>> Deliveries(int64_t subscription_id, size_t limit) override {
    return store::pg::Read(*pool_, sql::kDeliveries, "delivery log", ReadDeliveryRow,
                           subscription_id,
                           static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("notify");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }

 private:
  // One UPDATE by id through `change(db)` (how many rows it changed): kNotFound saying
  // `not_found` unless it changed one.
  template <typename Change>
  Status Changing(std::string_view not_found, Change change) {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    auto n = change(**db);
    if (!n.ok()) return n.status();
    return *n == 1 ? Status::Ok() : Status::NotFound(std::string(not_found));
  }

  std::unique_ptr<Pool> pool_;
};

}  // namespace

Result<std::unique_ptr<NotifyStore>> OpenPostgresNotifyStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub notify", "notify", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<NotifyStore>(std::make_unique<PgNotifyStore>(std::move(*pool)));
}

}  // namespace ecohub::notify
