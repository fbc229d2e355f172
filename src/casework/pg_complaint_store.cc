// The PostgreSQL ComplaintStore: the same tables as casework.db, every write applied
// once across a failover (store/pg/lease.h).
#include "casework/case_tables.h"
#include "casework/complaint_sql.h"
#include "casework/complaint_store.h"
#include "store/pg/lease.h"

namespace ecohub::casework {
namespace {

using store::pg::Conn;
using store::pg::Pool;
using store::pg::RowAt;
using store::pg::Rows;

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: complaints and their time lines.
    R"sql(
CREATE TABLE complaints (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tracking_code TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL, description TEXT NOT NULL, lon DOUBLE PRECISION,
  lat DOUBLE PRECISION, address TEXT NOT NULL, observed_at BIGINT, submitted_at BIGINT NOT NULL,
  phone TEXT NOT NULL, district_id BIGINT NOT NULL, status TEXT NOT NULL,
  deadline BIGINT NOT NULL, reply TEXT NOT NULL, replied_at BIGINT NOT NULL,
  score INTEGER NOT NULL, rating_comment TEXT NOT NULL, reopened INTEGER NOT NULL,
  merged_into BIGINT NOT NULL, source TEXT NOT NULL, month TEXT NOT NULL,
  version BIGINT NOT NULL);
CREATE INDEX complaints_district ON complaints (district_id, id);
CREATE INDEX complaints_category ON complaints (category, submitted_at);
CREATE INDEX complaints_open ON complaints (status, deadline);
CREATE TABLE complaint_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, complaint_id BIGINT NOT NULL,
  at BIGINT NOT NULL, step TEXT NOT NULL, actor TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX complaint_events_of ON complaint_events (complaint_id, id);
)sql",
    // 2: their photos.
    R"sql(
CREATE TABLE complaint_photos (
  complaint_id BIGINT NOT NULL, ord INTEGER NOT NULL, media_type TEXT NOT NULL,
  size BIGINT NOT NULL, at BIGINT NOT NULL, bytes BYTEA NOT NULL,
  PRIMARY KEY (complaint_id, ord));
)sql",
};

ComplaintCount ReadCountRow(const Rows& q, int i) { return sql::ReadCount(RowAt{q, i}); }
ComplaintPhoto ReadPhotoRow(const Rows& q, int i) { return sql::ReadPhoto(RowAt{q, i}); }

class PgComplaintStore final : public PgCaseTable<sql::ComplaintTraits, ComplaintStore> {
 public:
  using PgCaseTable::PgCaseTable;

  Result<Complaint> GetByCode(const std::string& code) override { return One(sql::kByCode, code); }

  Result<std::vector<ComplaintEvent>> StepsAfter(int64_t after_id, size_t limit) override {
    return store::pg::Read(*pool_, sql::kStepsAfter, "complaint steps", ReadEventRow, after_id,
                           static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  }

  Result<std::vector<Complaint>> Near(const std::string& category, UnixSeconds from, UnixSeconds to,
                                      const double box[4], size_t limit) override {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    return store::pg::Read(**db, sql::kNear, "complaints near", ReadRow, category, from, to, box[0],
                           box[1], box[2], box[3], static_cast<int64_t>(limit));
  }

  Result<std::vector<ComplaintCount>> Counts(UnixSeconds from, UnixSeconds to,
                                             UnixSeconds now) override {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    return store::pg::Read(**db, sql::kCounts, "count complaints", ReadCountRow, now, from, to);
  }

  Result<int> AddPhoto(int64_t id, const std::string& media_type, const std::string& bytes,
                       UnixSeconds at, int max) override {
    auto ord =
        store::pg::WriteOnceReturning(*pool_, "keep photo", [&](Conn& db) -> Result<std::string> {
          auto n = db.Query(sql::kPhotoCount, "count photos", id);
          if (!n.ok()) return n.status();
          int64_t count = n->Int(0, 0);
          if (count >= max) return sql::PhotosFull(id, max);
          auto r = db.Query(sql::kInsertPhoto, "keep photo", id, count + 1, media_type,
                            static_cast<int64_t>(bytes.size()), at, store::pg::Bytes{bytes});
          if (!r.ok()) return r.status();
          return std::to_string(count + 1);
        });
    if (!ord.ok()) return ord.status();
    return std::stoi(*ord);
  }

  Result<std::vector<ComplaintPhoto>> Photos(int64_t id) override {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    return store::pg::Read(**db, sql::kPhotos, "complaint photos", ReadPhotoRow, id);
  }

  Result<ComplaintPhoto> Photo(int64_t id, int ord) override {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    return store::pg::ReadOne(
        **db, sql::kPhoto, "no such photo",
        [](const Rows& q, int i) {
          ComplaintPhoto p = sql::ReadPhoto(RowAt{q, i});
          p.bytes = q.Bytea(i, 4);
          return p;
        },
        id, static_cast<int64_t>(ord));
  }

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("casework");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }

 private:
  template <typename V>
  Result<Complaint> One(const char* query, const V& key) {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    return store::pg::ReadOne(**db, query, "no such complaint", ReadRow, key);
  }
};

}  // namespace

Result<std::unique_ptr<ComplaintStore>> OpenPostgresComplaintStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub casework", "casework", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<ComplaintStore>(std::make_unique<PgComplaintStore>(std::move(*pool)));
}

}  // namespace ecohub::casework
