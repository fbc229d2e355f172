// Backups taken while a database is written, and restores that refuse what does not
// match its manifest (app/backup.h, store/sqlite/backup.h).
#include "app/backup.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "crypto/keyring.h"
#include "store/audit.h"
#include "store/sqlite/backup.h"
#include "store/sqlite/db.h"
#include "store/sqlite_store.h"

namespace ecohub::app {
namespace {

namespace fs = std::filesystem;
using store::sqlite::Db;
using store::sqlite::DbOptions;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

class BackupTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = testing::TempDir() + "/ecohub_backup_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    data_ = root_ + "/data";
  }
  void TearDown() override { fs::remove_all(root_); }

  // A data directory as a server leaves it: the store with a keyed audit chain and an
  // anchor, a database of another module, keys, and transient files to be left out.
  void MakeDataDir() {
    fs::create_directories(data_);
    ASSERT_TRUE(crypto::KeyRing::CreateFile(data_ + "/keys").ok());
    auto opened = store::OpenSqliteStore(data_, store::SqliteOptions{});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    for (int i = 0; i < 5; ++i) {
      store::AuditEntry e;
      e.actor = "cli";
      e.action = "test";
      e.object = "row " + std::to_string(i);
      ASSERT_TRUE((*opened)->AppendAudit(e).ok());
    }
    auto keys = crypto::KeyRing::LoadFile(data_ + "/keys");
    ASSERT_TRUE(keys.ok());
    store::AuditAnchorLog anchors(data_ + "/" + store::kAuditAnchorFile,
                                  std::make_shared<const crypto::KeyRing>(*keys));
    ASSERT_TRUE(anchors.Anchor(**opened, 1'767'225'600'000).ok());
    auto permits = Db::Open(data_ + "/permits.db", DbOptions{});
    ASSERT_TRUE(permits.ok());
    ASSERT_TRUE((*permits)
                    ->Exec("CREATE TABLE permit(id INTEGER PRIMARY KEY, holder TEXT);"
                           "INSERT INTO permit(holder) VALUES ('a'), ('b'), ('c');")
                    .ok());
    WriteAll(data_ + "/stale.tmp", "half written");
    WriteAll(data_ + "/old-wal", "not a database");
  }

  std::string root_, data_;
};

// A writer commits rows in pairs (one in `a`, one in `b`) as fast as it can while
// copies are taken: each copy holds whole transactions only, and is a sound database.
TEST_F(BackupTest, CopyOfADatabaseBeingWrittenIsOneCommittedMoment) {
  std::string source = root_ + "/busy.db";
  {
    auto db = Db::Open(source, DbOptions{});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        (*db)
            ->Exec("PRAGMA journal_mode=WAL; CREATE TABLE a(v BLOB); CREATE TABLE b(v BLOB);")
            .ok());
  }
  std::atomic<bool> stop{false};
  std::atomic<int> commits{0};
  std::thread writer([&] {
    auto db = Db::Open(source, DbOptions{});
    ASSERT_TRUE(db.ok());
    while (!stop) {
      Status s = (*db)->Exec(
          "BEGIN; INSERT INTO a VALUES (randomblob(2000)); INSERT INTO b VALUES "
          "(randomblob(2000)); "
          "COMMIT;");
      if (s.ok()) ++commits;
    }
  });
  while (commits < 50) std::this_thread::yield();
  int64_t last = -1;
  for (int i = 0; i < 5; ++i) {
    std::string copy = root_ + "/copy" + std::to_string(i) + ".db";
    auto rows = store::sqlite::BackupDatabase(source, copy);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ((*rows)["a"], (*rows)["b"]) << "a copy split a transaction";
    EXPECT_GE((*rows)["a"], last);
    last = (*rows)["a"];
    EXPECT_FALSE(fs::exists(copy + "-wal"));
    auto again = store::sqlite::CountRows(copy);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *rows);
    auto db = Db::Open(copy, DbOptions{.read_only = true});
    ASSERT_TRUE(db.ok());
    store::sqlite::Stmt check(**db, "PRAGMA integrity_check");
    ASSERT_EQ(check.Step(), store::sqlite::kRow);
    EXPECT_EQ(check.Text(0), "ok");
  }
  stop = true;
  writer.join();
  EXPECT_GT(last, 0);
  EXPECT_EQ(store::sqlite::BackupDatabase(source, root_ + "/copy0.db").status().code(),
            Code::kConflict);
}

TEST_F(BackupTest, RestoredCopyHasEveryFileRowAndTheSameAuditVerdict) {
  MakeDataDir();
  std::string file = root_ + "/b.tar.gz";
  std::vector<std::string> progress;
  auto manifest = WriteBackup(data_, file,
                              [&](const std::string& name, int, int) { progress.push_back(name); });
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(fs::exists(file + ".tmp"));
  std::vector<std::string> names;
  for (const auto& f : (*manifest)["files"]) names.push_back(f["name"].get<std::string>());
  // Plain files first (anchors before the chain they anchor), then every *.db.
  EXPECT_EQ(names, (std::vector<std::string>{"audit-anchors.log", "keys", "derived.db", "ecohub.db",
                                             "permits.db"}));
  EXPECT_EQ(progress, names);
  EXPECT_EQ((*manifest)["files"][4]["tables"]["permit"], 3);
  ASSERT_TRUE((*manifest)["audit"]["ok"].get<bool>()) << (*manifest)["audit"].dump();
  EXPECT_EQ((*manifest)["audit"]["rows"], 5);

  std::string restored = root_ + "/restored";
  auto report = RestoreBackup(file, restored);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->manifest, *manifest);
  EXPECT_EQ(report->audit, (*manifest)["audit"]);
  for (const std::string& name : names) EXPECT_TRUE(fs::exists(restored + "/" + name)) << name;
  EXPECT_EQ(ReadAll(restored + "/keys"), ReadAll(data_ + "/keys"));
  EXPECT_FALSE(fs::exists(restored + "/stale.tmp"));
  EXPECT_FALSE(fs::exists(restored + "/old-wal"));
  // The copy is a data directory the server can open and write again.
  auto reopened = store::OpenSqliteStore(restored, store::SqliteOptions{});
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  store::AuditEntry e;
  e.actor = "cli";
  e.action = "after-restore";
  EXPECT_TRUE((*reopened)->AppendAudit(e).ok());
}

TEST_F(BackupTest, RefusesWhatIsNotADataDirectoryOrWouldCopyIntoIt) {
  EXPECT_EQ(WriteBackup(root_ + "/none", root_ + "/b.tar").status().code(), Code::kNotFound);
  fs::create_directories(data_);
  EXPECT_EQ(WriteBackup(data_, root_ + "/b.tar").status().code(), Code::kNotFound);  // no *.db
  MakeDataDir();
  EXPECT_EQ(WriteBackup(data_, data_ + "/b.tar").status().code(), Code::kInvalidInput);
  EXPECT_FALSE(fs::exists(data_ + "/b.tar"));
  EXPECT_FALSE(fs::exists(root_ + "/b.tar"));
}

TEST_F(BackupTest, RestoreRefusesANonEmptyDirectoryAndTouchesNothing) {
  MakeDataDir();
  std::string file = root_ + "/b.tar";
  ASSERT_TRUE(WriteBackup(data_, file).ok());
  auto before = ReadAll(data_ + "/ecohub.db");
  EXPECT_EQ(RestoreBackup(file, data_).status().code(), Code::kConflict);
  EXPECT_EQ(ReadAll(data_ + "/ecohub.db"), before);
  EXPECT_EQ(RestoreBackup(file, data_ + "/keys").status().code(), Code::kConflict);
  // An empty directory is fine, and stays after a failed restore.
  fs::create_directories(root_ + "/empty");
  WriteAll(root_ + "/junk", "not an archive");
  EXPECT_FALSE(RestoreBackup(root_ + "/junk", root_ + "/empty").ok());
  EXPECT_TRUE(fs::is_directory(root_ + "/empty"));
  EXPECT_TRUE(fs::is_empty(root_ + "/empty"));
  EXPECT_TRUE(RestoreBackup(file, root_ + "/empty").ok());
}

// Replaces the first `from` in the archive's bytes by `to` (same length, so the tar
// stays well formed and only what it says changes).
void Edit(const std::string& file, const std::string& from, const std::string& to) {
  std::string bytes = ReadAll(file);
  size_t at = bytes.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  bytes.replace(at, from.size(), to);
  WriteAll(file, bytes);
}

TEST_F(BackupTest, RestoreRefusesACopyThatDiffersFromItsManifest) {
  MakeDataDir();
  std::string file = root_ + "/b.tar";  // uncompressed: the test edits it in place
  auto manifest = WriteBackup(data_, file);
  ASSERT_TRUE(manifest.ok());
  std::string pristine = ReadAll(file);
  std::string restored = root_ + "/restored";
  struct Case {
    std::string what, from, to;
  };
  std::string keys_sha = (*manifest)["files"][1]["sha256"].get<std::string>();
  std::string flipped = keys_sha;
  flipped[0] = flipped[0] == '0' ? '1' : '0';
  std::string keys = ReadAll(data_ + "/keys");
  std::string keys_damaged = keys;
  keys_damaged[keys.size() / 2] ^= 1;
  for (const Case& c : std::vector<Case>{
           {"a row count", "\"permit\": 3", "\"permit\": 4"},
           {"a digest", keys_sha, flipped},
           {"a file's bytes", keys, keys_damaged},
           {"the format", "ecohub-backup", "ecohub-bakcup"},
           {"a file's name", "\"name\": \"keys\"", "\"name\": \"../k\""},
       }) {
    WriteAll(file, pristine);
    Edit(file, c.from, c.to);
    auto r = RestoreBackup(file, restored);
    EXPECT_EQ(r.status().code(), Code::kCorruption) << c.what << ": " << r.status().ToString();
    EXPECT_FALSE(fs::exists(restored)) << c.what << ": what was unpacked stays";
  }
}

TEST_F(BackupTest, RestoreRefusesATruncatedArchive) {
  MakeDataDir();
  for (std::string name : {"b.tar", "b.tar.gz", "b.tar.zst"}) {
    std::string file = root_ + "/" + name;
    ASSERT_TRUE(WriteBackup(data_, file).ok()) << name;
    std::string whole = ReadAll(file);
    // Cuts into the members' bytes (a tar's zero padding at the end is no loss).
    for (size_t keep :
         {size_t{0}, size_t{100}, whole.size() / 3, whole.size() / 2, whole.size() * 2 / 3}) {
      WriteAll(file, whole.substr(0, keep));
      std::string restored = root_ + "/restored";
      auto r = RestoreBackup(file, restored);
      EXPECT_FALSE(r.ok()) << name << " cut at " << keep;
      EXPECT_FALSE(fs::exists(restored)) << name << " cut at " << keep;
    }
  }
}

// One byte damaged at a time, across the whole archive: the restore either refuses it
// and leaves nothing, or the byte was one that carries nothing (a tar's padding) and the
// copy is whole.
TEST_F(BackupTest, RestoreOfAnArchiveDamagedAnywhereIsRefusedOrWhole) {
  MakeDataDir();
  std::string file = root_ + "/b.tar";
  ASSERT_TRUE(WriteBackup(data_, file).ok());
  std::string whole = ReadAll(file), keys = ReadAll(data_ + "/keys");
  int refused = 0;
  for (size_t at = 0; at < whole.size(); at += whole.size() / 61 + 1) {
    std::string damaged = whole;
    damaged[at] ^= 0x20;
    WriteAll(file, damaged);
    std::string restored = root_ + "/restored";
    auto r = RestoreBackup(file, restored);
    if (r.ok()) {
      EXPECT_EQ(ReadAll(restored + "/keys"), keys) << "byte " << at;
      fs::remove_all(restored);
    } else {
      ++refused;
      EXPECT_FALSE(fs::exists(restored)) << "byte " << at;
    }
  }
  EXPECT_GT(refused, 10);
}

}  // namespace
}  // namespace ecohub::app
