// Accepted declarations applied to alarms (the rule table in declaration.h): an
// alarm of the outlet that starts in a covered window gets `declaration: {id, kind,
// effect}` in its detail; one the rules suppress is closed with a comment naming the
// declaration — never deleted, so the record shows what happened and why.
//
// The alarm sync annotates what it raises (Annotate) and closes what is suppressed
// (CloseSuppressed); accepting or ending a declaration applies it to the alarms
// already raised in its window (ApplyToAlarms).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "declare/declaration.h"
#include "store/alarm_store.h"

namespace ecohub::declare {

// The effect on `a` of the first of `declarations` covering its outlet and start,
// its detail annotated (kNone: unchanged).
Effect Annotate(std::span<const Declaration> declarations, store::Alarm* a);
// Whether an alarm's detail says it is suppressed.
bool Suppressed(const store::Alarm& a);

// Closes the stored alarms among `keys` that are not closed yet, by
// "declaration:ID" with a comment naming it. Returns how many it closed.
Result<int64_t> CloseSuppressed(store::AlarmStore& alarms, std::span<const store::Alarm> suppressed,
                                UnixSeconds now);

struct Applied {
  int64_t annotated = 0, closed = 0;
};
// Applies accepted `d` to the alarms of its outlet that started in its window (until
// `now` while open): annotates them, closes those its rules suppress.
Result<Applied> ApplyToAlarms(store::AlarmStore& alarms, const Declaration& d, UnixSeconds now);

}  // namespace ecohub::declare
