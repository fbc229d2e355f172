#include "core/threads.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace ecohub {

void NameThisThread(const char* name) {
  std::string n(name);
  n.resize(std::min<size_t>(n.size(), 15));
  pthread_setname_np(pthread_self(), n.c_str());
}

void MakeThisThreadBackground(const char* name) {
  NameThisThread(name);
  // A nice value is per thread on Linux (the thread id as the "process").
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
}

}  // namespace ecohub
