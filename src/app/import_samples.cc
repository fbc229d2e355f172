// `ecohub import samples`: a CSV of manual and laboratory samples (手工监测) checked
// whole, recorded all or nothing in samples.db with their values under each site's
// manual device, and put on the audit record (docs/manual-samples.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/file.h"
#include "registry/snapshot.h"
#include "samples/record.h"

namespace ecohub::app {
namespace {

struct SamplesArgs {
  std::string data_dir, file;
  bool dry_run = false;
};

// 0 stored (or valid, with --dry-run), 1 a bad row (each on stderr, nothing stored)
// or a store failure, 2 a file that cannot be read.
int ImportSamplesCmd(const SamplesArgs& a) {
  const char* what = "import samples";
  auto fail = [&](int code, const std::string& message) {
    std::fprintf(stderr, "ecohub %s: %s\n", what, message.c_str());
    return code;
  };
  auto bytes = ReadFileBytes(a.file);
  if (!bytes.ok()) return fail(2, bytes.status().message());
  auto csv = samples::ReadSamplesCsv(*bytes, 2'000'000);
  if (!csv.ok()) return fail(2, a.file + ": " + csv.status().message());
  auto store = OpenStore(what, a.data_dir, /*read_only=*/false);
  if (!store) return 1;
  auto sample_store = OpenSampleStore(StoreUrl(), a.data_dir);
  if (!sample_store.ok()) return fail(1, sample_store.status().ToString());
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
  // The rows that read well are checked too, so that every bad row is named.
  auto rec = samples::RecordSamples(*store, **sample_store, *registry.Current(), csv->samples,
                                    "cli", WallSeconds(), a.dry_run || !csv->errors.empty(), {});
  if (!rec.ok()) return fail(1, a.file + ": " + rec.status().ToString());
  samples::RecordOutcome out = std::move(*rec);
  size_t bad = csv->errors.size() + out.errors.size();
  for (const auto& e : csv->errors)
    std::fprintf(stderr, "row %d, column %s: %s\n", e.row, e.column.c_str(), e.reason.c_str());
  for (const auto& e : out.errors)
    std::fprintf(stderr, "row %d, column %s: %s\n",
                 e.index < csv->first_rows.size() ? csv->first_rows[e.index] : 0, e.field.c_str(),
                 e.reason.c_str());
  nlohmann::ordered_json report = {{"file", a.file},
                                   {"rows", csv->rows},
                                   {"samples", csv->samples.size()},
                                   {"values", out.values},
                                   {"stored", !out.ids.empty()},
                                   {"ids", out.ids},
                                   {"devices_created", out.devices_created},
                                   {"dry_run", a.dry_run},
                                   {"bad_rows", bad}};
  if (bad) {
    std::fprintf(stderr, "ecohub %s: %zu bad rows in %s; nothing stored\n", what, bad,
                 a.file.c_str());
    std::printf("%s\n", report.dump().c_str());
    return 1;
  }
  if (!out.ids.empty() &&
      !AuditCli(*store, "samples.import", "samples:" + std::to_string(out.ids.front()),
                {{"via", "cli"},
                 {"file", a.file},
                 {"samples", out.ids.size()},
                 {"values", out.values},
                 {"first", FormatRfc3339Beijing(out.first)},
                 {"last", FormatRfc3339Beijing(out.last)}}))
    return 1;
  std::printf("%s\n", report.dump().c_str());
  return 0;
}

}  // namespace

void AddImportSamples(CLI::App& app) {
  auto a = std::make_shared<SamplesArgs>();
  auto* imp = app.get_subcommand("import");
  auto* cmd = imp->add_subcommand(
      "samples",
      "Manual and laboratory samples (手工监测) from a CSV: site,sampled_at,method,lab,factor,"
      "value[,detection_limit,report_no,sampler,kind,sampled_end], one row per value; every "
      "row checked first, recorded all or none under each site's manual device");
  AddDataOption(cmd, a->data_dir);
  cmd->add_option("--file", a->file, "CSV (UTF-8)")->required();
  cmd->add_flag("--dry-run", a->dry_run, "Check every row and store nothing");
  cmd->callback([a] { ExitWith(ImportSamplesCmd(*a)); });
}

}  // namespace ecohub::app
