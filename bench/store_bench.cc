// store_bench: how many readings per second the Writer stores durably, and how many
// bytes each value takes on disk after Compact().
//
//   store_bench [--threads N] [--devices D] [--seconds S] [--raw] [--normal] [--dir PATH]
//
// N producer threads play D devices. Each device sends one packet per simulated
// minute: 8-20 readings (factors x Avg/Min/Max), submitted as one Batch, the way the
// gateway does. A producer keeps at most 64 packets in flight (a device waits for
// its ack before the next packet, so the offered load is bounded by the acks).
// --raw adds each packet's raw bytes (~600 B) to the batch, as the gateway does.
// --normal uses synchronous=NORMAL (default FULL: acked data survives power loss).
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

}  // namespace

int main(int argc, char** argv) {
  Args args = Parse(argc, argv);
  std::filesystem::remove_all(args.dir);
  SqliteOptions so;
  so.synchronous_full = !args.normal;
  auto opened = OpenSqliteStore(args.dir, so);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<Store> store = std::move(opened).value();

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
  uint64_t before = DirBytes(args.dir);
  auto c0 = std::chrono::steady_clock::now();
  Status cs = store->Compact();
  double compact_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
  if (args.raw) store->PruneRaw(INT64_MAX);
  store->Compact();
  store.reset();
  uint64_t after = DirBytes(args.dir);
  int64_t n = count.ok() ? *count : 0;

  std::printf("store_bench: %d producers, %d devices, %.1f s, synchronous=%s%s\n", args.threads,
              args.devices, elapsed, args.normal ? "NORMAL" : "FULL",
              args.raw ? ", raw bytes kept" : "");
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
  std::filesystem::remove_all(args.dir);
  return 0;
}
