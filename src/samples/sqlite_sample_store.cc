// The SQLite SampleStore: its own file samples.db under the data directory, fsynced
// on every commit, over the store module's SQLite helper. One connection behind its
// mutex.
#include <algorithm>
#include <mutex>

#include "samples/sample_store.h"
#include "store/sqlite/db.h"

namespace ecohub::samples {
namespace {

using store::sqlite::Db;
using store::sqlite::Stmt;

constexpr const char* kMigrations[] = {
    // 1: samples and their values.
    R"sql(
CREATE TABLE IF NOT EXISTS samples (
  id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL, site_code TEXT NOT NULL,
  sampled_at INTEGER NOT NULL, sampled_end INTEGER NOT NULL, kind TEXT NOT NULL,
  method TEXT NOT NULL, lab TEXT NOT NULL, sampler TEXT NOT NULL, report_no TEXT NOT NULL,
  entered_by TEXT NOT NULL, entered_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS samples_site ON samples (site_code, sampled_at);
CREATE TABLE IF NOT EXISTS sample_values (
  sample_id INTEGER NOT NULL, ord INTEGER NOT NULL, factor TEXT NOT NULL, value TEXT NOT NULL,
  below_detection INTEGER NOT NULL, detection_limit TEXT NOT NULL,
  PRIMARY KEY (sample_id, ord));
)sql",
};

#define SAMPLE_COLUMNS                                                                   \
  "s.id, s.site_id, s.site_code, s.sampled_at, s.sampled_end, s.kind, s.method, s.lab, " \
  "s.sampler, s.report_no, s.entered_by, s.entered_at"
constexpr const char* kInsert =
    "INSERT INTO samples (site_id, site_code, sampled_at, sampled_end, kind, method, lab, "
    "sampler, report_no, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "RETURNING id";
constexpr const char* kInsertValue =
    "INSERT INTO sample_values (sample_id, ord, factor, value, below_detection, "
    "detection_limit) VALUES (?, ?, ?, ?, ?, ?)";
constexpr const char* kDelete = "DELETE FROM samples WHERE id = ?";
constexpr const char* kDeleteValues = "DELETE FROM sample_values WHERE sample_id = ?";
constexpr const char* kById = "SELECT " SAMPLE_COLUMNS " FROM samples s WHERE s.id = ?";
constexpr const char* kList =
    "SELECT " SAMPLE_COLUMNS
    " FROM samples s WHERE s.id < ? AND (? = '' OR s.site_code = ?) AND s.sampled_at >= ? "
    "AND s.sampled_at < ? ORDER BY s.id DESC LIMIT ?";
constexpr const char* kValues =
    "SELECT factor, value, below_detection, detection_limit FROM sample_values "
    "WHERE sample_id = ? ORDER BY ord";
constexpr const char* kLatest =
    "SELECT " SAMPLE_COLUMNS
    " FROM samples s JOIN sample_values v ON v.sample_id = s.id WHERE s.site_code = ? "
    "AND v.factor = ? AND s.sampled_at >= ? AND s.sampled_at < ? ORDER BY s.sampled_at DESC, "
    "s.id DESC LIMIT 1";
#undef SAMPLE_COLUMNS

Sample ReadSample(const Stmt& q) {
  Sample s;
  s.id = q.Int(0);
  s.site_id = q.Int(1);
  s.site_code = q.Text(2);
  s.sampled_at = q.Int(3);
  s.sampled_end = q.Int(4);
  s.kind = q.Text(5);
  s.method = q.Text(6);
  s.lab = q.Text(7);
  s.sampler = q.Text(8);
  s.report_no = q.Text(9);
  s.entered_by = q.Text(10);
  s.entered_at = q.Int(11);
  return s;
}

SampleValue ReadValue(const Stmt& q) { return {q.Text(0), q.Text(1), q.Int(2) != 0, q.Text(3)}; }

class SqliteSampleStore final : public SampleStore {
 public:
  explicit SqliteSampleStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<std::vector<int64_t>> Add(std::span<const Sample> samples) override {
    std::lock_guard lock(db_->mu());
    std::vector<int64_t> ids;
    Status s = db_->InTransaction([&]() -> Status {
      for (const Sample& x : samples) {
        auto made = db_->InsertReturningId(kInsert, "record sample", x.site_id, x.site_code,
                                           x.sampled_at, x.sampled_end, x.kind, x.method, x.lab,
                                           x.sampler, x.report_no, x.entered_by, x.entered_at);
        if (!made.ok()) return made.status();
        ids.push_back(*made);
        for (size_t i = 0; i < x.values.size(); ++i) {
          const SampleValue& v = x.values[i];
          if (Status st = db_->Run(kInsertValue, "record sample value", *made,
                                   static_cast<int64_t>(i), v.factor, v.value,
                                   static_cast<int64_t>(v.below_detection), v.detection_limit);
              !st.ok())
            return st;
        }
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return ids;
  }

  Status Remove(std::span<const int64_t> ids) override {
    std::lock_guard lock(db_->mu());
    return db_->InTransaction([&]() -> Status {
      for (int64_t id : ids) {
        if (Status s = db_->Run(kDeleteValues, "remove sample values", id); !s.ok()) return s;
        if (Status s = db_->Run(kDelete, "remove sample", id); !s.ok()) return s;
      }
      return Status::Ok();
    });
  }

  Result<Sample> Get(int64_t id) override {
    std::lock_guard lock(db_->mu());
    auto s = db_->QueryOne(kById, "no such sample", ReadSample, id);
    if (!s.ok()) return s;
    if (Status st = WithValues(&*s); !st.ok()) return st;
    return s;
  }

  Result<std::vector<Sample>> List(const SampleFilter& f) override {
    std::lock_guard lock(db_->mu());
    auto list = db_->Query(kList, "list samples", ReadSample, f.before > 0 ? f.before : INT64_MAX,
                           f.site_code, f.site_code, f.from, f.to,
                           static_cast<int64_t>(std::min<size_t>(f.limit, INT64_MAX)));
    if (!list.ok()) return list;
    for (Sample& s : *list)
      if (Status st = WithValues(&s); !st.ok()) return st;
    return list;
  }

  Result<std::optional<Sample>> LatestFor(const std::string& site_code, const std::string& factor,
                                          UnixSeconds from, UnixSeconds to) override {
    std::lock_guard lock(db_->mu());
    auto got = db_->QueryOne(kLatest, "no sample", ReadSample, site_code, factor, from, to);
    if (got.status().code() == Code::kNotFound) return std::optional<Sample>();
    if (!got.ok()) return got.status();
    if (Status st = WithValues(&*got); !st.ok()) return st;
    return std::optional<Sample>(std::move(*got));
  }

  Result<std::vector<TableRows>> ExportTables() override {
    std::lock_guard lock(db_->mu());
    constexpr const char* kTables[] = {"samples", "sample_values"};
    return store::sqlite::ReadTables(*db_, kTables);
  }
  Status ImportTables(const std::vector<TableRows>&) override {
    return store::sqlite::NoImportIntoSqlite("samples");
  }

 private:
  Status WithValues(Sample* s) {
    auto v = db_->Query(kValues, "sample values", ReadValue, s->id);
    if (!v.ok()) return v.status();
    s->values = std::move(*v);
    return Status::Ok();
  }

  std::unique_ptr<Db> db_;
};

}  // namespace

Result<std::unique_ptr<SampleStore>> OpenSqliteSampleStore(const std::string& data_dir) {
  auto db = store::sqlite::OpenModuleFile(data_dir, "samples.db", kMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<SampleStore>(std::make_unique<SqliteSampleStore>(std::move(*db)));
}

}  // namespace ecohub::samples
