// What a sample is (tables of cases: values, checks, the readings it gives, the CSV of
// samples), and the SampleStore contract for every backend (SQLite; PostgreSQL on a
// server the test starts).
#include "samples/sample.h"

#include <gtest/gtest.h>

#include <functional>

#include "samples/evaluate.h"
#include "samples/sample_store.h"
#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"

namespace ecohub::samples {
namespace {

constexpr UnixSeconds kDay = 1772294400;  // 2026-03-01 00:00 Beijing

Sample Water() {
  Sample s;
  s.site_id = 7;
  s.site_code = "W-1";
  s.sampled_at = kDay + 10 * 3600;
  s.kind = "water";
  s.method = "HJ 535-2009";
  s.lab = "市监测站实验室";
  s.sampler = "张三";
  s.report_no = "R-2026-001";
  s.entered_by = "user:3";
  s.entered_at = kDay + 86400;
  s.values = {{"w21003", "0.52", false, ""}, {"w21011", "", true, "0.01"}};
  return s;
}

TEST(Sample, ParseValueReadsDecimalsAndBelowDetection) {
  struct Case {
    const char* cell;
    const char* limit;
    const char* value;  // nullptr: an error
    const char* dl;     // the detection limit kept
    bool below;
  } cases[] = {
      {"0.52", "", "0.52", "", false},       {" 1.0 ", "0.05", "1.0", "0.05", false},
      {"ND", "0.02", "", "0.02", true},      {"未检出", "0.025", "", "0.025", true},
      {"<0.02", "", "", "0.02", true},       {"<0.02", "0.02", "", "0.02", true},
      {"<0.02", "0.05", nullptr, "", false},  // two limits that disagree
      {"ND", "", nullptr, "", false},         // no limit
      {"", "", nullptr, "", false},          {"abc", "", nullptr, "", false},
      {"1e3", "", nullptr, "", false},
  };
  for (const auto& c : cases) {
    auto v = ParseValue("w21003", c.cell, c.limit);
    if (!c.value) {
      EXPECT_FALSE(v.ok()) << c.cell;
      continue;
    }
    ASSERT_TRUE(v.ok()) << c.cell << ": " << v.status().ToString();
    EXPECT_EQ(v->value, c.value) << c.cell;
    EXPECT_EQ(v->detection_limit, c.dl) << c.cell;
    EXPECT_EQ(v->below_detection, c.below) << c.cell;
  }
}

TEST(Sample, ValidateNamesWhatIsWrong) {
  constexpr UnixSeconds kNow = kDay + 86400;
  struct Case {
    std::function<void(Sample*)> edit;
    const char* why;  // "" when valid
  } cases[] = {
      {[](Sample*) {}, ""},
      {[](Sample* s) { s->method.clear(); }, "analysis method"},
      {[](Sample* s) { s->lab.clear(); }, "laboratory"},
      {[](Sample* s) { s->kind = "lava"; }, "kind must be"},
      {[](Sample* s) { s->sampled_at = kNow + 1; }, "in the future"},
      {[](Sample* s) { s->sampled_at = kNow; }, ""},
      {[](Sample* s) { s->sampled_end = s->sampled_at + 3600; }, ""},
      {[](Sample* s) { s->sampled_end = s->sampled_at; }, "composite"},
      {[](Sample* s) { s->values.clear(); }, "at least one value"},
      {[](Sample* s) { s->values[0].factor = "x99999"; }, "unknown factor"},
      {[](Sample* s) { s->values[1].factor = "w21003"; }, "twice"},
      {[](Sample* s) { s->values[0].value = "-0.1"; }, "negative"},
      {[](Sample* s) { s->values[0].value = "abc"; }, "decimal"},
      {[](Sample* s) { s->values[1].detection_limit.clear(); }, "without a detection limit"},
      {[](Sample* s) { s->values[1].detection_limit = "0"; }, "positive decimal"},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    Sample s = Water();
    cases[i].edit(&s);
    Status st = Validate(s, kNow);
    if (std::string(cases[i].why).empty()) {
      EXPECT_TRUE(st.ok()) << "case " << i << ": " << st.ToString();
    } else {
      EXPECT_EQ(st.code(), Code::kInvalidInput) << "case " << i;
      EXPECT_NE(st.message().find(cases[i].why), std::string::npos)
          << "case " << i << ": " << st.message();
    }
  }
}

TEST(Sample, BelowDetectionEntersAtHalfTheLimit) {
  struct Case {
    const char* limit;
    const char* half;
  } cases[] = {{"0.01", "0.005"}, {"0.02", "0.010"}, {"0.5", "0.25"}, {"1", "0.5"}};
  for (const auto& c : cases)
    EXPECT_EQ(EvaluatedValue({"w21011", "", true, c.limit}), c.half) << c.limit;
  EXPECT_EQ(EvaluatedValue({"w21011", "0.12", false, "0.01"}), "0.12");
}

TEST(Sample, ReadingsAreDayValuesUnderTheManualDevice) {
  auto r = ToReadings(Water());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].mn, "manual:W-1");
  EXPECT_EQ(r[0].period, Period::kDay);
  EXPECT_EQ(r[0].time, kDay);  // the start of the Beijing day, not the sampling hour
  EXPECT_EQ(r[0].field, "Avg");
  EXPECT_EQ(r[0].value, "0.52");
  EXPECT_EQ(r[0].flag, 'N');
  EXPECT_EQ(r[1].factor, "w21011");
  EXPECT_EQ(r[1].value, "0.005");
}

TEST(Sample, CsvGroupsRowsIntoSamplesAndNamesEveryBadRow) {
  std::string csv =
      "site,sampled_at,method,lab,factor,value,detection_limit,report_no\n"
      "W-1,2026-03-01 10:00,HJ 535-2009,Lab A,w21003,0.52,,R1\n"
      "W-1,2026-03-01 10:00,HJ 535-2009,Lab A,w21011,ND,0.01,R1\n"
      "W-2,2026-03-01 11:00,HJ 535-2009,Lab A,w21003,0.8,,R2\n"
      "W-2,2026-03-01 25:00,HJ 535-2009,Lab A,w21003,0.8,,R2\n"
      "W-2,2026-03-01 11:00,HJ 535-2009,Lab A,x12345,0.8,,R2\n"
      "W-2,2026-03-01 11:00,HJ 535-2009,Lab A,w21011,ND,,R2\n"
      "\n";
  auto got = ReadSamplesCsv(csv);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->rows, 6);
  ASSERT_EQ(got->samples.size(), 2u);
  EXPECT_EQ(got->samples[0].values.size(), 2u);
  EXPECT_EQ(got->samples[0].sampled_at, kDay + 10 * 3600);
  EXPECT_EQ(got->samples[0].report_no, "R1");
  EXPECT_EQ(got->samples[0].kind, "water");
  ASSERT_EQ(got->errors.size(), 3u);
  EXPECT_EQ(got->errors[0].row, 5);
  EXPECT_EQ(got->errors[0].column, "sampled_at");
  EXPECT_EQ(got->errors[1].row, 6);
  EXPECT_EQ(got->errors[1].column, "factor");
  EXPECT_EQ(got->errors[2].row, 7);
  EXPECT_EQ(got->errors[2].column, "value");
  EXPECT_EQ(ReadSamplesCsv("site,factor\nW-1,w21003\n").status().code(), Code::kInvalidInput);
}

TEST(Sample, WaterDaysAreClassedByGb3838FromManualValues) {
  // NH3-N 0.52 is class III (≤ 1.0, > 0.5); TP below detection at 0.01 enters at
  // 0.005, class I; the day is class III, nothing exceeding. A second day: TP 0.35 in a
  // river is class V (≤ 0.4), exceeding III; CODMn 16 is worse than V.
  Sample a = Water();
  std::vector<Reading> values = ToReadings(a);
  values.push_back({"manual:W-1", Period::kDay, kDay + 86400, "w21011", "Avg", "0.35", 'N'});
  values.push_back({"manual:W-1", Period::kDay, kDay + 86400, "w01019", "Avg", "16", 'N'});
  values.push_back({"manual:W-1", Period::kDay, kDay + 86400, "w21003", "Avg", "9", 'C'});
  values.push_back({"manual:W-1", Period::kDay, kDay + 86400, "a34004", "Avg", "30", 'N'});
  auto days = EvaluateWaterDays(values, standards::WaterBody::kRiver);
  ASSERT_TRUE(days.ok()) << days.status().ToString();
  ASSERT_EQ(days->size(), 2u);
  EXPECT_EQ((*days)[0].day, kDay);
  EXPECT_EQ((*days)[0].site_class, standards::WaterClass::kIII);
  ASSERT_EQ((*days)[0].items.size(), 2u);
  EXPECT_EQ((*days)[0].items[0].factor, "w21003");
  EXPECT_EQ((*days)[0].items[1].value, "0.005");
  EXPECT_EQ((*days)[0].items[1].cls, standards::WaterClass::kI);
  EXPECT_TRUE((*days)[0].exceeding.empty());
  EXPECT_EQ((*days)[1].site_class, standards::WaterClass::kWorseV);
  EXPECT_EQ((*days)[1].items.size(), 2u);  // the NH3-N flagged C is left out
  EXPECT_EQ((*days)[1].exceeding, (std::vector<std::string>{"w01019", "w21011"}));
  values.push_back({"manual:W-1", Period::kDay, kDay, "w01009", "Avg", "-1", 'N'});
  EXPECT_EQ(EvaluateWaterDays(values, standards::WaterBody::kRiver).status().code(),
            Code::kInvalidInput);
}

using Backend = store::BackendOf<SampleStore>;

std::unique_ptr<SampleStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteSampleStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<SampleStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresSampleStore(url);
}

class SampleStoreContract : public store::ContractFixture<SampleStore> {};

TEST_P(SampleStoreContract, SamplesKeepTheirValuesAcrossARestart) {
  Sample a = Water();
  Sample b = Water();
  b.site_code = "W-2";
  b.sampled_at = kDay + 3 * 86400;
  b.values = {{"w21003", "1.2", false, "0.025"}};
  auto ids = store_->Add(std::vector<Sample>{a, b});
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->size(), 2u);
  EXPECT_LT((*ids)[0], (*ids)[1]);
  Restart();
  auto got = store_->Get((*ids)[0]);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  a.id = (*ids)[0];
  EXPECT_EQ(*got, a);
  EXPECT_EQ(store_->Get((*ids)[1] + 100).status().code(), Code::kNotFound);

  auto all = store_->List({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, (*ids)[1]);  // newest first
  EXPECT_EQ((*all)[0].values.size(), 1u);
  auto one = store_->List({.site_code = "W-1"});
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().site_code, "W-1");
  auto span = store_->List({.from = kDay + 86400, .to = kDay + 5 * 86400});
  ASSERT_TRUE(span.ok());
  ASSERT_EQ(span->size(), 1u);
  EXPECT_EQ(span->front().site_code, "W-2");
  auto page = store_->List({.before = (*ids)[1], .limit = 10});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().id, (*ids)[0]);

  auto latest = store_->LatestFor("W-1", "w21011", kDay, kDay + 86400);
  ASSERT_TRUE(latest.ok() && latest->has_value()) << latest.status().ToString();
  EXPECT_EQ((*latest)->id, (*ids)[0]);
  EXPECT_EQ((*latest)->lab, "市监测站实验室");
  latest = store_->LatestFor("W-1", "w21011", kDay + 86400, kDay + 2 * 86400);
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());

  ASSERT_TRUE(store_->Remove(std::vector<int64_t>{(*ids)[1]}).ok());
  EXPECT_EQ(store_->Get((*ids)[1]).status().code(), Code::kNotFound);
  all = store_->List({.limit = SIZE_MAX});  // unbounded, as db migrate counts
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, SampleStoreContract,
                         testing::Values(Backend{"sqlite", OpenSqlite},
                                         store::pg::PostgresBackend<SampleStore>(OpenPostgres)),
                         store::BackendName<SampleStore>);

}  // namespace
}  // namespace ecohub::samples
