// Writes that must apply once (lease.h: WriteOnce) when the connection is lost around
// their COMMIT, on a real server (test_server.h), for the helper and for the store
// modules built on it (audit, alarms).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "store/audit.h"
#include "store/pg/lease.h"
#include "store/pg/test_backend.h"
#include "store/postgresql_store.h"

namespace ecohub::store::pg {
namespace {

class WriteOnceTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    url_ = DatabaseForThisTest(&why);
    if (url_.empty()) GTEST_SKIP() << why;
    auto pool = Pool::Open(url_, 2);
    ASSERT_TRUE(pool.ok()) << pool.status().ToString();
    pool_ = std::move(*pool);
    ASSERT_TRUE(Migrate(*pool_, "t",
                        std::vector<const char*>{"CREATE TABLE t (id BIGINT GENERATED ALWAYS AS "
                                                 "IDENTITY PRIMARY KEY, v TEXT)"})
                    .ok());
    ASSERT_TRUE(pg::Run(*pool_, "TRUNCATE t", "empty t").ok());
  }
  int64_t Rows() {
    auto n = Query(*pool_, "SELECT count(*) FROM t", "count");
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? n->Int(0, 0) : -1;
  }
  Result<int64_t> Insert(std::chrono::milliseconds window = std::chrono::seconds(30)) {
    auto id = WriteOnceReturning(
        *pool_, "insert",
        [&](Conn& db) -> Result<std::string> {
          ++runs_;
          auto r = ReturnedId(db.Query("INSERT INTO t (v) VALUES ('x') RETURNING id", "insert"));
          if (!r.ok()) return r.status();
          return std::to_string(*r);
        },
        window);
    if (!id.ok()) return id.status();
    return std::stoll(*id);
  }

  std::string url_;
  std::unique_ptr<Pool> pool_;
  int runs_ = 0;
};

TEST_F(WriteOnceTest, APlainTransactionLosingItsCommitLeavesTheOutcomeUnknown) {
  // The hazard WriteOnce is for: the row is stored, yet the caller hears kUnavailable
  // and, retrying, would store it again.
  LoseCommits lose(CommitLoss::kAfterCommit, 1);
  Status s = Transaction(
      *pool_, [](Conn& db) { return db.Run("INSERT INTO t (v) VALUES ('x')", "insert"); });
  EXPECT_EQ(s.code(), Code::kUnavailable) << s.ToString();
  EXPECT_EQ(Rows(), 1);
}

TEST_F(WriteOnceTest, ACommitAnsweredButLostIsNotAppliedAgain) {
  LoseCommits lose(CommitLoss::kAfterCommit, 1);
  auto id = Insert();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(lose.lost(), 1);
  EXPECT_EQ(runs_, 1);  // the retry found the key: the body did not run again
  EXPECT_EQ(Rows(), 1);
  auto stored = Query(*pool_, "SELECT id FROM t", "read");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*id, stored->Int(0, 0));  // the first try's id, recorded with its key
}

TEST_F(WriteOnceTest, ACommitLostBeforeItWasSentIsAppliedByTheRetry) {
  LoseCommits lose(CommitLoss::kBeforeCommit, 2);
  auto id = Insert();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(lose.lost(), 2);
  EXPECT_EQ(runs_, 3);
  EXPECT_EQ(Rows(), 1);
}

TEST_F(WriteOnceTest, AnErrorOfTheBodyIsNotRetried) {
  auto r = WriteOnceReturning(*pool_, "bad", [&](Conn& db) -> Result<std::string> {
    ++runs_;
    Status s = db.Run("INSERT INTO t (v) VALUES ('x')", "insert");
    if (!s.ok()) return s;
    return Status(Code::kConflict, "refused by the body");
  });
  EXPECT_EQ(r.status().code(), Code::kConflict);
  EXPECT_EQ(runs_, 1);
  EXPECT_EQ(Rows(), 0);  // rolled back, key and all
  auto keys = Query(*pool_, "SELECT count(*) FROM applied_writes", "keys");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->Int(0, 0), 0);
}

TEST_F(WriteOnceTest, AfterTheWindowTheOutcomeIsReportedUnknown) {
  {
    LoseCommits lose(CommitLoss::kAfterCommit, 1000);
    auto id = Insert(std::chrono::milliseconds(300));
    EXPECT_EQ(id.status().code(), Code::kUnavailable);
    EXPECT_NE(id.status().message().find("outcome is unknown"), std::string::npos)
        << id.status().message();
    EXPECT_GE(lose.lost(), 2);
  }
  EXPECT_EQ(runs_, 1);  // every retry found the first try's key
  EXPECT_EQ(Rows(), 1);
}

// The store's modules: an audit append and an alarm transition that lose their
// COMMIT once stand in the database once, and the caller hears success.
class StoreWritesOnceTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    std::string url = DatabaseForThisTest(&why);
    if (url.empty()) GTEST_SKIP() << why;
    char dir[] = "/tmp/ecohub-write-once-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    auto store =
        OpenPostgresStore(url, PostgresOptions{.keys_file = dir_ + "/keys", .pool_size = 2});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreWritesOnceTest, AnAuditAppendLostAtCommitIsInTheChainOnce) {
  std::vector<AuditEntry> first(2), second(1);
  first[0].action = "a", first[1].action = "b", second[0].action = "c";
  ASSERT_TRUE(store_->AppendAudits(first).ok());
  {
    LoseCommits lose(CommitLoss::kAfterCommit, 1);
    Status s = store_->AppendAudits(second);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(lose.lost(), 1);
  }
  std::vector<std::string> actions;
  ASSERT_TRUE(store_
                  ->ScanAudit([&](const AuditEntry& e) {
                    actions.push_back(e.action);
                    return true;
                  })
                  .ok());
  EXPECT_EQ(actions, (std::vector<std::string>{"a", "b", "c"}));
  auto check = VerifyAuditChain(*store_);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok) << check->reason;
  EXPECT_EQ(check->rows, 3);
}

TEST_F(StoreWritesOnceTest, AnAlarmAcknowledgedOnceEvenWhenItsCommitIsLost) {
  Alarm a;
  a.key = "exceedance:1:a21026:100";
  a.kind = "exceedance";
  a.site_id = 1;
  a.site_code = "S1";
  a.district_id = 1;
  a.factor = "a21026";
  a.started = 100;
  ASSERT_TRUE(store_->UpsertAlarms(std::span<const Alarm>(&a, 1)).ok());
  auto open = store_->QueryAlarms(AlarmFilter{});
  ASSERT_TRUE(open.ok() && open->size() == 1);
  LoseCommits lose(CommitLoss::kAfterCommit, 1);
  // Retried blindly, the second try would find the alarm acknowledged and refuse.
  auto acked = store_->TransitionAlarm(open->front().id, "acknowledged", "user:li", "seen", 200);
  ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  EXPECT_EQ(lose.lost(), 1);
  EXPECT_EQ(acked->status, "acknowledged");
  EXPECT_EQ(acked->ack_by, "user:li");
}

}  // namespace
}  // namespace ecohub::store::pg
