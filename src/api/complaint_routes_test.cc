// The complaint routes over real stores and a settable clock: a complaint routed by
// its place and by its address, what the public may and may not read, the staff's
// steps and who may take them, a duplicate merged, the deadline passing, the flood
// limit, and the phone never in clear in the database file.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "api/route_test_support.h"
#include "casework/complaint_store.h"
#include "crypto/keyring.h"
#include "crypto/sealer.h"
#include "store/sqlite_store.h"

namespace ecohub::api {
namespace {

using nlohmann::json;

constexpr UnixSeconds kNow = 1796000000;  // 2026-11-30 08:53 Beijing
constexpr const char* kPhone = "13912345678";

std::string Square(double west, double south) {
  return json{{"type", "Polygon"},
              {"coordinates",
               {{{west, south},
                 {west + 1, south},
                 {west + 1, south + 1},
                 {west, south + 1},
                 {west, south}}}}}
      .dump();
}

class ComplaintRoutesTest : public RouteTest {
 protected:
  void SetUp() override {
    clock_.SetWallSeconds(kNow);
    OpenFolder("ecohub_complaint_routes_");
    auto st = store::OpenSqliteStore(dir_.string(), {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    auto cs = casework::OpenSqliteComplaintStore(dir_.string());
    ASSERT_TRUE(cs.ok()) << cs.status().ToString();
    complaints_ = std::move(*cs);
    // Two districts side by side: 甲区 over [108, 109] × [34, 35], 乙区 east of it.
    registry::District a{0, "610402", "甲区", 108.5, 34.5, Square(108, 34)};
    registry::District b{0, "610403", "乙区", 109.5, 34.5, Square(109, 34)};
    district_a_ = *store_->PutDistrict(a);
    district_b_ = *store_->PutDistrict(b);
    auto keys = crypto::KeyRing::Parse("k1:" + std::string(64, 'b'), "test");
    ASSERT_TRUE(keys.ok());
    ctx_.store = store_.get();
    ctx_.complaints = complaints_.get();
    ctx_.sealer =
        std::make_shared<const crypto::Sealer>(std::make_shared<const crypto::KeyRing>(*keys));
    ctx_.complaint_limiter =
        std::make_shared<RateLimiter>(RateLimitOptions{.per_second = 1,
                                                       .burst = 100,
                                                       .per_address_per_second = 1.0 / 3600,
                                                       .per_address_burst = 5});
    ctx_.sites = std::make_shared<SiteDirectory>(store_.get());
    ctx_.complaint_reply_days = {{"noise", 5}};  // as [complaints.reply_days] would set
    Wire();
    admin_ = Token("admin", auth::Role::kAdmin, 0, 0);
    staff_a_ = Token("staff_a", auth::Role::kStaff, district_a_, 0);
    staff_b_ = Token("staff_b", auth::Role::kStaff, district_b_, 0);
    leader_ = Token("leader", auth::Role::kLeader, 0, 0);
    inspector_ = Token("inspector", auth::Role::kInspector, district_a_, 0);
  }
  void TearDown() override {
    api_.reset();
    complaints_.reset();
    store_.reset();
    CloseFolder();
  }

  // Submits from `peer`; the response.
  Response Submit(json body, const std::string& peer = "10.0.0.1") {
    Request r;
    r.method = "POST";
    r.path = "/api/v1/public/complaints";
    r.peer = peer;
    r.body = body.dump();
    return router_.Dispatch(r);
  }
  json Smoke(double lon = 108.3, double lat = 34.6) const {
    return {{"category", "air"},
            {"description", "工厂烟囱冒黑烟，气味刺鼻"},
            {"lon", lon},
            {"lat", lat},
            {"phone", "139 1234 5678"}};
  }
  // The code of a complaint submitted from its own address.
  std::string Filed(json body) {
    Response r = Submit(std::move(body), "10.0.1." + std::to_string(++filed_));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["tracking_code"].get<std::string>() : "";
  }
  int64_t IdOf(const std::string& code) {
    auto c = complaints_->GetByCode(code);
    EXPECT_TRUE(c.ok());
    return c.ok() ? c->id : 0;
  }
  json Track(const std::string& code) {
    Response r = Call("GET", "/api/v1/public/complaints/" + code, "");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body) : json();
  }
  Response Step(const std::string& who, int64_t id, const std::string& step,
                json body = json::object()) {
    return Call("POST", "/api/v1/complaints/" + std::to_string(id) + "/" + step, who, body);
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<casework::ComplaintStore> complaints_;
  int64_t district_a_ = 0, district_b_ = 0;
  int filed_ = 0;
  std::string admin_, staff_a_, staff_b_, leader_, inspector_;
};

TEST_F(ComplaintRoutesTest, AComplaintGoesToTheDistrictCoveringItsPlaceOrNamedByItsAddress) {
  Response r = Submit(Smoke());
  ASSERT_EQ(r.status, 201) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["district"], "甲区");
  EXPECT_EQ(j["status"], "submitted");
  EXPECT_EQ(j["deadline"], "2026-12-15T08:53:20+08:00");  // 15 days
  EXPECT_EQ(j["tracking_code"].get<std::string>().size(), 12u);
  EXPECT_EQ(json::parse(Submit(Smoke(109.2, 34.1)).body)["district"], "乙区");
  json by_address = {
      {"category", "noise"}, {"description", "夜间施工噪声扰民"}, {"address", "乙区人民路8号"}};
  EXPECT_EQ(json::parse(Submit(by_address).body)["district"], "乙区");
  json nowhere = Smoke(120, 30);  // outside both: the city's staff route it
  Response city = Submit(nowhere);
  ASSERT_EQ(city.status, 201);
  EXPECT_TRUE(json::parse(city.body)["district"].is_null());
  // Numbers as strings, and fields the route does not know, are read leniently.
  json lenient = Smoke();
  lenient["lon"] = "108.3";
  lenient["photos"] = json::array();
  EXPECT_EQ(Submit(lenient).status, 201);
}

TEST_F(ComplaintRoutesTest, BadSubmissionsNameTheirFieldAndStoreNothing) {
  struct Case {
    json body;
    std::string field;
  } cases[] = {
      {{{"category", "smell"}, {"description", "工厂烟囱冒黑烟"}, {"address", "甲区"}}, "category"},
      {{{"category", "air"}, {"description", "黑烟"}, {"address", "甲区"}}, "description"},
      {{{"category", "air"}, {"description", "工厂烟囱冒黑烟"}}, "lon, lat or address"},
      {{{"category", "air"}, {"description", "工厂烟囱冒黑烟"}, {"lon", "east"}, {"lat", 34}},
       "lon"},
      {{{"category", "air"},
        {"description", "工厂烟囱冒黑烟"},
        {"address", "甲区"},
        {"observed_at", "2027-01-01 10:00"}},
       "observed_at"},
      {{{"category", "air"},
        {"description", "工厂烟囱冒黑烟"},
        {"address", "甲区"},
        {"phone", "call me"}},
       "phone"},
      {{{"category", 3}, {"description", "工厂烟囱冒黑烟"}, {"address", "甲区"}}, "category"},
  };
  int i = 0;
  for (const Case& c : cases) {
    Response r = Submit(c.body, "10.0.2." + std::to_string(++i));
    EXPECT_EQ(r.status, 400) << c.body.dump();
    EXPECT_NE(json::parse(r.body)["detail"].get<std::string>().find(c.field), std::string::npos)
        << r.body;
  }
  Request raw;
  raw.method = "POST";
  raw.path = "/api/v1/public/complaints";
  raw.peer = "10.0.2.99";
  raw.body = "not json {";
  EXPECT_EQ(router_.Dispatch(raw).status, 400);
  EXPECT_TRUE(complaints_->List({})->empty());
}

TEST_F(ComplaintRoutesTest, ThePublicFollowsItsComplaintAndSeesNothingPersonal) {
  std::string code = Filed(Smoke());
  json t = Track(code);
  EXPECT_EQ(t["status"], "submitted");
  EXPECT_EQ(t["status_name"], "已提交");
  EXPECT_EQ(t["district"], "甲区");
  EXPECT_EQ(t["can_rate"], false);
  std::string text = t.dump();
  for (const char* personal : {"139", "5678", "黑烟", "108.3", "phone", "description", "lon"})
    EXPECT_EQ(text.find(personal), std::string::npos) << personal << " in " << text;
  // As typed by a person: lower case, with dashes.
  std::string typed = code.substr(0, 4) + "-" + code.substr(4, 4) + "-" + code.substr(8);
  for (char& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_EQ(Track(typed)["tracking_code"], code);
  EXPECT_EQ(Call("GET", "/api/v1/public/complaints/ZZZZZZZZZZZZ", "").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/public/complaints/..%2F..", "").status, 404);
  // The public reaches no staff route.
  EXPECT_EQ(Call("GET", "/api/v1/complaints", "").status, 401);
}

TEST_F(ComplaintRoutesTest, StaffHandleTheirDistrictsComplaintsToTheRatingAndOneReopen) {
  std::string code = Filed(Smoke());
  int64_t id = IdOf(code);
  // Who reaches it.
  EXPECT_EQ(Call("GET", "/api/v1/complaints/" + std::to_string(id), staff_b_).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/complaints/" + std::to_string(id), inspector_).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/complaints/" + std::to_string(id), leader_).status, 200);
  EXPECT_EQ(Step(leader_, id, "accept").status, 403);
  EXPECT_EQ(Step(staff_b_, id, "accept").status, 403);
  json list = json::parse(Call("GET", "/api/v1/complaints", staff_b_).body);
  EXPECT_TRUE(list["items"].empty());
  list = json::parse(Call("GET", "/api/v1/complaints", staff_a_).body);
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["phone_masked"], "139****5678");
  EXPECT_EQ(Call("GET", "/api/v1/complaints/" + std::to_string(id) + "/contact", leader_).status,
            403);
  Response contact = Call("GET", "/api/v1/complaints/" + std::to_string(id) + "/contact", staff_a_);
  ASSERT_EQ(contact.status, 200);
  EXPECT_EQ(json::parse(contact.body)["phone"], kPhone);

  // A reply before accepting is refused; then accept, reply, rate.
  EXPECT_EQ(Step(staff_a_, id, "reply", {{"text", "已核查处理完毕"}}).status, 409);
  ASSERT_EQ(Step(staff_a_, id, "accept", {{"note", "转大气科"}}).status, 200);
  clock_.SetWallSeconds(kNow + 86400);
  staff_a_ = Login("staff_a");
  Response replied =
      Step(staff_a_, id, "reply", {{"text", "经现场核查，企业锅炉故障，已责令停产整改。"}});
  ASSERT_EQ(replied.status, 200) << replied.body;
  EXPECT_EQ(json::parse(replied.body)["status"], "replied");
  json t = Track(code);
  EXPECT_EQ(t["reply"]["text"], "经现场核查，企业锅炉故障，已责令停产整改。");
  EXPECT_EQ(t["can_rate"], true);
  // The staff's note on accepting stays inside.
  EXPECT_EQ(t.dump().find("转大气科"), std::string::npos);
  Response rated =
      Call("POST", "/api/v1/public/complaints/" + code + "/rating", "", {{"score", 4}});
  ASSERT_EQ(rated.status, 200) << rated.body;
  EXPECT_EQ(json::parse(rated.body)["status"], "closed");
  EXPECT_EQ(
      Call("POST", "/api/v1/public/complaints/" + code + "/rating", "", {{"score", 5}}).status,
      409);
  EXPECT_EQ(
      Call("POST", "/api/v1/public/complaints/" + code + "/rating", "", {{"score", 9}}).status,
      400);
  // Reopened once: back to the staff with a new deadline, and not twice.
  clock_.SetWallSeconds(kNow + 2 * 86400);
  staff_a_ = Login("staff_a");
  admin_ = Login("admin");
  Response reopened = Call("POST", "/api/v1/public/complaints/" + code + "/reopen", "",
                           {{"reason", "夜里还在冒黑烟"}});
  ASSERT_EQ(reopened.status, 200) << reopened.body;
  json again = json::parse(reopened.body);
  EXPECT_EQ(again["status"], "accepted");
  EXPECT_EQ(again["deadline"], "2026-12-17T08:53:20+08:00");
  EXPECT_EQ(again["can_reopen"], false);
  ASSERT_EQ(Step(staff_a_, id, "reply", {{"text", "夜间复查，已查封锅炉。"}}).status, 200);
  EXPECT_EQ(
      Call("POST", "/api/v1/public/complaints/" + code + "/reopen", "", {{"reason", "还是不满意"}})
          .status,
      409);
  // Every step is on the time line, in order.
  json detail = json::parse(Call("GET", "/api/v1/complaints/" + std::to_string(id), admin_).body);
  std::vector<std::string> steps;
  for (const auto& e : detail["timeline"]) steps.push_back(e["event"]);
  EXPECT_EQ(steps,
            (std::vector<std::string>{"submit", "accept", "reply", "rate", "reopen", "reply"}));
  EXPECT_EQ(detail["timeline"][0]["actor_name"], "公众");
  EXPECT_EQ(detail["timeline"][1]["actor_name"], "staff_a");
}

// A complaint taken on the 12369 line (or at the counter, by letter, from another
// office) is recorded by staff: routed as the public's are, to the recorder's district
// when nothing names one, with how it came on its time line and in the audit log.
TEST_F(ComplaintRoutesTest, StaffRecordAComplaintTakenOnTheHotline) {
  json call = {{"category", "noise"},
               {"description", "来电反映夜间施工噪声扰民"},
               {"address", "乙区人民路8号"},
               {"phone", kPhone},
               {"note", "来电人不愿留姓名"}};
  Response r = Call("POST", "/api/v1/complaints", staff_a_, call);
  ASSERT_EQ(r.status, 201) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["source"], "hotline");
  EXPECT_EQ(j["district"], "乙区");  // where the address is, not the recorder's
  EXPECT_EQ(j["status"], "submitted");
  EXPECT_EQ(j["phone_masked"], "139****5678");
  EXPECT_EQ(j["deadline"], "2026-12-05T08:53:20+08:00");  // noise: 5 days in this city
  ASSERT_EQ(j["timeline"].size(), 1u);
  EXPECT_EQ(j["timeline"][0]["event"], "submit");
  EXPECT_EQ(j["timeline"][0]["text"], "12369 电话: 来电人不愿留姓名");
  EXPECT_EQ(j["timeline"][0]["actor"],
            "user:" + std::to_string(accounts_->FindUser("staff_a")->id));
  const std::string code = j["tracking_code"];
  EXPECT_EQ(Track(code)["district"], "乙区");              // the caller follows it like anyone
  EXPECT_EQ(Track(code)["timeline"][0]["text"], nullptr);  // the note stays inside
  // A visit whose place names no district goes to the recorder's own.
  json visit = {{"category", "water"},
                {"description", "来访反映河道有异味"},
                {"lon", 120},
                {"lat", 30},
                {"source", "visit"}};
  Response v = Call("POST", "/api/v1/complaints", staff_b_, visit);
  ASSERT_EQ(v.status, 201) << v.body;
  EXPECT_EQ(json::parse(v.body)["district_id"], district_b_);
  EXPECT_EQ(json::parse(v.body)["source"], "visit");
  // City staff and administrators record for anywhere; without a place it is the city's.
  visit["source"] = "transfer";
  Response a = Call("POST", "/api/v1/complaints", admin_, visit);
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_TRUE(json::parse(a.body)["district"].is_null());
  // Refusals: who may not, and what is not right; nothing is stored.
  auto before = complaints_->List(casework::ComplaintFilter{});
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(Call("POST", "/api/v1/complaints", leader_, call).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/complaints", inspector_, call).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/complaints", "", call).status, 401);
  json bad = call;
  bad["source"] = "fax";
  Response b = Call("POST", "/api/v1/complaints", staff_a_, bad);
  EXPECT_EQ(b.status, 400);
  EXPECT_NE(b.body.find("source"), std::string::npos) << b.body;
  bad = call;
  bad["note"] = std::string(501, 'x');
  EXPECT_EQ(Call("POST", "/api/v1/complaints", staff_a_, bad).status, 400);
  bad = call;
  bad.erase("address");
  Response nowhere = Call("POST", "/api/v1/complaints", staff_a_, bad);
  EXPECT_EQ(nowhere.status, 400);
  EXPECT_NE(nowhere.body.find("address"), std::string::npos) << nowhere.body;
  auto after = complaints_->List(casework::ComplaintFilter{});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), before->size());
  int recorded = 0;
  ASSERT_TRUE(store_
                  ->ScanAudit([&](const store::AuditEntry& e) {
                    recorded += e.action == "complaints.record";
                    return true;
                  })
                  .ok());
  EXPECT_EQ(recorded, 3);
}

// A person asks what the bureau holds about them, then for their phone to be deleted
// (个人信息保护法): the city's staff find every complaint with that number, those
// handling one delete the phone from it, and both acts are on the audit record.
TEST_F(ComplaintRoutesTest, APersonsComplaintsAreFoundByPhoneAndTheirPhoneErased) {
  const std::string mine = Filed(Smoke());
  json other = Smoke(109.2, 34.1);
  other["phone"] = "13912345679";  // someone else
  Filed(other);
  json same = Smoke(109.3, 34.2);
  same["phone"] = "+86 139-1234-5678";  // the same number with the country code
  const std::string mine_too = Filed(same);
  json pd = {{"phone", "+86 139 1234 5678"}};
  Response r = Call("POST", "/api/v1/complaints/personal-data", admin_, pd);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["phone_masked"], "139****5678");
  ASSERT_EQ(j["items"].size(), 2u);
  EXPECT_EQ(j["items"][0]["tracking_code"], mine_too);  // newest first
  EXPECT_EQ(j["items"][1]["tracking_code"], mine);
  EXPECT_EQ(j["items"][1]["photos"], 0);
  EXPECT_EQ(r.body.find(kPhone), std::string::npos) << "the number itself is not repeated";
  // District staff, leaders and inspectors may not search the city by phone.
  EXPECT_EQ(Call("POST", "/api/v1/complaints/personal-data", staff_a_, pd).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/complaints/personal-data", leader_, pd).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/complaints/personal-data", admin_, json{{"phone", "12"}}).status,
            400);
  // The phone of the first is erased at the person's request, by its district's staff.
  const std::string path = "/api/v1/complaints/" + std::to_string(IdOf(mine)) + "/erase-contact";
  EXPECT_EQ(Call("POST", path, staff_b_, json{{"reason", "本人来电要求"}}).status, 403);
  EXPECT_EQ(Call("POST", path, staff_a_, json::object()).status, 400);  // no reason
  Response erased = Call("POST", path, staff_a_, json{{"reason", "本人来电要求"}});
  ASSERT_EQ(erased.status, 200) << erased.body;
  json e = json::parse(erased.body);
  EXPECT_TRUE(e["phone_masked"].is_null());
  EXPECT_EQ(e["timeline"].back()["text"], "应本人要求删除联系方式：本人来电要求");
  EXPECT_EQ(e["description"], "工厂烟囱冒黑烟，气味刺鼻");  // the complaint itself stays
  EXPECT_EQ(Call("POST", path, staff_a_, json{{"reason", "本人来电要求"}}).status, 409);
  auto contact =
      Call("GET", "/api/v1/complaints/" + std::to_string(IdOf(mine)) + "/contact", staff_a_);
  ASSERT_EQ(contact.status, 200);
  EXPECT_TRUE(json::parse(contact.body)["phone"].is_null());
  r = Call("POST", "/api/v1/complaints/personal-data", admin_, pd);
  EXPECT_EQ(json::parse(r.body)["items"].size(), 1u);
  int searched = 0, erasures = 0;
  ASSERT_TRUE(store_
                  ->ScanAudit([&](const store::AuditEntry& a) {
                    searched += a.action == "complaints.personal_data";
                    erasures += a.action == "complaints.contact_erased";
                    return true;
                  })
                  .ok());
  EXPECT_EQ(searched, 2);
  EXPECT_EQ(erasures, 1);
}

TEST_F(ComplaintRoutesTest, ADuplicateIsFoundNearAndMergedIntoTheFirst) {
  std::string first = Filed(Smoke());
  clock_.SetWallSeconds(kNow + 3600);
  staff_a_ = Login("staff_a");
  std::string second = Filed(Smoke(108.305, 34.603));  // about 560 m away, an hour later
  Filed(Smoke(108.4, 34.6));                           // 9 km away
  int64_t a = IdOf(first), b = IdOf(second);
  json detail = json::parse(Call("GET", "/api/v1/complaints/" + std::to_string(b), staff_a_).body);
  ASSERT_EQ(detail["duplicates"].size(), 1u) << detail.dump();
  EXPECT_EQ(detail["duplicates"][0]["id"], a);
  Response merged = Step(staff_a_, b, "merge", {{"into", a}});
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(json::parse(merged.body)["status"], "merged");
  EXPECT_EQ(json::parse(merged.body)["merged_into"], a);
  EXPECT_EQ(Track(second)["status_name"], "已合并");
  json main = json::parse(Call("GET", "/api/v1/complaints/" + std::to_string(a), staff_a_).body);
  EXPECT_EQ(main["timeline"].back()["event"], "merged_in");
  EXPECT_EQ(Step(staff_a_, b, "merge", {{"into", a}}).status, 409);  // not twice
  EXPECT_EQ(Step(staff_a_, a, "merge", {{"into", a}}).status, 400);  // not into itself
  // The answer to the first reaches the one merged into it.
  ASSERT_EQ(Step(staff_a_, a, "accept").status, 200);
  ASSERT_EQ(Step(staff_a_, a, "reply", {{"text", "两处举报为同一企业，已责令整改。"}}).status, 200);
  json dup = Track(second);
  EXPECT_EQ(dup["status"], "replied");
  EXPECT_EQ(dup["reply"]["text"], "两处举报为同一企业，已责令整改。");
  EXPECT_EQ(dup["can_rate"], true);
}

TEST_F(ComplaintRoutesTest, TheDeadlinePassingMakesItOverdue) {
  std::string code = Filed(Smoke());
  auto overdue = [&] {
    return json::parse(Call("GET", "/api/v1/complaints", admin_, nullptr, {{"overdue", "true"}})
                           .body)["items"]
        .size();
  };
  EXPECT_EQ(overdue(), 0u);
  clock_.SetWallSeconds(kNow + 15 * 86400);
  admin_ = Login("admin");
  staff_a_ = Login("staff_a");
  EXPECT_EQ(overdue(), 1u);
  EXPECT_EQ(Track(code)["overdue"], true);
  json stats = json::parse(Call("GET", "/api/v1/complaints/stats", admin_).body);
  ASSERT_EQ(stats["items"].size(), 1u);
  EXPECT_EQ(stats["items"][0]["name"], "甲区");
  EXPECT_EQ(stats["items"][0]["overdue"], 1);
  // Replied, it is no longer overdue.
  ASSERT_EQ(Step(staff_a_, IdOf(code), "accept").status, 200);
  ASSERT_EQ(Step(staff_a_, IdOf(code), "reply", {{"text", "已核查处理完毕。"}}).status, 200);
  EXPECT_EQ(overdue(), 0u);
}

TEST_F(ComplaintRoutesTest, EachCategoryHasTheCitysDaysToReply) {
  json noise = {
      {"category", "noise"}, {"description", "夜间施工噪声扰民"}, {"address", "甲区某工地"}};
  Response r = Submit(noise);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["deadline"], "2026-12-05T08:53:20+08:00");  // 5 days
  json categories = json::parse(Call("GET", "/api/v1/public/complaints/categories", "").body);
  for (const auto& c : categories["items"])
    EXPECT_EQ(c["reply_days"], c["code"] == "noise" ? 5 : 15) << c.dump();
  // Reclassified as air, it has air's 15 days, counted from when it was filed.
  std::string code = json::parse(r.body)["tracking_code"];
  Response accepted = Step(staff_a_, IdOf(code), "accept", {{"category", "air"}});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body)["deadline"], "2026-12-15T08:53:20+08:00");
}

TEST_F(ComplaintRoutesTest, OneAddressIsLimitedAndOthersAreNot) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Submit(Smoke(), "10.9.9.9").status, 201) << i;
  Response r = Submit(Smoke(), "10.9.9.9");
  EXPECT_EQ(r.status, 429);
  bool retry_after = false;
  for (const auto& [k, v] : r.headers) retry_after |= k == "Retry-After" && std::stoi(v) > 0;
  EXPECT_TRUE(retry_after);
  EXPECT_EQ(Submit(Smoke(), "10.9.9.10").status, 201);
  clock_.SetWallSeconds(kNow + 3600);  // an hour later, one more
  EXPECT_EQ(Submit(Smoke(), "10.9.9.9").status, 201);
}

// A JPEG as a phone writes it: JFIF, EXIF with the place, a scan.
std::string PhoneJpeg() {
  auto segment = [](unsigned char marker, std::string body) {
    size_t n = body.size() + 2;
    return std::string{'\xFF', static_cast<char>(marker), static_cast<char>(n >> 8),
                       static_cast<char>(n & 0xFF)} +
           body;
  };
  return "\xFF\xD8" + segment(0xE0, std::string("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 14)) +
         segment(0xE1, std::string("Exif\0\0GPS 34.6N 108.3E", 23)) +
         segment(0xDA, std::string("\x01\x01\0\0\x3F\0", 6)) + "\x12\x34\xFF\xD9";
}

TEST_F(ComplaintRoutesTest, PhotosArriveWithoutTheirPlaceAndOnlyWhileNew) {
  std::string code = Filed(Smoke());
  auto post = [&](std::string bytes) {
    Request r;
    r.method = "POST";
    r.path = "/api/v1/public/complaints/" + code + "/photos";
    r.peer = "10.0.3.1";
    r.body = std::move(bytes);
    return router_.Dispatch(r);
  };
  Response r = post(PhoneJpeg());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["photo"], 1);
  EXPECT_EQ(post("GIF89a not a picture we keep").status, 400);
  EXPECT_EQ(Track(code)["photos"], 1);
  int64_t id = IdOf(code);
  Response pic = Call("GET", "/api/v1/complaints/" + std::to_string(id) + "/photos/1", staff_a_);
  ASSERT_EQ(pic.status, 200);
  EXPECT_EQ(pic.content_type, "image/jpeg");
  EXPECT_EQ(pic.body.find("Exif"), std::string::npos);
  EXPECT_EQ(pic.body.find("GPS"), std::string::npos);
  EXPECT_NE(pic.body.find("JFIF"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/complaints/" + std::to_string(id) + "/photos/1", staff_b_).status,
            403);
  EXPECT_EQ(Call("GET", "/api/v1/complaints/" + std::to_string(id) + "/photos/2", staff_a_).status,
            404);
  json detail = json::parse(Call("GET", "/api/v1/complaints/" + std::to_string(id), staff_a_).body);
  ASSERT_EQ(detail["photos"].size(), 1u);
  EXPECT_EQ(detail["photos"][0]["url"], "/api/v1/complaints/" + std::to_string(id) + "/photos/1");
  for (int i = 2; i <= 4; ++i) EXPECT_EQ(post(PhoneJpeg()).status, 201) << i;
  EXPECT_EQ(post(PhoneJpeg()).status, 409);  // four at most
  std::string later = Filed(Smoke());
  clock_.SetWallSeconds(kNow + 86400 + 1);
  code = later;
  EXPECT_EQ(post(PhoneJpeg()).status, 409);  // a day after submitting
}

TEST_F(ComplaintRoutesTest, ThePhoneIsNeverInClearInTheDatabaseFile) {
  Filed(Smoke());
  complaints_.reset();  // closes casework.db, so that everything is in the file
  for (const char* file : {"casework.db", "casework.db-wal"}) {
    std::ifstream in(dir_ / file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(kPhone), std::string::npos) << file;
    EXPECT_EQ(bytes.find("139 1234 5678"), std::string::npos) << file;
  }
  std::ifstream in(dir_ / "casework.db", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(bytes.find("$sm4$"), std::string::npos) << "the sealed phone is there";
}

}  // namespace
}  // namespace ecohub::api
