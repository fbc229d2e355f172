// Notifications (docs/notifications.md): one's inbox of alarms and cases, and the
// subscriptions that say what one is told of and how (the inbox, e-mail; webhooks and
// the SMS gateway set up by administrators). Targets and webhook secrets are sealed
// at rest and shown masked; every change is audited. The dispatcher
// (notify/dispatcher.h) fills the inboxes and sends.
#include <algorithm>
#include <atomic>
#include <random>
#include <set>

#include "api/handlers.h"
#include "api/params.h"
#include "api/route_util.h"
#include "api/routes.h"
#include "crypto/sealer.h"
#include "notify/notify_store.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;
using notify::Channel;
using notify::Subscription;

namespace {

constexpr std::string_view kChannelNames[] = {"站内消息", "Webhook", "电子邮件", "短信"};

Response Unavailable() {
  return Problem(503, "unavailable", "Notifications are not set up on this server");
}

auth::Target Owned(int64_t user_id) { return {Area::kNotifications, nullptr, 0, 0, user_id}; }

std::string HourText(int minute) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

// "08:30" as minutes of the day (24:00 is the day's end); nullopt when it is not one.
std::optional<int> MinuteOf(const json& v) {
  if (!v.is_string()) return std::nullopt;
  std::string s = v.get<std::string>();
  if (s.size() != 5 || s[2] != ':' || !std::isdigit(s[0]) || !std::isdigit(s[1]) ||
      !std::isdigit(s[3]) || !std::isdigit(s[4]))
    return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

ordered_json InboxJson(const notify::InboxItem& i) {
  const notify::Event& e = i.event;
  return {{"id", i.id},
          {"ref", e.ref},
          {"kind", e.kind},
          {"kind_name", notify::KindName(e.kind)},
          {"severity", notify::SeverityCode(e.severity)},
          {"severity_name", notify::SeverityName(e.severity)},
          {"title", e.title},
          {"body", e.body},
          {"link", e.link},
          {"at", FormatRfc3339Beijing(e.at)},
          {"read_at", TimeOrNull(i.read_at)}};
}

ordered_json SubscriptionJson(const ApiContext& ctx, const Subscription& s) {
  auto target = ctx.sealer ? ctx.sealer->Open(s.target) : Result<std::string>(s.target);
  ordered_json hours = nullptr;
  if (s.hours)
    hours = {{"from", HourText(s.hours->from_minute)}, {"to", HourText(s.hours->to_minute)}};
  return {{"id", s.id},
          {"user_id", s.user_id},
          {"name", s.name},
          {"channel", notify::ChannelCode(s.channel)},
          {"channel_name", kChannelNames[static_cast<int>(s.channel)]},
          {"target", target.ok() ? notify::MaskTarget(s.channel, *target) : "***"},
          {"has_secret", !s.secret.empty()},
          {"kinds", s.kinds},
          {"districts", s.districts},
          {"min_severity", notify::SeverityCode(s.min_severity)},
          {"hours", std::move(hours)},
          {"enabled", s.enabled},
          {"created", FormatRfc3339Beijing(s.created)}};
}

const std::vector<ParamDoc> kSubscriptionBody = {
    {.name = "name", .description = "what it is for, 1-200 bytes", .required = true},
    {.name = "channel", .description = "inbox, email, webhook or sms", .required = true},
    {.name = "target",
     .description = "the e-mail address, the webhook's http(s) URL or the phone number; none "
                    "for the inbox (PUT: omitted keeps it)"},
    {.name = "secret",
     .description = "webhook only: 16-200 bytes signing each request (PUT: omitted keeps it)"},
    {.name = "kinds",
     .type = "array",
     .description = "alarm.exceedance, alarm.offline, alarm.anomaly; empty: all"},
    {.name = "districts", .type = "array", .description = "district ids; empty: all one may see"},
    {.name = "min_severity", .description = "info (default), warning or critical"},
    {.name = "hours",
     .type = "object",
     .description = "{from, to} as HH:MM, weekdays only (China time); null: any time"},
    {.name = "enabled", .type = "boolean", .description = "default true"},
};

// `body` over `*s` (target and secret in clear), checked: the problem or nullopt.
std::optional<Response> ReadSubscription(const ApiContext& ctx, const json& body, Subscription* s) {
  Assign(body, "name", &s->name);
  if (body.contains("channel") && !body["channel"].is_null()) {
    auto c = notify::ChannelFromCode(body["channel"].get<std::string>());
    if (!c) return Problem(400, "bad-field", "channel: inbox, email, webhook or sms");
    if (*c != s->channel) {
      s->target.clear();
      s->secret.clear();
    }
    s->channel = *c;
  }
  Assign(body, "target", &s->target);
  Assign(body, "secret", &s->secret);
  if (body.contains("kinds") && !body["kinds"].is_null()) {
    s->kinds.clear();
    for (const auto& k : body["kinds"]) {
      if (!k.is_string()) return Problem(400, "bad-field", "kinds: codes of kinds", k.dump());
      if (std::find(s->kinds.begin(), s->kinds.end(), k.get<std::string>()) == s->kinds.end())
        s->kinds.push_back(k.get<std::string>());
    }
  }
  if (body.contains("districts") && !body["districts"].is_null()) {
    std::set<int64_t> ids;
    auto snap = ctx.sites->Get();
    for (const auto& d : body["districts"]) {
      if (!d.is_number_integer() || !snap->DistrictById(d.get<int64_t>()))
        return Problem(400, "bad-field", "districts: ids of districts", d.dump());
      ids.insert(d.get<int64_t>());
    }
    s->districts.assign(ids.begin(), ids.end());
  }
  if (body.contains("min_severity") && !body["min_severity"].is_null()) {
    auto v = notify::SeverityFromCode(body["min_severity"].get<std::string>());
    if (!v) return Problem(400, "bad-field", "min_severity: info, warning or critical");
    s->min_severity = *v;
  }
  if (body.contains("hours")) {
    const json& h = body["hours"];
    if (h.is_null()) {
      s->hours.reset();
    } else {
      auto from = h.is_object() && h.contains("from") ? MinuteOf(h["from"]) : std::nullopt;
      auto to = h.is_object() && h.contains("to") ? MinuteOf(h["to"]) : std::nullopt;
      if (!from || !to) return Problem(400, "bad-field", "hours: {from, to} as HH:MM", h.dump());
      s->hours = notify::Hours{*from, *to};
    }
  }
  Assign(body, "enabled", &s->enabled);
  std::string why = notify::CheckSubscription(*s);
  if (!why.empty()) return Problem(400, "bad-field", "The subscription cannot be kept", why);
  return std::nullopt;
}

// Webhooks and the SMS gateway call other systems: administrators only.
std::optional<Response> MayUseChannel(const ApiContext& ctx, const Principal& who, Channel c) {
  if (c != Channel::kWebhook && c != Channel::kSms) return std::nullopt;
  return Check(who, Action::kDecide, Owned(who.user_id), ctx.clock->WallSeconds());
}

// `s` with its target and secret sealed (as stored), or the 500 problem.
std::optional<Response> Seal(const ApiContext& ctx, Subscription* s) {
  if (!ctx.sealer) return std::nullopt;
  for (std::string* v : {&s->target, &s->secret}) {
    if (v->empty()) continue;
    auto sealed = ctx.sealer->Seal(*v);
    if (!sealed.ok()) return StoreError(sealed.status());
    *v = *sealed;
  }
  return std::nullopt;
}

// The stored subscription `id` with its target and secret opened, after the owner
// check (kRead or kWrite); the problem otherwise.
std::optional<Response> Load(const ApiContext& ctx, const Request& req, const Principal& who,
                             Action action, Subscription* s) {
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, action, Owned(who.user_id), now)) return *denied;
  int64_t id = 0;
  if (auto bad = PathId(req, &id)) return *bad;
  auto got = ctx.notify->GetSubscription(id);
  if (got.status().code() == Code::kNotFound)
    return Problem(404, "not-found", "No such subscription");
  if (!got.ok()) return StoreError(got.status());
  // Another's subscription is "not found" to whoever may not see it.
  if (Check(who, action, Owned(got->user_id), now))
    return Problem(404, "not-found", "No such subscription");
  *s = *got;
  if (ctx.sealer) {
    for (std::string* v : {&s->target, &s->secret}) {
      auto opened = ctx.sealer->Open(*v);
      if (!opened.ok()) return StoreError(opened.status());
      *v = *opened;
    }
  }
  return std::nullopt;
}

Response ListInbox(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.notify) return Unavailable();
  if (auto denied = Check(who, Action::kRead, Owned(who.user_id), ctx.clock->WallSeconds()))
    return *denied;
  std::string bad;
  auto page = PageParams(req, 200, &bad);
  if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  int64_t before = page->after;
  if (std::string b = Param(req, "before", ""); !b.empty() && !ParseId(b, &before))
    return Problem(400, "bad-parameter", "before is a message's id", b);
  size_t limit = req.query.count("limit") ? page->limit : 50;
  std::string unread = Param(req, "unread", "false");
  bool unread_only = unread == "1" || unread == "true";
  auto items = ctx.notify->Inbox(who.user_id, unread_only, before, limit);
  if (!items.ok()) return StoreError(items.status());
  auto count = ctx.notify->UnreadCount(who.user_id);
  if (!count.ok()) return StoreError(count.status());
  ordered_json list = ordered_json::array();
  for (const auto& i : *items) list.push_back(InboxJson(i));
  json next = items->size() == limit && !items->empty() ? json(CursorAfter(items->back().id))
                                                        : json(nullptr);
  return JsonResponse<ordered_json>(
      {{"unread", *count}, {"items", std::move(list)}, {"next_cursor", next}});
}

Response UnreadCount(const ApiContext& ctx, const Request&, const Principal& who) {
  if (!ctx.notify) return Unavailable();
  if (auto denied = Check(who, Action::kRead, Owned(who.user_id), ctx.clock->WallSeconds()))
    return *denied;
  auto count = ctx.notify->UnreadCount(who.user_id);
  if (!count.ok()) return StoreError(count.status());
  return JsonResponse<ordered_json>({{"unread", *count}});
}

Response MarkRead(const ApiContext& ctx, const Request& req, const Principal& who, bool all) {
  if (!ctx.notify) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kWrite, Owned(who.user_id), now)) return *denied;
  int64_t id = 0;
  if (!all)
    if (auto bad = PathId(req, &id)) return *bad;
  auto changed = ctx.notify->MarkRead(who.user_id, id, now);
  if (changed.status().code() == Code::kNotFound)
    return Problem(404, "not-found", "No such message");
  if (!changed.ok()) return StoreError(changed.status());
  return JsonResponse<ordered_json>({{"changed", *changed}});
}

Response ListSubscriptions(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.notify) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kRead, Owned(who.user_id), now)) return *denied;
  bool all = Param(req, "all", "false") == "true";
  if (all)
    if (auto denied = Check(who, Action::kRead, Owned(0), now)) return *denied;
  auto subs = ctx.notify->Subscriptions(all ? 0 : who.user_id);
  if (!subs.ok()) return StoreError(subs.status());
  ordered_json items = ordered_json::array();
  for (const auto& s : *subs) items.push_back(SubscriptionJson(ctx, s));
  ordered_json kinds = ordered_json::array();
  for (const auto& k : notify::kKinds) kinds.push_back({{"code", k.code}, {"name", k.name}});
  ordered_json channels = ordered_json::array();
  for (int c = 0; c < 4; ++c)
    channels.push_back({{"code", notify::ChannelCode(static_cast<Channel>(c))},
                        {"name", kChannelNames[c]},
                        {"allowed", !MayUseChannel(ctx, who, static_cast<Channel>(c))}});
  return JsonResponse<ordered_json>({{"items", std::move(items)},
                                     {"kinds", std::move(kinds)},
                                     {"channels", std::move(channels)}});
}

Response AddSubscription(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.notify) return Unavailable();
  UnixSeconds now = ctx.clock->WallSeconds();
  if (auto denied = Check(who, Action::kWrite, Owned(who.user_id), now)) return *denied;
  json body;
  if (auto bad = ParseBody(req, kSubscriptionBody, &body)) return *bad;
  Subscription s;
  s.user_id = who.user_id;
  s.created = now;
  if (auto bad = ReadSubscription(ctx, body, &s)) return *bad;
  if (auto denied = MayUseChannel(ctx, who, s.channel)) return *denied;
  auto existing = ctx.notify->Subscriptions(who.user_id);
  if (!existing.ok()) return StoreError(existing.status());
  if (existing->size() >= 50) return Problem(400, "too-many", "At most 50 subscriptions each");
  if (auto bad = Seal(ctx, &s)) return *bad;
  auto added = ctx.notify->AddSubscription(s);
  if (!added.ok()) return StoreError(added.status());
  Audit(ctx, who, "subscriptions.add", "subscription:" + std::to_string(added->id),
        {{"channel", notify::ChannelCode(s.channel)}, {"kinds", s.kinds}});
  Response r = JsonResponse(SubscriptionJson(ctx, *added));
  r.status = 201;
  return r;
}

Response SaveSubscription(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.notify) return Unavailable();
  Subscription s;
  if (auto problem = Load(ctx, req, who, Action::kWrite, &s)) return *problem;
  json body;
  if (auto bad = ParseBody(req, AllOptional(kSubscriptionBody), &body)) return *bad;
  if (auto bad = ReadSubscription(ctx, body, &s)) return *bad;
  if (auto denied = MayUseChannel(ctx, who, s.channel)) return *denied;
  if (auto bad = Seal(ctx, &s)) return *bad;
  Status saved = ctx.notify->SaveSubscription(s);
  if (saved.code() == Code::kNotFound) return Problem(404, "not-found", "No such subscription");
  if (!saved.ok()) return StoreError(saved);
  Audit(ctx, who, "subscriptions.save", "subscription:" + std::to_string(s.id),
        {{"channel", notify::ChannelCode(s.channel)}, {"kinds", s.kinds}, {"enabled", s.enabled}});
  return JsonResponse(SubscriptionJson(ctx, s));
}

Response DeleteSubscription(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.notify) return Unavailable();
  Subscription s;
  if (auto problem = Load(ctx, req, who, Action::kWrite, &s)) return *problem;
  Status removed = ctx.notify->DeleteSubscription(s.id);
  if (removed.code() == Code::kNotFound) return Problem(404, "not-found", "No such subscription");
  if (!removed.ok()) return StoreError(removed);
  Audit(ctx, who, "subscriptions.delete", "subscription:" + std::to_string(s.id), {});
  return NoContent();
}

Response ListDeliveries(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.notify) return Unavailable();
  Subscription s;
  if (auto problem = Load(ctx, req, who, Action::kRead, &s)) return *problem;
  std::string bad;
  auto page = PageParams(req, 500, &bad);
  if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
  auto log = ctx.notify->Deliveries(s.id, req.query.count("limit") ? page->limit : 50);
  if (!log.ok()) return StoreError(log.status());
  ordered_json items = ordered_json::array();
  for (const auto& d : *log)
    items.push_back({{"id", d.id},
                     {"ref", d.event.ref},
                     {"title", d.event.title},
                     {"state", notify::DeliveryStateCode(d.state)},
                     {"attempts", d.attempts},
                     {"next_at", d.state == notify::DeliveryState::kPending ? TimeOrNull(d.next_at)
                                                                            : json(nullptr)},
                     {"last_error", d.last_error.empty() ? json(nullptr) : json(d.last_error)},
                     {"done_at", TimeOrNull(d.done_at)}});
  return JsonResponse<ordered_json>({{"items", std::move(items)}});
}

Response TestSubscription(const ApiContext& ctx, const Request& req, const Principal& who) {
  if (!ctx.notify) return Unavailable();
  Subscription s;
  if (auto problem = Load(ctx, req, who, Action::kWrite, &s)) return *problem;
  UnixSeconds now = ctx.clock->WallSeconds();
  // A ref of its own each time: two tests in one second are two messages.
  static std::atomic<uint64_t> sent_tests{0};
  notify::Event e{"test:" + std::to_string(s.id) + ":" + std::to_string(now) + ":" +
                      std::to_string(sent_tests.fetch_add(1)) + ":" +
                      std::to_string(std::random_device{}()),
                  "test",
                  notify::Severity::kInfo,
                  0,
                  0,
                  "测试消息：「" + s.name + "」已接通",
                  "这是一条测试消息，说明 EcoHub 能把告警送到这里。",
                  "/console/inbox",
                  now};
  Status sent;
  if (s.channel == Channel::kInbox) {
    std::vector<notify::Fanout> one = {{e, {s.user_id}, {}}};
    auto published = ctx.notify->Publish("test", 0, one, now);
    sent = published.status();
  } else if (!ctx.notify_send) {  // it opens the stored (sealed) target itself
    sent = Status(Code::kUnavailable, "no dispatcher runs on this server");
  } else {
    auto stored = ctx.notify->GetSubscription(s.id);
    sent = stored.ok() ? ctx.notify_send(*stored, e) : stored.status();
  }
  Audit(ctx, who, "subscriptions.test", "subscription:" + std::to_string(s.id),
        {{"sent", sent.ok()}});
  if (!sent.ok())
    return Problem(502, "not-delivered", "The test message was not delivered", sent.message());
  return JsonResponse<ordered_json>({{"sent", true}});
}

}  // namespace

void AddNotifyRoutes(Api& api, const ApiContext& ctx) {
  api.Add("GET", "/api/v1/inbox",
          {.summary = "One's messages (站内消息), newest first, with the unread count",
           .tag = "Notifications",
           .query = {{"unread", "boolean", "true: unread ones only"},
                     {"before", "integer", "ids below this one"},
                     {"cursor", "string", "next_cursor of the previous page"},
                     {"limit", "integer", "1..200 (default 50)"}},
           .response = "{unread, items[{id, ref, kind, kind_name, severity, severity_name, title, "
                       "body, link, at, read_at}], next_cursor}",
           .id = "listInbox",
           .list = true},
          Bind(ctx, ListInbox));
  api.Add("GET", "/api/v1/inbox/unread",
          {.summary = "How many of one's messages are unread",
           .tag = "Notifications",
           .response = "{unread}",
           .id = "countUnread"},
          Bind(ctx, UnreadCount));
  api.Add(
      "POST", "/api/v1/inbox/read-all",
      {.summary = "Mark all of one's messages read",
       .tag = "Notifications",
       .response = "{changed}",
       .id = "readAllInbox"},
      [ctx](const Request& req, const Principal& who) { return MarkRead(ctx, req, who, true); });
  api.Add(
      "POST", "/api/v1/inbox/{id}/read",
      {.summary = "Mark one message read",
       .tag = "Notifications",
       .response = "{changed}",
       .id = "readInbox"},
      [ctx](const Request& req, const Principal& who) { return MarkRead(ctx, req, who, false); });
  api.Add("GET", "/api/v1/subscriptions",
          {.summary = "One's subscriptions (administrators: all=true for everyone's), with the "
                      "kinds and channels one may choose",
           .tag = "Notifications",
           .query = {{"all", "boolean", "administrators: everyone's"}},
           .response = "{items[{id, user_id, name, channel, channel_name, target (masked), "
                       "has_secret, kinds[], districts[], min_severity, hours, enabled, "
                       "created}], kinds[{code, name}], channels[{code, name, allowed}]}",
           .id = "listSubscriptions"},
          Bind(ctx, ListSubscriptions));
  api.Add("POST", "/api/v1/subscriptions",
          {.summary = "Subscribe to alarms: in the inbox, by e-mail, or (administrators) by "
                      "webhook or SMS",
           .tag = "Notifications",
           .body = kSubscriptionBody,
           .response = "the subscription (201)",
           .id = "addSubscription"},
          Bind(ctx, AddSubscription));
  api.Add("PUT", "/api/v1/subscriptions/{id}",
          {.summary = "Change a subscription (what is omitted stays)",
           .tag = "Notifications",
           .body = AllOptional(kSubscriptionBody),
           .response = "the subscription",
           .id = "saveSubscription"},
          Bind(ctx, SaveSubscription));
  api.Add("DELETE", "/api/v1/subscriptions/{id}",
          {.summary = "Remove a subscription and what it still had to send",
           .tag = "Notifications",
           .response = "204",
           .id = "deleteSubscription"},
          Bind(ctx, DeleteSubscription));
  api.Add("GET", "/api/v1/subscriptions/{id}/deliveries",
          {.summary = "The delivery log of a subscription, newest first",
           .tag = "Notifications",
           .query = {{"limit", "integer", "1..500 (default 50)"}},
           .response = "{items[{id, ref, title, state, attempts, next_at, last_error, done_at}]}",
           .id = "listDeliveries"},
          Bind(ctx, ListDeliveries));
  api.Add("POST", "/api/v1/subscriptions/{id}/test",
          {.summary = "Send a test message on the subscription now",
           .tag = "Notifications",
           .response = "{sent: true}, or 502 saying why it was not delivered",
           .id = "testSubscription"},
          Bind(ctx, TestSubscription));
}

}  // namespace ecohub::api
