// Config: every option of `ecohub serve`, with documented defaults, read once at
// start-up from an optional TOML file and then from command-line flags (flags win).
// Validated before anything starts; nothing reads configuration on a hot path.
#pragma once

#include <map>
#include <string>

#include "api/api.h"
#include "api/http_server.h"
#include "auth/accounts.h"
#include "auth/oidc.h"
#include "casework/contact_retention.h"
#include "core/status.h"
#include "derive/deriver.h"
#include "ingest/gateway.h"
#include "ingest/mqtt_bridge.h"
#include "notify/mail.h"
#include "store/writer.h"

namespace ecohub::app {

struct RetentionOptions {
  // 0 keeps forever. Raw packets are for tracing and replay; readings per period.
  int raw_days = 30;
  int realtime_days = 30;
  int minute_days = 180;
  int hour_days = 0;
  int day_days = 0;
};

// Keys and the audit trail's protection (GB/T 39786, GB/T 22239 security audit).
// Audit rows are never pruned: retention above applies to readings and raw packets
// only, so the 180 days the Cybersecurity Law asks for always hold.
struct SecurityOptions {
  // The master keys (crypto/keyring.h). Empty: ECOHUB_KEYS when set, else
  // `<data>/keys`, created 0600 with one fresh key at first start. In production the
  // key file belongs on other storage than the data it protects.
  std::string key_file;
  // Where the signed heads of the audit chain are appended (store/audit.h). Empty:
  // `<data>/audit-anchors.log`; better on other storage (a cut-off copy of the data
  // directory then cannot also cut the anchors).
  std::string audit_anchor_file;
};

struct ServeConfig {
  std::string data_dir;
  // `--store` / [store] url: the PostgreSQL server of the store (store/open_store.h);
  // empty for the SQLite store in data_dir. data_dir still holds the local files.
  std::string store_url;
  ingest::GatewayOptions gateway;
  // [mqtt]: the MQTT bridge (docs/mqtt.md); off while its host is empty.
  ingest::MqttBridgeOptions mqtt;
  api::HttpOptions http;
  store::WriterOptions writer;
  RetentionOptions retention;
  int io_threads = 1;  // network threads; the writer has its own
  // Read connections per database file (store/sqlite_store.h); 0: two per core, 2 to 8.
  int read_connections = 0;
  // Often, so that each run moves about a minute of data and holds the store's write
  // lock briefly (a run merges everything older than an hour not yet compacted).
  int compact_every_seconds = 60;
  bool synchronous_full = true;  // fsync every commit (power-loss safe); NORMAL is kill -9 safe
  bool demo = false;
  std::string demo_city = "beijing";  // demo_city.h: a name of demo/ or a directory
  int demo_devices = 0;               // 0: one per site of the demo city
  int demo_history_days = 30;
  std::string dataset_dir;  // Beijing dataset for the demo replay
  derive::DeriveOptions derive;
  auth::AccountOptions accounts;
  api::RateLimitOptions rate_limits;
  // [complaints.reply_days]: days to reply by category (docs/complaints.md); those not
  // named have casework::kReplyDays.
  std::map<std::string, int> complaint_reply_days;
  // [complaints] keep_contact_days: days after submission before the phone of an ended
  // complaint is erased (casework/contact_retention.h).
  int complaint_keep_contact_days = casework::kKeepContactDays;
  // [tasks] to_city_hours: hours past due before a task's escalation goes from the
  // district's head to the city (casework/task_escalation.h).
  int task_to_city_hours = 24;
  // [notify], [notify.smtp], [notify.sms]: how notifications are sent
  // (docs/notifications.md). The SMTP password and the SMS gateway's signing key come
  // from their files at start-up.
  notify::DispatchOptions notify;
  notify::SmtpOptions smtp;
  std::string smtp_password_file, sms_secret_file;
  // The first administrator, created at start-up when there is no account yet; its
  // password is read from this file (kept out of command lines and the config).
  std::string admin_password_file;
  // The built web front end served on the HTTP port; empty: the source tree's
  // web/dist when it has been built, else the API alone. "none" turns pages off.
  std::string web_dir;
  // The mappings the import routes offer (docs/data-import.md); empty: this source
  // tree's mappings/. TOML: [imports] mappings_dir.
  std::string mappings_dir;
  // Alarms: a device silent this long is offline (and raises an alarm); alarms are
  // synced from exceedances, anomalies and device status this often.
  int offline_minutes = 30;
  int alarm_sync_seconds = 60;
  SecurityOptions security;
  // The unified identity provider (OpenID Connect); off while its issuer is empty.
  // The client secret comes from oidc_client_secret_file at start-up.
  auth::oidc::Config oidc;
  std::string oidc_client_secret_file;
};

// Reads the TOML file into `config` (keys documented in docs/configuration.md).
Status LoadConfigFile(const std::string& path, ServeConfig* config);
// "host:port" -> parts; port must be 0..65535.
Status ParseListen(const std::string& text, std::string* host, uint16_t* port);
Status Validate(const ServeConfig& config);

}  // namespace ecohub::app
