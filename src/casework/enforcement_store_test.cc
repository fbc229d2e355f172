// The EnforcementStore contract, run against every backend: cases come back as they
// were recorded (across a restart), lists filter and page, changes are all or none and
// refused when stale, and the time line keeps every step in order.
#include "casework/enforcement_store.h"

#include <gtest/gtest.h>

#include <tuple>

#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"

namespace ecohub::casework {
namespace {

constexpr UnixSeconds kT0 = 1796000000;

EnforcementCase Inspection(int64_t enterprise, int64_t district, bool violation) {
  EnforcementCase c;
  c.enterprise_id = enterprise;
  c.district_id = district;
  c.task_id = 9;
  c.inspected_at = kT0 - 3600;
  c.officers = {11, 12};
  c.items = {{"排污许可证执行情况", true, ""}, {"除尘设施运行", !violation, "停运"}};
  c.findings = "现场检查情况";
  c.violation = violation;
  c.violation_text = violation ? "未正常运行污染防治设施" : "";
  c.legal_basis = violation ? "大气污染防治法第一百零八条" : "";
  c.status = OpeningStatus(c);
  c.created_at = kT0;
  return c;
}

CaseEvent Recorded() { return {0, kT0, CaseStep::kRecord, "user:11", "现场检查"}; }

using Backend = store::BackendOf<EnforcementStore>;

std::unique_ptr<EnforcementStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteEnforcementStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<EnforcementStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresEnforcementStore(url);
}

class EnforcementStoreContract : public store::ContractFixture<EnforcementStore> {};

TEST_P(EnforcementStoreContract, CasesComeBackAsRecordedAcrossARestart) {
  EnforcementCase a = Inspection(7, 3, true);
  auto added = store_->Add(a, Recorded());
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->version, 1);
  Restart();
  auto got = store_->Get(added->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  a.id = added->id;
  a.version = 1;
  EXPECT_EQ(*got, a);
  auto lines = store_->Events(added->id);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].step, CaseStep::kRecord);
  EXPECT_EQ(store_->Get(9999).status().code(), Code::kNotFound);
}

TEST_P(EnforcementStoreContract, ListsFilterAndPageNewestFirst) {
  std::vector<int64_t> ids;
  for (auto [e, d, v] : {std::tuple{7, 3, true}, {8, 3, false}, {7, 4, true}, {9, 4, false}}) {
    auto c = store_->Add(Inspection(e, d, v), Recorded());
    ASSERT_TRUE(c.ok());
    ids.push_back(c->id);
  }
  auto all = store_->List({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(all->front().id, ids[3]);
  auto of7 = store_->List({.enterprise_id = 7});
  ASSERT_TRUE(of7.ok());
  EXPECT_EQ(of7->size(), 2u);
  auto d3 = store_->List({.district_id = 3});
  ASSERT_TRUE(d3.ok());
  EXPECT_EQ(d3->size(), 2u);
  auto bad = store_->List({.status = CaseStatus::kViolation});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->size(), 2u);
  auto page = store_->List({.before = ids[2], .limit = 1});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().id, ids[1]);
  auto of_task = store_->List({.task_id = 9});
  ASSERT_TRUE(of_task.ok());
  EXPECT_EQ(of_task->size(), 4u);
}

TEST_P(EnforcementStoreContract, StepsApplyOnceAndStaleOnesAreRefused) {
  auto c = store_->Add(Inspection(7, 3, true), Recorded());
  ASSERT_TRUE(c.ok());
  EnforcementCase after = AfterCaseStep(
      *c, CaseStep::kPenalty, {.decision_no = "京环罚〔2026〕1号", .fine_fen = 5000000}, kT0 + 60);
  CaseChange ch{after, {{c->id, kT0 + 60, CaseStep::kPenalty, "user:12", "罚款5万元"}}};
  ASSERT_TRUE(store_->Apply({&ch, 1}).ok());
  EXPECT_EQ(store_->Apply({&ch, 1}).code(), Code::kConflict) << "the same version twice";
  Restart();
  auto got = store_->Get(c->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->decision_no, "京环罚〔2026〕1号");
  EXPECT_EQ(got->fine_fen, 5000000);
  EXPECT_EQ(got->decided_at, kT0 + 60);
  auto lines = store_->Events(c->id);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[1].step, CaseStep::kPenalty);
  EXPECT_EQ((*lines)[1].text, "罚款5万元");
  // All or none: a good change beside a stale one leaves both undone.
  auto other = store_->Add(Inspection(8, 3, true), Recorded());
  ASSERT_TRUE(other.ok());
  CaseChange good{AfterCaseStep(*other, CaseStep::kClose, {}, kT0 + 90), {}};
  CaseChange stale = ch;  // still at version 1
  CaseChange both[] = {good, stale};
  EXPECT_EQ(store_->Apply(both).code(), Code::kConflict);
  EXPECT_EQ(store_->Get(other->id)->status, CaseStatus::kViolation);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, EnforcementStoreContract,
    testing::Values(Backend{"sqlite", OpenSqlite},
                    store::pg::PostgresBackend<EnforcementStore>(OpenPostgres)),
    store::BackendName<EnforcementStore>);

}  // namespace
}  // namespace ecohub::casework
