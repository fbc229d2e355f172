// The PostgreSQL SampleStore: the same tables as samples.db, every write applied once
// across a failover (store/pg/lease.h).
#include <algorithm>
#include <charconv>

#include "samples/sample_store.h"
#include "store/pg/lease.h"

namespace ecohub::samples {
namespace {

using store::pg::Conn;
using store::pg::Pool;
using store::pg::Rows;
using store::pg::Str;

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: samples and their values.
    R"sql(
CREATE TABLE samples (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, site_id BIGINT NOT NULL,
  site_code TEXT NOT NULL, sampled_at BIGINT NOT NULL, sampled_end BIGINT NOT NULL,
  kind TEXT NOT NULL, method TEXT NOT NULL, lab TEXT NOT NULL, sampler TEXT NOT NULL,
  report_no TEXT NOT NULL, entered_by TEXT NOT NULL, entered_at BIGINT NOT NULL);
CREATE INDEX samples_site ON samples (site_code, sampled_at);
CREATE TABLE sample_values (
  sample_id BIGINT NOT NULL, ord INTEGER NOT NULL, factor TEXT NOT NULL, value TEXT NOT NULL,
  below_detection INTEGER NOT NULL, detection_limit TEXT NOT NULL,
  PRIMARY KEY (sample_id, ord));
)sql",
};

#define SAMPLE_COLUMNS                                                                   \
  "s.id, s.site_id, s.site_code, s.sampled_at, s.sampled_end, s.kind, s.method, s.lab, " \
  "s.sampler, s.report_no, s.entered_by, s.entered_at"
constexpr const char* kInsert =
    "INSERT INTO samples (site_id, site_code, sampled_at, sampled_end, kind, method, lab, "
    "sampler, report_no, entered_by, entered_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
constexpr const char* kInsertValue =
    "INSERT INTO sample_values (sample_id, ord, factor, value, below_detection, "
    "detection_limit) VALUES ($1, $2, $3, $4, $5, $6)";
constexpr const char* kDeleteValues = "DELETE FROM sample_values WHERE sample_id = $1";
constexpr const char* kDelete = "DELETE FROM samples WHERE id = $1";
constexpr const char* kById = "SELECT " SAMPLE_COLUMNS " FROM samples s WHERE s.id = $1";
constexpr const char* kList =
    "SELECT " SAMPLE_COLUMNS
    " FROM samples s WHERE s.id < $1 AND ($2 = '' OR s.site_code = $2) AND s.sampled_at >= $3 "
    "AND s.sampled_at < $4 ORDER BY s.id DESC LIMIT $5";
constexpr const char* kValues =
    "SELECT factor, value, below_detection, detection_limit FROM sample_values "
    "WHERE sample_id = $1 ORDER BY ord";
constexpr const char* kLatest =
    "SELECT " SAMPLE_COLUMNS
    " FROM samples s JOIN sample_values v ON v.sample_id = s.id WHERE s.site_code = $1 "
    "AND v.factor = $2 AND s.sampled_at >= $3 AND s.sampled_at < $4 "
    "ORDER BY s.sampled_at DESC, s.id DESC LIMIT 1";
#undef SAMPLE_COLUMNS

Sample ReadSample(const Rows& q, int i) {
  Sample s;
  s.id = q.Int(i, 0);
  s.site_id = q.Int(i, 1);
  s.site_code = Str(q, i, 2);
  s.sampled_at = q.Int(i, 3);
  s.sampled_end = q.Int(i, 4);
  s.kind = Str(q, i, 5);
  s.method = Str(q, i, 6);
  s.lab = Str(q, i, 7);
  s.sampler = Str(q, i, 8);
  s.report_no = Str(q, i, 9);
  s.entered_by = Str(q, i, 10);
  s.entered_at = q.Int(i, 11);
  return s;
}

SampleValue ReadValue(const Rows& q, int i) {
  return {Str(q, i, 0), Str(q, i, 1), q.Int(i, 2) != 0, Str(q, i, 3)};
}

class PgSampleStore final : public SampleStore {
 public:
  explicit PgSampleStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}

  Result<std::vector<int64_t>> Add(std::span<const Sample> samples) override {
    auto ids = store::pg::WriteOnceReturning(
        *pool_, "record samples", [&](Conn& db) -> Result<std::string> {
          std::string out;
          for (const Sample& x : samples) {
            auto made = store::pg::ReturnedId(db.Query(
                kInsert, "record sample", x.site_id, x.site_code, x.sampled_at, x.sampled_end,
                x.kind, x.method, x.lab, x.sampler, x.report_no, x.entered_by, x.entered_at));
            if (!made.ok()) return made.status();
            for (size_t i = 0; i < x.values.size(); ++i) {
              const SampleValue& v = x.values[i];
              auto r = db.Query(kInsertValue, "record sample value", *made, static_cast<int64_t>(i),
                                v.factor, v.value, static_cast<int64_t>(v.below_detection),
                                v.detection_limit);
              if (!r.ok()) return r.status();
            }
            out += (out.empty() ? "" : ",") + std::to_string(*made);
          }
          return out;
        });
    if (!ids.ok()) return ids.status();
    std::vector<int64_t> out;
    const char* p = ids->data();
    const char* end = p + ids->size();
    while (p < end) {
      int64_t v = 0;
      auto [next, ec] = std::from_chars(p, end, v);
      out.push_back(v);
      p = next + (next < end ? 1 : 0);
      if (ec != std::errc()) break;
    }
    return out;
  }

  Status Remove(std::span<const int64_t> ids) override {
    return store::pg::WriteOnce(*pool_, "remove samples", [&](Conn& db) -> Status {
      for (int64_t id : ids) {
        auto a = db.Query(kDeleteValues, "remove sample values", id);
        if (!a.ok()) return a.status();
        auto b = db.Query(kDelete, "remove sample", id);
        if (!b.ok()) return b.status();
      }
      return Status::Ok();
    });
  }

  Result<Sample> Get(int64_t id) override {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    auto s = store::pg::ReadOne(**db, kById, "no such sample", ReadSample, id);
    if (!s.ok()) return s;
    if (Status st = WithValues(**db, &*s); !st.ok()) return st;
    return s;
  }

  Result<std::vector<Sample>> List(const SampleFilter& f) override {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    auto list = store::pg::Read(**db, kList, "list samples", ReadSample,
                                f.before > 0 ? f.before : INT64_MAX, f.site_code, f.from, f.to,
                                static_cast<int64_t>(std::min<size_t>(f.limit, INT64_MAX)));
    if (!list.ok()) return list;
    for (Sample& s : *list)
      if (Status st = WithValues(**db, &s); !st.ok()) return st;
    return list;
  }

  Result<std::optional<Sample>> LatestFor(const std::string& site_code, const std::string& factor,
                                          UnixSeconds from, UnixSeconds to) override {
    auto db = pool_->Get();
    if (!db.ok()) return db.status();
    auto got =
        store::pg::Read(**db, kLatest, "latest sample", ReadSample, site_code, factor, from, to);
    if (!got.ok()) return got.status();
    if (got->empty()) return std::optional<Sample>();
    Sample s = std::move(got->front());
    if (Status st = WithValues(**db, &s); !st.ok()) return st;
    return std::optional<Sample>(std::move(s));
  }

  Result<std::vector<TableRows>> ExportTables() override {
    return store::pg::NoExportFromPostgres("samples");
  }
  Status ImportTables(const std::vector<TableRows>& tables) override {
    return store::pg::CopyTables(*pool_, tables);
  }

 private:
  static Status WithValues(Conn& db, Sample* s) {
    auto v = store::pg::Read(db, kValues, "sample values", ReadValue, s->id);
    if (!v.ok()) return v.status();
    s->values = std::move(*v);
    return Status::Ok();
  }

  std::unique_ptr<Pool> pool_;
};

}  // namespace

Result<std::unique_ptr<SampleStore>> OpenPostgresSampleStore(const std::string& url) {
  auto pool = store::pg::OpenModulePool(url, "ecohub samples", "samples", kSteps);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<SampleStore>(std::make_unique<PgSampleStore>(std::move(*pool)));
}

}  // namespace ecohub::samples
