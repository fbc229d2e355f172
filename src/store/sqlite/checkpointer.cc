#include "store/sqlite/checkpointer.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "core/threads.h"

namespace ecohub::store::sqlite {

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path, Db& writer,
                                                          const CheckpointOptions& options) {
  auto own = Db::Open(path, {.read_only = false});
  if (!own.ok()) return own.status();
  // Its page cache only passes pages from the WAL to the file.
  if (Status s = (*own)->Exec("PRAGMA cache_size=-2048"); !s.ok()) return s;
  return std::unique_ptr<Checkpointer>(new Checkpointer(std::move(*own), writer, options));
}

Checkpointer::Checkpointer(std::unique_ptr<Db> own, Db& writer, const CheckpointOptions& options)
    : options_(options), own_(std::move(own)), writer_(writer) {
  next_pass_ = options_.pages;
  next_catch_up_ = options_.restart_pages;
  {
    std::lock_guard lock(writer_.mu());
    writer_.OnCommitWal([this](int pages) { Committed(pages); });
  }
  thread_ = std::thread([this] {
    NameThisThread("ecohub-ckpt");
    Run();
  });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(writer_.mu());
    writer_.OnCommitWal(nullptr);
  }
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Checkpointer::Committed(int pages) {
  if (pages < last_pages_) {  // the log started over
    next_pass_ = options_.pages;
    next_catch_up_ = options_.restart_pages;
  }
  last_pages_ = pages;
  if (pages >= next_catch_up_) {
    Status s = writer_.CheckpointPassive();
    if (s.code() == Code::kUnavailable) return;  // the background pass: next commit
    if (!s.ok()) spdlog::warn("store: {}", s.ToString());
    // Readers pinning an old snapshot may keep the log from starting over: then
    // catch up again only after as much more, not at every commit.
    next_catch_up_ = pages + options_.restart_pages;
    ++catch_ups_;
    return;
  }
  if (pages < next_pass_) return;
  next_pass_ = pages + options_.pages;
  {
    std::lock_guard lock(mu_);
    due_ = true;
  }
  wake_.notify_one();
}

void Checkpointer::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return due_ || stop_; });
    if (stop_) return;
    due_ = false;
    lock.unlock();
    Status s = own_->CheckpointPassive();
    if (!s.ok() && s.code() != Code::kUnavailable)
      spdlog::warn("store: background {}", s.ToString());
    lock.lock();
  }
}

}  // namespace ecohub::store::sqlite
