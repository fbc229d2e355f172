// Escalation of past-due tasks (督办升级): an active task past its due time reaches the
// district's head, and `to_city` seconds later the city (casework/task.h,
// DueEscalation). Housekeeping runs a pass every minute on the node that leads it.
#pragma once

#include <vector>

#include "casework/task_store.h"

namespace ecohub::casework {

// Raises every active task past its due time at `now` to the level it has reached,
// each as a change with its own time line line by "system". A task that changes
// meanwhile is left for the next pass. The tasks escalated, as they are now.
Result<std::vector<Task>> EscalateOverdue(TaskStore& store, UnixSeconds now, int64_t to_city);

}  // namespace ecohub::casework
