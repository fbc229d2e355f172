// The grid and task routes over real stores and a settable clock: grids checked and
// saved from their version, a complaint and an alarm turned into tasks routed to the
// grid covering their place, the inspector's record and the district's review, who
// may take which step, bad input named, and past-due tasks escalated by the clock.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/route_test_support.h"
#include "casework/complaint_store.h"
#include "casework/task_escalation.h"
#include "casework/task_store.h"
#include "crypto/keyring.h"
#include "crypto/sealer.h"
#include "store/sqlite_store.h"

namespace ecohub::api {
namespace {

using nlohmann::json;

constexpr UnixSeconds kNow = 1796000000;  // 2026-11-30 08:53 Beijing

json Box(double west, double south, double east, double north) {
  return {{"type", "Polygon"},
          {"coordinates",
           {{{west, south}, {east, south}, {east, north}, {west, north}, {west, south}}}}};
}

class TaskRoutesTest : public RouteTest {
 protected:
  void SetUp() override {
    clock_.SetWallSeconds(kNow);
    OpenFolder("ecohub_task_routes_");
    auto st = store::OpenSqliteStore(dir_.string(), {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    auto cs = casework::OpenSqliteComplaintStore(dir_.string());
    ASSERT_TRUE(cs.ok()) << cs.status().ToString();
    complaints_ = std::move(*cs);
    auto ts = casework::OpenSqliteTaskStore(dir_.string());
    ASSERT_TRUE(ts.ok()) << ts.status().ToString();
    tasks_ = std::move(*ts);
    // 甲区 over [108, 109] × [34, 35], 乙区 east of it.
    district_a_ =
        *store_->PutDistrict({0, "610402", "甲区", 108.5, 34.5, Box(108, 34, 109, 35).dump()});
    district_b_ =
        *store_->PutDistrict({0, "610403", "乙区", 109.5, 34.5, Box(109, 34, 110, 35).dump()});
    auto keys = crypto::KeyRing::Parse("k1:" + std::string(64, 'b'), "test");
    ASSERT_TRUE(keys.ok());
    ctx_.store = store_.get();
    ctx_.complaints = complaints_.get();
    ctx_.tasks = tasks_.get();
    ctx_.sealer =
        std::make_shared<const crypto::Sealer>(std::make_shared<const crypto::KeyRing>(*keys));
    ctx_.complaint_limiter = std::make_shared<RateLimiter>(RateLimitOptions{
        .per_second = 1, .burst = 100, .per_address_per_second = 1, .per_address_burst = 100});
    ctx_.sites = std::make_shared<SiteDirectory>(store_.get());
    Wire();
    admin_ = Token("admin", auth::Role::kAdmin, 0, 0);
    staff_a_ = Token("staff_a", auth::Role::kStaff, district_a_, 0);
    staff_b_ = Token("staff_b", auth::Role::kStaff, district_b_, 0);
    leader_ = Token("leader", auth::Role::kLeader, 0, 0);
    leader_b_ = Token("leader_b", auth::Role::kLeader, district_b_, 0);
    west_ = Token("west", auth::Role::kInspector, district_a_, 0);
    east_ = Token("east", auth::Role::kInspector, district_a_, 0);
    other_ = Token("other", auth::Role::kInspector, district_b_, 0);
    west_id_ = Id("west");
    east_id_ = Id("east");
    other_id_ = Id("other");
  }
  void TearDown() override {
    api_.reset();
    tasks_.reset();
    complaints_.reset();
    store_.reset();
    CloseFolder();
  }

  int64_t Id(const std::string& name) { return accounts_->FindUser(name)->id; }
  static json Body(const Response& r) { return json::parse(r.body, nullptr, false); }

  // 甲区's two grids: west (inspector `west`) and east (inspector `east`).
  void TwoGrids() {
    auto w = Call("POST", "/api/v1/grids", staff_a_,
                  {{"district_id", district_a_},
                   {"code", "JA-01"},
                   {"name", "甲区西网格"},
                   {"geometry", Box(108, 34, 108.5, 35)},
                   {"inspectors", {west_id_}}});
    ASSERT_EQ(w.status, 201) << w.body;
    west_grid_ = Body(w)["id"];
    auto e = Call("POST", "/api/v1/grids", staff_a_,
                  {{"district_id", district_a_},
                   {"code", "JA-02"},
                   {"name", "甲区东网格"},
                   {"geometry", Box(108.5, 34, 109, 35)},
                   {"inspectors", {east_id_}}});
    ASSERT_EQ(e.status, 201) << e.body;
    east_grid_ = Body(e)["id"];
  }

  std::string Due(int64_t seconds_from_now) const {
    return FormatRfc3339Beijing(clock_.WallSeconds() + seconds_from_now);
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<casework::ComplaintStore> complaints_;
  std::unique_ptr<casework::TaskStore> tasks_;
  int64_t district_a_ = 0, district_b_ = 0, west_grid_ = 0, east_grid_ = 0;
  int64_t west_id_ = 0, east_id_ = 0, other_id_ = 0;
  std::string admin_, staff_a_, staff_b_, leader_, leader_b_, west_, east_, other_;
};

TEST_F(TaskRoutesTest, GridsAreCheckedSavedFromTheirVersionAndSeenInScope) {
  TwoGrids();
  // Another district's staff, a bad polygon, a stranger as inspector, a taken code.
  json grid = {{"district_id", district_a_},
               {"code", "JA-03"},
               {"name", "甲区北网格"},
               {"geometry", Box(108, 34.5, 109, 35)}};
  EXPECT_EQ(Call("POST", "/api/v1/grids", staff_b_, grid).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/grids", west_, grid).status, 403);
  json line = grid;
  line["geometry"] = {{"type", "LineString"}, {"coordinates", {{108, 34}, {109, 35}}}};
  auto bad = Call("POST", "/api/v1/grids", staff_a_, line);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("geometry"), std::string::npos);
  json stranger = grid;
  stranger["inspectors"] = {other_id_};
  EXPECT_EQ(Call("POST", "/api/v1/grids", staff_a_, stranger).status, 400);
  json taken = grid;
  taken["code"] = "JA-01";
  EXPECT_EQ(Call("POST", "/api/v1/grids", staff_a_, taken).status, 409);
  json noname = grid;
  noname.erase("name");
  EXPECT_EQ(Call("POST", "/api/v1/grids", staff_a_, noname).status, 400);
  // Saved from the version read: a second save from the same version is refused.
  std::string path = "/api/v1/grids/" + std::to_string(west_grid_);
  auto saved = Call("PUT", path, staff_a_, {{"inspectors", {west_id_, east_id_}}, {"version", 1}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(Body(saved)["version"], 2);
  EXPECT_EQ(Body(saved)["inspectors"].size(), 2u);
  EXPECT_EQ(Call("PUT", path, staff_a_, {{"name", "改名"}, {"version", 1}}).status, 409);
  EXPECT_EQ(Call("PUT", path, staff_b_, {{"name", "改名"}, {"version", 2}}).status, 403);
  // Who sees which: the district's staff both, an inspector the grids they work in,
  // another district's inspector none, the public nothing.
  auto list = [&](const std::string& who) {
    return Body(Call("GET", "/api/v1/grids", who))["items"].size();
  };
  EXPECT_EQ(list(staff_a_), 2u);
  EXPECT_EQ(list(admin_), 2u);
  EXPECT_EQ(list(east_), 2u);  // now in both
  EXPECT_EQ(list(other_), 0u);
  EXPECT_EQ(list(staff_b_), 0u);
  EXPECT_EQ(Call("GET", "/api/v1/grids", "").status, 401);
}

TEST_F(TaskRoutesTest, AComplaintBecomesATaskOfItsGridThatTheInspectorRecordsAndTheDistrictCloses) {
  TwoGrids();
  Request r;
  r.method = "POST";
  r.path = "/api/v1/public/complaints";
  r.peer = "10.0.0.1";
  r.body = json{
      {"category", "air"},
      {"description", "工厂烟囱冒黑烟，气味刺鼻"},
      {"lon", 108.3},
      {"lat",
       34.6}}.dump();
  ASSERT_EQ(router_.Dispatch(r).status, 201);
  int64_t complaint = complaints_->List({})->front().id;
  json from = {{"source", "complaint"},
               {"source_ref", std::to_string(complaint)},
               {"due_at", Due(2 * 86400)},
               {"checklist", {"烟囱排放是否可见黑烟", "治污设施是否运行"}}};
  // Another district's staff may not; the district's may.
  EXPECT_EQ(Call("POST", "/api/v1/tasks", staff_b_, from).status, 403);
  auto made = Call("POST", "/api/v1/tasks", staff_a_, from);
  ASSERT_EQ(made.status, 201) << made.body;
  json t = Body(made);
  EXPECT_EQ(t["title"], "核查举报：大气污染");
  EXPECT_EQ(t["district"], "甲区");
  EXPECT_EQ(t["grid_id"], west_grid_);  // (108.3, 34.6) is in the west grid
  EXPECT_EQ(t["status"], "open");
  EXPECT_EQ(t["description"], "工厂烟囱冒黑烟，气味刺鼻");
  EXPECT_EQ(Call("POST", "/api/v1/tasks", staff_a_, from).status, 409);  // one open task
  std::string path = "/api/v1/tasks/" + std::to_string(t["id"].get<int64_t>());
  // The west grid's inspector sees it; the east one and another district's do not.
  EXPECT_EQ(Call("GET", path, west_).status, 200);
  EXPECT_EQ(Call("GET", path, east_).status, 403);
  EXPECT_EQ(Call("GET", path, other_).status, 403);
  EXPECT_EQ(Body(Call("GET", "/api/v1/tasks", west_))["items"].size(), 1u);
  EXPECT_EQ(Body(Call("GET", "/api/v1/tasks", east_))["items"].size(), 0u);
  // Inspectors do not give tasks; staff give it to someone of the district only.
  EXPECT_EQ(Call("POST", path + "/assign", west_, {{"assignee", west_id_}}).status, 403);
  EXPECT_EQ(Call("POST", path + "/assign", staff_a_, {{"assignee", other_id_}}).status, 400);
  ASSERT_EQ(Call("POST", path + "/assign", staff_a_, {{"assignee", west_id_}}).status, 200);
  // The record: only its inspector, the checklist one entry per line.
  json record = {{"text", "现场检查：未见黑烟，除尘设施运行正常"},
                 {"lon", 108.301},
                 {"lat", 34.601},
                 {"checklist", {{{"done", true}, {"finding", "无黑烟"}}, {{"done", true}}}}};
  EXPECT_EQ(Call("POST", path + "/submit", east_, record).status, 403);
  json short_list = record;
  short_list["checklist"] = {{{"done", true}}};
  EXPECT_EQ(Call("POST", path + "/submit", west_, short_list).status, 400);
  clock_.SetWallSeconds(kNow + 3600);
  west_ = Login("west");  // the morning's sessions have lapsed
  staff_a_ = Login("staff_a");
  auto submitted = Call("POST", path + "/submit", west_, record);
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(Body(submitted)["status"], "submitted");
  EXPECT_EQ(Body(submitted)["record"]["lon"], 108.301);
  EXPECT_EQ(Body(submitted)["checklist"][0]["finding"], "无黑烟");
  // The inspector does not approve their own record; the district returns it, the
  // inspector submits again, the district closes it.
  EXPECT_EQ(Call("POST", path + "/approve", west_, json::object()).status, 403);
  EXPECT_EQ(Call("POST", path + "/return", staff_a_, {{"reason", "x"}}).status, 400);
  ASSERT_EQ(Call("POST", path + "/return", staff_a_, {{"reason", "请补充设施运行记录照片"}}).status,
            200);
  ASSERT_EQ(Call("POST", path + "/submit", west_, record).status, 200);
  auto closed = Call("POST", path + "/approve", staff_a_, {{"note", "属实处理完毕"}});
  ASSERT_EQ(closed.status, 200) << closed.body;
  json done = Body(closed);
  EXPECT_EQ(done["status"], "closed");
  EXPECT_EQ(Call("POST", path + "/approve", staff_a_, json::object()).status, 409);
  std::vector<std::string> steps;
  for (const auto& e : done["timeline"]) steps.push_back(e["event"]);
  EXPECT_EQ(steps, (std::vector<std::string>{"create", "assign", "submit", "return", "submit",
                                             "approve"}));
  EXPECT_EQ(done["timeline"][1]["actor_name"], "staff_a");
  // Closed, the complaint may get a new task.
  EXPECT_EQ(Call("POST", "/api/v1/tasks", staff_a_, from).status, 201);
}

TEST_F(TaskRoutesTest, AnExceedanceBecomesATaskAtItsSite) {
  TwoGrids();
  registry::Site site;
  site.code = "OUT-1";
  site.name = "某化工厂1号排口";
  site.kind = registry::SiteKind::kOutletWater;
  site.district_id = district_a_;
  site.lon = 108.8;
  site.lat = 34.2;
  int64_t site_id = *store_->PutSite(site);
  store::Alarm a;
  a.key = "exceedance:OUT-1:w01018";
  a.kind = "exceedance";
  a.site_id = site_id;
  a.site_code = "OUT-1";
  a.district_id = district_a_;
  a.factor = "w01018";
  a.started = kNow - 3600;
  a.value = 120;
  a.limit = 100;
  ASSERT_TRUE(store_->UpsertAlarms({&a, 1}).ok());
  ctx_.sites->Invalidate();
  int64_t alarm = store_->QueryAlarms({})->front().id;
  auto made = Call("POST", "/api/v1/tasks", staff_a_,
                   {{"source", "alarm"},
                    {"source_ref", std::to_string(alarm)},
                    {"due_at", Due(86400)},
                    {"assignee", east_id_}});
  ASSERT_EQ(made.status, 201) << made.body;
  json t = Body(made);
  EXPECT_EQ(t["title"], "核查超标：某化工厂1号排口");
  EXPECT_EQ(t["grid_id"], east_grid_);  // the outlet is in the east grid
  EXPECT_EQ(t["lon"], 108.8);
  EXPECT_EQ(t["status"], "assigned");
  EXPECT_EQ(t["assignee_name"], "east");
  EXPECT_EQ(t["timeline"].size(), 2u);  // create, assign
  EXPECT_EQ(Call("POST", "/api/v1/tasks", staff_a_,
                 {{"source", "alarm"}, {"source_ref", "999999"}, {"due_at", Due(86400)}})
                .status,
            404);
}

TEST_F(TaskRoutesTest, LeadersOrderTasksAndOnlyRead) {
  json order = {{"source", "supervision"},
                {"title", "督办：甲区扬尘问题整改"},
                {"district_id", district_a_},
                {"due_at", Due(7 * 86400)}};
  auto made = Call("POST", "/api/v1/tasks", leader_, order);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(Body(made)["source_name"], "督办");
  EXPECT_EQ(Call("POST", "/api/v1/tasks", leader_b_, order).status, 403);  // not their district
  EXPECT_EQ(Call("POST", "/api/v1/tasks", staff_a_, order).status, 403);   // staff do not order
  json manual = order;
  manual["source"] = "manual";
  EXPECT_EQ(Call("POST", "/api/v1/tasks", leader_, manual).status, 403);
  std::string path = "/api/v1/tasks/" + std::to_string(Body(made)["id"].get<int64_t>());
  EXPECT_EQ(Call("GET", path, leader_).status, 200);
  EXPECT_EQ(Call("GET", path, leader_b_).status, 403);
  EXPECT_EQ(Call("POST", path + "/cancel", leader_, {{"reason", "不需要了"}}).status, 403);
  EXPECT_EQ(Call("POST", path + "/cancel", staff_a_, {{"reason", "已由其他部门处理"}}).status, 200);
}

TEST_F(TaskRoutesTest, BadInputIsNamedAndNothingIsStored) {
  TwoGrids();
  json base = {{"title", "巡查：河道排污口"}, {"district_id", district_a_}, {"due_at", Due(86400)}};
  struct Case {
    const char* what;
    json change;
    const char* says;
  };
  const Case cases[] = {
      {"no due time", {{"due_at", nullptr}}, "due_at"},
      {"due in the past", {{"due_at", Due(-60)}}, "due_at"},
      {"a plan by hand", {{"source", "plan"}}, "source"},
      {"an unknown field", {{"priority", 1}}, "priority"},
      {"a title of one character", {{"title", "巡"}}, "title"},
      {"half a place", {{"lon", 108.2}}, "lon, lat"},
      {"another district's grid", {{"grid_id", 999}}, "grid_id"},
      {"a stranger as assignee", {{"assignee", other_id_}}, "assignee"},
      {"a ref without a source", {{"source_ref", "12"}}, "source_ref"},
      {"no district anywhere", {{"district_id", 0}}, "district_id"},
  };
  for (const auto& c : cases) {
    json body = base;
    for (const auto& [k, v] : c.change.items()) body[k] = v;
    auto r = Call("POST", "/api/v1/tasks", admin_, body);
    EXPECT_EQ(r.status, 400) << c.what << ": " << r.body;
    EXPECT_NE(r.body.find(c.says), std::string::npos) << c.what << ": " << r.body;
  }
  EXPECT_TRUE(tasks_->List({})->empty());
  auto fine = Call("POST", "/api/v1/tasks", admin_, base);
  EXPECT_EQ(fine.status, 201) << fine.body;
  EXPECT_EQ(Call("GET", "/api/v1/tasks", admin_, nullptr, {{"status", "done"}}).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/tasks/abc", admin_).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/tasks/999", admin_).status, 404);
}

TEST_F(TaskRoutesTest, PastDueTasksEscalateToTheDistrictThenTheCityByTheClock) {
  auto made =
      Call("POST", "/api/v1/tasks", staff_a_,
           {{"title", "核查夜间施工噪声"}, {"district_id", district_a_}, {"due_at", Due(86400)}});
  ASSERT_EQ(made.status, 201) << made.body;
  int64_t id = Body(made)["id"];
  const int64_t to_city = 24 * 3600;
  auto escalated = [&] {
    return Body(Call("GET", "/api/v1/tasks", staff_a_, nullptr, {{"escalated", "true"}}))["items"];
  };
  // A second before the due time: nothing.
  auto none = casework::EscalateOverdue(*tasks_, kNow + 86400 - 1, to_city);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(escalated().empty());
  // Due: the district's head.
  clock_.SetWallSeconds(kNow + 86400);
  staff_a_ = Login("staff_a");
  auto first = casework::EscalateOverdue(*tasks_, clock_.WallSeconds(), to_city);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().escalation, casework::Escalation::kDistrict);
  ASSERT_EQ(escalated().size(), 1u);
  EXPECT_EQ(escalated()[0]["escalation"], "district");
  EXPECT_EQ(escalated()[0]["overdue"], true);
  // The next pass a minute later changes nothing; a day past due, the city.
  EXPECT_TRUE(casework::EscalateOverdue(*tasks_, kNow + 86400 + 60, to_city)->empty());
  clock_.SetWallSeconds(kNow + 2 * 86400);
  staff_a_ = Login("staff_a");
  ASSERT_EQ(casework::EscalateOverdue(*tasks_, clock_.WallSeconds(), to_city)->size(), 1u);
  json t = Body(Call("GET", "/api/v1/tasks/" + std::to_string(id), staff_a_));
  EXPECT_EQ(t["escalation"], "city");
  ASSERT_EQ(t["timeline"].size(), 3u);
  EXPECT_EQ(t["timeline"][1]["event"], "escalate");
  EXPECT_EQ(t["timeline"][2]["actor_name"], "系统");
  // Closed tasks are left alone.
  ASSERT_EQ(Call("POST", "/api/v1/tasks/" + std::to_string(id) + "/cancel", staff_a_,
                 {{"reason", "已由其他部门处理"}})
                .status,
            200);
  EXPECT_TRUE(casework::EscalateOverdue(*tasks_, kNow + 9 * 86400, to_city)->empty());
}

}  // namespace
}  // namespace ecohub::api
