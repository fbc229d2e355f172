#include "app/serve.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "alarm/sync.h"
#include "api/http_server.h"
#include "api/routes.h"
#include "api/static_site.h"
#include "app/demo_city.h"
#include "auth/secrets.h"
#include "core/time.h"
#include "derive/deriver.h"
#include "ingest/device_registry.h"
#include "ingest/device_status.h"
#include "ingest/gateway.h"
#include "store/audit_queue.h"
#include "store/latest_cache.h"
#include "store/sqlite_store.h"
#include "store/writer.h"

namespace ecohub::app {

namespace asio = boost::asio;

namespace {

// Retention and compaction on a thread of their own: a compaction holds the store's
// write lock for a day's merge at a time, and must never stall the network threads.
class Housekeeper {
 public:
  Housekeeper(store::Store& store, const ServeConfig& c) : store_(store), config_(c) {}
  ~Housekeeper() { Stop(); }
  void Start() {
    thread_ = std::thread([this] {
      std::unique_lock lock(mu_);
      auto next = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (!stop_) {
        if (cv_.wait_until(lock, next, [this] { return stop_; })) break;
        lock.unlock();
        Run();
        lock.lock();
        next =
            std::chrono::steady_clock::now() + std::chrono::seconds(config_.compact_every_seconds);
      }
    });
  }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    int64_t now = WallSeconds();
    const RetentionOptions& r = config_.retention;
    if (r.raw_days > 0) Log(store_.PruneRaw((now - int64_t{r.raw_days} * 86400) * 1000));
    std::pair<Period, int> per[] = {{Period::kRealtime, r.realtime_days},
                                    {Period::kMinute, r.minute_days},
                                    {Period::kHour, r.hour_days},
                                    {Period::kDay, r.day_days}};
    for (auto [p, days] : per)
      if (days > 0) Log(store_.PruneReadings(p, now - int64_t{days} * 86400));
    Log(store_.Compact(now - 3600));  // the last hour stays in the write-optimised table
  }
  static void Log(const Status& s) {
    if (!s.ok()) spdlog::error("housekeeping: {}", s.ToString());
  }
  store::Store& store_;
  const ServeConfig& config_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// With no account at all, creates `admin` so that somebody can log in: from
// --admin-password-file when given, else with a random password printed once on
// stderr (the demo prints it on its start page).
Status EnsureAdmin(auth::Accounts& accounts, const ServeConfig& config) {
  auto users = accounts.Users();
  if (!users.ok()) return users.status();
  if (!users->empty()) return Status::Ok();
  std::string password;
  if (!config.admin_password_file.empty()) {
    std::ifstream in(config.admin_password_file);
    if (!in) return Status::InvalidInput("cannot read " + config.admin_password_file);
    std::getline(in, password);
  } else {
    password = auth::NewSecret("").substr(0, 20);
  }
  auth::User admin;
  admin.username = "admin";
  admin.display_name = "Administrator";
  admin.role = auth::Role::kAdmin;
  auto u = accounts.CreateUser(admin, password);
  if (!u.ok()) return u.status();
  if (config.admin_password_file.empty())
    std::fprintf(stderr, "created the first account: admin / %s (change it)\n", password.c_str());
  else
    spdlog::info("created the first account: admin (password from {})", config.admin_password_file);
  return Status::Ok();
}

}  // namespace

int RunServe(const ServeConfig& config) {
  Status valid = Validate(config);
  if (!valid.ok()) {
    std::fprintf(stderr, "ecohub serve: %s\n", valid.message().c_str());
    return 2;
  }
  store::SqliteOptions sqlite_options;
  sqlite_options.synchronous_full = config.synchronous_full;
  auto opened = store::OpenSqliteStore(config.data_dir, sqlite_options);
  if (!opened.ok()) {
    std::fprintf(stderr, "ecohub serve: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<store::Store> store = std::move(opened).value();

  bool seeded = false;
  if (config.demo) {
    auto devices = store->Devices();
    if (devices.ok() && devices->empty()) {
      int n = config.demo_devices > 0 ? config.demo_devices : DemoDefaultDevices();
      spdlog::info("seeding the demo city: {} devices, {} days of hourly history", n,
                   config.demo_history_days);
      Status s = SeedDemo(*store, n, config.demo_history_days, WallSeconds(), config.dataset_dir);
      seeded = true;
      if (!s.ok()) {
        std::fprintf(stderr, "ecohub serve: demo seeding failed: %s\n", s.ToString().c_str());
        return 1;
      }
    }
  }

  Metrics metrics;
  ingest::DeviceRegistry registry;
  auto devices = store->Devices();
  if (!devices.ok()) {
    std::fprintf(stderr, "ecohub serve: %s\n", devices.status().ToString().c_str());
    return 1;
  }
  registry.Load(*devices);
  spdlog::info("{} devices registered", registry.size());

  store::LatestCache latest;
  latest.Warm(*store);
  auto writer_owner = std::make_unique<store::Writer>(*store, config.writer);
  store::Writer& writer = *writer_owner;
  // Derived values (AQI, water classes, exceedances, quality) follow every commit.
  // The touched set lives in memory: at start-up the last two days are recomputed so
  // a crash between a commit and its recomputation loses nothing.
  derive::Deriver deriver(*store, config.derive, &metrics);
  if (Status s = deriver.Reload(); !s.ok()) {
    std::fprintf(stderr, "ecohub serve: %s\n", s.ToString().c_str());
    return 1;
  }
  if (config.derive.enabled) {
    UnixSeconds now = WallSeconds();
    int days = config.demo && seeded ? config.demo_history_days + 1 : 2;
    spdlog::info("deriving AQI, water classes, exceedances and quality for the last {} days", days);
    auto r = deriver.RecomputeRange(now - days * 86400, now + 3600);
    if (!r.ok())
      spdlog::warn("[derive] start-up recomputation failed: {}", r.status().ToString());
    else
      spdlog::info("[derive] {} station hours, {} station days, {} rows", r->station_hours,
                   r->station_days, r->rows_written);
  }
  if (config.derive.enabled) deriver.Start();
  writer.SetAfterCommit([&](const std::vector<store::Batch>& batches) {
    latest.Update(batches);
    if (config.derive.enabled) deriver.Touch(batches);
  });

  asio::io_context io;
  ingest::Gateway gateway(io, config.gateway, registry, writer, metrics);
  // online/offline, counts since start-up
  ingest::DeviceStatusBoard device_status({.offline_after_seconds = config.offline_minutes * 60});
  gateway.SetDeviceStatus(&device_status);
  auto gw_port = gateway.Start();
  if (!gw_port.ok()) {
    std::fprintf(stderr, "ecohub serve: %s\n", gw_port.status().ToString().c_str());
    return 1;
  }
  auto accounts = auth::Accounts::Open(config.data_dir, config.accounts);
  if (!accounts.ok()) {
    std::fprintf(stderr, "ecohub serve: %s\n", accounts.status().ToString().c_str());
    return 1;
  }
  if (Status s = EnsureAdmin(**accounts, config); !s.ok()) {
    std::fprintf(stderr, "ecohub serve: %s\n", s.ToString().c_str());
    return 1;
  }
  api::Router router;
  api::RateLimiter limiter(config.rate_limits);
  api::Api api(router, accounts->get(), &limiter);
  api::ApiContext ctx;
  ctx.store = store.get();
  ctx.latest = &latest;
  ctx.metrics = &metrics;
  ctx.accounts = accounts->get();
  ctx.sites = std::make_shared<api::SiteDirectory>(store.get());
  store::AuditQueue audit_queue(*store);
  ctx.audit_queue = &audit_queue;
  ctx.device_status = &device_status;
  ctx.device_changed = [&](const store::Device& d) {
    registry.Put(d);
    auto all = store->Devices();
    if (all.ok()) latest.SetDevices(*all);
  };
  ctx.health_detail = [&] {
    auto w = writer.stats();
    return "{\"status\":\"ok\",\"devices\":" + std::to_string(registry.size()) +
           ",\"connections\":" + std::to_string(gateway.connections()) +
           ",\"writer_queue_rows\":" + std::to_string(w.queue_rows) + "}";
  };
  api.SetAudit(
      [&ctx](const auth::Principal& who, std::string_view action, std::string_view object,
             const nlohmann::json& detail) { api::Audit(ctx, who, action, object, detail); });
  api::AddAllRoutes(api, ctx);
  // The web pages: a folder named but unusable is an error; the default folder
  // not built yet only leaves the API without pages.
  std::unique_ptr<api::StaticSite> site;
  if (config.web_dir != "none") {
    std::string dir = config.web_dir.empty() ? ECOHUB_WEB_DIST : config.web_dir;
    auto loaded = api::StaticSite::Load(dir);
    if (loaded.ok()) {
      site = std::move(*loaded);
      spdlog::info("web: {} files ({} KB) from {}", site->files(), site->bytes() >> 10, dir);
      router.SetFallback([&site](const api::Request& r) { return site->Serve(r); });
    } else if (!config.web_dir.empty()) {
      std::fprintf(stderr, "ecohub serve: %s\n", loaded.status().ToString().c_str());
      return 1;
    } else {
      spdlog::warn("web: no pages ({}); serving the API only", loaded.status().ToString());
    }
  }
  api::HttpServer http(io, config.http, router, metrics);
  auto http_port = http.Start();
  if (!http_port.ok()) {
    std::fprintf(stderr, "ecohub serve: %s\n", http_port.status().ToString().c_str());
    return 1;
  }
  // Tests and scripts read these two lines to find the ports (port 0 = any free one).
  std::printf("gateway listening on %s:%u\nhttp listening on %s:%u\n",
              config.gateway.listen_host.c_str(), *gw_port, config.http.listen_host.c_str(),
              *http_port);
  std::fflush(stdout);

  // Writer figures as metrics, refreshed every second.
  asio::steady_timer stats_timer(io);
  std::function<void()> refresh = [&] {
    auto w = writer.stats();
    metrics.gauge("ecohub_writer_queue_rows", "Rows waiting for the writer")->Set(w.queue_rows);
    metrics.gauge("ecohub_writer_commits", "Transactions committed")->Set(w.commits);
    metrics.gauge("ecohub_writer_failed_commits", "Transactions that failed")
        ->Set(w.failed_commits);
    metrics.gauge("ecohub_writer_rows", "Rows committed")->Set(w.rows);
    metrics.gauge("ecohub_writer_commit_p99_micros", "Commit latency p99")
        ->Set(w.commit_p99_micros);
    stats_timer.expires_after(std::chrono::seconds(1));
    stats_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) refresh();
    });
  };
  refresh();

  // Devices registered while running (`ecohub device put`, later the API) are picked
  // up within 10 s; the table is small.
  asio::steady_timer registry_timer(io);
  std::function<void()> reload = [&] {
    registry_timer.expires_after(std::chrono::seconds(10));
    registry_timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      auto d = store->Devices();
      if (d.ok()) {
        size_t before = registry.size();
        registry.Load(*d);  // also catches changed passwords and disabled devices
        latest.SetDevices(*d);
        if (registry.size() != before) {
          spdlog::info("{} devices registered", registry.size());
          deriver.RequestReload();
        }
      }
      reload();
    });
  };
  reload();

  Housekeeper housekeeper(*store, config);
  housekeeper.Start();

  // Alarms from exceedances, anomalies and silent devices: once now (after the
  // start-up derivation), then every minute on a thread of their own.
  alarm::SyncOptions alarm_options;
  alarm_options.offline_after_seconds = device_status.options().offline_after_seconds;
  alarm_options.interval_seconds = config.alarm_sync_seconds;
  alarm::AlarmSyncer alarms(
      *store,
      [&] {
        std::vector<alarm::DeviceSeen> seen;
        auto all = store->Devices();
        if (!all.ok()) return seen;
        auto live = device_status.All();
        for (const auto& d : *all) {
          auto it = live.find(d.mn);
          seen.push_back({d.mn, d.site_id, d.enabled, it == live.end() ? 0 : it->second.last_packet,
                          it == live.end() ? 0 : it->second.resumed});
        }
        return seen;
      },
      device_status.started(), alarm_options, &metrics);
  alarms.RunOnce();
  alarms.Start();

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int sig) {
    spdlog::info("signal {}: stopping", sig);
    gateway.Stop();
    http.Stop();
    housekeeper.Stop();
    alarms.Stop();
    deriver.Stop();
    stats_timer.cancel();
    registry_timer.cancel();
    io.stop();
  });

  std::vector<std::thread> threads;
  for (int i = 1; i < config.io_threads; ++i) threads.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  // Drain the writer while the io_context still exists: queued batches are
  // committed; their acks are not sent (the connections are gone), the devices resend.
  writer_owner.reset();
  return 0;
}

}  // namespace ecohub::app
