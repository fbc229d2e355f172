// What the subcommands share: the shape of their command lines (groups, --data),
// and for those that work on a data directory, opening its store with the error
// printed, progress lines, putting a change made from the command line on the audit
// record, Beijing days as arguments, and recomputing derived values.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "casework/complaint_store.h"
#include "casework/enforcement_store.h"
#include "casework/task_store.h"
#include "control/command_store.h"
#include "core/status.h"
#include "core/time.h"
#include "declare/declaration_store.h"
#include "derive/deriver.h"
#include "ingest/batch_store.h"
#include "notify/notify_store.h"
#include "permit/permit_store.h"
#include "review/review_store.h"
#include "samples/sample_store.h"
#include "store/store.h"

namespace CLI {
class App;
}

namespace ecohub::app {

// A subcommand that only groups others (`ecohub db dump`): one of them is required.
CLI::App* AddGroup(CLI::App& app, const std::string& name, const std::string& help);

// `--data DIR` of a subcommand that works on a deployment's data, and beside it
// `--store URL` (also $ECOHUB_STORE): the PostgreSQL server holding the store
// (store/open_store.h). `--data` is required unless `data_required` is false, for
// the commands that need nothing but the store (db dump, db stats, audit verify):
// those need one of the two.
void AddDataOption(CLI::App* command, std::string& data_dir, bool data_required = true);

// The `--store` URL given on this process's command line ("" for SQLite). One
// command runs per process, so one value serves it.
const std::string& StoreUrl();

// The store at `--store`, else under `data_dir`, or null after printing
// "ecohub <what>: <error>".
std::unique_ptr<store::Store> OpenStore(const char* what, const std::string& data_dir,
                                        bool read_only);

// The permits beside the store: in the PostgreSQL database at `store_url`, or in
// permits.db of `data_dir` when it is empty.
Result<std::unique_ptr<permit::PermitStore>> OpenPermitStore(const std::string& store_url,
                                                             const std::string& data_dir);

// The record of imports beside the store (ingest/batch_store.h), as OpenPermitStore.
Result<std::unique_ptr<ingest::ImportBatchStore>> OpenImportBatchStore(const std::string& store_url,
                                                                       const std::string& data_dir);

// The record of reviews beside the store (review/review_store.h).
Result<std::unique_ptr<review::ReviewStore>> OpenReviewStore(const std::string& store_url,
                                                             const std::string& data_dir);
// The command store (commands.db or PostgreSQL), as OpenReviewStore.
Result<std::unique_ptr<control::CommandStore>> OpenCommandStore(const std::string& store_url,
                                                                const std::string& data_dir);

// The record of self-declarations beside the store (declare/declaration_store.h).
Result<std::unique_ptr<declare::DeclarationStore>> OpenDeclarationStore(
    const std::string& store_url, const std::string& data_dir);

// The complaints, and the grids and tasks, beside the store (casework/).
Result<std::unique_ptr<casework::ComplaintStore>> OpenComplaintStore(const std::string& store_url,
                                                                     const std::string& data_dir);
Result<std::unique_ptr<casework::TaskStore>> OpenTaskStore(const std::string& store_url,
                                                           const std::string& data_dir);
// The enforcement cases (casework/enforcement_store.h).
Result<std::unique_ptr<casework::EnforcementStore>> OpenEnforcementStore(
    const std::string& store_url, const std::string& data_dir);

// Subscriptions, inboxes and deliveries beside the store (notify/notify_store.h).
Result<std::unique_ptr<notify::NotifyStore>> OpenNotifyStore(const std::string& store_url,
                                                             const std::string& data_dir);

// The record of manual samples beside the store (samples/sample_store.h).
Result<std::unique_ptr<samples::SampleStore>> OpenSampleStore(const std::string& store_url,
                                                              const std::string& data_dir);

// Appends a change made from the command line (actor "cli") to the audit log.
// Returns false after printing the error when it cannot be recorded.
bool AuditCli(store::Store& store, const char* action, const std::string& object,
              const nlohmann::json& detail);

// A progress line on stderr for long work (rewritten in place on a terminal).
void Progress(const char* stage, int done, int total);

// "YYYYMMDD" as the start of that Beijing day; nullopt for anything else.
std::optional<UnixSeconds> ParseBeijingDay(const std::string& text);

// Every derived value of [from, to), with progress lines (import, `ecohub derive`);
// outlets judged by the permits in force when `permits` is given, else by their own
// limits.
Result<derive::DeriveStats> Rederive(store::Store& store, UnixSeconds from, UnixSeconds to,
                                     permit::PermitStore* permits = nullptr);

}  // namespace ecohub::app
