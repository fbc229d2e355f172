#include "app/cli_support.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/commands.h"
#include "permit/pg_permit_store.h"
#include "permit/sqlite_permit_store.h"
#include "store/open_store.h"

namespace ecohub::app {

void ExitWith(int exit_code) {
  if (exit_code != 0) throw CLI::RuntimeError(exit_code);
}

CLI::App* AddGroup(CLI::App& app, const std::string& name, const std::string& help) {
  CLI::App* group = app.add_subcommand(name, help);
  group->require_subcommand(1);
  return group;
}

namespace {
std::string& StoreUrlValue() {
  static std::string url;
  return url;
}
}  // namespace

const std::string& StoreUrl() { return StoreUrlValue(); }

void AddDataOption(CLI::App* command, std::string& data_dir, bool data_required) {
  auto* data = command->add_option(
      "--data", data_dir, data_required ? "Data directory" : "Data directory (SQLite store)");
  if (data_required) data->required();
  command
      ->add_option("--store", StoreUrlValue(),
                   "PostgreSQL store, postgresql://user@host:port/database (default: the SQLite "
                   "store in --data)")
      ->envname("ECOHUB_STORE");
}

std::unique_ptr<store::Store> OpenStore(const char* what, const std::string& data_dir,
                                        bool read_only) {
  if (data_dir.empty() && StoreUrl().empty()) {
    std::fprintf(stderr, "ecohub %s: --data DIR or --store URL is required\n", what);
    return nullptr;
  }
  auto opened = store::OpenStoreAt({.url = StoreUrl(),
                                    .data_dir = data_dir,
                                    .read_only = read_only,
                                    .application = std::string("ecohub ") + what});
  if (opened.ok()) return std::move(opened).value();
  std::fprintf(stderr, "ecohub %s: %s\n", what, opened.status().ToString().c_str());
  return nullptr;
}

Result<std::unique_ptr<ingest::ImportBatchStore>> OpenImportBatchStore(
    const std::string& store_url, const std::string& data_dir) {
  return store_url.empty() ? ingest::OpenSqliteBatchStore(data_dir)
                           : ingest::OpenPostgresBatchStore(store_url);
}

Result<std::unique_ptr<review::ReviewStore>> OpenReviewStore(const std::string& store_url,
                                                             const std::string& data_dir) {
  return store_url.empty() ? review::OpenSqliteReviewStore(data_dir)
                           : review::OpenPostgresReviewStore(store_url);
}

Result<std::unique_ptr<control::CommandStore>> OpenCommandStore(const std::string& store_url,
                                                                const std::string& data_dir) {
  return store_url.empty() ? control::OpenSqliteCommandStore(data_dir)
                           : control::OpenPostgresCommandStore(store_url);
}

Result<std::unique_ptr<declare::DeclarationStore>> OpenDeclarationStore(
    const std::string& store_url, const std::string& data_dir) {
  return store_url.empty() ? declare::OpenSqliteDeclarationStore(data_dir)
                           : declare::OpenPostgresDeclarationStore(store_url);
}

Result<std::unique_ptr<permit::PermitStore>> OpenPermitStore(const std::string& store_url,
                                                             const std::string& data_dir) {
  return store_url.empty() ? permit::OpenSqlitePermitStore(data_dir)
                           : permit::OpenPostgresPermitStore(store_url);
}

Result<std::unique_ptr<casework::ComplaintStore>> OpenComplaintStore(const std::string& store_url,
                                                                     const std::string& data_dir) {
  return store_url.empty() ? casework::OpenSqliteComplaintStore(data_dir)
                           : casework::OpenPostgresComplaintStore(store_url);
}

Result<std::unique_ptr<casework::TaskStore>> OpenTaskStore(const std::string& store_url,
                                                           const std::string& data_dir) {
  return store_url.empty() ? casework::OpenSqliteTaskStore(data_dir)
                           : casework::OpenPostgresTaskStore(store_url);
}

Result<std::unique_ptr<casework::EnforcementStore>> OpenEnforcementStore(
    const std::string& store_url, const std::string& data_dir) {
  return store_url.empty() ? casework::OpenSqliteEnforcementStore(data_dir)
                           : casework::OpenPostgresEnforcementStore(store_url);
}

Result<std::unique_ptr<notify::NotifyStore>> OpenNotifyStore(const std::string& store_url,
                                                             const std::string& data_dir) {
  return store_url.empty() ? notify::OpenSqliteNotifyStore(data_dir)
                           : notify::OpenPostgresNotifyStore(store_url);
}

Result<std::unique_ptr<samples::SampleStore>> OpenSampleStore(const std::string& store_url,
                                                              const std::string& data_dir) {
  return store_url.empty() ? samples::OpenSqliteSampleStore(data_dir)
                           : samples::OpenPostgresSampleStore(store_url);
}

bool AuditCli(store::Store& st, const char* action, const std::string& object,
              const nlohmann::json& detail) {
  store::AuditEntry e;
  e.actor = "cli";
  e.action = action;
  e.object = object;
  e.detail = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto r = st.AppendAudit(e);
  if (!r.ok()) std::fprintf(stderr, "ecohub: audit log: %s\n", r.status().ToString().c_str());
  return r.ok();
}

void Progress(const char* stage, int done, int total) {
  static bool tty = isatty(2);
  std::fprintf(stderr, tty ? "\r[%s] %d/%d" : "[%s] %d/%d\n", stage, done, total);
  if (tty && done == total) std::fputc('\n', stderr);
}

std::optional<UnixSeconds> ParseBeijingDay(const std::string& text) {
  if (text.size() != 8) return std::nullopt;
  return ParseCompactLocal(text + "000000");
}

Result<derive::DeriveStats> Rederive(store::Store& st, UnixSeconds from, UnixSeconds to,
                                     permit::PermitStore* permits) {
  derive::Deriver deriver(st, derive::DeriveOptions{});
  deriver.SetPermits(permits);
  if (Status s = deriver.Reload(); !s.ok()) return s;
  return deriver.RecomputeRange(from, to, [](int d, int t) { Progress("derive", d, t); });
}

}  // namespace ecohub::app
