// PasswordWorkers: jobs run off the caller's thread; a full queue refuses at once;
// stopping drops what is queued without running it.
#include "auth/password_workers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>

namespace ecohub::auth {
namespace {

TEST(PasswordWorkers, RunsJobsOnAnotherThread) {
  PasswordWorkers w({.threads = 1, .queue = 4});
  std::promise<std::thread::id> ran;
  ASSERT_TRUE(w.TryPost([&] { ran.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(ran.get_future().get(), std::this_thread::get_id());
}

TEST(PasswordWorkers, FullQueueRefusesAtOnceAndStopDropsQueuedJobs) {
  PasswordWorkers w({.threads = 1, .queue = 2});
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(w.TryPost([&, gate] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // the one thread is busy
  auto witness = std::make_shared<int>(0);
  std::atomic<int> ran{0};
  EXPECT_TRUE(w.TryPost([witness, &ran] { ++ran; }));
  EXPECT_TRUE(w.TryPost([witness, &ran] { ++ran; }));
  EXPECT_FALSE(w.TryPost([witness, &ran] { ++ran; }));  // queue of 2 is full
  EXPECT_EQ(witness.use_count(), 3);                    // the refused job was released
  std::thread stopper([&] { w.Stop(); });
  // Stop drops the queued jobs at once, then waits for the running one.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (witness.use_count() > 1 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  release.set_value();
  stopper.join();
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(witness.use_count(), 1);
  EXPECT_FALSE(w.TryPost([] {}));
}

}  // namespace
}  // namespace ecohub::auth
