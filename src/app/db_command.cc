// `ecohub db dump` and `ecohub db stats`: the store as seen from outside.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/cli_support.h"
#include "app/commands.h"

namespace ecohub::app {
namespace {

int DbDump(const std::string& data_dir) {
  auto opened = OpenStore("db dump", data_dir, /*read_only=*/true);
  if (!opened) return 1;
  std::string line;
  Status s = opened->ScanReadings([&](const Reading& r) {
    line.clear();
    line += r.mn;
    line += ',';
    line += PeriodCn(r.period);
    line += ',';
    line += FormatCompactLocal(r.time);
    line += ',';
    line += r.factor;
    line += ',';
    line += r.field;
    line += ',';
    line += r.value;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    return true;
  });
  if (!s.ok()) {
    std::fprintf(stderr, "ecohub db dump: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

// Compacts the store and prints its size per stored value (for benchmarks and
// capacity planning).
int DbStats(const std::string& data_dir) {
  auto opened = OpenStore("db stats", data_dir, /*read_only=*/false);
  if (!opened) return 1;
  store::Store& st = *opened;
  Status s = st.Compact();
  auto n = st.CountReadings();
  if (!s.ok() || !n.ok()) {
    std::fprintf(stderr, "ecohub db stats: %s\n", (!s.ok() ? s : n.status()).ToString().c_str());
    return 1;
  }
  auto tables = st.TableBytes();
  opened.reset();  // close: checkpoints the WAL
  uint64_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(data_dir))
    if (e.is_regular_file()) bytes += e.file_size();
  // Readings live in the hot table, the chunks and the series table; raw packets are
  // the configurable trace of every frame, reported apart.
  int64_t reading_bytes = 0, raw_bytes = 0;
  std::string per_table;
  if (tables.ok())
    for (const auto& [name, b] : *tables) {
      if (name == "readings" || name == "chunks" || name.starts_with("series") ||
          name.starts_with("sqlite_autoindex_series"))
        reading_bytes += b;
      if (name.starts_with("raw_packets")) raw_bytes += b;
      per_table += (per_table.empty() ? "" : ",") + ("\"" + name + "\":" + std::to_string(b));
    }
  double nn = *n > 0 ? static_cast<double>(*n) : 1.0;
  std::printf(
      "{\"readings\":%lld,\"bytes_on_disk\":%llu,\"bytes_per_reading\":%.2f,"
      "\"reading_bytes_per_reading\":%.2f,\"raw_packet_bytes_per_reading\":%.2f,\"tables\":{%s}}\n",
      static_cast<long long>(*n), static_cast<unsigned long long>(bytes),
      static_cast<double>(bytes) / nn, static_cast<double>(reading_bytes) / nn,
      static_cast<double>(raw_bytes) / nn, per_table.c_str());
  return 0;
}

}  // namespace

void AddDbCommand(CLI::App& app) {
  auto data_dir = std::make_shared<std::string>();
  auto* db = AddGroup(app, "db", "Inspect the store");
  auto* dump =
      db->add_subcommand("dump", "Print every stored reading as MN,CN,DataTime,factor,field,value");
  AddDataOption(dump, *data_dir, /*data_required=*/false);
  dump->callback([data_dir] { ExitWith(DbDump(*data_dir)); });
  auto* stats =
      db->add_subcommand("stats", "Compact, then print readings and bytes on disk per reading");
  AddDataOption(stats, *data_dir);
  stats->callback([data_dir] { ExitWith(DbStats(*data_dir)); });
  AddDbMigrate(db);
}

}  // namespace ecohub::app
