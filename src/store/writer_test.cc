#include "store/writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "store/fault_store.h"
#include "store/sqlite_store.h"

namespace ecohub::store {
namespace {

class WriterTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "/ecohub_writer_" +
           testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
           std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    SqliteOptions o;
    o.synchronous_full = false;
    base_ = std::move(OpenSqliteStore(dir_, o)).value();
    faulty_ = std::make_unique<FaultyStore>(*base_);
  }
  void TearDown() override {
    faulty_.reset();
    base_.reset();
    std::filesystem::remove_all(dir_);
  }
  static Batch One(int i) {
    Batch b;
    b.readings.push_back(
        Reading{"M", Period::kRealtime, 1000 + i, "a34004", "Rtd", std::to_string(i), 'N'});
    return b;
  }
  std::set<int64_t> StoredTimes() {
    std::set<int64_t> t;
    base_->ScanReadings([&](const Reading& r) {
      t.insert(r.time);
      return true;
    });
    return t;
  }
  std::string dir_;
  std::unique_ptr<Store> base_;
  std::unique_ptr<FaultyStore> faulty_;
};

TEST_F(WriterTest, DoneOnceAfterCommitAndAckedMeansStored) {
  std::mutex mu;
  std::map<int, int> calls;
  std::set<int64_t> acked;
  {
    Writer w(*faulty_, WriterOptions{});
    faulty_->FailNthAppend(1);  // the first commit fails
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE(w.Submit(One(i), [&, i](const Status& s) {
                     std::lock_guard lock(mu);
                     ++calls[i];
                     if (s.ok()) acked.insert(1000 + i);
                   }).ok());
    }
  }  // destructor drains
  ASSERT_EQ(calls.size(), 2000u);
  for (auto& [i, n] : calls) EXPECT_EQ(n, 1) << i;
  std::set<int64_t> stored = StoredTimes();
  for (int64_t t : acked) EXPECT_TRUE(stored.count(t)) << t;
  // The failed commit's batches were reported failed, not acked, and not stored.
  EXPECT_LT(acked.size(), 2000u);
  EXPECT_EQ(stored.size(), acked.size());
}

TEST_F(WriterTest, FailedCommitsAckNothing) {
  faulty_->FailAllAppends(true);
  std::promise<Status> p;
  {
    Writer w(*faulty_, WriterOptions{});
    ASSERT_TRUE(w.Submit(One(1), [&](const Status& s) { p.set_value(s); }).ok());
  }
  EXPECT_EQ(p.get_future().get().code(), Code::kIoError);
  EXPECT_TRUE(StoredTimes().empty());
}

TEST_F(WriterTest, QueueFullRefusesWithoutCallingDone) {
  faulty_->FailAllAppends(true);
  WriterOptions o;
  o.max_queue_rows = 1;
  Writer w(*faulty_, o);
  std::atomic<int> done{0};
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    Status s = w.Submit(One(i), [&](const Status&) { ++done; });
    if (!s.ok()) {
      EXPECT_EQ(s.code(), Code::kUnavailable);
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
}

TEST_F(WriterTest, AfterCommitSeesCommittedBatches) {
  std::atomic<int> seen{0};
  {
    Writer w(*faulty_, WriterOptions{});
    w.SetAfterCommit([&](const std::vector<Batch>& b) { seen += static_cast<int>(b.size()); });
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(w.Submit(One(i), nullptr).ok());
  }
  EXPECT_EQ(seen.load(), 100);
}

TEST_F(WriterTest, IdleWriterDoesNotWaitForCompany) {
  // max_delay is only for gathering under load: a lone packet must not wait it out.
  WriterOptions o;
  o.max_delay = std::chrono::seconds(5);
  o.min_batch_rows = 1000000;
  Writer w(*faulty_, o);
  for (int i = 0; i < 3; ++i) {
    std::promise<Status> p;
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(w.Submit(One(i), [&](const Status& s) { p.set_value(s); }).ok());
    EXPECT_TRUE(p.get_future().get().ok());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  }
}

TEST_F(WriterTest, ManyProducersEveryDoneExactlyOnceAndStatsAddUp) {
  constexpr int kThreads = 4, kPer = 500;
  std::vector<std::atomic<int>> calls(kThreads * kPer);
  std::atomic<int> ok{0};
  {
    faulty_->FailNthAppend(1);
    Writer w(*faulty_, WriterOptions{});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPer; ++i) {
          int id = t * kPer + i;
          ASSERT_TRUE(w.Submit(One(id), [&, id](const Status& s) {
                         ++calls[id];
                         if (s.ok()) ++ok;
                       }).ok());
        }
      });
    for (auto& t : threads) t.join();
    // Wait for every callback (not just an empty queue: the last commit may still
    // be running), then the stats are final.
    auto all_called = [&] {
      for (auto& c : calls)
        if (c.load() == 0) return false;
      return true;
    };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!all_called() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    WriterStats st = w.stats();
    EXPECT_EQ(st.failed_commits, 1u);
    // The failed first commit may have taken every batch (all producers were quick).
    EXPECT_GE(st.commits, ok.load() > 0 ? 1u : 0u);
  }
  for (int i = 0; i < kThreads * kPer; ++i) EXPECT_EQ(calls[i].load(), 1) << i;
  EXPECT_EQ(static_cast<int>(StoredTimes().size()), ok.load());
}

TEST_F(WriterTest, RefusalsAreCounted) {
  faulty_->FailAllAppends(true);
  WriterOptions o;
  o.max_queue_rows = 1;
  Writer w(*faulty_, o);
  uint64_t refused = 0;
  for (int i = 0; i < 200; ++i)
    if (!w.Submit(One(i), nullptr).ok()) ++refused;
  EXPECT_EQ(w.stats().refused, refused);
}

}  // namespace
}  // namespace ecohub::store
