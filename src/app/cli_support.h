// What the subcommands that work on a data directory share: opening its store with
// the error printed, progress lines, putting a change made from the command line on
// the audit record, Beijing days as arguments, and recomputing derived values.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "derive/deriver.h"
#include "store/store.h"

namespace ecohub::app {

// The store under `data_dir`, or null after printing "ecohub <what>: <error>".
std::unique_ptr<store::Store> OpenStore(const char* what, const std::string& data_dir,
                                        bool read_only);

// Appends a change made from the command line (actor "cli") to the audit log.
// Returns false after printing the error when it cannot be recorded.
bool AuditCli(store::Store& store, const char* action, const std::string& object,
              const nlohmann::json& detail);

// A progress line on stderr for long work (rewritten in place on a terminal).
void Progress(const char* stage, int done, int total);

// "YYYYMMDD" as the start of that Beijing day; nullopt for anything else.
std::optional<UnixSeconds> ParseBeijingDay(const std::string& text);

// Every derived value of [from, to), with progress lines (import, `ecohub derive`).
Result<derive::DeriveStats> Rederive(store::Store& store, UnixSeconds from, UnixSeconds to);

}  // namespace ecohub::app
