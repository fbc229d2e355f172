// The SQLite ComplaintStore: its own file casework.db under the data directory,
// fsynced on every commit, over the store module's SQLite helper. One connection
// behind its mutex.
#include <mutex>

#include "casework/case_tables.h"
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
    // 2: their photos.
    R"sql(
CREATE TABLE IF NOT EXISTS complaint_photos (
  complaint_id INTEGER NOT NULL, ord INTEGER NOT NULL, media_type TEXT NOT NULL,
  size INTEGER NOT NULL, at INTEGER NOT NULL, bytes BLOB NOT NULL,
  PRIMARY KEY (complaint_id, ord));
)sql",
};

ComplaintCount ReadCountRow(const Stmt& q) { return sql::ReadCount(q); }
ComplaintPhoto ReadPhotoRow(const Stmt& q) { return sql::ReadPhoto(q); }
int64_t ReadInt(const Stmt& q) { return q.Int(0); }

class SqliteComplaintStore final : public SqliteCaseTable<sql::ComplaintTraits, ComplaintStore> {
 public:
  using SqliteCaseTable::SqliteCaseTable;

  Result<Complaint> GetByCode(const std::string& code) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(sql::kByCode, "no such complaint", ReadRow, code);
  }

  Result<std::vector<ComplaintEvent>> StepsAfter(int64_t after_id, size_t limit) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kStepsAfter, "complaint steps", ReadEventRow, after_id,
                      static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
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

  Result<int> AddPhoto(int64_t id, const std::string& media_type, const std::string& bytes,
                       UnixSeconds at, int max) override {
    std::lock_guard lock(db_->mu());
    int ord = 0;
    Status s = db_->InTransaction([&]() -> Status {
      auto n = db_->QueryOne(sql::kPhotoCount, "count photos", ReadInt, id);
      if (!n.ok()) return n.status();
      if (*n >= max) return sql::PhotosFull(id, max);
      ord = static_cast<int>(*n) + 1;
      store::sqlite::Stmt& q = db_->Cached(sql::kInsertPhoto);
      q.Bind(1, id)
          .Bind(2, static_cast<int64_t>(ord))
          .Bind(3, media_type)
          .Bind(4, static_cast<int64_t>(bytes.size()))
          .Bind(5, at)
          .BindBlob(6, bytes);
      store::sqlite::StepResult rc = q.Step();
      q.Reset();
      return rc == store::sqlite::kDone ? Status::Ok() : db_->Error("keep photo");
    });
    if (!s.ok()) return s;
    return ord;
  }

  Result<std::vector<ComplaintPhoto>> Photos(int64_t id) override {
    std::lock_guard lock(db_->mu());
    return db_->Query(sql::kPhotos, "complaint photos", ReadPhotoRow, id);
  }

  Result<ComplaintPhoto> Photo(int64_t id, int ord) override {
    std::lock_guard lock(db_->mu());
    return db_->QueryOne(
        sql::kPhoto, "no such photo",
        [](const Stmt& q) {
          ComplaintPhoto p = sql::ReadPhoto(q);
          p.bytes = q.Text(4);
          return p;
        },
        id, static_cast<int64_t>(ord));
  }

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    constexpr const char* kTables[] = {"complaints", "complaint_events", "complaint_photos"};
    return store::sqlite::ReadTables(*db_, kTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("casework");
  }
};

}  // namespace

Result<std::unique_ptr<ComplaintStore>> OpenSqliteComplaintStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "casework.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ComplaintStore>(std::make_unique<SqliteComplaintStore>(std::move(*db)));
}

}  // namespace ecohub::casework
