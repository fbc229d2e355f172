// store_bench: how many readings per second the Writer stores durably, and how many
// bytes each value takes on disk after Compact().
//
//   store_bench [--threads N] [--devices D] [--seconds S] [--raw] [--normal] [--dir PATH]
//               [--postgresql | --store URL]
//
// N producer threads play D devices. Each device sends one packet per simulated
// minute: 8-20 readings (factors x Avg/Min/Max), submitted as one Batch, the way the
// gateway does. A producer keeps at most 64 packets in flight (a device waits for
// its ack before the next packet, so the offered load is bounded by the acks).
// --raw adds each packet's raw bytes (~600 B) to the batch, as the gateway does.
// --normal uses synchronous=NORMAL (default FULL: acked data survives power loss).
// --postgresql runs the same load on the PostgreSQL store, on a durable server of the
// bench's own (Debian's postgresql-15, fsync on; pg/test_server.h); --store URL on an
// existing database instead (its tables are used as they are). Either also times a
// raw COPY of the same rows through libpq, the figure the Writer's is a share of.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/pg/db.h"
#include "store/pg/test_server.h"
#include "store/postgresql_store.h"
#include "store/sqlite_store.h"
#include "store/writer.h"

using namespace ecohub;
using namespace ecohub::store;

namespace {

struct Args {
  int threads = 4;
  int devices = 1000;
  double seconds = 10;
  bool raw = false;
  bool normal = false;
  std::string dir = "/tmp/ecohub_store_bench";
  bool postgresql = false;
  std::string store;  // a PostgreSQL URL
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&] { return i + 1 < argc ? argv[++i] : ""; };
    if (k == "--threads")
      a.threads = std::atoi(next());
    else if (k == "--devices")
      a.devices = std::atoi(next());
    else if (k == "--seconds")
      a.seconds = std::atof(next());
    else if (k == "--raw")
      a.raw = true;
    else if (k == "--normal")
      a.normal = true;
    else if (k == "--dir")
      a.dir = next();
    else if (k == "--postgresql")
      a.postgresql = true;
    else if (k == "--store")
      a.store = next();
    else {
      std::fprintf(stderr, "unknown argument %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

std::string Mn(int dev) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "88888880%08d", dev);
  return buf;
}

// The packet of device `dev` for minute `minute`: (dev % 5 + 3) factors x 3 fields,
// so 9..21 readings, clamped to 8..20.
Batch Packet(int dev, int64_t minute, bool raw) {
  Batch b;
  int factors = 3 + dev % 5;
  int64_t t = 1'700'000'000 + minute * 60;
  static const char* kFields[] = {"Avg", "Min", "Max"};
  for (int f = 0; f < factors; ++f)
    for (const char* field : kFields) {
      if (b.readings.size() == 20) break;
      int v = (dev * 31 + static_cast<int>(minute) * 7 + f * 13) % 900;
      b.readings.push_back(Reading{Mn(dev), Period::kMinute, t, "a3400" + std::to_string(f), field,
                                   std::to_string(v / 10) + "." + std::to_string(v % 10), 'N'});
    }
  if (raw)
    b.raw.push_back(
        RawPacket{t * 1000, "10.0.0.1:40000", Mn(dev), "stored", std::string(600, 'x')});
  return b;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) n += e.file_size();
  return n;
}

// The store under test, and the PostgreSQL server it runs on when the bench started one.
struct Backend {
  std::unique_ptr<pg::TestServer> server;
  std::string url;  // empty for SQLite
  std::unique_ptr<Store> store;
  std::string name;

  // Bytes on disk: the data directory's files (SQLite), the tables and indexes
  // (PostgreSQL, as TableBytes reports them).
  uint64_t Bytes(const std::string& dir) {
    if (url.empty()) return DirBytes(dir);
    uint64_t n = 0;
    if (auto t = store->TableBytes(); t.ok())
      for (const auto& [table, bytes] : *t) n += bytes;
    return n;
  }
};

Status OpenBackend(const Args& args, Backend* b) {
  std::filesystem::remove_all(args.dir);
  std::filesystem::create_directories(args.dir);
  if (!args.postgresql && args.store.empty()) {
    SqliteOptions so;
    so.synchronous_full = !args.normal;
    auto opened = OpenSqliteStore(args.dir, so);
    if (!opened.ok()) return opened.status();
    b->store = std::move(opened).value();
    b->name = std::string("SQLite, synchronous=") + (args.normal ? "NORMAL" : "FULL");
    return Status::Ok();
  }
  b->url = args.store;
  b->name = "PostgreSQL at " + args.store;
  if (args.postgresql) {
    auto server = pg::TestServer::Start(pg::TestServer::Options{.durable = true});
    if (!server.ok()) return server.status();
    b->server = std::move(server).value();
    Status s = b->server->CreateDatabase("store_bench");
    if (!s.ok()) return s;
    b->url = b->server->Url("store_bench");
    b->name = "PostgreSQL 15 of its own, fsync on";
  }
  auto opened = OpenPostgresStore(b->url, PostgresOptions{.keys_file = args.dir + "/keys"});
  if (!opened.ok()) return opened.status();
  b->store = std::move(opened).value();
  return Status::Ok();
}

// Rows per second of a raw COPY through libpq of `rows` readings like the bench's:
// the readings table's columns and key (one table, no partitions), `slice` rows per
// COPY and commit. The Writer's figure is a share of this.
Result<double> CopyBaseline(const std::string& url, uint64_t rows, int devices, uint64_t slice) {
  auto conn = pg::Conn::Open(url);
  if (!conn.ok()) return conn.status();
  pg::Conn& c = **conn;
  Status s = c.Exec(
      "DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (series BIGINT NOT NULL, t BIGINT "
      "NOT NULL, flag SMALLINT, period SMALLINT NOT NULL, v TEXT NOT NULL, PRIMARY KEY (series, "
      "t, period))");
  if (!s.ok()) return s;
  uint64_t done = 0;
  auto start = std::chrono::steady_clock::now();
  for (int64_t minute = 0; done < rows && s.ok(); ++minute) {
    std::string data;
    uint64_t in_slice = 0;
    for (int dev = 0; dev < devices && s.ok(); ++dev) {
      Batch b = Packet(dev, minute, false);
      for (size_t i = 0; i < b.readings.size(); ++i) {
        const Reading& r = b.readings[i];
        data += std::to_string(dev * 64 + static_cast<int>(i)) + '\t' + std::to_string(r.time) +
                "\t78\t1\t";
        pg::CopyField(r.value, &data);
        data += '\n';
      }
      in_slice += b.readings.size();
      if (in_slice >= slice || dev + 1 == devices) {
        s = c.InTransaction([&] { return c.CopyIn("COPY bench_copy FROM STDIN", data); });
        done += in_slice;
        in_slice = 0;
        data.clear();
      }
    }
  }
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  c.Exec("DROP TABLE bench_copy");
  if (!s.ok()) return s;
  return done / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = Parse(argc, argv);
  Backend backend;
  Status opened = OpenBackend(args, &backend);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.ToString().c_str());
    return 1;
  }
  Store* store = backend.store.get();

  // 1. Idle latency: one packet at a time, nothing else queued.
  std::vector<uint64_t> idle;
  {
    Writer w(*store, WriterOptions{});
    for (int i = 0; i < 200; ++i) {
      std::atomic<bool> done{false};
      auto start = std::chrono::steady_clock::now();
      w.Submit(Packet(i, -100000, false), [&](const Status&) { done = true; });
      while (!done) std::this_thread::yield();
      idle.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count());
    }
  }
  std::sort(idle.begin(), idle.end());

  // 2. Throughput under load.
  std::atomic<uint64_t> acked_rows{0}, failed{0}, refused{0};
  std::atomic<bool> stop{false};
  WriterStats ws;
  double elapsed = 0;
  {
    Writer w(*store, WriterOptions{});
    std::vector<std::thread> producers;
    auto start = std::chrono::steady_clock::now();
    for (int p = 0; p < args.threads; ++p)
      producers.emplace_back([&, p] {
        std::atomic<int> in_flight{0};
        int64_t minute = 0;
        while (!stop) {
          for (int dev = p; dev < args.devices && !stop; dev += args.threads) {
            while (in_flight.load() >= 64 && !stop) std::this_thread::yield();
            Batch b = Packet(dev, minute, args.raw);
            size_t rows = b.readings.size();
            ++in_flight;
            Status s = w.Submit(std::move(b), [&, rows](const Status& st) {
              if (st.ok())
                acked_rows += rows;
              else
                ++failed;
              --in_flight;
            });
            if (!s.ok()) {
              ++refused;
              --in_flight;
            }
          }
          ++minute;
        }
        while (in_flight.load() > 0) std::this_thread::yield();
      });
    std::this_thread::sleep_for(std::chrono::duration<double>(args.seconds));
    stop = true;
    for (auto& t : producers) t.join();
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ws = w.stats();
  }

  auto count = store->CountReadings();
  uint64_t before = backend.Bytes(args.dir);
  auto c0 = std::chrono::steady_clock::now();
  Status cs = store->Compact();
  double compact_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
  if (args.raw) store->PruneRaw(INT64_MAX);
  store->Compact();
  uint64_t after = 0;
  if (!backend.url.empty()) after = backend.Bytes(args.dir);
  backend.store.reset();
  if (backend.url.empty()) after = backend.Bytes(args.dir);
  int64_t n = count.ok() ? *count : 0;

  std::printf("store_bench: %d producers, %d devices, %.1f s, %s%s\n", args.threads, args.devices,
              elapsed, backend.name.c_str(), args.raw ? ", raw bytes kept" : "");
  std::printf("  idle submit->ack latency  p50 %lu us  p99 %lu us\n",
              static_cast<unsigned long>(idle[idle.size() / 2]),
              static_cast<unsigned long>(idle[idle.size() * 99 / 100]));
  std::printf("  readings durably stored   %.0f /s  (%lu rows acked, %lu failed, %lu refused)\n",
              acked_rows / elapsed, static_cast<unsigned long>(acked_rows.load()),
              static_cast<unsigned long>(failed.load()),
              static_cast<unsigned long>(refused.load()));
  std::printf(
      "  commits                   %lu  (%.0f rows/commit), p50 %lu us  p99 %lu us (bucket upper "
      "bounds)\n",
      static_cast<unsigned long>(ws.commits),
      ws.commits ? static_cast<double>(ws.rows) / ws.commits : 0.0,
      static_cast<unsigned long>(ws.commit_p50_micros),
      static_cast<unsigned long>(ws.commit_p99_micros));
  std::printf(
      "  bytes per value           %.1f before Compact, %.2f after (%ld values, compact %.2f s: "
      "%s)\n",
      n ? static_cast<double>(before) / n : 0.0, n ? static_cast<double>(after) / n : 0.0,
      static_cast<long>(n), compact_s, cs.ToString().c_str());
  if (!backend.url.empty()) {
    // At the Writer's mean rows per commit (what the Writer adds to libpq), and at
    // its largest slice (what larger commits would give).
    uint64_t mean = ws.commits ? std::max<uint64_t>(1, ws.rows / ws.commits) : 1;
    for (uint64_t slice : {mean, uint64_t{WriterOptions{}.max_batch_rows}}) {
      auto copy = CopyBaseline(backend.url, acked_rows.load(), args.devices, slice);
      if (copy.ok())
        std::printf(
            "  raw COPY through libpq    %.0f /s  (same rows, %lu per commit); the Writer "
            "stores %.0f%% of it\n",
            *copy, static_cast<unsigned long>(slice), 100.0 * acked_rows / elapsed / *copy);
      else
        std::printf("  raw COPY through libpq    failed: %s\n", copy.status().ToString().c_str());
    }
  }
  std::filesystem::remove_all(args.dir);
  return 0;
}
