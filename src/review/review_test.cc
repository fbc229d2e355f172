// What a review does to readings (a table of cases), and the ReviewStore contract
// for every backend (SQLite; PostgreSQL on a server the test starts).
#include "review/review.h"

#include <gtest/gtest.h>

#include "review/review_store.h"
#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"

namespace ecohub::review {
namespace {

constexpr UnixSeconds kDay = 1772294400;  // 2026-03-01 00:00 Beijing

Review Make(const std::string& action, UnixSeconds from, UnixSeconds to) {
  Review r;
  r.action = action;
  r.site_id = 7;
  r.site_code = "AIR-1";
  r.factor = "a34004";
  r.period = Period::kHour;
  r.from = from;
  r.to = to;
  r.comment = "test";
  return r;
}

std::vector<Reading> Hours() {
  std::vector<Reading> out;
  for (int h = 0; h < 4; ++h)
    out.push_back({"MN1", Period::kHour, kDay + h * 3600, "a34004", "Avg", std::to_string(30 + h),
                   h == 3 ? 'D' : 'N'});
  return out;
}

TEST(Review, ValidateNamesWhatIsWrong) {
  struct Case {
    std::function<void(Review*)> edit;
    const char* why;  // "" when valid
  } cases[] = {
      {[](Review*) {}, ""},
      {[](Review* r) { r->action = "delete"; }, "action must be"},
      {[](Review* r) { r->to = r->from; }, "from must be before to"},
      {[](Review* r) { r->action = "invalidate"; }, "needs its reason"},
      {[](Review* r) { r->action = "invalidate", r->reason = "aliens"; }, "needs its reason"},
      {[](Review* r) { r->action = "invalidate", r->reason = "calibration"; }, ""},
      {[](Review* r) { r->action = "correct", r->value = "31.5"; }, "one value"},
      {[](Review* r) { r->action = "correct", r->value = "31.5", r->to = r->from + 3600; }, ""},
      {[](Review* r) { r->action = "correct", r->value = "abc", r->to = r->from + 3600; },
       "decimal"},
      {[](Review* r) { r->period = Period::kRealtime; }, "period must be"},
      {[](Review* r) { r->to = r->from + 400 * 86400; }, "at most a year"},
  };
  for (const auto& c : cases) {
    Review r = Make("confirm", kDay, kDay + 86400);
    c.edit(&r);
    Status s = Validate(r);
    if (std::string(c.why).empty()) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else {
      EXPECT_NE(s.message().find(c.why), std::string::npos) << s.ToString() << " / " << c.why;
    }
  }
}

TEST(Review, PlanKeepsTheOriginalBesideTheResult) {
  Review inv = Make("invalidate", kDay + 3600, kDay + 3 * 3600);
  inv.reason = "maintenance";
  auto plan = Plan(inv, Hours());
  ASSERT_EQ(plan.size(), 2u);  // hours 1 and 2 only
  EXPECT_EQ(plan[0],
            (ReviewedValue{"MN1", Period::kHour, "a34004", kDay + 3600, "31", 'N', "31", 'M'}));
  Review cor = Make("correct", kDay + 3 * 3600, kDay + 4 * 3600);
  cor.value = "33.50";
  plan = Plan(cor, Hours());
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].old_value, "33");
  EXPECT_EQ(plan[0].old_flag, 'D');
  EXPECT_EQ(plan[0].new_value, "33.50");
  EXPECT_EQ(plan[0].new_flag, 'N');  // a corrected value is valid
  plan = Plan(Make("confirm", kDay, kDay + 86400), Hours());
  ASSERT_EQ(plan.size(), 4u);
  for (const auto& v : plan) {
    EXPECT_EQ(v.new_value, v.old_value);
    EXPECT_EQ(v.new_flag, v.old_flag);
  }
  for (const auto& [reason, flag] : std::vector<std::pair<const char*, char>>{
           {"calibration", 'C'}, {"fault", 'D'}, {"power", 'P'}, {"event", 'I'}})
    EXPECT_EQ(ReasonFlag(reason), flag) << reason;
}

using Backend = store::BackendOf<ReviewStore>;

std::unique_ptr<ReviewStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteReviewStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<ReviewStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresReviewStore(url);
}

class ReviewStoreContract : public store::ContractFixture<ReviewStore> {};

TEST_P(ReviewStoreContract, ReviewsKeepWhatTheyChangedAcrossARestart) {
  Review r = Make("invalidate", kDay, kDay + 7200);
  r.reason = "calibration";
  r.requested_by = "user:3";
  r.requested_at = kDay + 86400;
  r.status = "applied";
  r.decided_by = "user:3";
  r.decided_at = kDay + 86400;
  std::vector<ReviewedValue> values = {
      {"MN1", Period::kHour, "a34004", kDay, "30", 'N', "30", 'C'},
      {"MN1", Period::kHour, "a34004", kDay + 3600, "31", 'N', "31", 'C'}};
  auto id = store_->Add(r, values);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Review pending = Make("correct", kDay, kDay + 3600);
  pending.value = "29";
  pending.status = "pending";
  pending.requested_by = "user:4";
  auto pid = store_->Add(pending, {});
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  Restart();
  auto got = store_->Get(*id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  r.id = *id;
  EXPECT_EQ(*got, r);
  auto vals = store_->Values(*id);
  ASSERT_TRUE(vals.ok());
  EXPECT_EQ(*vals, values);
  auto latest = store_->LatestFor("MN1", Period::kHour, "a34004", kDay);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->first.id, *id);  // the pending one changed nothing yet
  EXPECT_EQ((*latest)->second.old_value, "30");

  std::vector<ReviewedValue> corrected = {
      {"MN1", Period::kHour, "a34004", kDay, "30", 'C', "29", 'N'}};
  ASSERT_TRUE(store_->Decide(*pid, "applied", "user:5", kDay + 90000, corrected).ok());
  Status twice = store_->Decide(*pid, "refused", "user:5", kDay + 90000, {});
  EXPECT_EQ(twice.code(), Code::kConflict) << twice.ToString();
  EXPECT_EQ(store_->Decide(*pid + 100, "applied", "user:5", 0, {}).code(), Code::kNotFound);
  latest = store_->LatestFor("MN1", Period::kHour, "a34004", kDay);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->first.id, *pid);
  EXPECT_EQ((*latest)->first.decided_by, "user:5");
  EXPECT_EQ((*latest)->second.new_value, "29");
  latest = store_->LatestFor("MN1", Period::kHour, "a34004", kDay + 7200);
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
  auto list = store_->List(0, SIZE_MAX);  // unbounded, as db migrate counts
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, *pid);
}

TEST_P(ReviewStoreContract, ADayIsClosedOnce) {
  ASSERT_TRUE(store_->CloseDay({kDay, "user:3", kDay + 86400}).ok());
  ASSERT_TRUE(store_->CloseDay({kDay + 2 * 86400, "user:3", kDay + 86400}).ok());
  EXPECT_EQ(store_->CloseDay({kDay, "user:4", kDay + 86400}).code(), Code::kConflict);
  Restart();
  auto days = store_->ClosedDays(kDay, kDay + 2 * 86400);
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ(days->front(), (ClosedDay{kDay, "user:3", kDay + 86400}));
  days = store_->ClosedDays(kDay - 86400, kDay + 3 * 86400);
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(days->size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReviewStoreContract,
                         testing::Values(Backend{"sqlite", OpenSqlite},
                                         store::pg::PostgresBackend<ReviewStore>(OpenPostgres)),
                         store::BackendName<ReviewStore>);

}  // namespace
}  // namespace ecohub::review
