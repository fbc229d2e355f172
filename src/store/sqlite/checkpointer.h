// Checkpointer: keeps ecohub.db's write-ahead log short without making a commit,
// and the devices waiting on it for their acks, pay for it.
//
// SQLite's automatic checkpoint runs inside the commit that takes the WAL past
// 1,000 pages: that commit copies the pages into the database file and fsyncs it,
// and every packet it held waits meanwhile (2-3 % of acks took 33-131 ms at any
// load, issue 14). Here the copying moves to a thread and a connection of its own:
// when `pages` more pages have been committed since its last pass, it runs a
// passive checkpoint, which never stops the writer.
//
// The WAL starts again from its beginning only when the writer begins a
// transaction after a checkpoint that caught up with every commit, which under a
// steady stream the background pass never quite does. So when the WAL reaches
// `restart_pages`, the writer catches up itself at the end of a commit (a short
// copy: the background pass did the rest) and its next transaction restarts the
// log. Readers holding an old snapshot can still keep the WAL growing, as with
// SQLite's own checkpoint; the housekeeper's truncating checkpoint ends that.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"
#include "store/sqlite/db.h"

namespace ecohub::store::sqlite {

struct CheckpointOptions {
  int pages = 1000;          // committed since the last pass: run one (SQLite's default)
  int restart_pages = 8000;  // WAL size at which the writer catches up (32 MB of 4 KiB pages)
};

class Checkpointer {
 public:
  // Opens its connection to `path` (the writer's file), hooks `writer` and starts
  // the thread. `writer` must outlive the Checkpointer.
  static Result<std::unique_ptr<Checkpointer>> Start(const std::string& path, Db& writer,
                                                     const CheckpointOptions& options);
  ~Checkpointer();  // unhooks the writer, then stops the thread
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Times the writer caught up so far.
  uint64_t catch_ups() const { return catch_ups_; }

 private:
  Checkpointer(std::unique_ptr<Db> own, Db& writer, const CheckpointOptions& options);
  // On the writer's thread, inside each commit.
  void Committed(int pages);
  void Run();

  const CheckpointOptions options_;
  std::unique_ptr<Db> own_;
  Db& writer_;
  // Writer thread only: the WAL size at the previous commit, and where the next
  // background pass and catch-up are due.
  int last_pages_ = 0;
  int next_pass_ = 0;
  int next_catch_up_ = 0;
  std::atomic<uint64_t> catch_ups_{0};
  std::mutex mu_;
  std::condition_variable wake_;
  bool due_ = false, stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace ecohub::store::sqlite
