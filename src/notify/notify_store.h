// NotifyStore: subscriptions, each user's inbox, the deliveries still to make and
// the log of those made, and the cursor of what was already published. Behind one
// small interface, every backend running the same contract suite
// (notify_store_test.cc); the SQLite backend keeps its own file, notify.db.
//
// Publishing is idempotent: an event's ref is recorded with its inbox lines and its
// deliveries in one transaction, and a ref seen before adds nothing, so a pass that
// failed half-way or ran on two nodes never tells anyone twice.
//
// Thread-safety: every method may be called from any thread.
// Errors: kNotFound for an id that does not exist, kIoError when the backend fails.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/table_rows.h"
#include "notify/notify.h"

namespace ecohub::notify {

struct InboxItem {
  int64_t id = 0;
  int64_t user_id = 0;
  Event event;
  UnixSeconds read_at = 0;  // 0: unread
  bool operator==(const InboxItem&) const = default;
};

enum class DeliveryState { kPending, kSent, kFailed };  // failed: given up
inline std::string_view DeliveryStateCode(DeliveryState s) {
  return s == DeliveryState::kSent ? "sent" : s == DeliveryState::kFailed ? "failed" : "pending";
}

// One message to send on a subscription's channel, and what became of it.
struct Delivery {
  int64_t id = 0;
  int64_t subscription_id = 0;
  Event event;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  UnixSeconds next_at = 0;  // pending: not before
  std::string last_error;   // of the last failed attempt
  UnixSeconds done_at = 0;  // sent or given up
  bool operator==(const Delivery&) const = default;
};

// What publishing one event makes: inbox lines for these users and deliveries on
// these subscriptions (webhook, e-mail, SMS), due at the event's publication.
struct Fanout {
  Event event;
  std::vector<int64_t> inbox_users;
  std::vector<int64_t> subscriptions;
};

class NotifyStore {
 public:
  virtual ~NotifyStore() = default;

  // A new subscription (id ignored); the stored one.
  virtual Result<Subscription> AddSubscription(const Subscription& s) = 0;
  // Replaces the subscription `s.id` (kNotFound when there is none).
  virtual Status SaveSubscription(const Subscription& s) = 0;
  // Removes it with its pending deliveries (the log of those made stays).
  virtual Status DeleteSubscription(int64_t id) = 0;
  virtual Result<Subscription> GetSubscription(int64_t id) = 0;
  // Every subscription (user_id 0) or one user's, by id.
  virtual Result<std::vector<Subscription>> Subscriptions(int64_t user_id) = 0;

  // The cursor of `source`; nullopt before the first Publish naming it.
  virtual Result<std::optional<int64_t>> Cursor(std::string_view source) = 0;
  // Records each fan-out whose event ref is new (the others are skipped), with
  // deliveries pending at `now`, and sets `source`'s cursor; all or none. How many
  // events were new.
  virtual Result<int64_t> Publish(std::string_view source, int64_t cursor,
                                  std::span<const Fanout> fanouts, UnixSeconds now) = 0;

  // A user's inbox, newest first: ids below `before` (0: from the newest).
  virtual Result<std::vector<InboxItem>> Inbox(int64_t user_id, bool unread_only, int64_t before,
                                               size_t limit) = 0;
  virtual Result<int64_t> UnreadCount(int64_t user_id) = 0;
  // Marks one item (id > 0) or all of the user's (id 0) read at `at`; how many changed.
  // An item of another user is kNotFound.
  virtual Result<int64_t> MarkRead(int64_t user_id, int64_t id, UnixSeconds at) = 0;

  // Pending deliveries due at `now`, oldest first, at most `limit`.
  virtual Result<std::vector<Delivery>> Due(UnixSeconds now, size_t limit) = 0;
  // Records an attempt: its state after, attempts, next_at, last_error and done_at as
  // in `d` (by d.id).
  virtual Status RecordAttempt(const Delivery& d) = 0;
  // A subscription's deliveries, newest first, at most `limit`.
  virtual Result<std::vector<Delivery>> Deliveries(int64_t subscription_id, size_t limit) = 0;

  // For `ecohub db migrate`, as the other modules' stores.
  virtual Result<std::vector<TableRows>> ExportTables() = 0;
  virtual Status ImportTables(const std::vector<TableRows>& tables) = 0;
};

// Opens or creates `data_dir`/notify.db.
Result<std::unique_ptr<NotifyStore>> OpenSqliteNotifyStore(const std::string& data_dir);
// The tables in the PostgreSQL database at `url`.
Result<std::unique_ptr<NotifyStore>> OpenPostgresNotifyStore(const std::string& url);

}  // namespace ecohub::notify
