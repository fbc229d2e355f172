#include "casework/task_escalation.h"

namespace ecohub::casework {

Result<std::vector<Task>> EscalateOverdue(TaskStore& store, UnixSeconds now, int64_t to_city) {
  std::vector<Task> raised;
  TaskFilter f;
  f.overdue_at = now;
  f.limit = 500;
  for (;;) {
    auto page = store.List(f);
    if (!page.ok()) return page.status();
    for (const Task& t : *page) {
      Escalation level = DueEscalation(t, now, to_city);
      if (level == t.escalation) continue;
      Task after = t;
      after.escalation = level;
      const char* text = level == Escalation::kCity ? "逾期未办结，已升级至市级督办"
                                                    : "已逾期，已提请区（县）负责人督办";
      TaskChange change{after, {{t.id, now, TaskStep::kEscalate, "system", text}}};
      Status s = store.Apply({&change, 1});
      if (s.code() == Code::kConflict) continue;  // changed meanwhile: the next pass
      if (!s.ok()) return s;
      ++after.version;
      raised.push_back(std::move(after));
    }
    if (page->size() < f.limit) break;
    f.before = page->back().id;
  }
  return raised;
}

}  // namespace ecohub::casework
