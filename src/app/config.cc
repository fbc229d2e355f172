#include "app/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <climits>
#include <fstream>
#include <type_traits>

#include "casework/complaint.h"
#include "store/open_store.h"

namespace ecohub::app {

Status ParseListen(const std::string& text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Status::InvalidInput("listen address must be HOST:PORT, got '" + text + "'");
  unsigned p = 0;
  auto [end, ec] = std::from_chars(text.data() + colon + 1, text.data() + text.size(), p);
  if (ec != std::errc() || end != text.data() + text.size() || p > 65535)
    return Status::InvalidInput("bad port in '" + text + "'");
  *host = text.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  *port = static_cast<uint16_t>(p);
  return Status::Ok();
}

namespace {

// HTTP handler threads at most: more would only add memory and contention.
constexpr size_t kMaxHandlerThreads = 256;

// [gateway] keys for the limits against non-devices (ingest/guard.h) and the
// admission of readings (ingest/admission.h).
void LoadGatewayLimits(const toml::table& t, ingest::GatewayOptions* g) {
  auto gw = t["gateway"];
  auto seconds = [&](const char* key, std::chrono::seconds* field) {
    if (auto v = gw[key].value<int64_t>()) *field = std::chrono::seconds(*v);
  };
  auto count = [&](const char* key, auto* field) {
    if (auto v = gw[key].value<int64_t>())
      *field = static_cast<std::remove_pointer_t<decltype(field)>>(std::max<int64_t>(*v, 0));
  };
  ingest::GuardOptions& guard = g->guard;
  seconds("first_frame_timeout_seconds", &g->first_frame_timeout);
  count("max_connections_per_address", &guard.max_connections_per_address);
  if (auto* list = gw["shared_addresses"].as_array()) {
    guard.shared_addresses.clear();
    for (const auto& v : *list)
      if (auto a = v.value<std::string>()) guard.shared_addresses.push_back(*a);
  }
  count("auth_failures_per_address", &guard.address_max_auth_failures);
  seconds("auth_window_seconds", &guard.address_window);
  seconds("auth_backoff_seconds", &guard.backoff);
  seconds("auth_backoff_max_seconds", &guard.backoff_max);
  count("auth_failures_per_connection", &guard.connection_max_auth_failures);
  count("auth_failures_per_mn", &guard.mn_max_auth_failures);
  seconds("auth_mn_window_seconds", &guard.mn_window);
  count("rejected_kept_per_address", &guard.raw_rejected_per_address);
  count("rejected_kept_per_minute", &guard.raw_rejected_per_minute);
  count("future_tolerance_seconds", &g->admission.future_tolerance_seconds);
  count("horizon_days", &g->admission.horizon_days);
}

// [mqtt]: the broker EcoHub subscribes to (docs/mqtt.md).
void LoadMqtt(const toml::table& t, ingest::MqttBridgeOptions* m) {
  auto q = t["mqtt"];
  ingest::MqttClientOptions& c = m->client;
  for (auto [key, field] :
       {std::pair{"host", &c.host}, std::pair{"client_id", &c.client_id},
        std::pair{"username", &c.username}, std::pair{"password_file", &m->password_file},
        std::pair{"cafile", &c.cafile}, std::pair{"certfile", &c.certfile},
        std::pair{"keyfile", &c.keyfile}, std::pair{"topic_prefix", &m->ingest.topic_prefix}})
    if (auto v = q[key].value<std::string>()) *field = *v;
  // Out of range becomes 0, which ValidateMqtt refuses.
  if (auto v = q["port"].value<int64_t>())
    c.port = *v >= 1 && *v <= 65535 ? static_cast<uint16_t>(*v) : 0;
  if (auto v = q["tls"].value<bool>()) c.tls = *v;
  if (auto v = q["keepalive_seconds"].value<int64_t>())
    c.keepalive_seconds = static_cast<uint16_t>(*v);
  if (auto v = q["keep_raw"].value<bool>()) m->ingest.keep_raw = *v;
}

// [oidc]: the unified identity provider (auth/oidc.h). The client secret is read from
// its file at start-up, so that it stays out of the config. A role value that is no
// role is an error here; one claims may not give, in Validate.
Status LoadOidc(const toml::table& t, ServeConfig* c) {
  auto o = t["oidc"];
  auth::oidc::Config& cfg = c->oidc;
  for (auto [key, field] :
       {std::pair{"issuer", &cfg.issuer}, std::pair{"client_id", &cfg.client_id},
        std::pair{"redirect_uri", &cfg.redirect_uri}, std::pair{"display_name", &cfg.display_name},
        std::pair{"scopes", &cfg.scopes}, std::pair{"claim_username", &cfg.claim_username},
        std::pair{"claim_role", &cfg.claim_role}, std::pair{"claim_district", &cfg.claim_district},
        std::pair{"claim_department", &cfg.claim_department}, std::pair{"ca_file", &cfg.ca_file},
        std::pair{"client_secret_file", &c->oidc_client_secret_file}})
    if (auto v = o[key].value<std::string>()) *field = *v;
  if (auto v = o["auto_create"].value<bool>()) cfg.auto_create = *v;
  if (auto v = o["http_timeout_seconds"].value<int64_t>())
    cfg.http_timeout_seconds = static_cast<int>(*v);
  if (auto* roles = o["roles"].as_table())
    for (const auto& [value, role] : *roles) {
      auto name = role.value<std::string>();
      auto r = name ? auth::ParseRole(*name) : std::nullopt;
      if (!r)
        return Status::InvalidInput("oidc.roles: \"" + std::string(value.str()) +
                                    "\" must map to a role name");
      cfg.roles[std::string(value.str())] = *r;
    }
  return Status::Ok();
}

}  // namespace

// [notify], [notify.smtp], [notify.sms] (notify/dispatcher.h, notify/mail.h).
Status LoadNotify(const toml::table& t, ServeConfig* c) {
  auto n = t["notify"];
  if (auto v = n["interval_seconds"].value<int64_t>()) {
    if (*v < 1 || *v > 3600) return Status::InvalidInput("notify interval_seconds must be 1..3600");
    c->notify.interval_seconds = static_cast<int>(*v);
  }
  if (auto v = n["console_url"].value<std::string>()) c->notify.console_url = *v;
  auto smtp = n["smtp"];
  for (auto [key, field] :
       {std::pair{"url", &c->smtp.url}, std::pair{"from", &c->notify.mail_from},
        std::pair{"user", &c->smtp.user}, std::pair{"password_file", &c->smtp_password_file},
        std::pair{"ca_file", &c->smtp.ca_file}})
    if (auto v = smtp[key].value<std::string>()) *field = *v;
  if (auto v = smtp["starttls"].value<bool>()) c->smtp.starttls = *v;
  if (auto v = smtp["timeout_seconds"].value<int64_t>()) {
    if (*v < 1 || *v > 300)
      return Status::InvalidInput("notify.smtp timeout_seconds must be 1..300");
    c->smtp.timeout_seconds = static_cast<int>(*v);
  }
  if (!c->smtp.url.empty() && !c->smtp.url.starts_with("smtp://") &&
      !c->smtp.url.starts_with("smtps://"))
    return Status::InvalidInput("notify.smtp url must be smtp://host:port or smtps://host:port");
  if (!c->smtp.url.empty() && c->notify.mail_from.find('@') == std::string::npos)
    return Status::InvalidInput("notify.smtp from must be the sender's e-mail address");
  auto sms = n["sms"];
  if (auto v = sms["url"].value<std::string>()) c->notify.sms_url = *v;
  if (auto v = sms["secret_file"].value<std::string>()) c->sms_secret_file = *v;
  if (!c->notify.sms_url.empty() && !c->notify.sms_url.starts_with("http://") &&
      !c->notify.sms_url.starts_with("https://"))
    return Status::InvalidInput("notify.sms url must be an http:// or https:// URL");
  return Status::Ok();
}

Status LoadConfigFile(const std::string& path, ServeConfig* c) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidInput("config " + path + ": " + std::string(e.description()));
  }
  if (auto v = t["gateway"]["listen"].value<std::string>()) {
    Status s = ParseListen(*v, &c->gateway.listen_host, &c->gateway.listen_port);
    if (!s.ok()) return s;
  }
  if (auto v = t["gateway"]["idle_timeout_seconds"].value<int64_t>())
    c->gateway.idle_timeout = std::chrono::seconds(*v);
  if (auto v = t["gateway"]["max_connections"].value<int64_t>()) c->gateway.max_connections = *v;
  if (auto v = t["gateway"]["max_segment_bytes"].value<int64_t>())
    c->gateway.framer.max_segment = *v;
  if (auto v = t["gateway"]["max_bytes_per_second"].value<int64_t>())
    c->gateway.max_bytes_per_second = *v;
  if (auto v = t["gateway"]["time_sync"].value<bool>()) c->gateway.session.time_sync = *v;
  if (auto v = t["gateway"]["backfill"].value<bool>()) c->gateway.session.backfill = *v;
  if (auto v = t["gateway"]["keep_raw"].value<bool>()) c->gateway.keep_raw = *v;
  if (auto v = t["gateway"]["request_timeout_ms"].value<int64_t>())
    c->gateway.session.request_timeout_ms = *v;
  if (auto v = t["gateway"]["backfill_follow_up_seconds"].value<int64_t>())
    c->gateway.session.backfill_follow_up_ms = *v * 1000;
  if (auto v = t["gateway"]["backfill_follow_ups"].value<int64_t>())
    c->gateway.session.backfill_follow_ups = static_cast<int>(*v);
  if (auto v = t["gateway"]["command_sweep_ms"].value<int64_t>())
    c->gateway.command_sweep = std::chrono::milliseconds(*v);
  if (auto v = t["gateway"]["command_ttl_seconds"].value<int64_t>())
    c->gateway.command_ttl = std::chrono::seconds(*v);
  if (auto v = t["gateway"]["command_abandon_seconds"].value<int64_t>())
    c->gateway.command_abandon = std::chrono::seconds(*v);
  if (auto v = t["gateway"]["node"].value<std::string>()) c->gateway.node = *v;
  LoadGatewayLimits(t, &c->gateway);
  if (auto v = t["http"]["listen"].value<std::string>()) {
    Status s = ParseListen(*v, &c->http.listen_host, &c->http.listen_port);
    if (!s.ok()) return s;
  }
  if (auto v = t["http"]["tls_cert"].value<std::string>()) c->http.tls_cert_file = *v;
  if (auto v = t["http"]["tls_key"].value<std::string>()) c->http.tls_key_file = *v;
  if (auto v = t["http"]["web_dir"].value<std::string>()) c->web_dir = *v;
  if (auto v = t["imports"]["mappings_dir"].value<std::string>()) c->mappings_dir = *v;
  if (auto v = t["http"]["handler_threads"].value<int64_t>()) {
    if (*v < 0 || *v > static_cast<int64_t>(kMaxHandlerThreads))
      return Status::InvalidInput("http handler_threads must be 0..256");
    c->http.handler_threads = static_cast<size_t>(*v);
  }
  if (auto v = t["http"]["max_connections"].value<int64_t>())
    c->http.max_connections = static_cast<size_t>(std::clamp<int64_t>(*v, 1, 1'000'000));
  if (auto v = t["http"]["max_connections_per_address"].value<int64_t>())
    c->http.max_connections_per_address =
        static_cast<size_t>(std::clamp<int64_t>(*v, 1, 1'000'000));
  if (t["http"]["trusted_proxies"] && !t["http"]["trusted_proxies"].as_array())
    return Status::InvalidInput("http trusted_proxies: a list of addresses or networks");
  if (auto* list = t["http"]["trusted_proxies"].as_array()) {
    std::vector<std::string> entries;
    for (const auto& v : *list) {
      auto a = v.value<std::string>();
      if (!a) return Status::InvalidInput("http trusted_proxies: a list of addresses or networks");
      entries.push_back(*a);
    }
    auto trusted = api::TrustedProxies::Parse(entries);
    if (!trusted.ok()) return Status::InvalidInput("http " + trusted.status().message());
    c->http.trusted_proxies = std::move(*trusted);
  }
  if (auto v = t["alarms"]["offline_minutes"].value<int64_t>())
    c->offline_minutes = static_cast<int>(std::clamp<int64_t>(*v, INT32_MIN, INT32_MAX));
  if (auto v = t["alarms"]["sync_seconds"].value<int64_t>())
    c->alarm_sync_seconds = static_cast<int>(std::clamp<int64_t>(*v, INT32_MIN, INT32_MAX));
  if (const toml::table* days = t["complaints"]["reply_days"].as_table()) {
    for (const auto& [category, v] : *days) {
      std::string name(category.str());
      auto d = v.value<int64_t>();
      if (!casework::FindCategory(name) || !d || *d < 1 || *d > 365)
        return Status::InvalidInput("complaints reply_days: " + name +
                                    " must be a complaint category with 1..365 days");
      c->complaint_reply_days[name] = static_cast<int>(*d);
    }
  }
  if (auto v = t["complaints"]["keep_contact_days"].value<int64_t>()) {
    if (*v < casework::kMinKeepContactDays || *v > 3650)
      return Status::InvalidInput("complaints keep_contact_days must be 60..3650");
    c->complaint_keep_contact_days = static_cast<int>(*v);
  }
  if (Status s = LoadNotify(t, c); !s.ok()) return s;
  if (auto v = t["tasks"]["to_city_hours"].value<int64_t>()) {
    if (*v < 1 || *v > 720) return Status::InvalidInput("tasks to_city_hours must be 1..720");
    c->task_to_city_hours = static_cast<int>(*v);
  }
  if (auto v = t["store"]["synchronous_full"].value<bool>()) c->synchronous_full = *v;
  if (auto v = t["store"]["compact_every_seconds"].value<int64_t>()) c->compact_every_seconds = *v;
  if (auto v = t["store"]["read_connections"].value<int64_t>())
    c->read_connections = static_cast<int>(std::clamp<int64_t>(*v, -1, 1000));
  if (auto v = t["retention"]["raw_days"].value<int64_t>()) c->retention.raw_days = *v;
  if (auto v = t["retention"]["realtime_days"].value<int64_t>()) c->retention.realtime_days = *v;
  if (auto v = t["retention"]["minute_days"].value<int64_t>()) c->retention.minute_days = *v;
  if (auto v = t["retention"]["hour_days"].value<int64_t>()) c->retention.hour_days = *v;
  if (auto v = t["retention"]["day_days"].value<int64_t>()) c->retention.day_days = *v;
  if (auto v = t["server"]["io_threads"].value<int64_t>()) c->io_threads = static_cast<int>(*v);
  if (auto v = t["derive"]["enabled"].value<bool>()) c->derive.enabled = *v;
  if (auto v = t["derive"]["debounce_ms"].value<int64_t>())
    c->derive.debounce_ms = static_cast<int>(*v);
  if (auto v = t["derive"]["min_pass_interval_ms"].value<int64_t>())
    c->derive.min_pass_interval_ms = static_cast<int>(*v);
  if (auto v = t["derive"]["o3_8h_in_hourly_2012"].value<bool>())
    c->derive.o3_8h_in_hourly_2012 = *v;
  for (auto [key, field] :
       {std::pair{"per_second", &c->rate_limits.per_second},
        std::pair{"burst", &c->rate_limits.burst},
        std::pair{"per_address_per_second", &c->rate_limits.per_address_per_second},
        std::pair{"per_address_burst", &c->rate_limits.per_address_burst},
        std::pair{"complaints_per_address_per_hour",
                  &c->rate_limits.complaints_per_address_per_hour},
        std::pair{"complaints_per_hour", &c->rate_limits.complaints_per_hour}})
    if (auto v = t["limits"][key].value<double>()) *field = *v;
  if (auto v = t["accounts"]["token_ttl_hours"].value<int64_t>())
    c->accounts.token_ttl_seconds = static_cast<int>(*v * 3600);
  if (auto v = t["accounts"]["max_failed_logins"].value<int64_t>())
    c->accounts.max_failed_logins = static_cast<int>(*v);
  if (auto v = t["accounts"]["lockout_minutes"].value<int64_t>())
    c->accounts.lockout_seconds = static_cast<int>(*v * 60);
  if (auto v = t["accounts"]["session_idle_minutes"].value<int64_t>())
    c->accounts.session_idle_seconds = static_cast<int>(*v * 60);
  if (auto v = t["accounts"]["max_sessions_per_user"].value<int64_t>())
    c->accounts.max_sessions_per_user = static_cast<int>(*v);
  if (auto v = t["accounts"]["password_max_age_days"].value<int64_t>())
    c->accounts.password_max_age_days = static_cast<int>(*v);
  if (auto v = t["security"]["separation_of_duties"].value<bool>())
    c->accounts.separation_of_duties = *v;
  if (auto v = t["security"]["admin_second_factor"].value<bool>())
    c->accounts.admin_second_factor = *v;
  if (auto v = t["security"]["totp_issuer"].value<std::string>()) c->accounts.totp_issuer = *v;
  if (auto v = t["accounts"]["admin_password_file"].value<std::string>())
    c->admin_password_file = *v;
  if (auto v = t["store"]["url"].value<std::string>()) c->store_url = *v;
  if (auto v = t["security"]["key_file"].value<std::string>()) c->security.key_file = *v;
  if (auto v = t["security"]["audit_anchor_file"].value<std::string>())
    c->security.audit_anchor_file = *v;
  LoadMqtt(t, &c->mqtt);
  return LoadOidc(t, c);
}

Status Validate(const ServeConfig& c) {
  if (c.data_dir.empty()) return Status::InvalidInput("--data DIR is required");
  if (!c.store_url.empty() && !store::IsPostgresUrl(c.store_url))
    return Status::InvalidInput("store url " + store::RedactUrl(c.store_url) +
                                ": not a PostgreSQL URL (postgresql://user@host:port/database)");
  if (c.io_threads < 1 || c.io_threads > 64)
    return Status::InvalidInput("io_threads must be 1..64");
  if (c.http.handler_threads > kMaxHandlerThreads)
    return Status::InvalidInput("http handler_threads must be 0..256");
  if (c.read_connections < 0 || c.read_connections > 64)
    return Status::InvalidInput("store read_connections must be 0..64");
  if (c.gateway.framer.max_segment < 1024 || c.gateway.framer.max_segment > 65536)
    return Status::InvalidInput("max_segment_bytes must be 1024..65536");
  if (c.gateway.idle_timeout.count() < 10) return Status::InvalidInput("idle timeout below 10 s");
  if (c.gateway.session.request_timeout_ms < 100 || c.gateway.command_sweep.count() < 100 ||
      c.gateway.command_ttl.count() < 1 || c.gateway.command_abandon.count() < 60 ||
      c.gateway.session.backfill_follow_up_ms < 1000 || c.gateway.session.backfill_follow_ups < 0 ||
      c.gateway.session.backfill_follow_ups > 10)
    return Status::InvalidInput(
        "gateway: request_timeout_ms and command_sweep_ms at least 100, command_ttl_seconds and "
        "backfill_follow_up_seconds at least 1, command_abandon_seconds at least 60, "
        "backfill_follow_ups 0..10");
  const ingest::GuardOptions& guard = c.gateway.guard;
  if (c.gateway.first_frame_timeout.count() < 1 || guard.address_max_auth_failures < 1 ||
      guard.connection_max_auth_failures < 1 || guard.mn_max_auth_failures < 1 ||
      guard.address_window.count() < 1 || guard.mn_window.count() < 1 ||
      guard.backoff.count() < 1 || guard.backoff_max < guard.backoff)
    return Status::InvalidInput(
        "gateway limits: timeouts, windows and failure counts must be >= 1, "
        "auth_backoff_max_seconds >= auth_backoff_seconds");
  if (c.gateway.admission.horizon_days < 1)
    return Status::InvalidInput("gateway horizon_days must be >= 1");
  // Half a TLS setup would otherwise serve plain HTTP where TLS was meant.
  if (c.offline_minutes < 1 || c.offline_minutes > 7 * 24 * 60)
    return Status::InvalidInput("alarms offline_minutes must be 1..10080");
  if (c.alarm_sync_seconds < 5 || c.alarm_sync_seconds > 3600)
    return Status::InvalidInput("alarms sync_seconds must be 5..3600");
  if (c.http.tls_cert_file.empty() != c.http.tls_key_file.empty())
    return Status::InvalidInput("http tls_cert and tls_key go together (--tls-cert, --tls-key)");
  // Checked before anything starts, so that a wrong path does not fail only after
  // the store and the accounts have been opened.
  for (const std::string* f : {&c.http.tls_cert_file, &c.http.tls_key_file})
    if (!f->empty() && !std::ifstream(*f).good())
      return Status::InvalidInput("http tls file '" + *f + "' cannot be read");
  if (!c.admin_password_file.empty() && !std::ifstream(c.admin_password_file).good())
    return Status::InvalidInput("admin password file '" + c.admin_password_file +
                                "' cannot be read");
  if (c.demo_devices < 0) return Status::InvalidInput("--demo-devices must be >= 0");
  if (c.compact_every_seconds < 10 || c.compact_every_seconds > 86400)
    return Status::InvalidInput("compact_every_seconds must be 10..86400");
  if (c.derive.debounce_ms < 0 || c.derive.debounce_ms > 600000)
    return Status::InvalidInput("derive.debounce_ms must be 0..600000");
  if (c.derive.min_pass_interval_ms < 0 || c.derive.min_pass_interval_ms > 3600000)
    return Status::InvalidInput("derive.min_pass_interval_ms must be 0..3600000");
  if (c.rate_limits.per_second <= 0 || c.rate_limits.burst < 1 ||
      c.rate_limits.per_address_per_second <= 0 || c.rate_limits.per_address_burst < 1 ||
      c.rate_limits.complaints_per_address_per_hour < 1 || c.rate_limits.complaints_per_hour < 1)
    return Status::InvalidInput("limits: rates must be > 0 and bursts >= 1");
  if (c.accounts.token_ttl_seconds < 300 || c.accounts.token_ttl_seconds > 30 * 86400)
    return Status::InvalidInput("accounts.token_ttl_hours must give 5 minutes..30 days");
  if (c.accounts.max_failed_logins < 1 || c.accounts.lockout_seconds < 0)
    return Status::InvalidInput("accounts.max_failed_logins >= 1, lockout_minutes >= 0");
  const auto& a = c.accounts;
  if (a.session_idle_seconds != 0 &&
      (a.session_idle_seconds < 5 * 60 || a.session_idle_seconds > a.token_ttl_seconds))
    return Status::InvalidInput(
        "accounts.session_idle_minutes must be 0 (never) or 5 up to the token lifetime");
  if (a.max_sessions_per_user < 1 || a.max_sessions_per_user > 100)
    return Status::InvalidInput("accounts.max_sessions_per_user must be 1..100");
  if (a.password_max_age_days < 0 || a.password_max_age_days > 3650)
    return Status::InvalidInput("accounts.password_max_age_days must be 0 (never) ..3650");
  if (a.totp_issuer.empty() || a.totp_issuer.size() > 64)
    return Status::InvalidInput("security.totp_issuer must be 1..64 bytes");
  if (Status s = auth::oidc::CheckConfig(c.oidc); !s.ok()) return s;
  if (!c.oidc_client_secret_file.empty() && !std::ifstream(c.oidc_client_secret_file).good())
    return Status::InvalidInput("oidc.client_secret_file '" + c.oidc_client_secret_file +
                                "' cannot be read");
  if (Status s = ingest::ValidateMqtt(c.mqtt); !s.ok()) return s;
  for (int d : {c.retention.raw_days, c.retention.realtime_days, c.retention.minute_days,
                c.retention.hour_days, c.retention.day_days})
    if (d < 0) return Status::InvalidInput("retention days must be >= 0");
  return Status::Ok();
}

}  // namespace ecohub::app
