#include "notify/notify.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "crypto/sm.h"

namespace ecohub::notify {

namespace {

constexpr std::string_view kChannels[] = {"inbox", "webhook", "email", "sms"};
constexpr std::string_view kSeverities[] = {"info", "warning", "critical"};
constexpr std::string_view kSeverityNames[] = {"提示", "警告", "严重"};

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool IsEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos)
    return false;
  std::string_view domain = s.substr(at + 1);
  size_t dot = domain.find('.');
  return s.size() <= 254 && !HasControl(s) &&
         s.find_first_of(" <>,;\"") == std::string_view::npos && dot != std::string_view::npos &&
         dot > 0 && dot + 1 < domain.size();
}

bool IsPhone(std::string_view s) {
  if (s.starts_with('+')) return s.size() >= 9 && s.size() <= 16 && AllDigits(s.substr(1));
  return s.size() == 11 && s[0] == '1' && AllDigits(s);
}

bool IsUrl(std::string_view s) {
  size_t host = s.starts_with("https://") ? 8 : s.starts_with("http://") ? 7 : 0;
  return host > 0 && s.size() > host && s.size() <= 2000 && !HasControl(s) &&
         s.find(' ') == std::string_view::npos;
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(std::max(n, 0));
  return out;
}

// The RFC 5322 date of `t` in China Standard Time: "Mon, 07 Dec 2026 19:30:00 +0800".
std::string MailDate(UnixSeconds t) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t local = t + kBeijingOffsetSeconds;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  CivilTime c = CivilFromSeconds(local);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0800",
                kDays[((days % 7) + 7) % 7], c.day, kMonths[c.month - 1], c.year, c.hour, c.minute,
                c.second);
  return buf;
}

// The text cut to at most `n` characters (UTF-8 code points), never inside one.
std::string CutChars(std::string_view s, size_t n) {
  size_t chars = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == n) break;
      ++chars;
    }
  }
  return std::string(s.substr(0, i));
}

}  // namespace

std::string_view ChannelCode(Channel c) { return kChannels[static_cast<int>(c)]; }
std::optional<Channel> ChannelFromCode(std::string_view code) {
  for (size_t i = 0; i < std::size(kChannels); ++i)
    if (kChannels[i] == code) return static_cast<Channel>(i);
  return std::nullopt;
}

std::string_view SeverityCode(Severity s) { return kSeverities[static_cast<int>(s)]; }
std::string_view SeverityName(Severity s) { return kSeverityNames[static_cast<int>(s)]; }
std::optional<Severity> SeverityFromCode(std::string_view code) {
  for (size_t i = 0; i < std::size(kSeverities); ++i)
    if (kSeverities[i] == code) return static_cast<Severity>(i);
  return std::nullopt;
}

bool IsKnownKind(std::string_view code) {
  return std::any_of(std::begin(kKinds), std::end(kKinds),
                     [&](const KindInfo& k) { return k.code == code; });
}

std::string KindName(std::string_view code) {
  if (code == "test") return "测试";
  for (const auto& k : kKinds)
    if (k.code == code) return std::string(k.name);
  return std::string(code);
}

bool InHours(const Hours& h, UnixSeconds t) {
  int64_t local = t + kBeijingOffsetSeconds;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t weekday = ((days + 3) % 7 + 7) % 7;  // 0: Monday (1970-01-01 was a Thursday)
  int64_t minute = (local - days * 86400) / 60;
  return weekday < 5 && minute >= h.from_minute && minute < h.to_minute;
}

std::string CheckSubscription(const Subscription& s) {
  if (s.name.empty() || s.name.size() > 200) return "name: 1 to 200 bytes";
  switch (s.channel) {
    case Channel::kInbox:
      if (!s.target.empty()) return "target: the inbox takes none";
      break;
    case Channel::kWebhook:
      if (!IsUrl(s.target)) return "target: an http:// or https:// URL";
      if (s.secret.size() < 16 || s.secret.size() > 200)
        return "secret: 16 to 200 bytes, shared with the receiver to check signatures";
      break;
    case Channel::kEmail:
      if (!IsEmail(s.target)) return "target: an e-mail address";
      break;
    case Channel::kSms:
      if (!IsPhone(s.target)) return "target: a phone number (11 digits, or +country code)";
      break;
  }
  if (s.channel != Channel::kWebhook && !s.secret.empty())
    return "secret: only a webhook is signed";
  for (const auto& k : s.kinds)
    if (!IsKnownKind(k)) return "kinds: unknown kind '" + k + "'";
  for (int64_t d : s.districts)
    if (d <= 0) return "districts: ids of districts";
  if (s.hours && (s.hours->from_minute < 0 || s.hours->to_minute > 1440 ||
                  s.hours->from_minute >= s.hours->to_minute))
    return "hours: from before to, within 00:00-24:00";
  return "";
}

bool Wants(const Subscription& s, const Event& e, UnixSeconds now) {
  if (!s.enabled || e.severity < s.min_severity) return false;
  if (!s.kinds.empty() && std::find(s.kinds.begin(), s.kinds.end(), e.kind) == s.kinds.end())
    return false;
  if (!s.districts.empty() &&
      std::find(s.districts.begin(), s.districts.end(), e.district_id) == s.districts.end())
    return false;
  return !s.hours || InHours(*s.hours, now);
}

std::optional<int64_t> RetryAfter(int attempts) {
  static constexpr int64_t kWaits[] = {60, 300, 1800, 7200, 21600};
  if (attempts < 1 || attempts >= kMaxAttempts) return std::nullopt;
  return kWaits[std::min<size_t>(attempts - 1, std::size(kWaits) - 1)];
}

std::string WebhookBody(const Event& e) {
  nlohmann::ordered_json j = {{"ref", e.ref},
                              {"kind", e.kind},
                              {"kind_name", KindName(e.kind)},
                              {"severity", SeverityCode(e.severity)},
                              {"title", e.title},
                              {"body", e.body},
                              {"link", e.link},
                              {"district_id", e.district_id},
                              {"enterprise_id", e.enterprise_id},
                              {"at", FormatRfc3339Beijing(e.at)}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::string> WebhookSignature(std::string_view secret, UnixSeconds t,
                                     std::string_view body) {
  std::string signed_text = std::to_string(t) + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac,
            &len))
    return Status(Code::kInternal, "HMAC-SHA256 failed");
  auto sm3 = crypto::HmacSm3(secret, signed_text);
  if (!sm3.ok()) return sm3.status();
  return "t=" + std::to_string(t) +
         ",sha256=" + crypto::ToHex(std::string_view(reinterpret_cast<char*>(mac), len)) +
         ",sm3=" + crypto::ToHex(*sm3);
}

Mail MailOf(const Event& e, std::string_view from, std::string_view to,
            std::string_view console_url) {
  Mail m{std::string(from), std::string(to),
         "[" + std::string(SeverityName(e.severity)) + "] " + e.title, ""};
  m.text = e.title + "\n\n" + e.body + "\n";
  if (!console_url.empty() && !e.link.empty()) {
    std::string base(console_url);
    while (!base.empty() && base.back() == '/') base.pop_back();
    m.text += "查看：" + base + e.link + "\n";
  }
  m.text += "\n—— EcoHub 生态环境监管平台（此邮件由系统发出，请勿回复）\n";
  return m;
}

std::string MailMessage(const Mail& m, UnixSeconds date, std::string_view message_id) {
  std::string out;
  out += "Date: " + MailDate(date) + "\r\n";
  out += "From: " + m.from + "\r\n";
  out += "To: " + m.to + "\r\n";
  out += "Message-ID: <" + std::string(message_id) + ">\r\n";
  out += "Subject: =?UTF-8?B?" + Base64(m.subject) + "?=\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n\r\n";
  std::string body;
  for (char c : m.text) {
    if (c == '\n') body += '\r';
    body += c;
  }
  std::string b64 = Base64(body);
  for (size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  return out;
}

std::string SmsText(const Event& e) {
  std::string at = FormatRfc3339Beijing(e.at);  // 2026-12-07T19:30:00+08:00
  std::string when = at.size() >= 16 ? at.substr(5, 5) + " " + at.substr(11, 5) : at;
  return CutChars("【EcoHub】" + e.title + "（" + when + "）", 140);
}

std::string MaskTarget(Channel c, std::string_view target) {
  switch (c) {
    case Channel::kInbox:
      return "";
    case Channel::kWebhook: {
      size_t host = target.find("://");
      host = host == std::string_view::npos ? 0 : host + 3;
      size_t end = target.find_first_of("/?#", host);
      return std::string(target.substr(0, end)) + (end == std::string_view::npos ? "" : "/…");
    }
    case Channel::kEmail: {
      size_t at = target.find('@');
      if (at == std::string_view::npos) return "***";
      return std::string(target.substr(0, std::min<size_t>(2, at))) + "***" +
             std::string(target.substr(at));
    }
    case Channel::kSms:
      if (target.size() < 8) return "***";
      return std::string(target.substr(0, 3)) + "****" +
             std::string(target.substr(target.size() - 4));
  }
  return "";
}

}  // namespace ecohub::notify
