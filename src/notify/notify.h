// Notifications (docs/notifications.md): what happened (an Event: an alarm raised,
// later a case's step), who asked to be told of it (a Subscription: kinds, districts,
// a least severity, working hours, and a channel: the in-app inbox, a webhook, e-mail
// or an SMS gateway), and how each channel's message is made. Pure: no I/O. The
// store keeps subscriptions, the inbox and the delivery log; the dispatcher turns
// alarms into events and sends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace ecohub::notify {

enum class Channel {
  kInbox,    // 站内消息: the console's inbox of the subscriber
  kWebhook,  // a POST of the event as JSON to a URL, signed
  kEmail,    // an e-mail through the configured SMTP server
  kSms,      // a POST to the configured SMS gateway (docs/notifications.md)
};
std::string_view ChannelCode(Channel c);
std::optional<Channel> ChannelFromCode(std::string_view code);

enum class Severity { kInfo, kWarning, kCritical };
std::string_view SeverityCode(Severity s);
std::string_view SeverityName(Severity s);  // 中文: 提示, 警告, 严重
std::optional<Severity> SeverityFromCode(std::string_view code);

// The kinds an event can be, with their Chinese names; a subscription names some.
struct KindInfo {
  std::string_view code, name;
};
inline constexpr KindInfo kKinds[] = {
    {"alarm.exceedance", "超标告警"},
    {"alarm.offline", "设备离线"},
    {"alarm.anomaly", "数据异常"},
    {"task.assigned", "新任务"},
    {"task.returned", "任务退回"},
    {"task.submitted", "任务待审核"},
    {"task.escalated", "任务超期"},
    {"complaint.received", "新举报"},
    {"complaint.dispatched", "举报派至本区"},
    {"complaint.reopened", "举报重新打开"},
};
bool IsKnownKind(std::string_view code);
// The Chinese name of a kind; "测试" for the test messages (kind "test"), the code
// itself for one unknown.
std::string KindName(std::string_view code);

// Something people may be told of. `ref` is unique per thing ("alarm:12"): the same
// event is never published twice.
struct Event {
  std::string ref;
  std::string kind;
  Severity severity = Severity::kInfo;
  int64_t district_id = 0;    // 0: not tied to a district
  int64_t enterprise_id = 0;  // 0: none
  std::string title, body;    // Chinese, plain text
  std::string link;           // a path of the console ("/console/alarms?id=12")
  UnixSeconds at = 0;         // when it happened
  bool operator==(const Event&) const = default;
};

// The hours one wants to be told in: weekdays (Monday to Friday) from `from_minute`
// to `to_minute` (minutes of the local day, China Standard Time), to excluded.
struct Hours {
  int from_minute = 8 * 60 + 30;
  int to_minute = 17 * 60 + 30;
  bool operator==(const Hours&) const = default;
};
// Whether `t` falls in `h`.
bool InHours(const Hours& h, UnixSeconds t);

struct Subscription {
  int64_t id = 0;
  int64_t user_id = 0;  // the owner: events reach them only within their rights
  std::string name;
  Channel channel = Channel::kInbox;
  // The webhook's URL, the e-mail address or the phone number; empty for the inbox.
  // Stored sealed (SM4) when it is an address or a phone.
  std::string target;
  // The webhook's signing key (HMAC-SHA256 and HMAC-SM3); stored sealed.
  std::string secret;
  std::vector<std::string> kinds;  // empty: every kind
  std::vector<int64_t> districts;  // empty: every district the owner may see
  Severity min_severity = Severity::kInfo;
  // Set: sent only in these hours; what happens outside them is not sent on this
  // channel (an inbox subscription still holds it).
  std::optional<Hours> hours;
  bool enabled = true;
  UnixSeconds created = 0;
  bool operator==(const Subscription&) const = default;
};

// Why a subscription cannot be stored as it is ("" when it can): the channel's target
// (an http(s) URL, an e-mail address, a phone number of 11 digits or +country form),
// known kinds, hours in 0..1440 with from < to.
std::string CheckSubscription(const Subscription& s);

// Whether `s` asks for `e` at time `now` (enabled, kind, district, severity, hours).
// The owner's rights are checked apart (the dispatcher asks the access policy).
bool Wants(const Subscription& s, const Event& e, UnixSeconds now);

// Delivery attempts: the wait after the `attempts`-th failure (1: the first), growing
// 1 min, 5 min, 30 min, 2 h, 6 h; nullopt once kMaxAttempts have failed (given up).
inline constexpr int kMaxAttempts = 6;
std::optional<int64_t> RetryAfter(int attempts);

// The JSON body of a webhook: {"ref","kind","kind_name","severity","title","body",
// "link","district_id","enterprise_id","at"}, `at` in RFC 3339 (+08:00).
std::string WebhookBody(const Event& e);
// The X-EcoHub-Signature header of a webhook sent at `t`:
// "t=<unix seconds>,sha256=<hex HMAC-SHA256>,sm3=<hex HMAC-SM3>", both over
// "<t>.<body>" under the subscription's secret. kInternal if OpenSSL fails.
Result<std::string> WebhookSignature(std::string_view secret, UnixSeconds t, std::string_view body);

// An e-mail (RFC 5322, UTF-8 text; the subject encoded as RFC 2047 base64).
struct Mail {
  std::string from, to, subject, text;
};
Mail MailOf(const Event& e, std::string_view from, std::string_view to,
            std::string_view console_url);
// The message as sent: headers and body, CRLF line ends, lines starting with "." kept
// as they are (the SMTP client dot-stuffs).
std::string MailMessage(const Mail& m, UnixSeconds date, std::string_view message_id);

// An SMS of at most 70 characters per part is the carriers' rule; the text is the
// title and the time, cut at 140 characters (two parts).
std::string SmsText(const Event& e);

// A target shown in lists: "ab***@example.org", "138****5678"; a URL's host only.
std::string MaskTarget(Channel c, std::string_view target);

}  // namespace ecohub::notify
