// The coordinators of coordinator.h: the local one, and PostgreSQL's (advisory locks
// for leases, LISTEN/NOTIFY for news) on one connection watched by a thread.
#include "store/coordinator.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store/pg/db.h"

namespace ecohub::store {

namespace {

class LocalCoordinator final : public Coordinator {
 public:
  bool Leads(std::string_view) override { return true; }
  void Release(std::string_view) override {}
  Status Publish(std::string_view topic) override {
    std::vector<std::function<void(const std::string&)>> fns;
    {
      std::lock_guard lock(mu_);
      fns = listeners_;
    }
    for (auto& fn : fns) fn(std::string(topic));
    return Status::Ok();
  }
  void OnChange(std::function<void(const std::string&)> fn) override {
    std::lock_guard lock(mu_);
    listeners_.push_back(std::move(fn));
  }

 private:
  std::mutex mu_;
  std::vector<std::function<void(const std::string&)>> listeners_;
};

constexpr const char* kChannel = "ecohub";

class PostgresCoordinator final : public Coordinator {
 public:
  explicit PostgresCoordinator(std::unique_ptr<pg::Conn> c) : c_(std::move(c)) {
    thread_ = std::thread([this] { Watch(); });
  }
  ~PostgresCoordinator() override {
    stop_ = true;
    thread_.join();
  }

  bool Leads(std::string_view job) override {
    std::lock_guard lock(mu_);
    if (!EnsureConnected()) return false;
    std::string name(job);
    if (held_.count(name)) return true;
    // Session-level: held until released or the session ends (the node died).
    auto r = c_->Query("SELECT pg_try_advisory_lock(hashtext('ecohub job ' || $1))", "lease", name);
    if (!r.ok()) {
      spdlog::warn("coordinator: lease {}: {}", name, r.status().ToString());
      return false;
    }
    if (!r->Bool(0, 0)) return false;
    held_.insert(name);
    spdlog::info("coordinator: this node now runs {}", name);
    return true;
  }

  void Release(std::string_view job) override {
    std::lock_guard lock(mu_);
    std::string name(job);
    if (!held_.erase(name) || !c_->Healthy()) return;
    c_->Run("SELECT pg_advisory_unlock(hashtext('ecohub job ' || $1))", "release", name);
  }

  Status Publish(std::string_view topic) override {
    std::lock_guard lock(mu_);
    if (!EnsureConnected()) return Status::Unavailable("coordinator: no connection");
    return c_->Run("SELECT pg_notify($1, $2)", "publish", kChannel, std::string(topic));
  }

  void OnChange(std::function<void(const std::string&)> fn) override {
    std::lock_guard lock(listeners_mu_);
    listeners_.push_back(std::move(fn));
  }

 private:
  // Under mu_. After a lost connection: reconnect and listen again; the leases
  // went with the old session.
  bool EnsureConnected() {
    if (c_->Healthy() && listening_) return true;
    if (!held_.empty())
      spdlog::warn("coordinator: connection lost; this node no longer runs its {} job(s)",
                   held_.size());
    held_.clear();
    if (!c_->Healthy()) {
      if (Status s = c_->Reconnect(); !s.ok()) return false;
    }
    listening_ = c_->Exec(std::string("LISTEN ") + kChannel).ok();
    return listening_;
  }

  // The coordinator's thread: waits for notifications on the socket (a second at a
  // time, so that stopping is prompt) and hands them to the listeners.
  void Watch() {
    while (!stop_) {
      int fd;
      {
        std::lock_guard lock(mu_);
        if (!EnsureConnected())
          fd = -1;
        else
          fd = c_->Socket();
      }
      if (fd < 0) {
        std::this_thread::sleep_for(std::chrono::seconds(1));  // server away: retry
        continue;
      }
      pollfd p{fd, POLLIN, 0};
      bool readable = ::poll(&p, 1, 1000) > 0;
      std::vector<std::pair<std::string, std::string>> got;
      {
        // Notifications may also have arrived while another thread ran a query on
        // the connection: libpq queued them then. Take them either way.
        std::lock_guard lock(mu_);
        if (readable && !c_->ConsumeInput().ok()) {
          listening_ = false;
          continue;
        }
        got = c_->TakeNotifications();
      }
      if (got.empty()) continue;
      std::vector<std::function<void(const std::string&)>> fns;
      {
        std::lock_guard lock(listeners_mu_);
        fns = listeners_;
      }
      for (const auto& [channel, topic] : got)
        if (channel == kChannel)
          for (auto& fn : fns) fn(topic);
    }
  }

  std::mutex mu_;  // the connection, held_, listening_
  std::unique_ptr<pg::Conn> c_;
  std::set<std::string> held_;
  bool listening_ = false;
  std::mutex listeners_mu_;
  std::vector<std::function<void(const std::string&)>> listeners_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Coordinator> NewLocalCoordinator() { return std::make_unique<LocalCoordinator>(); }

Result<std::unique_ptr<Coordinator>> OpenPostgresCoordinator(const std::string& url) {
  auto c = pg::Conn::Open(url, {.application = "ecohub coordinator"});
  if (!c.ok()) return c.status();
  return std::unique_ptr<Coordinator>(std::make_unique<PostgresCoordinator>(std::move(*c)));
}

}  // namespace ecohub::store
