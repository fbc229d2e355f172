// CommandStore: every command sent to a device (command.h), by staff or by the
// gateway's history recovery, with its status and the device's answer. Behind one
// small interface, every backend running the same contract suite (control_test.cc);
// the SQLite backend keeps its own file, commands.db.
//
// Several gateway nodes may hold connections; a queued command is sent by exactly
// one of them: Claim is atomic (a conditional update), and only its winner sends.
//
// Thread-safety: every method may be called from any thread.
// Errors: kNotFound for an id that does not exist, kIoError when the backend fails.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "control/command.h"
#include "core/table_rows.h"

namespace ecohub::control {

// What an answer changed: the new status and what the device said so far.
struct Progress {
  std::string status;
  std::string code;
  std::string result;
  int64_t records = 0;
  UnixSeconds at = 0;
};

class CommandStore {
 public:
  virtual ~CommandStore() = default;
  // Records `c` (its id ignored) as given; returns its id.
  virtual Result<int64_t> Add(const Command& c) = 0;
  virtual Result<Command> Get(int64_t id) = 0;
  // A device's commands, newest first: ids below `before` (0: from the newest).
  virtual Result<std::vector<Command>> ListForDevice(const std::string& mn, int64_t before,
                                                     size_t limit) = 0;
  // Every queued command, oldest first (the gateway's sweep: one query for all).
  virtual Result<std::vector<Command>> Queued(size_t limit) = 0;
  // queued -> sent by `node` with `qn`. false (and nothing changed) when the
  // command is no longer queued: another node took it, or it expired.
  virtual Result<bool> Claim(int64_t id, const std::string& node, const std::string& qn,
                             UnixSeconds at) = 0;
  // Applies an answer to a command that is sent or accepted; false when it is
  // already terminal (a late answer changes nothing).
  virtual Result<bool> Update(int64_t id, const Progress& p) = 0;
  // Queued commands created before `created_before` become expired; returns how many.
  virtual Result<int64_t> Expire(UnixSeconds created_before, UnixSeconds at) = 0;
  // Sent or accepted commands last updated before `updated_before` become timed_out
  // ("abandoned"): the node that sent them died or lost its device with them in
  // flight, and no session waits for their answer any more. Returns how many.
  virtual Result<int64_t> Abandon(UnixSeconds updated_before, UnixSeconds at) = 0;
  // Commands of `origin` ("" any) created in [from, to), oldest first: the history
  // recovery report.
  virtual Result<std::vector<Command>> Created(const std::string& origin, UnixSeconds from,
                                               UnixSeconds to) = 0;

  // For `ecohub db migrate`, as the other modules' stores.
  virtual Result<std::vector<TableRows>> ExportTables() = 0;
  virtual Status ImportTables(const std::vector<TableRows>& tables) = 0;
};

// Opens or creates `data_dir`/commands.db.
Result<std::unique_ptr<CommandStore>> OpenSqliteCommandStore(const std::string& data_dir);
// The tables in the PostgreSQL database at `url`.
Result<std::unique_ptr<CommandStore>> OpenPostgresCommandStore(const std::string& url);

}  // namespace ecohub::control
