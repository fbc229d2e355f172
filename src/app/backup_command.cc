// `ecohub backup` and `ecohub restore`: a data directory into one archive while the
// server runs, and back into a new directory, checked (app/backup.h, docs/backup.md).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/backup.h"
#include "app/cli_support.h"
#include "app/commands.h"

namespace ecohub::app {
namespace {

using nlohmann::json;

// Exit code of a failed backup or restore: 2 for what the operator asked wrongly
// (no data directory, a target that would be overwritten or copied into itself).
int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "ecohub %s: %s\n", what, s.ToString().c_str());
  bool usage = s.code() == Code::kConflict || s.code() == Code::kInvalidInput ||
               (s.code() == Code::kNotFound && std::string_view(what) == "backup");
  return usage ? 2 : 1;
}

void ShowProgress(const std::string& /*name*/, int done, int total) {
  Progress("files", done, total);
}

// One line per file of a manifest, and the totals.
void PrintFiles(const json& manifest) {
  int64_t bytes = 0;
  for (const json& f : manifest["files"]) {
    bytes += f["bytes"].get<int64_t>();
    std::printf("  %-24s %12lld bytes", f["name"].get<std::string>().c_str(),
                static_cast<long long>(f["bytes"].get<int64_t>()));
    if (f.contains("tables")) {
      int64_t rows = 0;
      for (const auto& [table, n] : f["tables"].items()) rows += n.get<int64_t>();
      std::printf("  %zu tables, %lld rows", f["tables"].size(), static_cast<long long>(rows));
    }
    std::printf("\n");
  }
  std::printf("  %zu files, %lld bytes\n", manifest["files"].size(), static_cast<long long>(bytes));
}

void PrintAudit(const json& verdict) {
  if (verdict.is_null()) return;
  std::printf("  audit: %s\n", verdict.dump().c_str());
}

int BackupCmd(const std::string& data_dir, const std::string& file) {
  auto t0 = std::chrono::steady_clock::now();
  auto manifest = WriteBackup(data_dir, file, ShowProgress);
  if (!manifest.ok()) return Fail("backup", manifest.status());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::error_code ec;
  std::printf("backup %s: %lld bytes written in %.2f s, taken %s\n", file.c_str(),
              static_cast<long long>(std::filesystem::file_size(file, ec)), seconds,
              (*manifest)["created"].get<std::string>().c_str());
  PrintFiles(*manifest);
  PrintAudit((*manifest)["audit"]);
  if (!std::filesystem::exists(std::filesystem::path(data_dir) / "keys", ec))
    std::fprintf(stderr,
                 "ecohub backup: warning: %s has no keys file; keep the master keys "
                 "(ECOHUB_KEYS or --key-file) safe apart, a restore needs them\n",
                 data_dir.c_str());
  if ((*manifest)["audit"].is_object() && !(*manifest)["audit"].value("ok", false))
    std::fprintf(stderr, "ecohub backup: warning: the audit verdict of the copy is not ok\n");
  return 0;
}

int RestoreCmd(const std::string& file, const std::string& new_dir) {
  auto report = RestoreBackup(file, new_dir, ShowProgress);
  if (!report.ok()) return Fail("restore", report.status());
  std::printf(
      "restored %s into %s (backup taken %s from %s), every file, row count and the "
      "audit verdict as its manifest says\n",
      file.c_str(), new_dir.c_str(), report->manifest.value("created", std::string("?")).c_str(),
      report->manifest.value("source", std::string("?")).c_str());
  PrintFiles(report->manifest);
  PrintAudit(report->audit);
  return 0;
}

}  // namespace

// Both commands: only one of them runs, so they share one set of arguments.
void AddBackupCommand(CLI::App& app) {
  struct Args {
    std::string data_dir, file;
  };
  auto a = std::make_shared<Args>();
  auto* backup = app.add_subcommand(
      "backup",
      "Copy a data directory (every database, keys, audit anchors) into one archive, while "
      "the server runs; exit 0 when written, 1 on failure, 2 for a bad --data or --to");
  AddDataOption(backup, a->data_dir);
  backup
      ->add_option("--to", a->file,
                   "Archive to write (mode 0600; .tar plain, .tar.zst zstd, else gzip); "
                   "replaced only once the new one is whole")
      ->required();
  backup->callback([a] { ExitWith(BackupCmd(a->data_dir, a->file)); });

  auto* restore = app.add_subcommand(
      "restore",
      "Unpack a backup into a new data directory and check it: exit 0 when every file, "
      "row count and the audit verdict match its manifest, 1 otherwise (nothing left "
      "behind), 2 when --data exists and is not empty");
  restore->add_option("--from", a->file, "Archive written by `ecohub backup`")->required();
  restore->add_option("--data", a->data_dir, "New (or empty) data directory")->required();
  restore->callback([a] { ExitWith(RestoreCmd(a->file, a->data_dir)); });
}

}  // namespace ecohub::app
