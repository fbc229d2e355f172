// Nothing acknowledged may be lost, even to kill -9 (DESIGN.md, "The way data flows").
// A child process writes through the Writer with synchronous=FULL and reports every
// acknowledgement on a pipe; the parent kills it mid-stream with SIGKILL, reopens the
// data directory and checks that every acknowledged reading is there. The second
// case kills it while the compaction moves older rows into chunks beside the writer
// (the moves commit without an fsync of their own: Readings::Unsynced).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "store/sqlite_store.h"
#include "store/writer.h"

namespace ecohub::store {
namespace {

[[noreturn]] void Child(const std::string& dir, int fd, bool compacting) {
  auto store = OpenSqliteStore(dir, SqliteOptions{});
  if (!store.ok()) _exit(3);
  Writer w(**store, WriterOptions{});
  std::atomic<int64_t> written{0};
  if (compacting)
    std::thread([&] {
      for (;;)  // everything but the last 50 packets' minutes, again and again
        if (!(*store)->Compact(1'700'000'000 + (written.load() - 50) * 60).ok()) _exit(5);
    }).detach();
  for (int64_t i = 0;; written = ++i) {
    Batch b;
    for (int f = 0; f < 10; ++f)
      b.readings.push_back(Reading{"K" + std::to_string(i % 100), Period::kMinute,
                                   1'700'000'000 + i * 60, "a0" + std::to_string(f), "Avg",
                                   std::to_string(i) + ".5", 'N'});
    Status s = w.Submit(std::move(b), [fd, i](const Status& st) {
      if (st.ok() && write(fd, &i, sizeof i) != sizeof i) _exit(4);
    });
    if (!s.ok()) usleep(100);
  }
}

void KillAndCheck(const std::string& name, bool compacting) {
  std::string dir = testing::TempDir() + "/" + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    Child(dir, fds[1], compacting);
  }
  close(fds[1]);
  std::set<int64_t> acked;
  int64_t id;
  while (acked.size() < 3000 && read(fds[0], &id, sizeof id) == sizeof id) acked.insert(id);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
  while (read(fds[0], &id, sizeof id) == sizeof id) acked.insert(id);  // acks sent before death
  close(fds[0]);
  ASSERT_GE(acked.size(), 3000u);

  auto store = std::move(OpenSqliteStore(dir, SqliteOptions{})).value();
  std::set<int64_t> stored;
  ASSERT_TRUE(store
                  ->ScanReadings([&](const Reading& r) {
                    if (r.factor == "a09") stored.insert((r.time - 1'700'000'000) / 60);
                    return true;
                  })
                  .ok());
  size_t missing = 0;
  for (int64_t i : acked) missing += !stored.count(i);
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acked packets";
  store.reset();
  std::filesystem::remove_all(dir);
}

TEST(Durability, AckedReadingsSurviveKill9) { KillAndCheck("ecohub_kill9", false); }

TEST(Durability, AckedReadingsSurviveKill9WhileCompacting) {
  KillAndCheck("ecohub_kill9_compacting", true);
}

}  // namespace
}  // namespace ecohub::store
