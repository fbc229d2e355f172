// The SQL both notification stores run: one text for SQLite and PostgreSQL, written
// as casework/task_sql.h is ($1, $2... in order of first use; CAST(... AS BIGINT)).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "notify/notify_store.h"
#include "store/json_columns.h"

namespace ecohub::notify::sql {

// The tables, as both backends create them (types named for SQLite; PostgreSQL's
// step spells the same columns in its own types).
#define SUBSCRIPTION_COLUMNS                                                                 \
  "id, user_id, name, channel, target, secret, kinds, districts, min_severity, hours_from, " \
  "hours_to, enabled, created"
#define EVENT_COLUMNS \
  "e.ref, e.kind, e.severity, e.district_id, e.enterprise_id, e.title, e.body, e.link, e.at"
#define DELIVERY_COLUMNS \
  "d.id, d.subscription_id, d.state, d.attempts, d.next_at, d.last_error, d.done_at"

inline constexpr const char* kInsertSubscription =
    "INSERT INTO notify_subscriptions (user_id, name, channel, target, secret, kinds, districts, "
    "min_severity, hours_from, hours_to, enabled, created) VALUES ($1, $2, $3, $4, $5, $6, $7, "
    "$8, $9, $10, $11, $12) RETURNING id";
inline constexpr const char* kUpdateSubscription =
    "UPDATE notify_subscriptions SET user_id = $1, name = $2, channel = $3, target = $4, "
    "secret = $5, kinds = $6, districts = $7, min_severity = $8, hours_from = $9, hours_to = $10, "
    "enabled = $11, created = $12 WHERE id = $13";
inline constexpr const char* kDeleteSubscription = "DELETE FROM notify_subscriptions WHERE id = $1";
inline constexpr const char* kDeletePending =
    "DELETE FROM notify_deliveries WHERE subscription_id = $1 AND state = 'pending'";
inline constexpr const char* kSubscriptionById =
    "SELECT " SUBSCRIPTION_COLUMNS " FROM notify_subscriptions WHERE id = $1";
inline constexpr const char* kSubscriptions =
    "SELECT " SUBSCRIPTION_COLUMNS
    " FROM notify_subscriptions WHERE (CAST($1 AS BIGINT) = 0 OR user_id = $1) ORDER BY id";

inline constexpr const char* kCursor = "SELECT value FROM notify_cursors WHERE source = $1";
inline constexpr const char* kSetCursor =
    "INSERT INTO notify_cursors (source, value) VALUES ($1, $2) "
    "ON CONFLICT (source) DO UPDATE SET value = excluded.value";
inline constexpr const char* kInsertEvent =
    "INSERT INTO notify_events (ref, kind, severity, district_id, enterprise_id, title, body, "
    "link, at, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (ref) DO NOTHING";
inline constexpr const char* kInsertInbox =
    "INSERT INTO notify_inbox (user_id, ref, read_at) VALUES ($1, $2, 0)";
inline constexpr const char* kInsertDelivery =
    "INSERT INTO notify_deliveries (subscription_id, ref, state, attempts, next_at, last_error, "
    "done_at) VALUES ($1, $2, 'pending', 0, $3, '', 0)";

inline constexpr const char* kInbox =
    "SELECT i.id, i.user_id, i.read_at, " EVENT_COLUMNS
    " FROM notify_inbox i JOIN notify_events e ON e.ref = i.ref WHERE i.user_id = $1 AND "
    "i.id < $2 AND (CAST($3 AS BIGINT) = 0 OR i.read_at = 0) ORDER BY i.id DESC LIMIT $4";
inline constexpr const char* kUnread =
    "SELECT COUNT(*) FROM notify_inbox WHERE user_id = $1 AND read_at = 0";
inline constexpr const char* kInboxHas =
    "SELECT COUNT(*) FROM notify_inbox WHERE user_id = $1 AND id = $2";
inline constexpr const char* kMarkRead =
    "UPDATE notify_inbox SET read_at = $1 WHERE user_id = $2 AND read_at = 0 AND "
    "(CAST($3 AS BIGINT) = 0 OR id = $3)";

inline constexpr const char* kDue =
    "SELECT " DELIVERY_COLUMNS ", " EVENT_COLUMNS
    " FROM notify_deliveries d JOIN notify_events e ON e.ref = d.ref WHERE d.state = 'pending' "
    "AND d.next_at <= $1 ORDER BY d.next_at, d.id LIMIT $2";
inline constexpr const char* kRecordAttempt =
    "UPDATE notify_deliveries SET state = $1, attempts = $2, next_at = $3, last_error = $4, "
    "done_at = $5 WHERE id = $6";
inline constexpr const char* kDeliveries =
    "SELECT " DELIVERY_COLUMNS ", " EVENT_COLUMNS
    " FROM notify_deliveries d JOIN notify_events e ON e.ref = d.ref WHERE "
    "d.subscription_id = $1 ORDER BY d.id DESC LIMIT $2";
#undef DELIVERY_COLUMNS
#undef EVENT_COLUMNS
#undef SUBSCRIPTION_COLUMNS

inline constexpr const char* kNotifyTables[] = {
    "notify_subscriptions", "notify_events", "notify_inbox", "notify_deliveries", "notify_cursors"};

// A subscription from a row of SUBSCRIPTION_COLUMNS, read through an accessor with
// Int(c) and Text(c).
template <typename Row>
Subscription ReadSubscription(const Row& r) {
  Subscription s;
  s.id = r.Int(0);
  s.user_id = r.Int(1);
  s.name = r.Text(2);
  s.channel = ChannelFromCode(r.Text(3)).value_or(Channel::kInbox);
  s.target = r.Text(4);
  s.secret = r.Text(5);
  s.kinds = store::ListFromJson<std::string>(r.Text(6));
  s.districts = store::ListFromJson<int64_t>(r.Text(7));
  s.min_severity = SeverityFromCode(r.Text(8)).value_or(Severity::kInfo);
  if (r.Int(9) >= 0) s.hours = Hours{static_cast<int>(r.Int(9)), static_cast<int>(r.Int(10))};
  s.enabled = r.Int(11) != 0;
  s.created = r.Int(12);
  return s;
}

// The event of a row whose EVENT_COLUMNS start at column `c`.
template <typename Row>
Event ReadEvent(const Row& r, int c) {
  return {r.Text(c),     r.Text(c + 1), SeverityFromCode(r.Text(c + 2)).value_or(Severity::kInfo),
          r.Int(c + 3),  r.Int(c + 4),  r.Text(c + 5),
          r.Text(c + 6), r.Text(c + 7), r.Int(c + 8)};
}

template <typename Row>
InboxItem ReadInboxItem(const Row& r) {
  return {r.Int(0), r.Int(1), ReadEvent(r, 3), r.Int(2)};
}

template <typename Row>
Delivery ReadDelivery(const Row& r) {
  Delivery d;
  d.id = r.Int(0);
  d.subscription_id = r.Int(1);
  std::string state = r.Text(2);
  d.state = state == "sent"     ? DeliveryState::kSent
            : state == "failed" ? DeliveryState::kFailed
                                : DeliveryState::kPending;
  d.attempts = static_cast<int>(r.Int(3));
  d.next_at = r.Int(4);
  d.last_error = r.Text(5);
  d.done_at = r.Int(6);
  d.event = ReadEvent(r, 7);
  return d;
}

// The values of kInsertSubscription (and the first twelve of kUpdateSubscription).
template <typename F>
auto WithSubscriptionValues(const Subscription& s, F&& f) {
  return f(s.user_id, s.name, std::string(ChannelCode(s.channel)), s.target, s.secret,
           nlohmann::json(s.kinds).dump(), nlohmann::json(s.districts).dump(),
           std::string(SeverityCode(s.min_severity)), int64_t{s.hours ? s.hours->from_minute : -1},
           int64_t{s.hours ? s.hours->to_minute : -1}, static_cast<int64_t>(s.enabled), s.created);
}

// The values of kInsertEvent.
template <typename F>
auto WithEventValues(const Event& e, UnixSeconds published, F&& f) {
  return f(e.ref, e.kind, std::string(SeverityCode(e.severity)), e.district_id, e.enterprise_id,
           e.title, e.body, e.link, e.at, published);
}

// The values of kRecordAttempt.
template <typename F>
auto WithAttemptValues(const Delivery& d, F&& f) {
  return f(std::string(DeliveryStateCode(d.state)), int64_t{d.attempts}, d.next_at, d.last_error,
           d.done_at, d.id);
}

// Each step of a Publish, given a `run(sql, what, values...)` that answers how many
// rows it changed; the number of new events.
template <typename Run>
Result<int64_t> PublishSteps(std::string_view source, int64_t cursor,
                             std::span<const Fanout> fanouts, UnixSeconds now, Run run) {
  int64_t added = 0;
  for (const Fanout& f : fanouts) {
    auto made = WithEventValues(
        f.event, now, [&](const auto&... v) { return run(kInsertEvent, "record event", v...); });
    if (!made.ok()) return made.status();
    if (*made == 0) continue;  // published before
    ++added;
    for (int64_t u : f.inbox_users)
      if (auto r = run(kInsertInbox, "fill inbox", u, f.event.ref); !r.ok()) return r.status();
    for (int64_t s : f.subscriptions)
      if (auto r = run(kInsertDelivery, "queue delivery", s, f.event.ref, now); !r.ok())
        return r.status();
  }
  auto set = run(kSetCursor, "set cursor", std::string(source), cursor);
  if (!set.ok()) return set.status();
  return added;
}

}  // namespace ecohub::notify::sql
