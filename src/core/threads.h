// Names and priorities of EcoHub's own threads.
#pragma once

namespace ecohub {

// Names the calling thread as `top -H`, perf and gdb show it (Linux keeps the first
// 15 bytes).
void NameThisThread(const char* name);

// Names the calling thread and lowers its priority (nice 10) for background work
// (derivation, compaction): on a busy core the threads that devices wait on, the
// network threads and the writer, go first. Such a thread must not hold a lock that
// those threads wait on for more than a few milliseconds at a time.
void MakeThisThreadBackground(const char* name);

}  // namespace ecohub
