// `ecohub import readings`: a file of readings (EcoHub's long CSV, or any shape a
// mapping describes) checked whole, stored all or nothing, put on the audit record
// and derived like the gateway's readings (docs/data-import.md).
#include <zlib.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/file.h"
#include "ingest/import_run.h"
#include "registry/snapshot.h"

namespace ecohub::app {
namespace {

struct ReadingsArgs {
  std::string data_dir, file, mapping;
  bool dry_run = false;
};

// The bytes of a file, unpacked when it is gzip-compressed (zlib reads a plain file
// as it is).
Result<std::string> ReadMaybeGzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return Status::NotFound("cannot open " + path);
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, n);
  int err = 0;
  const char* why = n < 0 ? gzerror(f, &err) : nullptr;
  std::string reason = why ? why : "";
  gzclose(f);
  if (n < 0) return Status::InvalidInput(path + ": " + reason);
  return out;
}

// The first rows' errors on stderr, one per line, then how many more.
void PrintErrors(const std::vector<ingest::RowError>& errors) {
  constexpr size_t kShown = 1000;
  for (size_t i = 0; i < errors.size() && i < kShown; ++i) {
    const auto& e = errors[i];
    std::fprintf(stderr, "row %d%s%s: %s\n", e.row, e.column.empty() ? "" : ", column ",
                 e.column.c_str(), e.reason.c_str());
  }
  if (errors.size() > kShown)
    std::fprintf(stderr, "... and %zu more bad values\n", errors.size() - kShown);
}

// 0 stored (or valid, with --dry-run), 1 a bad row (each on stderr, nothing stored)
// or a store failure, 2 a file or mapping that cannot be read.
int ImportReadingsCmd(const ReadingsArgs& a) {
  const char* what = "import readings";
  auto fail = [&](int code, const std::string& message) {
    std::fprintf(stderr, "ecohub %s: %s\n", what, message.c_str());
    return code;
  };
  std::optional<ingest::Mapping> mapping;
  if (!a.mapping.empty()) {
    auto text = ReadFileBytes(a.mapping);
    if (!text.ok()) return fail(2, text.status().message());
    auto m = ingest::ParseMapping(*text, a.mapping.ends_with(".toml"));
    if (!m.ok()) return fail(2, a.mapping + ": " + m.status().message());
    mapping = std::move(*m);
  }
  auto bytes = ReadMaybeGzip(a.file);
  if (!bytes.ok()) return fail(2, bytes.status().message());
  auto store = OpenStore(what, a.data_dir, /*read_only=*/false);
  if (!store) return 1;
  auto batches = OpenImportBatchStore(StoreUrl(), a.data_dir);
  if (!batches.ok()) return fail(1, batches.status().ToString());
  registry::Registry registry;
  {
    auto d = store->Districts();
    auto e = store->Enterprises();
    auto s = store->Sites();
    auto v = store->Devices();
    for (const Status& st : {d.status(), e.status(), s.status(), v.status()})
      if (!st.ok()) return fail(1, st.ToString());
    registry.Publish(std::move(*d), std::move(*e), std::move(*s), std::move(*v));
  }
  ingest::ImportRequest req;
  req.bytes = *bytes;
  req.mapping = mapping ? &*mapping : nullptr;
  req.mapping_name = a.mapping;
  req.file_name = a.file;
  req.principal = "cli";
  req.via = "cli";
  req.dry_run = a.dry_run;
  req.max_rows = 20'000'000;  // the command line reads what it is given
  req.now = WallSeconds();
  auto run = ingest::RunImport(*store, *registry.Current(), batches->get(), req,
                               [](size_t done, size_t n) {
                                 Progress("comparing", static_cast<int>(done), static_cast<int>(n));
                               });
  if (!run.ok())
    return fail(run.status().code() == Code::kInvalidInput ? 2 : 1,
                a.file + ": " + run.status().message());
  const ingest::ImportResult& r = run->result;
  nlohmann::ordered_json report = run->report;
  PrintErrors(r.errors);
  report.erase("errors");  // on stderr, one per line
  if (!r.errors.empty()) {
    std::fprintf(stderr, "ecohub %s: %zu bad values in %s; nothing stored\n", what, r.errors.size(),
                 a.file.c_str());
    std::printf("%s\n", report.dump().c_str());
    return 1;
  }
  if (r.committed) {
    if (!AuditCli(*store, "readings.import", "import:" + report["batch"].dump(),
                  {{"file", a.file},
                   {"mapping", a.mapping},
                   {"created", r.created},
                   {"replaced", r.replaced},
                   {"unchanged", r.unchanged},
                   {"sites", r.sites},
                   {"first", report["first"]},
                   {"last", report["last"]}}))
      return 1;
    auto permits = OpenPermitStore(StoreUrl(), a.data_dir);
    if (!permits.ok()) return fail(1, permits.status().ToString());
    auto stats = Rederive(*store, FloorBeijing(r.first, 86400), r.last_end, permits->get());
    if (!stats.ok()) return fail(1, "stored, but deriving failed: " + stats.status().ToString());
    report["derived_rows"] = stats->rows_written;
  }
  std::printf("%s\n", report.dump().c_str());
  return 0;
}

}  // namespace

void AddImportReadings(CLI::App& app) {
  auto a = std::make_shared<ReadingsArgs>();
  auto* imp = app.get_subcommand("import");
  auto* cmd = imp->add_subcommand(
      "readings",
      "Readings from a file: EcoHub's long CSV (site,factor,period,time,value[,flag]) or "
      "any table a mapping describes; every value checked first, stored all or none, then "
      "derived; running it again changes nothing");
  AddDataOption(cmd, a->data_dir);
  cmd->add_option("--file", a->file, "CSV (UTF-8), XLSX or JSON; .gz is unpacked")->required();
  cmd->add_option("--mapping", a->mapping,
                  "How the file reads as readings (JSON, or TOML for a .toml file); "
                  "without it the file is EcoHub's long CSV");
  cmd->add_flag("--dry-run", a->dry_run, "Check every value and store nothing");
  cmd->callback([a] { ExitWith(ImportReadingsCmd(*a)); });
}

}  // namespace ecohub::app
