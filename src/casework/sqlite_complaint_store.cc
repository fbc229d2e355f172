// The SQLite ComplaintStore: its own file casework.db under the data directory,
// fsynced on every commit, over the store module's SQLite helper. One connection
// behind its mutex.
#include <mutex>

#include "casework/complaint_sql.h"
#include "casework/complaint_store.h"
#include "store/sqlite/db.h"

namespace ecohub::casework {
namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

// Never edit a released step: add the next one.
constexpr const char* kMigrations[] = {
    // 1: complaints and their time lines.
    R"sql(
CREATE TABLE IF NOT EXISTS complaints (
  id INTEGER PRIMARY KEY, tracking_code TEXT NOT NULL UNIQUE, category TEXT NOT NULL,
  description TEXT NOT NULL, lon REAL, lat REAL, address TEXT NOT NULL, observed_at INTEGER,
  submitted_at INTEGER NOT NULL, phone TEXT NOT NULL, district_id INTEGER NOT NULL,
  status TEXT NOT NULL, deadline INTEGER NOT NULL, reply TEXT NOT NULL,
  replied_at INTEGER NOT NULL, score INTEGER NOT NULL, rating_comment TEXT NOT NULL,
  reopened INTEGER NOT NULL, merged_into INTEGER NOT NULL, source TEXT NOT NULL,
  month TEXT NOT NULL, version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS complaints_district ON complaints (district_id, id);
CREATE INDEX IF NOT EXISTS complaints_category ON complaints (category, submitted_at);
CREATE INDEX IF NOT EXISTS complaints_open ON complaints (status, deadline);
CREATE TABLE IF NOT EXISTS complaint_events (
  id INTEGER PRIMARY KEY, complaint_id INTEGER NOT NULL, at INTEGER NOT NULL,
  step TEXT NOT NULL, actor TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS complaint_events_of ON complaint_events (complaint_id, id);
)sql",
};

Complaint ReadRow(const Stmt& q) { return sql::ReadComplaint(q); }
ComplaintEvent ReadEventRow(const Stmt& q) { return sql::ReadEvent(q); }
ComplaintCount ReadCountRow(const Stmt& q) { return sql::ReadCount(q); }

class SqliteComplaintStore final : public ComplaintStore {
 public:
  explicit SqliteComplaintStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<Complaint> Add(const Complaint& c, const ComplaintEvent& first) override {
    std::lock_guard lock(db_->mu());
    int64_t id = 0;
    Status s = db_->InTransaction([&]() -> Status {
      auto made = sql::WithInsertValues(c, [&](const auto&... v) {
        return db_->InsertReturningId(sql::kInsert, "record complaint", v...);
      });
      if (!made.ok()) return made.status();
      id = *made;
      return AddEvent(id, first);
    });
    if (!s.ok()) return s;
    return db_->QueryOne(sql::kById, "no such complaint", ReadRow, id);
  }

  Result<Complaint> Get(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(sql::kById, "no such complaint", ReadRow, id);
  }

  Result<Complaint> GetByCode(const std::string& code) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(sql::kByCode, "no such complaint", ReadRow, code);
  }

  Result<std::vector<Complaint>> List(const ComplaintFilter& f) override {
    std::lock_guard lock(db_->mu());
    return sql::WithListValues(f, [&](const auto&... v) {
      return db_->Query(sql::kList, "list complaints", ReadRow, v...);
    });
  }

  Result<std::vector<ComplaintEvent>> Events(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kEvents, "complaint time line", ReadEventRow, id);
  }

  Status Apply(std::span<const ComplaintChange> changes) override {
    std::lock_guard lock(db_->mu());
    return db_->InTransaction([&]() -> Status {
      for (const ComplaintChange& ch : changes) {
        Status s = sql::WithUpdateValues(ch.after, [&](const auto&... v) {
          return db_->Run(sql::kUpdate, "change complaint", v...);
        });
        if (!s.ok()) return s;
        if (db_->Changes() != 1) return Status(Code::kConflict, sql::ConflictMessage(ch.after.id));
        for (const ComplaintEvent& e : ch.events)
          if (Status st = AddEvent(e.complaint_id, e); !st.ok()) return st;
      }
      return Status::Ok();
    });
  }

  Result<std::vector<Complaint>> Near(const std::string& category, UnixSeconds from, UnixSeconds to,
                                      const double box[4], size_t limit) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kNear, "complaints near", ReadRow, category, from, to, box[0], box[1],
                      box[2], box[3], static_cast<int64_t>(limit));
  }

  Result<std::vector<ComplaintCount>> Counts(UnixSeconds from, UnixSeconds to,
                                             UnixSeconds now) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kCounts, "count complaints", ReadCountRow, now, from, to);
  }

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    constexpr const char* kTables[] = {"complaints", "complaint_events"};
    return store::sqlite::ReadTables(*db_, kTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("casework");
  }

 private:
  Status AddEvent(int64_t id, const ComplaintEvent& e) {
    return db_->Run(sql::kInsertEvent, "record complaint step", id, e.at,
                    std::string(StepCode(e.step)), e.actor, e.text);
  }

  std::unique_ptr<Db> db_;
};

}  // namespace

Result<std::unique_ptr<ComplaintStore>> OpenSqliteComplaintStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "casework.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ComplaintStore>(std::make_unique<SqliteComplaintStore>(std::move(*db)));
}

}  // namespace ecohub::casework
