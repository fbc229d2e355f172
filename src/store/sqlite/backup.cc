// The one file besides db.cc that sees sqlite3.h: Db does not wrap the backup API,
// which works on two raw connections at once.
#include "store/sqlite/backup.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "store/sqlite/db.h"

namespace ecohub::store::sqlite {
namespace {

using Connection = std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)>;

Status SqliteError(sqlite3* db, const std::string& what) {
  return Status::IoError("sqlite " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

Result<Connection> OpenRaw(const std::string& path, int flags) {
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection c(handle, &sqlite3_close_v2);
  if (rc != SQLITE_OK) return SqliteError(handle, "open " + path);
  return c;
}

// Runs the whole copy in one step (see the header), retrying while the source is
// locked; a retry starts the copy again from its first page.
Status CopyPages(sqlite3* src, sqlite3* dst, const std::string& source,
                 const BackupOptions& options) {
  sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
  if (!backup) return SqliteError(dst, "backup of " + source);
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_retry_ms);
  int rc;
  while ((rc = sqlite3_backup_step(backup, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  bool locked = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
  int finish = sqlite3_backup_finish(backup);
  if (locked)
    return Status::Unavailable(source + " stayed locked for " +
                               std::to_string(options.busy_retry_ms) + " ms");
  if (rc != SQLITE_DONE || finish != SQLITE_OK) return SqliteError(dst, "backup of " + source);
  return Status::Ok();
}

Status BackupInto(const std::string& source, const std::string& dest,
                  const BackupOptions& options) {
  auto src = OpenRaw(source, SQLITE_OPEN_READONLY);
  if (!src.ok()) return src.status();
  auto dst = OpenRaw(dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!dst.ok()) return dst.status();
  if (Status s = CopyPages(src->get(), dst->get(), source, options); !s.ok()) return s;
  // The copied header may say WAL; one file with no -wal beside it is what an archive
  // and a restore want.
  char* err = nullptr;
  if (sqlite3_exec(dst->get(), "PRAGMA journal_mode=DELETE", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown";
    sqlite3_free(err);
    return Status::IoError("sqlite journal_mode of " + dest + ": " + m);
  }
  return Status::Ok();
}

}  // namespace

Result<TableRows> BackupDatabase(const std::string& source, const std::string& dest,
                                 const BackupOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source, ec))
    return Status::NotFound("no database file " + source);
  if (std::filesystem::exists(dest, ec))
    return Status(Code::kConflict, "backup target " + dest + " exists");
  Status s = BackupInto(source, dest, options);
  if (!s.ok()) {
    std::filesystem::remove(dest, ec);
    return s;
  }
  auto rows = CountRows(dest);
  if (!rows.ok()) std::filesystem::remove(dest, ec);
  return rows;
}

Result<TableRows> CountRows(const std::string& path) {
  auto db = Db::Open(path, DbOptions{.read_only = true});
  if (!db.ok()) return db.status();
  std::vector<std::string> tables;
  {
    Stmt list(**db,
              "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
              "ORDER BY name");
    StepResult rc;
    while ((rc = list.Step()) == kRow) tables.push_back(list.Text(0));
    if (rc != kDone) return (*db)->Error("list tables of " + path);
  }
  TableRows rows;
  for (const std::string& table : tables) {
    std::string quoted;
    for (char c : table) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    Stmt count(**db, "SELECT count(*) FROM \"" + quoted + "\"");
    if (count.Step() != kRow) return (*db)->Error("count rows of " + table + " in " + path);
    rows[table] = count.Int(0);
  }
  return rows;
}

}  // namespace ecohub::store::sqlite
