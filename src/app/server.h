// Server: `ecohub serve` as an object. It owns every component of a running
// platform and wires the concrete classes together; it is the one place that names
// SqliteStore. Other modules see only the interfaces it hands them.
//
// Life cycle, each step once and in this order:
//   Server s(options);  // cheap: nothing is opened
//   s.Open();           // validates, opens the store and accounts, seeds the demo,
//                       // catches derived values up, builds and wires the components
//   s.Start();          // background passes, then listens (gateway, HTTP), timers
//   s.Wait();           // serves on this thread until SIGINT/SIGTERM or Stop()
//   ~Server();          // drains the writer, closes everything
// A failed Open or Start leaves the Server fit only for destruction. Open and Start
// print nothing but logs (and the first administrator's password, once, on stderr):
// the caller prints the Status they return.
//
// Ownership and order: the members below are constructed in the order they are
// declared (each needs only those above it) and destroyed in reverse, so nothing
// outlives what it points at. The exception is the writer: it is drained (queued
// batches committed) explicitly, while the io_context and everything its
// after-commit hook touches still exist.
//
// Time: `clock` is where the server and the components that accept one read wall
// time ("now" of seeding and catch-up, retention, tokens, the API); it must outlive
// the Server.
//
// Thread-safety: Open, Start, Wait and the destructor are called from one thread.
// Stop may be called from any thread, any number of times, and before Wait. The
// wiring functions below run on the threads named in their comments.
#pragma once

#include <boost/asio.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "alarm/sync.h"
#include "api/api.h"
#include "api/handlers.h"
#include "api/http_server.h"
#include "api/router.h"
#include "api/static_site.h"
#include "app/config.h"
#include "app/gateway_audit.h"
#include "app/housekeeper.h"
#include "auth/accounts.h"
#include "auth/oidc_client.h"
#include "casework/complaint_store.h"
#include "casework/enforcement_store.h"
#include "casework/task_store.h"
#include "control/command_store.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "crypto/keyring.h"
#include "derive/deriver.h"
#include "ingest/batch_store.h"
#include "ingest/device_status.h"
#include "ingest/gateway.h"
#include "ingest/mqtt_bridge.h"
#include "notify/dispatcher.h"
#include "permit/permit_store.h"
#include "registry/snapshot.h"
#include "review/review_store.h"
#include "samples/sample_store.h"
#include "store/audit_queue.h"
#include "store/coordinator.h"
#include "store/latest_cache.h"
#include "store/store.h"
#include "store/writer.h"

namespace ecohub::app {

class Server {
 public:
  explicit Server(ServeConfig options, const Clock& clock = RealClock());
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Fails with Validate's InvalidInput (config.h) before touching anything when the
  // options are wrong; otherwise with the first error of opening the store or the
  // accounts, seeding the demo, creating the first administrator or loading the web
  // folder named by the options.
  Status Open();
  // Starts the deriver, the housekeeper and the alarm sync (one pass now), then
  // listens. Fails when an address cannot be bound or the TLS files do not load.
  Status Start();
  // Runs the network on this thread and options.io_threads - 1 more until a signal
  // or Stop(), then stops accepting, waits for the HTTP requests still running on
  // the handler threads, and drains the writer: every batch queued is committed
  // (its devices are not answered: they resend).
  void Wait();
  // Asks Wait to return. Thread-safe.
  void Stop();

  // The bound ports (port 0 in the options: any free one). Valid after Start.
  uint16_t gateway_port() const { return gateway_port_; }
  uint16_t http_port() const { return http_port_; }

 private:
  // Open's steps, in order.
  Status OpenStore();
  // With --demo and a store without devices: the demo city and its history. Returns
  // whether it seeded (a fresh demo derives its whole history at start-up).
  Result<bool> SeedDemoIfNew();
  // Subscribes the registry's readers and publishes its first snapshot.
  Status LoadRegistry();
  // Any thread: reads the registry tables again and publishes them when they
  // changed (a change through the API, another process, the 5 s timer).
  Status ReloadRegistry();
  // After a change of the registry through the API: reload, and tell the other
  // nodes to.
  Status RegistryChanged();
  // Publishing thread, after every new registry snapshot: the readers that keep
  // something derived from it (the latest-value cache's device -> site map, the
  // deriver's site list) follow it.
  void RegistryPublished(const registry::Snapshot& snapshot);
  Status OpenDeriver(bool seeded);
  Status OpenAccounts();
  Status OpenOidc();
  std::string AnchorFile() const;  // where the audit anchors are written
  // With no account at all, creates `admin` so that somebody can log in: from
  // --admin-password-file when given, else with a random password printed once on
  // stderr (the demo prints it on its start page).
  Status EnsureAdmin();
  void WireAlarms();
  // The dispatcher of notifications (notify/dispatcher.h), its SMTP password and SMS
  // key read from their files.
  Status WireNotify();
  // Whether the user `user_id` (an active account) may read the alarm or the task of
  // `e` (an inspector: only through a task of theirs, told to them directly).
  bool MaySee(int64_t user_id, const notify::Event& e);
  void WireApi();
  // The web pages: a folder named but unusable is an error; the default folder not
  // built yet only leaves the API without pages.
  Status LoadWebSite();

  // Writer thread, after each commit: the latest values and the derived values
  // follow the data without a store read.
  void AfterCommit(const std::vector<store::Batch>& batches);
  // HTTP thread, after a device is created or changed through the API: the registry
  // publishes it at once (the gateway accepts it and the latest-value cache places
  // its values), not at the next reload.
  void DeviceChanged(const store::Device& device);
  // HTTP thread: what /healthz adds to "ok", so a probe sees a stuck writer or a
  // lost fleet.
  std::string HealthDetail() const;
  // HTTP thread: exports and other changes made through the API go on the record
  // through the same path as the handlers' own audit rows.
  void AuditChange(const auth::Principal& who, std::string_view action, std::string_view object,
                   const nlohmann::json& detail);
  // Alarm thread: the registered devices with what the gateway saw of them, from
  // which the sync raises and ends offline alarms.
  std::vector<alarm::DeviceSeen> DevicesSeen() const;
  // io thread, every second: the writer's figures as gauges at /metrics.
  void RefreshWriterMetrics();
  // io thread, every 5 s: registry changes made by other processes (`ecohub device
  // put`, another node) are published to the gateway, the cache, the deriver and
  // the API.
  void ReloadRegistryLater();
  // Subscribes to MQTT while this node holds the "mqtt" lease, stops when it lost it.
  Status FollowMqttLease();
  // io thread, once, on SIGINT/SIGTERM or Stop(): stops accepting, stops the
  // background passes and lets every io thread return.
  void Shutdown();

  const ServeConfig options_;
  const Clock& clock_;
  Metrics metrics_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const crypto::KeyRing> keys_;  // audit chain and anchors (never empty)
  std::unique_ptr<auth::Accounts> accounts_;
  std::unique_ptr<auth::oidc::Client> oidc_;  // null: no [oidc] issuer
  // permits.db, read by the deriver and the API.
  std::unique_ptr<permit::PermitStore> permits_;
  std::unique_ptr<ingest::ImportBatchStore> imports_;
  std::unique_ptr<review::ReviewStore> reviews_;
  std::unique_ptr<control::CommandStore> commands_;  // commands.db: sent to devices
  std::unique_ptr<declare::DeclarationStore> declarations_;
  std::unique_ptr<samples::SampleStore> samples_;         // samples.db
  std::unique_ptr<casework::ComplaintStore> complaints_;  // casework.db
  std::unique_ptr<casework::TaskStore> tasks_;            // tasks.db
  std::unique_ptr<casework::EnforcementStore> cases_;     // enforcement.db
  std::unique_ptr<notify::NotifyStore> notify_;           // notify.db
  // idempotency.db: the answers of writes sent with an Idempotency-Key.
  std::unique_ptr<idempotency::IdempotencyStore> idempotency_;
  // The one registry snapshot read by the gateway, the deriver, the cache and the API.
  registry::Registry registry_;
  store::LatestCache latest_;
  std::unique_ptr<derive::Deriver> deriver_;
  std::unique_ptr<ingest::DeviceStatusBoard> device_status_;  // since Open
  std::unique_ptr<store::AuditQueue> audit_queue_;
  std::unique_ptr<Housekeeper> housekeeper_;
  std::unique_ptr<alarm::AlarmSyncer> alarms_;
  std::unique_ptr<notify::Dispatcher> dispatcher_;
  boost::asio::io_context io_;
  // Singleton jobs and news among the nodes sharing the store; after io_, so that
  // its thread, which posts to io_, ends first.
  std::unique_ptr<store::Coordinator> coordinator_;
  std::unique_ptr<store::Writer> writer_;        // its hook reaches latest_ and deriver_
  std::unique_ptr<GatewayAudit> gateway_audit_;  // the gateway's security events, audited
  std::unique_ptr<ingest::Gateway> gateway_;
  std::unique_ptr<ingest::MqttBridge> mqtt_;  // null: no [mqtt] host
  api::Router router_;
  api::RateLimiter limiter_;
  std::unique_ptr<api::Api> api_;
  api::ApiContext ctx_;
  std::unique_ptr<api::StaticSite> site_;  // null: no pages
  std::unique_ptr<api::HttpServer> http_;
  boost::asio::steady_timer stats_timer_;
  boost::asio::steady_timer registry_timer_;
  // Made by Start: until then a signal keeps its default action (a slow seeding or
  // catch-up can be interrupted).
  std::optional<boost::asio::signal_set> signals_;
  std::vector<std::thread> threads_;  // io threads beyond Wait's own
  uint16_t gateway_port_ = 0, http_port_ = 0;
};

}  // namespace ecohub::app
