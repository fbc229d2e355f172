// Backups of a data directory into one archive file, taken while `ecohub serve` runs,
// and their restore into a new directory, checked file by file (docs/backup.md).
//
// What is kept: every `*.db` of the data directory (each copied as one committed
// moment with SQLite's backup API: store/sqlite/backup.h) and every other regular file
// at its top level (the master keys `keys` that seal device passwords and sign the
// audit chain, the audit anchors); a database's -wal, -shm and -journal files and
// `*.tmp` files are transient and left out. New modules' files are found by these
// rules, with no list to update. Plain files are copied before the databases, so the
// audit anchors never name a row the copied ecohub.db lacks.
//
// The archive is a tar (gzip-compressed unless FILE ends in .tar or .zst) whose first
// member, MANIFEST.json, names the format, when and from where the backup was taken,
// each file's size and SHA-256 and each database's rows per table, and the audit
// verdict of the copy. It holds secrets (keys, password hashes) and is written 0600.
//
// Thread-safety: the functions share nothing; each works on its own files.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"

namespace ecohub::app {

inline constexpr const char* kBackupManifest = "MANIFEST.json";
inline constexpr const char* kBackupFormat = "ecohub-backup";
inline constexpr int kBackupFormatVersion = 1;

// Called after each file with its name and how many of `total` are done.
using BackupProgress = std::function<void(const std::string& name, int done, int total)>;

// Writes the backup of `data_dir` to `file` (through `file`.tmp, synced and renamed, so
// `file` is either the old file or a whole new archive) and returns its manifest.
// kNotFound when `data_dir` holds no *.db; kInvalidInput when `file` would be inside
// `data_dir`; kUnavailable when a database stayed locked; kIoError otherwise.
Result<nlohmann::json> WriteBackup(const std::string& data_dir, const std::string& file,
                                   const BackupProgress& progress = {});

struct RestoreReport {
  nlohmann::json manifest;  // as read from the archive
  nlohmann::json audit;     // the restored copy's audit verdict; null without ecohub.db
};

// Unpacks the archive `file` into `new_dir` (created 0700 when missing), then checks
// every file's size and SHA-256, every database's rows per table and the audit verdict
// against the manifest. kConflict when `new_dir` exists and is not an empty directory
// (nothing is touched); kCorruption when the archive is damaged, truncated or not an
// EcoHub backup, or the copy differs from its manifest; kIoError when reading or
// writing fails. On any failure, what was unpacked is removed again (and `new_dir`,
// when this call created it).
Result<RestoreReport> RestoreBackup(const std::string& file, const std::string& new_dir,
                                    const BackupProgress& progress = {});

}  // namespace ecohub::app
