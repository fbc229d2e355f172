// What the task routes share with the routes that make tasks of their own
// (draw_routes.cc: a published random draw becomes tasks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/handlers.h"
#include "casework/task_store.h"

namespace ecohub::api::task {

// Whether user `id` may be given tasks of `district`: an active inspector or staff
// member of it (or of the whole city).
bool CanTake(const ApiContext& ctx, int64_t id, int64_t district);
// The time line's words for a task given to user `id`: 派给 and their name.
std::string AssignedText(const ApiContext& ctx, int64_t id);
// The district's active grid covering the task's place; 0 when none does.
int64_t LocateGrid(const std::vector<casework::Grid>& grids, const casework::Task& t);

}  // namespace ecohub::api::task
