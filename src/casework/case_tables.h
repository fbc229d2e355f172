// The five operations every versioned casework store has (tasks, enforcement cases),
// written once per backend over a table of traits: add a case with the first line of
// its time line, get one, list by a filter, read its time line, apply changes all or
// none. A store derives from SqliteCaseTable or PgCaseTable with its traits and its
// interface, and adds what is its own.
//
// Traits (a struct of statics) name: Case, Event, Change, Filter; the SQL kInsert,
// kById, kList, kEvents, kInsertEvent, kUpdate; ReadCase(row), ReadEvent(row);
// InsertValues(c, f), UpdateValues(c, f), ListValues(filter, f) passing the values in
// order to f; EventValues(id, e, f) for kInsertEvent; Conflict(id); kWhat ("task").
#pragma once

#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "casework/versioned_store.h"
#include "store/pg/lease.h"
#include "store/sqlite/db.h"

namespace ecohub::casework {

template <typename T, typename Interface>
class SqliteCaseTable : public Interface {
 public:
  using Case = typename T::Case;
  using Event = typename T::Event;

  explicit SqliteCaseTable(std::unique_ptr<store::sqlite::Db> db) : db_(std::move(db)) {}

  Result<Case> Add(const Case& c, const Event& first) override {
    std::lock_guard lock(db_->mu());
    auto id = AddCase(
        *db_,
        [&] {
          return T::InsertValues(c, [&](const auto&... v) {
            return db_->InsertReturningId(T::kInsert, "record " + std::string(T::kWhat), v...);
          });
        },
        [&](int64_t made) { return AddEvent(made, first); });
    if (!id.ok()) return id.status();
    return db_->QueryOne(T::kById, NoSuch(), ReadRow, *id);
  }

  Result<Case> Get(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(T::kById, NoSuch(), ReadRow, id);
  }

  Result<std::vector<Case>> List(const typename T::Filter& f) override {
    std::lock_guard lock(db_->mu());
    return T::ListValues(f, [&](const auto&... v) {
      return db_->Query(T::kList, "list " + std::string(T::kWhat) + "s", ReadRow, v...);
    });
  }

  Result<std::vector<Event>> Events(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(T::kEvents, std::string(T::kWhat) + " time line", ReadEventRow, id);
  }

  Status Apply(std::span<const typename T::Change> changes) override {
    std::lock_guard lock(db_->mu());
    return ApplyChanges(
        *db_, changes,
        [&](const Case& after) {
          return T::UpdateValues(after, [&](const auto&... v) {
            return db_->Run(T::kUpdate, "change " + std::string(T::kWhat), v...);
          });
        },
        [&](const Event& e) { return AddEvent(T::CaseOf(e), e); }, T::Conflict);
  }

 protected:
  static Case ReadRow(const store::sqlite::Stmt& q) { return T::ReadCase(q); }
  static Event ReadEventRow(const store::sqlite::Stmt& q) { return T::ReadEvent(q); }
  static std::string NoSuch() { return "no such " + std::string(T::kWhat); }
  // Called with the lock held.
  Status AddEvent(int64_t id, const Event& e) {
    return T::EventValues(id, e, [&](const auto&... v) {
      return db_->Run(T::kInsertEvent, "record " + std::string(T::kWhat) + " step", v...);
    });
  }

  std::unique_ptr<store::sqlite::Db> db_;
};

template <typename T, typename Interface>
class PgCaseTable : public Interface {
 public:
  using Case = typename T::Case;
  using Event = typename T::Event;

  explicit PgCaseTable(std::unique_ptr<store::pg::Pool> pool) : pool_(std::move(pool)) {}

  Result<Case> Add(const Case& c, const Event& first) override {
    auto id = AddCase(
        *pool_, T::kWhat,
        [&](store::pg::Conn& db) {
          return T::InsertValues(c, [&](const auto&... v) {
            return store::pg::ReturnedId(db.Query(T::kInsert, T::kWhat, v...));
          });
        },
        [&](store::pg::Conn& db, int64_t made) { return AddEvent(db, made, first); });
    if (!id.ok()) return id.status();
    return Get(*id);
  }

  Result<Case> Get(int64_t id) override {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    return store::pg::ReadOne(**db, T::kById, "no such " + std::string(T::kWhat), ReadRow, id);
  }

  Result<std::vector<Case>> List(const typename T::Filter& f) override {
    return T::ListValues(f, [&](const auto&... v) {
      return store::pg::Read(*pool_, T::kList, T::kWhat, ReadRow, v...);
    });
  }

  Result<std::vector<Event>> Events(int64_t id) override {
    return store::pg::Read(*pool_, T::kEvents, T::kWhat, ReadEventRow, id);
  }

  Status Apply(std::span<const typename T::Change> changes) override {
    return ApplyChanges(
        *pool_, T::kWhat, changes,
        [&](store::pg::Conn& db, const Case& after) {
          return T::UpdateValues(
              after, [&](const auto&... v) { return db.Query(T::kUpdate, T::kWhat, v...); });
        },
        [&](store::pg::Conn& db, const Event& e) { return AddEvent(db, T::CaseOf(e), e); },
        T::Conflict);
  }

 protected:
  static Case ReadRow(const store::pg::Rows& q, int i) {
    return T::ReadCase(store::pg::RowAt{q, i});
  }
  static Event ReadEventRow(const store::pg::Rows& q, int i) {
    return T::ReadEvent(store::pg::RowAt{q, i});
  }
  static Status AddEvent(store::pg::Conn& db, int64_t id, const Event& e) {
    return T::EventValues(
        id, e, [&](const auto&... v) { return db.Run(T::kInsertEvent, T::kWhat, v...); });
  }

  std::unique_ptr<store::pg::Pool> pool_;
};

}  // namespace ecohub::casework
