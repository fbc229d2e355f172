// ecohub.db's checkpoints off the commit path (sqlite/checkpointer.h): the WAL is
// copied into the file by the background pass, the log starts over when the writer
// catches up, and a reader pinning an old snapshot does not make the writer catch up
// at every commit.
#include "store/sqlite/checkpointer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "store/contract_fixture.h"
#include "store/sqlite/db.h"

namespace ecohub::store::sqlite {
namespace {

class CheckpointerTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("/ecohub_checkpointer_");
    path_ = dir_ + "/t.db";
    auto db = Db::Open(path_, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Exec("PRAGMA journal_mode=WAL").ok());
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (v BLOB)").ok());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One transaction of about two 4 KiB pages.
  void Commit() {
    std::lock_guard lock(db_->mu());
    Status s = db_->InTransaction([&] {
      Stmt& st = db_->Cached("INSERT INTO t VALUES (?1)");
      st.BindBlob(1, std::string(6000, 'x'));
      StepResult r = st.Step();
      st.Reset();
      return r == kDone ? Status::Ok() : db_->Error("insert");
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  uintmax_t WalBytes() {
    std::error_code ec;
    uintmax_t n = std::filesystem::file_size(path_ + "-wal", ec);
    return ec ? 0 : n;
  }
  int64_t Rows(Db& db) {
    Stmt& st = db.Cached("SELECT count(*) FROM t");
    int64_t n = st.Step() == kRow ? st.Int(0) : -1;
    st.Reset();
    return n;
  }

  std::string dir_, path_;
  std::unique_ptr<Db> db_;
};

// Without any checkpoint (the hook replaces SQLite's own) the log would hold all
// 1,000 commits, about 8 MB; with the checkpointer it starts over every 64 pages.
TEST_F(CheckpointerTest, KeepsTheLogShortAndLosesNothing) {
  {
    auto c = Checkpointer::Start(path_, *db_, {.pages = 16, .restart_pages = 64});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    for (int i = 0; i < 1000; ++i) Commit();
    EXPECT_GT((*c)->catch_ups(), 0u);
    EXPECT_LT(WalBytes(), 4 * 64 * 4096u) << "the log did not start over";
  }
  // Unhooked at the end of the checkpointer: commits go on, without it.
  Commit();
  auto reader = Db::Open(path_, {.read_only = true});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(Rows(**reader), 1001);
}

// A reader holding its snapshot keeps the log from starting over: the writer then
// catches up once per `restart_pages` more, not at each of the 300 commits.
TEST_F(CheckpointerTest, APinnedReaderDoesNotMakeEveryCommitCatchUp) {
  auto c = Checkpointer::Start(path_, *db_, {.pages = 16, .restart_pages = 64});
  ASSERT_TRUE(c.ok());
  Commit();
  auto reader = Db::Open(path_, {.read_only = true});
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->Exec("BEGIN").ok());
  EXPECT_EQ(Rows(**reader), 1);  // the snapshot is taken here
  for (int i = 0; i < 300; ++i) Commit();
  EXPECT_EQ(Rows(**reader), 1);
  // 300 commits of 2 or 3 pages past a pinned snapshot: about a dozen catch-ups.
  EXPECT_LE((*c)->catch_ups(), 30u);
  EXPECT_GE((*c)->catch_ups(), 3u);
  ASSERT_TRUE((*reader)->Exec("COMMIT").ok());
}

}  // namespace
}  // namespace ecohub::store::sqlite
