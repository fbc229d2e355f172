// What the casework stores (complaints, tasks) share on both backends: a case added
// with the first line of its time line in one transaction, and changes applied all
// or none, each only if its case is still at the version it was read at.
#pragma once

#include <span>
#include <string>

#include "core/status.h"
#include "store/pg/lease.h"
#include "store/sqlite/db.h"

namespace ecohub::casework {

// SQLite: `insert()` gives the new row's id, `add_event(id)` writes its first line;
// the id. Called with the connection's lock held.
template <typename Insert, typename AddEvent>
Result<int64_t> AddCase(store::sqlite::Db& db, Insert insert, AddEvent add_event) {
  int64_t id = 0;
  Status s = db.InTransaction([&]() -> Status {
    auto made = insert();
    if (!made.ok()) return made.status();
    id = *made;
    return add_event(id);
  });
  if (!s.ok()) return s;
  return id;
}

// SQLite: for each change, `update(after)` runs the conditional UPDATE (kConflict with
// `conflict(id)` unless it changed one row), then `add_event(e)` for its lines. Called
// with the connection's lock held.
template <typename Change, typename Update, typename AddEvent>
Status ApplyChanges(store::sqlite::Db& db, std::span<const Change> changes, Update update,
                    AddEvent add_event, std::string (*conflict)(int64_t)) {
  return db.InTransaction([&]() -> Status {
    for (const Change& ch : changes) {
      if (Status s = update(ch.after); !s.ok()) return s;
      if (db.Changes() != 1) return Status(Code::kConflict, conflict(ch.after.id));
      for (const auto& e : ch.events)
        if (Status s = add_event(e); !s.ok()) return s;
    }
    return Status::Ok();
  });
}

// PostgreSQL: the same, written once across a failover (store/pg/lease.h).
// `insert(db)` gives the new id, `add_event(db, id)` writes the first line.
template <typename Insert, typename AddEvent>
Result<int64_t> AddCase(store::pg::Pool& pool, const char* what, Insert insert,
                        AddEvent add_event) {
  auto id =
      store::pg::WriteOnceReturning(pool, what, [&](store::pg::Conn& db) -> Result<std::string> {
        auto made = insert(db);
        if (!made.ok()) return made.status();
        if (Status s = add_event(db, *made); !s.ok()) return s;
        return std::to_string(*made);
      });
  if (!id.ok()) return id.status();
  return std::stoll(*id);
}

// PostgreSQL: `update(db, after)` gives the UPDATE's result, `add_event(db, e)` writes
// a line.
template <typename Change, typename Update, typename AddEvent>
Status ApplyChanges(store::pg::Pool& pool, const char* what, std::span<const Change> changes,
                    Update update, AddEvent add_event, std::string (*conflict)(int64_t)) {
  return store::pg::WriteOnce(pool, what, [&](store::pg::Conn& db) -> Status {
    for (const Change& ch : changes) {
      auto r = update(db, ch.after);
      if (!r.ok()) return r.status();
      if (r->Affected() != 1) return Status(Code::kConflict, conflict(ch.after.id));
      for (const auto& e : ch.events)
        if (Status s = add_event(db, e); !s.ok()) return s;
    }
    return Status::Ok();
  });
}

}  // namespace ecohub::casework
