// OpenSqliteStore: the connections, then one module per interface, composed.
#include <algorithm>
#include <filesystem>
#include <thread>

#include "store/sqlite/migrations.h"
#include "store/sqlite/modules.h"
#include "store/store_wrapper.h"

namespace ecohub::store {

namespace sqlite {

namespace {

// ecohub.db for writing: its pragmas, then the migrations.
Status PrepareWriteConnection(Db& w, const SqliteOptions& o) {
  // Must precede the first table; lets a full compaction give space back.
  Status s = w.Exec("PRAGMA auto_vacuum=INCREMENTAL");
  if (s.ok()) s = w.Exec("PRAGMA journal_mode=WAL");
  if (!s.ok()) return s;
  s = w.Exec(o.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  if (!s.ok()) return s;
  // The right edge of the time-major table and the pages a group commit touches
  // stay in memory: without this every commit re-reads pages with pread.
  s = w.Exec("PRAGMA cache_size=-65536");  // 64 MiB
  if (!s.ok()) return s;
  return w.Migrate(kSqliteMigrations);
}

// The read connections of each file: as many as the options say, or else two per
// core (a reader often waits on the disk), from 2 to 8. Their page caches share
// one budget (SQLite's cache is per connection; the OS caches the file for all).
int ReadConnections(const SqliteOptions& o) {
  if (o.read_connections > 0) return o.read_connections;
  return std::clamp(2 * static_cast<int>(std::thread::hardware_concurrency()), 2, 8);
}

Result<std::unique_ptr<ReadPool>> OpenReadPool(const std::string& path, const SqliteOptions& o,
                                               int cache_kib) {
  int n = ReadConnections(o);
  std::string setup = "PRAGMA cache_size=-" + std::to_string(std::max(cache_kib / n, 2048));
  return ReadPool::Open(path, n, {true, o.busy_timeout_ms}, setup.c_str());
}

// derived.db beside ecohub.db (see kSqliteDerivedSchema). Read-only opens leave it
// alone when it does not exist: queries then find nothing.
Status OpenDerivedFile(const std::string& data_dir, const SqliteOptions& o, Connections* c) {
  std::string path = (std::filesystem::path(data_dir) / "derived.db").string();
  std::error_code ec;
  if (o.read_only && !std::filesystem::exists(path, ec)) return Status::Ok();
  auto d = Db::Open(path, {o.read_only, o.busy_timeout_ms});
  if (!d.ok()) return d.status();
  c->derived = std::move(*d);
  if (!o.read_only) {
    Db& db = *c->derived;
    Status s = db.Exec("PRAGMA journal_mode=WAL");
    if (s.ok()) s = db.Exec("PRAGMA synchronous=NORMAL");
    if (s.ok()) s = db.Exec("PRAGMA cache_size=-16384");
    if (s.ok()) s = db.Exec(kSqliteDerivedSchema);
    if (!s.ok()) return s;
  }
  auto r = OpenReadPool(path, o, 16384);
  if (!r.ok()) return r.status();
  c->derived_read = std::move(*r);
  return Status::Ok();
}

}  // namespace

Result<Connections> OpenConnections(const std::string& data_dir, const SqliteOptions& o) {
  std::string path = (std::filesystem::path(data_dir) / "ecohub.db").string();
  Connections c;
  c.keys = std::make_shared<StoreKeys>((std::filesystem::path(data_dir) / "keys").string());
  auto w = Db::Open(path, {o.read_only, o.busy_timeout_ms});
  if (!w.ok()) return w.status();
  c.write = std::move(*w);
  if (!o.read_only) {
    Status s = PrepareWriteConnection(*c.write, o);
    if (!s.ok()) return s;
    auto checkpointer = Checkpointer::Start(
        path, *c.write, {.pages = o.checkpoint_pages, .restart_pages = o.checkpoint_restart_pages});
    if (!checkpointer.ok()) return checkpointer.status();
    c.checkpointer = std::move(*checkpointer);
  }
  auto r = OpenReadPool(path, o, 32768);  // 32 MiB for the readers
  if (!r.ok()) return r.status();
  c.read = std::move(*r);
  Status s = OpenDerivedFile(data_dir, o, &c);
  if (!s.ok()) return s;
  return c;
}

}  // namespace sqlite

namespace {

using Parts = StoreParts<sqlite::Connections>;

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& data_dir,
                                               const SqliteOptions& options) {
  std::error_code ec;
  if (options.read_only) {
    if (!std::filesystem::exists(data_dir + "/ecohub.db", ec))
      return Status::NotFound("no EcoHub store in " + data_dir);
  } else {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return Status::IoError("cannot create " + data_dir + ": " + ec.message());
  }
  auto c = sqlite::OpenConnections(data_dir, options);
  if (!c.ok()) return c.status();
  auto p = std::make_unique<Parts>();
  p->connections = std::move(*c);
  auto readings = sqlite::OpenReadings(p->connections, options);
  if (!readings.ok()) return readings.status();
  p->readings = std::move(*readings);
  p->registry = sqlite::NewRegistry(p->connections);
  p->derived = sqlite::NewDerived(p->connections);
  p->alarms = sqlite::NewAlarms(p->connections);
  p->audit = sqlite::NewAudit(p->connections);
  return std::unique_ptr<Store>(std::make_unique<OwningStore<sqlite::Connections>>(std::move(p)));
}

}  // namespace ecohub::store
