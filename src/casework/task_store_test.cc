// The TaskStore contract, run against every backend: tasks and grids come back as
// they were saved (across a restart), lists filter and page, changes are all or none
// and refused when stale, grid codes are unique.
#include "casework/task_store.h"

#include <gtest/gtest.h>

#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"

namespace ecohub::casework {
namespace {

constexpr UnixSeconds kT0 = 1796000000;  // 2026-11-30 Beijing

Task Visit(int64_t district, int64_t grid, UnixSeconds at) {
  Task t;
  t.source = TaskSource::kComplaint;
  t.source_ref = "17";
  t.title = "核查群众举报：烟囱冒黑烟";
  t.description = "雁栖镇东侧工厂，傍晚时段";
  t.lon = 116.63;
  t.lat = 40.32;
  t.address = "怀柔区雁栖镇";
  t.district_id = district;
  t.grid_id = grid;
  t.created_at = at;
  t.due_at = at + 2 * 86400;
  t.checklist = {{"烟囱排放是否可见黑烟", false, ""}, {"治污设施是否运行", false, ""}};
  return t;
}

TaskEvent Created(UnixSeconds at) { return {0, at, TaskStep::kCreate, "user:3", "由举报生成"}; }

using Backend = store::BackendOf<TaskStore>;

std::unique_ptr<TaskStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteTaskStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<TaskStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresTaskStore(url);
}

class TaskStoreContract : public store::ContractFixture<TaskStore> {};

TEST_P(TaskStoreContract, TasksComeBackAsAddedAcrossARestart) {
  Task a = Visit(3, 5, kT0);
  Task b = Visit(3, 0, kT0 + 60);
  b.lon.reset();
  b.lat.reset();
  b.checklist.clear();
  b.source = TaskSource::kSupervision;
  b.source_ref.clear();
  auto added = store_->Add(a, Created(kT0));
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  auto second = store_->Add(b, Created(kT0 + 60));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_LT(added->id, second->id);
  EXPECT_EQ(added->version, 1);
  Restart();
  auto got = store_->Get(added->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->title, a.title);
  EXPECT_EQ(got->source, TaskSource::kComplaint);
  EXPECT_EQ(got->source_ref, "17");
  EXPECT_EQ(got->lon, a.lon);
  EXPECT_EQ(got->lat, a.lat);
  EXPECT_EQ(got->grid_id, 5);
  EXPECT_EQ(got->status, TaskStatus::kOpen);
  EXPECT_EQ(got->due_at, a.due_at);
  EXPECT_EQ(got->checklist, a.checklist);
  EXPECT_EQ(got->record, FieldRecord{});
  auto plain = store_->Get(second->id);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->lon.has_value());
  EXPECT_TRUE(plain->checklist.empty());
  EXPECT_EQ(plain->source, TaskSource::kSupervision);
  EXPECT_EQ(store_->Get(second->id + 100).status().code(), Code::kNotFound);
  auto events = store_->Events(added->id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().step, TaskStep::kCreate);
  EXPECT_EQ(events->front().task_id, added->id);
  EXPECT_EQ(events->front().text, "由举报生成");
}

TEST_P(TaskStoreContract, ListsFilterAndPageNewestFirst) {
  // Six tasks: districts 3 (0-3) and 4 (4, 5); grid 5 (0, 4), 6 (1, 3) or none (2, 5);
  // two given to inspector 9.
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) {
    Task t = Visit(i < 4 ? 3 : 4, i % 3 == 2 ? 0 : 5 + i % 2, kT0 + i * 3600);
    if (i == 1 || i == 4) {
      t.assignee = 9;
      t.status = TaskStatus::kAssigned;
    }
    if (i == 5) t.status = TaskStatus::kClosed;
    if (i == 3) t.escalation = Escalation::kDistrict;
    if (i == 0) t.source_ref = "18";
    auto got = store_->Add(t, Created(t.created_at));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ids.push_back(got->id);
  }
  auto ids_of = [&](TaskFilter f) {
    std::vector<int64_t> out;
    auto r = store_->List(f);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok())
      for (const auto& t : *r) out.push_back(t.id);
    return out;
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(ids_of({}), (V{ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}));
  EXPECT_EQ(ids_of({.district_id = 4}), (V{ids[5], ids[4]}));
  EXPECT_EQ(ids_of({.grid_id = 0}), (V{ids[5], ids[2]}));
  EXPECT_EQ(ids_of({.grid_id = 6}), (V{ids[3], ids[1]}));
  EXPECT_EQ(ids_of({.assignee = 9}), (V{ids[4], ids[1]}));
  EXPECT_EQ(ids_of({.status = TaskStatus::kAssigned}), (V{ids[4], ids[1]}));
  EXPECT_EQ(ids_of({.active_only = true, .district_id = 4}), (V{ids[4]}));
  EXPECT_EQ(ids_of({.at_least = Escalation::kDistrict}), (V{ids[3]}));
  EXPECT_EQ(ids_of({.source = TaskSource::kComplaint, .source_ref = "18"}), (V{ids[0]}));
  EXPECT_TRUE(ids_of({.source = TaskSource::kAlarm, .source_ref = "18"}).empty());
  // Due at kT0 + 2 days + i hours: overdue two hours in, the closed one never.
  EXPECT_EQ(ids_of({.overdue_at = kT0 + 2 * 86400 + 7200}), (V{ids[2], ids[1], ids[0]}));
  EXPECT_EQ(ids_of({.overdue_at = kT0 + 9 * 86400}), (V{ids[4], ids[3], ids[2], ids[1], ids[0]}));
  // Pages: two at a time, below the last one seen.
  EXPECT_EQ(ids_of({.limit = 2}), (V{ids[5], ids[4]}));
  EXPECT_EQ(ids_of({.before = ids[4], .limit = 2}), (V{ids[3], ids[2]}));
}

TEST_P(TaskStoreContract, ChangesApplyAllOrNoneAndStaleOnesAreRefused) {
  auto a = store_->Add(Visit(3, 5, kT0), Created(kT0));
  auto b = store_->Add(Visit(3, 5, kT0 + 1), Created(kT0 + 1));
  ASSERT_TRUE(a.ok() && b.ok());
  // Assigned, then submitted with a record: everything comes back.
  Task assigned = *a;
  assigned.assignee = 9;
  assigned.status = TaskStatus::kAssigned;
  TaskChange assign{assigned, {{a->id, kT0 + 60, TaskStep::kAssign, "user:3", "给巡查员9"}}};
  ASSERT_TRUE(store_->Apply({&assign, 1}).ok());
  Task submitted = *store_->Get(a->id);
  EXPECT_EQ(submitted.version, 2);
  submitted.status = TaskStatus::kSubmitted;
  submitted.record = {"现场检查：未见黑烟，设施运行", 116.631, 40.321, kT0 + 7200};
  submitted.checklist[0].done = true;
  submitted.checklist[0].finding = "无黑烟";
  submitted.escalation = Escalation::kDistrict;
  TaskChange submit{submitted, {{a->id, kT0 + 7200, TaskStep::kSubmit, "user:9", ""}}};
  ASSERT_TRUE(store_->Apply({&submit, 1}).ok());
  Restart();
  auto got = store_->Get(a->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 3);
  EXPECT_EQ(got->status, TaskStatus::kSubmitted);
  EXPECT_EQ(got->record, submitted.record);
  EXPECT_EQ(got->checklist, submitted.checklist);
  EXPECT_EQ(got->escalation, Escalation::kDistrict);
  EXPECT_EQ(got->assignee, 9);
  // A change computed from version 2 is refused and nothing of its batch stays: b's
  // valid change goes with it.
  Task stale = submitted;  // still says version 2
  stale.status = TaskStatus::kClosed;
  Task other = *b;
  other.status = TaskStatus::kCancelled;
  TaskChange both[] = {{other, {{b->id, kT0 + 9000, TaskStep::kCancel, "user:3", "重复"}}},
                       {stale, {{a->id, kT0 + 9000, TaskStep::kApprove, "user:3", ""}}}};
  Status s = store_->Apply(both);
  EXPECT_EQ(s.code(), Code::kConflict);
  EXPECT_NE(s.message().find(std::to_string(a->id)), std::string::npos);
  EXPECT_EQ(store_->Get(b->id)->status, TaskStatus::kOpen);
  EXPECT_EQ(store_->Get(a->id)->status, TaskStatus::kSubmitted);
  auto events = store_->Events(a->id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);  // create, assign, submit: not the refused approval
  EXPECT_EQ((*events)[1].text, "给巡查员9");
  EXPECT_EQ((*events)[2].step, TaskStep::kSubmit);
  EXPECT_EQ(store_->Events(b->id)->size(), 1u);
  // Every task's lines in the order written, from any line on.
  auto all = store_->StepsAfter(0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  for (size_t i = 1; i < all->size(); ++i) EXPECT_GT((*all)[i].id, (*all)[i - 1].id);
  EXPECT_EQ((*all)[2].task_id, a->id);
  EXPECT_EQ((*all)[2].step, TaskStep::kAssign);
  EXPECT_EQ((*all)[2].id, (*events)[1].id);
  auto later = store_->StepsAfter((*all)[1].id, 1);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ(later->front().id, (*all)[2].id);
}

TEST_P(TaskStoreContract, GridsKeepTheirInspectorsAndUniqueCodes) {
  const std::string square =
      R"({"type":"Polygon","coordinates":[[[116.6,40.3],[116.7,40.3],[116.7,40.4],[116.6,40.3]]]})";
  Grid g{0, 3, "HR-01", "雁栖镇一网格", square, {9, 12}, true, 0};
  auto added = store_->AddGrid(g);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->version, 1);
  auto second = store_->AddGrid({0, 2, "AA-01", "一网格", square, {}, true, 0});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(store_->AddGrid({0, 4, "HR-01", "重复", square, {}, true, 0}).status().code(),
            Code::kConflict);
  Restart();
  auto all = store_->Grids();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].code, "AA-01");  // by district, then code
  g.id = added->id;
  g.version = 1;
  EXPECT_EQ((*all)[1], g);
  // Saved from its version: the inspectors change, the version moves on.
  Grid changed = (*all)[1];
  changed.inspectors = {12};
  changed.active = false;
  auto saved = store_->SaveGrid(changed);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->version, 2);
  EXPECT_EQ(saved->inspectors, std::vector<int64_t>{12});
  EXPECT_FALSE(saved->active);
  // From the old version, or to another grid's code: refused, nothing changed.
  EXPECT_EQ(store_->SaveGrid(changed).status().code(), Code::kConflict);
  Grid taken = *saved;
  taken.code = "AA-01";
  EXPECT_EQ(store_->SaveGrid(taken).status().code(), Code::kConflict);
  EXPECT_EQ((*store_->Grids())[1], *saved);
}

TEST_P(TaskStoreContract, DrawsArePublishedOnceWithTheirTasks) {
  DrawRecord d{0,  "2026年第四季度双随机抽查", 3, R"({"seed":"x"})", R"({"picks":[]})", "user:3",
               kT0};
  auto added = store_->AddDraw(d);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->version, 1);
  EXPECT_EQ(added->published_at, 0);
  auto second = store_->AddDraw(d);
  ASSERT_TRUE(second.ok());
  DrawRecord publish = *added;
  publish.published_at = kT0 + 60;
  publish.due_at = kT0 + 30 * 86400;
  Task visit = Visit(3, 0, kT0 + 60);
  visit.source = TaskSource::kPlan;
  visit.source_ref = "draw:" + std::to_string(added->id);
  TaskChange made{visit, {Created(kT0 + 60), {0, kT0 + 60, TaskStep::kAssign, "system", "派给"}}};
  ASSERT_TRUE(store_->PublishDraw(publish, {&made, 1}).ok());
  // Published once: the same version again is stale, and made no second task.
  EXPECT_EQ(store_->PublishDraw(publish, {&made, 1}).code(), Code::kConflict);
  Restart();
  auto got = store_->GetDraw(added->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->title, d.title);
  EXPECT_EQ(got->input, d.input);
  EXPECT_EQ(got->result, d.result);
  EXPECT_EQ(got->published_at, kT0 + 60);
  EXPECT_EQ(got->due_at, kT0 + 30 * 86400);
  EXPECT_EQ(got->version, 2);
  auto tasks = store_->List({.source = TaskSource::kPlan, .source_ref = visit.source_ref});
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  auto lines = store_->Events(tasks->front().id);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[1].step, TaskStep::kAssign);
  auto published = store_->Draws(true, 0, 10);
  ASSERT_TRUE(published.ok());
  ASSERT_EQ(published->size(), 1u);
  EXPECT_EQ(published->front().id, added->id);
  auto all = store_->Draws(false, 0, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->front().id, second->id);  // newest first
  auto older = store_->Draws(false, second->id, 10);
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 1u);
  EXPECT_EQ(store_->GetDraw(9999).status().code(), Code::kNotFound);
}

TEST_P(TaskStoreContract, AStalePublicationWritesNoTaskAndLeavesTheDrawUnpublished) {
  auto added = store_->AddDraw({0, "抽查", 3, "{}", "{}", "user:3", kT0});
  ASSERT_TRUE(added.ok());
  DrawRecord publish = *added;
  publish.published_at = kT0 + 60;
  Task good = Visit(3, 0, kT0);
  good.source = TaskSource::kPlan;
  good.source_ref = "draw:" + std::to_string(added->id);
  publish.version = 7;  // read before a change that never reached us
  TaskChange made{good, {Created(kT0)}};
  EXPECT_EQ(store_->PublishDraw(publish, {&made, 1}).code(), Code::kConflict);
  auto tasks = store_->List({.source = TaskSource::kPlan, .source_ref = good.source_ref});
  ASSERT_TRUE(tasks.ok());
  EXPECT_TRUE(tasks->empty());
  auto got = store_->GetDraw(added->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->published_at, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, TaskStoreContract,
                         testing::Values(Backend{"sqlite", OpenSqlite},
                                         store::pg::PostgresBackend<TaskStore>(OpenPostgres)),
                         store::BackendName<TaskStore>);

}  // namespace
}  // namespace ecohub::casework
