#include "app/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <unordered_map>

#include "api/http_client.h"
#include "api/routes.h"
#include "app/audit_verdict.h"
#include "app/cli_support.h"
#include "app/demo_city.h"
#include "app/demo_complaints.h"
#include "auth/secrets.h"
#include "casework/task_escalation.h"
#include "core/file.h"
#include "core/threads.h"
#include "crypto/sealer.h"
#include "idempotency/sealed_store.h"
#include "permit/sqlite_permit_store.h"
#include "store/audit.h"
#include "store/open_store.h"

namespace ecohub::app {

namespace asio = boost::asio;

Server::Server(ServeConfig options, const Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      limiter_(options_.rate_limits),
      stats_timer_(io_),
      registry_timer_(io_) {}

Server::~Server() {
  // Password checks queued for connections are dropped while the io_context their
  // sockets belong to still exists.
  if (accounts_) accounts_->password_workers().Stop();
  // Queued batches are committed while the io_context their acks are posted to, the
  // cache and the deriver still exist (members die in reverse order after this).
  writer_.reset();
  // The last audit rows, then their anchor: a clean stop leaves no unanchored tail.
  if (audit_queue_) audit_queue_->Stop();
  if (housekeeper_) housekeeper_->AnchorAudit();
  // The jobs that ask the coordinator stop before it goes.
  if (housekeeper_) housekeeper_->Stop();
  if (alarms_) alarms_->Stop();
  if (dispatcher_) dispatcher_->Stop();
  coordinator_.reset();
}

Status Server::Open() {
  if (Status s = Validate(options_); !s.ok()) return s;
  if (Status s = OpenStore(); !s.ok()) return s;
  auto permits = OpenPermitStore(options_.store_url, options_.data_dir);
  if (!permits.ok()) return permits.status();
  permits_ = std::move(permits).value();
  auto imports = OpenImportBatchStore(options_.store_url, options_.data_dir);
  if (!imports.ok()) return imports.status();
  imports_ = std::move(imports).value();
  auto reviews = OpenReviewStore(options_.store_url, options_.data_dir);
  if (!reviews.ok()) return reviews.status();
  reviews_ = std::move(reviews).value();
  auto commands = OpenCommandStore(options_.store_url, options_.data_dir);
  if (!commands.ok()) return commands.status();
  commands_ = std::move(commands).value();
  auto declarations = OpenDeclarationStore(options_.store_url, options_.data_dir);
  if (!declarations.ok()) return declarations.status();
  declarations_ = std::move(declarations).value();
  auto samples = OpenSampleStore(options_.store_url, options_.data_dir);
  if (!samples.ok()) return samples.status();
  samples_ = std::move(samples).value();
  auto complaints = OpenComplaintStore(options_.store_url, options_.data_dir);
  if (!complaints.ok()) return complaints.status();
  complaints_ = std::move(complaints).value();
  auto tasks = OpenTaskStore(options_.store_url, options_.data_dir);
  if (!tasks.ok()) return tasks.status();
  tasks_ = std::move(tasks).value();
  auto cases = OpenEnforcementStore(options_.store_url, options_.data_dir);
  if (!cases.ok()) return cases.status();
  cases_ = std::move(cases).value();
  auto notify = OpenNotifyStore(options_.store_url, options_.data_dir);
  if (!notify.ok()) return notify.status();
  notify_ = std::move(notify).value();
  auto once = idempotency::OpenIdempotencyStore(options_.store_url, options_.data_dir);
  if (!once.ok()) return once.status();
  idempotency_ = std::move(once).value();
  auto seeded = SeedDemoIfNew();
  if (!seeded.ok()) return seeded.status();
  if (Status s = LoadRegistry(); !s.ok()) return s;
  if (Status s = latest_.Warm(*store_); !s.ok())
    spdlog::warn("latest values: {} (filled again by the next commits)", s.ToString());
  if (Status s = OpenDeriver(*seeded); !s.ok()) return s;
  // Online/offline and counts since start-up.
  device_status_ = std::make_unique<ingest::DeviceStatusBoard>(
      ingest::DeviceStatusOptions{.offline_after_seconds = options_.offline_minutes * 60},
      clock_.WallSeconds());
  if (Status s = OpenAccounts(); !s.ok()) return s;
  if (Status s = OpenOidc(); !s.ok()) return s;
  audit_queue_ = std::make_unique<store::AuditQueue>(*store_);
  housekeeper_ = std::make_unique<Housekeeper>(
      *store_, options_.retention, options_.compact_every_seconds, clock_,
      std::make_unique<store::AuditAnchorLog>(AnchorFile(), keys_));
  housekeeper_->OnlyWhen([this] { return coordinator_->Leads("housekeeper"); });
  housekeeper_->AlsoRun([this](UnixSeconds now) {
    auto erased =
        casework::EraseExpiredContacts(*complaints_, now, options_.complaint_keep_contact_days);
    if (!erased.ok())
      spdlog::error("housekeeping: complaint contacts: {}", erased.status().ToString());
    else if (*erased > 0)
      spdlog::info("housekeeping: the phones of {} ended complaints erased (kept {} days)", *erased,
                   options_.complaint_keep_contact_days);
  });
  housekeeper_->AlsoRun([this](UnixSeconds now) {
    auto raised =
        casework::EscalateOverdue(*tasks_, now, int64_t{options_.task_to_city_hours} * 3600);
    if (!raised.ok()) {
      spdlog::error("housekeeping: task escalation: {}", raised.status().ToString());
      return;
    }
    for (const auto& t : *raised)
      spdlog::warn("task {} in district {} is past due: escalated to the {}", t.id, t.district_id,
                   t.escalation == casework::Escalation::kCity ? "city" : "district head");
  });
  WireAlarms();
  if (Status s = WireNotify(); !s.ok()) return s;
  writer_ = std::make_unique<store::Writer>(*store_, options_.writer, clock_);
  writer_->SetAfterCommit([this](const std::vector<store::Batch>& b) { AfterCommit(b); });
  gateway_ = std::make_unique<ingest::Gateway>(io_, options_.gateway, registry_, *writer_, metrics_,
                                               clock_);
  gateway_->SetDeviceStatus(device_status_.get());
  gateway_audit_ = std::make_unique<GatewayAudit>(*audit_queue_, clock_);
  gateway_->SetSecurityEvents(gateway_audit_.get());
  gateway_->SetCommandStore(commands_.get());
  if (options_.mqtt.enabled()) {
    mqtt_ = std::make_unique<ingest::MqttBridge>(io_, options_.mqtt, registry_, *writer_, metrics_,
                                                 clock_);
    mqtt_->SetDeviceStatus(device_status_.get());
  }
  WireApi();
  if (Status s = LoadWebSite(); !s.ok()) return s;
  http_ = std::make_unique<api::HttpServer>(io_, options_.http, router_, metrics_);
  return Status::Ok();
}

Status Server::Start() {
  if (options_.derive.enabled) deriver_->Start();
  auto gateway_port = gateway_->Start();
  if (!gateway_port.ok()) return gateway_port.status();
  gateway_port_ = *gateway_port;
  auto http_port = http_->Start();
  if (!http_port.ok()) return http_port.status();
  http_port_ = *http_port;
  if (Status s = FollowMqttLease(); !s.ok()) return s;
  RefreshWriterMetrics();
  ReloadRegistryLater();
  housekeeper_->Start();
  // Alarms once now (after the start-up derivation), then every sync interval.
  alarms_->RunOnce();
  alarms_->Start();
  dispatcher_->Start();
  signals_.emplace(io_, SIGINT, SIGTERM);
  signals_->async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;  // cancelled by a Stop()
    spdlog::info("signal {}: stopping", sig);
    Shutdown();
  });
  return Status::Ok();
}

void Server::Wait() {
  for (int i = 1; i < options_.io_threads; ++i)
    threads_.emplace_back([this] {
      NameThisThread("ecohub-io");
      io_.run();
    });
  io_.run();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // Requests still running on the HTTP handler threads finish while everything they
  // use is there.
  http_.reset();
  // The connections are gone: what is queued is committed, its devices resend.
  writer_.reset();
}

void Server::Stop() {
  asio::post(io_, [this] { Shutdown(); });
}

Status Server::OpenStore() {
  auto opened = store::OpenStoreAt({.url = options_.store_url,
                                    .data_dir = options_.data_dir,
                                    .synchronous_full = options_.synchronous_full,
                                    .read_connections = options_.read_connections,
                                    .application = "ecohub serve"});
  if (!opened.ok()) return opened.status();
  spdlog::info("store: {}", options_.store_url.empty()
                                ? "SQLite in " + options_.data_dir
                                : "PostgreSQL at " + store::RedactUrl(options_.store_url));
  if (options_.store_url.empty()) {
    coordinator_ = store::NewLocalCoordinator();
  } else {
    auto c = store::OpenPostgresCoordinator(options_.store_url);
    if (!c.ok()) return c.status();
    coordinator_ = std::move(c).value();
  }
  // Another node changed the registry: take its snapshot now rather than at the
  // next periodic reload.
  coordinator_->OnChange([this](const std::string& topic) {
    if (topic == "registry") asio::post(io_, [this] { ReloadRegistry(); });
  });
  store_ = std::move(opened).value();
  // The audit chain is signed from the first row this server writes (demo seeding
  // included), with keys kept outside the store.
  auto keys = crypto::KeyRing::Resolve(options_.security.key_file, options_.data_dir + "/keys",
                                       /*create=*/true);
  if (!keys.ok()) return keys.status();
  if (keys->empty()) return Status::InvalidInput(keys->origin() + " holds no key");
  if (keys->created())
    spdlog::warn(
        "{}: created with a fresh key; in production keep the key file on other "
        "storage than the data (--key-file) and a copy of it apart",
        keys->origin());
  spdlog::info("keys: {} ({} keys, newest '{}')", keys->origin(), keys->size(), keys->newest().id);
  keys_ = std::make_shared<const crypto::KeyRing>(std::move(keys).value());
  store_->UseAuditKeys(keys_);
  // Device passwords written before there were keys (or by an older version).
  if (Status s = store_->SealDevicePasswords(); !s.ok()) return s;
  return Status::Ok();
}

Result<bool> Server::SeedDemoIfNew() {
  if (!options_.demo) return false;
  auto devices = store_->Devices();
  if (!devices.ok() || !devices->empty()) return false;
  auto city = LoadDemoCity(options_.demo_city);
  if (!city.ok()) return city.status();
  int n = options_.demo_devices > 0 ? options_.demo_devices : static_cast<int>(city->sites.size());
  spdlog::info("seeding the demo city {} from {}: {} devices, {} days of hourly history",
               city->name, city->dir, n, options_.demo_history_days);
  Status s = SeedDemo(*store_, permits_.get(), *city, n, options_.demo_history_days,
                      clock_.WallSeconds(), options_.dataset_dir);
  if (!s.ok()) return Status(s.code(), "demo seeding failed: " + s.message());
  auto districts = store_->Districts();
  if (!districts.ok()) return districts.status();
  s = SeedDemoComplaints(*complaints_, crypto::Sealer(keys_), *districts, clock_.WallSeconds());
  if (!s.ok()) return Status(s.code(), "demo complaints: " + s.message());
  return true;
}

Status Server::LoadRegistry() {
  registry_.Subscribe([this](const std::shared_ptr<const registry::Snapshot>& snapshot) {
    RegistryPublished(*snapshot);
  });
  return ReloadRegistry();
}

Status Server::ReloadRegistry() { return store::PublishRegistry(*store_, registry_); }

void Server::RegistryPublished(const registry::Snapshot& snapshot) {
  spdlog::info("registry version {}: {} sites, {} devices", snapshot.version(),
               snapshot.sites.size(), snapshot.devices.size());
  latest_.SetDevices(snapshot.devices);
  if (deriver_) deriver_->RequestReload();
}

// Derived values (AQI, water classes, exceedances, quality) follow every commit. The
// touched set lives in memory: at start-up the last two days are recomputed so a
// crash between a commit and its recomputation loses nothing.
Status Server::OpenDeriver(bool seeded) {
  deriver_ =
      std::make_unique<derive::Deriver>(*store_, registry_, options_.derive, &metrics_, clock_);
  deriver_->SetPermits(permits_.get());
  if (Status s = deriver_->Reload(); !s.ok()) return s;
  if (!options_.derive.enabled) return Status::Ok();
  UnixSeconds now = clock_.WallSeconds();
  int days = seeded ? options_.demo_history_days + 1 : 2;
  spdlog::info("deriving AQI, water classes, exceedances and quality for the last {} days", days);
  auto r = deriver_->RecomputeRange(now - days * 86400, now + 3600);
  if (!r.ok())
    spdlog::warn("[derive] start-up recomputation failed: {}", r.status().ToString());
  else
    spdlog::info("[derive] {} station hours, {} station days, {} rows", r->station_hours,
                 r->station_days, r->rows_written);
  return Status::Ok();
}

std::string Server::AnchorFile() const {
  return options_.security.audit_anchor_file.empty()
             ? options_.data_dir + "/" + store::kAuditAnchorFile
             : options_.security.audit_anchor_file;
}

Status Server::OpenAccounts() {
  auto accounts =
      auth::Accounts::Open(options_.data_dir, options_.store_url, options_.accounts, clock_, keys_);
  if (!accounts.ok()) return accounts.status();
  accounts_ = std::move(accounts).value();
  // A logout, a revoked key or a disabled account here reaches the other nodes'
  // sign-in caches within a round trip instead of their 30 s.
  accounts_->OnRightsChanged([this] {
    if (Status p = coordinator_->Publish("accounts"); !p.ok())
      spdlog::warn(
          "a change of rights not announced to other nodes (their sign-in caches "
          "expire within {} s): {}",
          options_.accounts.cache_seconds, p.ToString());
  });
  coordinator_->OnChange([this](const std::string& topic) {
    if (topic == "accounts") accounts_->ForgetSignIns();
  });
  return EnsureAdmin();
}

Status Server::EnsureAdmin() {
  auto users = accounts_->Users();
  if (!users.ok()) return users.status();
  if (options_.accounts.separation_of_duties)
    for (auth::Role kind : {auth::Role::kSecurityAdmin, auth::Role::kAuditAdmin})
      if (std::none_of(users->begin(), users->end(),
                       [kind](const auth::User& u) { return u.role == kind && !u.disabled; }))
        spdlog::warn(
            "separation_of_duties is on and there is no enabled {0}: create one with "
            "`ecohub user add --username NAME --role {0}`",
            auth::RoleName(kind));
  if (!users->empty()) return Status::Ok();
  const std::string& file = options_.admin_password_file;
  std::string password;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Status::InvalidInput("cannot read " + file);
    std::getline(in, password);
  } else {
    password = auth::NewSecret("").substr(0, 20);
  }
  auth::User admin;
  admin.username = "admin";
  admin.display_name = "Administrator";
  admin.role = auth::Role::kAdmin;
  admin.must_change_password = file.empty();  // printed once: replaced at first login
  auto u = accounts_->CreateUser(admin, password);
  if (!u.ok()) return u.status();
  if (file.empty())
    std::fprintf(stderr, "created the first account: admin / %s (change it)\n", password.c_str());
  else
    spdlog::info("created the first account: admin (password from {})", file);
  return Status::Ok();
}

// Alarms from exceedances, anomalies and silent devices, on a thread of their own.
void Server::WireAlarms() {
  alarm::SyncOptions alarm_options;
  alarm_options.offline_after_seconds = device_status_->options().offline_after_seconds;
  alarm_options.interval_seconds = options_.alarm_sync_seconds;
  alarms_ = std::make_unique<alarm::AlarmSyncer>(
      *store_, [this] { return DevicesSeen(); }, device_status_->started(), alarm_options,
      &metrics_, clock_);
  alarms_->OnlyWhen([this] { return coordinator_->Leads("alarm-sync"); });
  alarms_->Declarations(declarations_.get());
}

Status Server::WireNotify() {
  notify::DispatchOptions options = options_.notify;
  notify::SmtpOptions smtp = options_.smtp;
  if (!options_.smtp_password_file.empty()) {
    auto password = ReadSecretFile(options_.smtp_password_file, "notify.smtp.password_file");
    if (!password.ok()) return password.status();
    smtp.password = *password;
  }
  if (!options_.sms_secret_file.empty()) {
    auto secret = ReadSecretFile(options_.sms_secret_file, "notify.sms.secret_file");
    if (!secret.ok()) return secret.status();
    options.sms_secret = *secret;
  }
  if (smtp.url.empty()) options.mail_from.clear();
  auto sealer = std::make_shared<const crypto::Sealer>(keys_);
  notify::Audience audience{
      [this](int64_t user, const notify::Event& e) { return MaySee(user, e); },
      [this](int64_t site_id) {
        auto snap = registry_.Current();
        const registry::Site* site = snap->Site(site_id);
        return site ? site->name : std::string();
      }};
  notify::Senders senders{api::HttpFetcher({.timeout = std::chrono::seconds(10)}),
                          smtp.url.empty() ? notify::MailSend() : notify::SmtpSender(smtp),
                          [sealer](const std::string& v) { return sealer->Open(v); }};
  dispatcher_ = std::make_unique<notify::Dispatcher>(*notify_, *store_, std::move(audience),
                                                     std::move(senders), options, clock_);
  dispatcher_->OnlyWhen([this] { return coordinator_->Leads("notify"); });
  dispatcher_->Tasks(tasks_.get());
  dispatcher_->Complaints(complaints_.get());
  if (!smtp.url.empty())
    spdlog::info("notify: e-mail through {} as {}", smtp.url, options.mail_from);
  return Status::Ok();
}

bool Server::MaySee(int64_t user_id, const notify::Event& e) {
  auto u = accounts_->GetUser(user_id);
  if (!u.ok() || u->disabled) return false;
  auth::Principal p;
  p.role = u->role;
  p.user_id = u->id;
  p.name = "user:" + u->username;
  p.district_id = u->district_id;
  p.enterprise_id = u->enterprise_id;
  p.department = u->department;
  UnixSeconds now = clock_.WallSeconds();
  if (e.kind.starts_with("task.")) {  // a grid task's step: the task's rights
    auth::Target task{auth::Area::kTasks, nullptr, e.district_id};
    return static_cast<bool>(auth::Authorize(p, auth::Action::kRead, task, now));
  }
  if (e.kind.starts_with("complaint.")) {  // a complaint's step: the complaint's rights
    auth::Target complaint{auth::Area::kComplaints, nullptr, e.district_id};
    return static_cast<bool>(auth::Authorize(p, auth::Action::kRead, complaint, now));
  }
  auto tags = api::TagsOf(accounts_.get(), "alarms");
  auth::Target target{auth::Area::kAlarms, tags ? &*tags : nullptr, e.district_id, e.enterprise_id};
  return static_cast<bool>(auth::Authorize(p, auth::Action::kRead, target, now));
}

// The unified identity provider's login, when configured. Nothing is fetched here:
// a provider that is down must not stop the platform; the first login asks it.
Status Server::OpenOidc() {
  auth::oidc::Config config = options_.oidc;
  if (!config.enabled()) return Status::Ok();
  if (!options_.oidc_client_secret_file.empty()) {
    auto secret = ReadSecretFile(options_.oidc_client_secret_file, "oidc.client_secret_file");
    if (!secret.ok()) return secret.status();
    config.client_secret = *secret;
  }
  api::HttpClientOptions http{.timeout = std::chrono::seconds(config.http_timeout_seconds),
                              .ca_file = config.ca_file};
  oidc_ = std::make_unique<auth::oidc::Client>(config, api::HttpFetcher(http));
  spdlog::info("oidc: logins through {} ({})", config.issuer, config.display_name);
  return Status::Ok();
}

void Server::WireApi() {
  api_ = std::make_unique<api::Api>(router_, accounts_.get(), &limiter_, clock_);
  ctx_.clock = &clock_;
  ctx_.store = store_.get();
  ctx_.latest = &latest_;
  ctx_.metrics = &metrics_;
  ctx_.accounts = accounts_.get();
  ctx_.permits = permits_.get();
  ctx_.imports = imports_.get();
  ctx_.reviews = reviews_.get();
  ctx_.commands = commands_.get();
  ctx_.command_created = [this](const control::Command& c) { gateway_->Deliver(c); };
  ctx_.declarations = declarations_.get();
  ctx_.samples = samples_.get();
  ctx_.complaints = complaints_.get();
  ctx_.tasks = tasks_.get();
  ctx_.cases = cases_.get();
  ctx_.notify = notify_.get();
  ctx_.notify_send = [this](const notify::Subscription& s, const notify::Event& e) {
    return dispatcher_->SendNow(s, e, clock_.WallSeconds());
  };
  ctx_.complaint_reply_days = options_.complaint_reply_days;
  ctx_.sealer = std::make_shared<const crypto::Sealer>(keys_);
  {
    const auto& l = options_.rate_limits;
    ctx_.complaint_limiter = std::make_shared<api::RateLimiter>(
        api::RateLimitOptions{.per_second = l.complaints_per_hour / 3600,
                              .burst = std::max(1.0, l.complaints_per_hour / 6),
                              .per_address_per_second = l.complaints_per_address_per_hour / 3600,
                              .per_address_burst = l.complaints_per_address_per_hour});
  }
  ctx_.readings_written = [this](const store::Batch& b) { AfterCommit({b}); };
  ctx_.mappings_dir = options_.mappings_dir.empty() ? ECOHUB_MAPPINGS_DIR : options_.mappings_dir;
  ctx_.oidc = oidc_.get();
  ctx_.sites =
      std::make_shared<api::SiteDirectory>(registry_, [this] { return RegistryChanged(); });
  ctx_.audit_queue = audit_queue_.get();
  ctx_.device_status = device_status_.get();
  ctx_.device_changed = [this](const store::Device& d) { DeviceChanged(d); };
  ctx_.health_detail = [this] { return HealthDetail(); };
  ctx_.verify_audit = [this] { return AuditVerdict(*store_, *keys_, AnchorFile()); };
  api_->SetAudit(
      [this](const auth::Principal& who, std::string_view action, std::string_view object,
             const nlohmann::json& detail) { AuditChange(who, action, object, detail); });
  // Kept answers may hold a secret shown once: sealed under the deployment's keys.
  idempotency_ = idempotency::Sealed(std::move(idempotency_), keys_);
  api_->SetIdempotency(idempotency_.get());
  api::AddAllRoutes(*api_, ctx_);
}

Status Server::LoadWebSite() {
  if (options_.web_dir == "none") return Status::Ok();
  std::string dir = options_.web_dir.empty() ? ECOHUB_WEB_DIST : options_.web_dir;
  auto loaded = api::StaticSite::Load(dir);
  if (!loaded.ok()) {
    if (!options_.web_dir.empty()) return loaded.status();
    spdlog::warn("web: no pages ({}); serving the API only", loaded.status().ToString());
    return Status::Ok();
  }
  site_ = std::move(*loaded);
  spdlog::info("web: {} files ({} KB) from {}", site_->files(), site_->bytes() >> 10, dir);
  router_.SetFallback([this](const api::Request& r) { return site_->Serve(r); });
  return Status::Ok();
}

void Server::AfterCommit(const std::vector<store::Batch>& batches) {
  latest_.Update(batches);
  if (options_.derive.enabled) deriver_->Touch(batches);
}

Status Server::RegistryChanged() {
  Status s = ReloadRegistry();
  // The other nodes reload too (this one hears its own news and reloads again:
  // cheap, and simpler than telling news apart).
  if (Status p = coordinator_->Publish("registry"); !p.ok())
    spdlog::warn("registry change not announced to other nodes (they reload within 5 s): {}",
                 p.ToString());
  return s;
}

void Server::DeviceChanged(const store::Device& device) {
  if (Status s = RegistryChanged(); !s.ok())
    spdlog::error("registry reload after a change of device {}: {}", device.mn, s.ToString());
}

std::string Server::HealthDetail() const {
  auto w = writer_->stats();
  return "{\"status\":\"ok\",\"devices\":" + std::to_string(registry_.Current()->devices.size()) +
         ",\"connections\":" + std::to_string(gateway_->connections()) +
         ",\"writer_queue_rows\":" + std::to_string(w.queue_rows) + "}";
}

void Server::AuditChange(const auth::Principal& who, std::string_view action,
                         std::string_view object, const nlohmann::json& detail) {
  // Usage records are many and nobody waits on them: they go through the queue.
  if (action == "data.read") return api::AuditRead(ctx_, who, object, detail);
  api::Audit(ctx_, who, action, object, detail);
}

std::vector<alarm::DeviceSeen> Server::DevicesSeen() const {
  std::vector<alarm::DeviceSeen> seen;
  auto all = store_->Devices();
  if (!all.ok()) return seen;
  auto live = device_status_->All();
  // Several nodes: a device may be connected to another one. What it sent there
  // is in the store: its newest reading's time stands for its last packet.
  std::unordered_map<std::string, UnixSeconds> elsewhere;
  if (!options_.store_url.empty())
    if (auto latest = store_->LatestAll(); latest.ok())
      for (const auto& v : *latest)
        elsewhere[v.mn] = std::max(elsewhere[v.mn], std::min(v.time, clock_.WallSeconds()));
  for (const auto& d : *all) {
    auto it = live.find(d.mn);
    bool heard = it != live.end();
    UnixSeconds last = heard ? it->second.last_packet : 0;
    if (auto e = elsewhere.find(d.mn); e != elsewhere.end()) last = std::max(last, e->second);
    seen.push_back({d.mn, d.site_id, d.enabled, last, heard ? it->second.resumed : 0});
  }
  return seen;
}

void Server::RefreshWriterMetrics() {
  auto w = writer_->stats();
  metrics_.gauge("ecohub_writer_queue_rows", "Rows waiting for the writer")->Set(w.queue_rows);
  metrics_.gauge("ecohub_writer_commits", "Transactions committed")->Set(w.commits);
  metrics_.gauge("ecohub_writer_failed_commits", "Transactions that failed")->Set(w.failed_commits);
  metrics_.gauge("ecohub_writer_rows", "Rows committed")->Set(w.rows);
  metrics_.gauge("ecohub_writer_commit_p99_micros", "Commit latency p99")->Set(w.commit_p99_micros);
  stats_timer_.expires_after(std::chrono::seconds(1));
  stats_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) RefreshWriterMetrics();
  });
}

// The broker keys a persistent session, and the messages it holds unacknowledged, by
// the client id, so EcoHub subscribes from one node at a time: two nodes with the
// same id would take the session from each other over and over. The node holding
// the "mqtt" lease subscribes; when it dies, another takes the lease within a reload
// period and the broker hands it what the dead one left unacknowledged.
Status Server::FollowMqttLease() {
  if (!mqtt_) return Status::Ok();
  bool lead = coordinator_->Leads("mqtt");
  if (lead && !mqtt_->running()) {
    if (Status s = mqtt_->Start(); !s.ok()) return s;
    spdlog::info("mqtt: this node now subscribes");
  } else if (!lead && mqtt_->running()) {
    mqtt_->Stop();
    spdlog::warn("mqtt: the lease went to another node; this one stops subscribing");
  }
  return Status::Ok();
}

void Server::ReloadRegistryLater() {
  registry_timer_.expires_after(std::chrono::seconds(5));
  registry_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    // Also catches changed passwords and disabled devices.
    if (Status s = ReloadRegistry(); !s.ok())
      spdlog::error("registry reload failed; the current snapshot stays: {}", s.ToString());
    if (Status s = FollowMqttLease(); !s.ok())
      spdlog::error("mqtt: cannot subscribe: {}", s.ToString());
    ReloadRegistryLater();
  });
}

void Server::Shutdown() {
  gateway_->Stop();
  if (mqtt_) mqtt_->Stop();
  if (http_) http_->Stop();  // gone once Wait() returned
  housekeeper_->Stop();
  alarms_->Stop();
  dispatcher_->Stop();
  // Another node takes these jobs over at once rather than when this one's session
  // ends.
  coordinator_->Release("housekeeper");
  coordinator_->Release("alarm-sync");
  coordinator_->Release("notify");
  if (mqtt_) coordinator_->Release("mqtt");
  deriver_->Stop();
  stats_timer_.cancel();
  registry_timer_.cancel();
  if (signals_) signals_->cancel();
  io_.stop();
}

}  // namespace ecohub::app
