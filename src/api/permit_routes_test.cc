// The permit routes over real stores: create and update by number, the field each
// refusal names, the enterprise's rights, and a usage worked by hand.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "api/route_test_support.h"
#include "permit/sqlite_permit_store.h"
#include "store/sqlite_store.h"

namespace ecohub::api {
namespace {

using nlohmann::json;

constexpr UnixSeconds kHour = 3600;
constexpr UnixSeconds kJan1 = 1767196800;  // 2026-01-01 00:00 Beijing

class PermitRoutesTest : public RouteTest {
 protected:
  void SetUp() override {
    clock_.SetWallSeconds(kJan1 + 48 * kHour + 1800);  // 2026-01-03 00:30
    OpenFolder("ecohub_permit_routes_");
    auto st = store::OpenSqliteStore(dir_.string(), {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    auto permits = permit::OpenSqlitePermitStore(dir_.string());
    ASSERT_TRUE(permits.ok()) << permits.status().ToString();
    permits_ = std::move(*permits);
    district_a_ = *store_->PutDistrict({0, "610402", "秦都区"});
    district_b_ = *store_->PutDistrict({0, "610403", "杨陵区"});
    e1_ = *store_->PutEnterprise({0, "E1", "91610400MA6TG0001X", "", district_a_});
    e2_ = *store_->PutEnterprise({0, "E2", "91610400MA6TG0002X", "", district_b_});
    water_e1_ = Site("W-E1", registry::SiteKind::kOutletWater, district_a_, e1_);
    gas_e2_ = Site("G-E2", registry::SiteKind::kOutletGas, district_b_, e2_);
    air_a_ = Site("AIR-A", registry::SiteKind::kAir, district_a_, 0);
    ASSERT_TRUE(store_->PutDevice({"MNW1", water_e1_, "pw"}).ok());
    ctx_.store = store_.get();
    ctx_.latest = &latest_;
    ctx_.permits = permits_.get();
    ctx_.sites = std::make_shared<SiteDirectory>(store_.get());
    Wire();
    admin_ = Token("admin", auth::Role::kAdmin, 0, 0);
    staff_b_ = Token("staff_b", auth::Role::kStaff, district_b_, 0);
    ent1_ = Token("ent1", auth::Role::kEnterprise, district_a_, e1_);
  }
  void TearDown() override {
    api_.reset();
    permits_.reset();
    store_.reset();
    CloseFolder();
  }
  int64_t Site(const std::string& code, registry::SiteKind kind, int64_t district,
               int64_t enterprise) {
    store::Site s;
    s.code = s.name = code;
    s.kind = kind;
    s.district_id = district;
    s.enterprise_id = enterprise;
    return *store_->PutSite(s);
  }
  // E1's permit: COD at its waste-water outlet, 60 t/a.
  json Body(const std::string& number = "91610400MA6TG0001X001P") const {
    return {{"number", number},
            {"enterprise_id", e1_},
            {"valid_from", "2026-01-01"},
            {"valid_to", "2030-12-31"},
            {"outlets",
             {{{"site_id", water_e1_},
               {"limits",
                {{{"factor", "w01018"},
                  {"value", 100},
                  {"unit", "mg/L"},
                  {"standard", "GB 8978-1996 表4"}}}}}}},
            {"quantities", {{{"factor", "w01018"}, {"tonnes_per_year", 60}}}}};
  }
  int64_t Create() {
    Response r = Call("POST", "/api/v1/permits", admin_, Body());
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["id"].get<int64_t>();
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<permit::PermitStore> permits_;
  store::LatestCache latest_;
  int64_t district_a_ = 0, district_b_ = 0, e1_ = 0, e2_ = 0;
  int64_t water_e1_ = 0, gas_e2_ = 0, air_a_ = 0;
  std::string admin_, staff_b_, ent1_;
};

TEST_F(PermitRoutesTest, CreatedThenUpdatedByItsNumberAndAudited) {
  int64_t id = Create();
  json changed = Body();
  changed["state"] = "revoked";
  Response r = Call("POST", "/api/v1/permits", admin_, changed);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["id"], id);
  r = Call("GET", "/api/v1/permits/" + std::to_string(id), admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  json p = json::parse(r.body);
  EXPECT_EQ(p["status"], "revoked");
  EXPECT_EQ(p["enterprise_name"], "E1");
  EXPECT_EQ(p["outlets"][0]["limits"][0]["standard"], "GB 8978-1996 表4");
  int audited = 0;
  ASSERT_TRUE(store_
                  ->ScanAudit([&](const store::AuditEntry& e) {
                    audited +=
                        e.action == "permit.put" && e.object == "permit:91610400MA6TG0001X001P";
                    return true;
                  })
                  .ok());
  EXPECT_EQ(audited, 2);
  EXPECT_EQ(Call("GET", "/api/v1/permits/999", admin_).status, 404);
}

TEST_F(PermitRoutesTest, EachBadBodyIsA400NamingItsFieldAndStoresNothing) {
  struct Case {
    const char* field;
    std::function<void(json&)> spoil;
  };
  const Case cases[] = {
      {"valid_to", [](json& b) { b["valid_to"] = "2025-12-31"; }},
      {"valid_from", [](json& b) { b["valid_from"] = "2026-02-30"; }},
      {"enterprise_id", [](json& b) { b["enterprise_id"] = 999; }},
      {"outlets[0].site_id", [&](json& b) { b["outlets"][0]["site_id"] = gas_e2_; }},
      {"outlets[0].site_id", [&](json& b) { b["outlets"][0]["site_id"] = air_a_; }},
      {"outlets", [](json& b) { b["outlets"] = json::array(); }},
      {"outlets[0].limits[0].factor",
       [](json& b) { b["outlets"][0]["limits"][0]["factor"] = "x99999"; }},
      {"outlets[0].limits[0].factor",  // a flue-gas factor at a waste-water outlet
       [](json& b) { b["outlets"][0]["limits"][0]["factor"] = "a21026"; }},
      {"outlets[0].limits[0].value", [](json& b) { b["outlets"][0]["limits"][0]["value"] = 0; }},
      {"outlets[0].limits[0].value",
       [](json& b) { b["outlets"][0]["limits"][0]["value"] = "high"; }},
      {"quantities[0].tonnes_per_year",
       [](json& b) { b["quantities"][0]["tonnes_per_year"] = -1; }},
      {"quantities[0].factor", [](json& b) { b["quantities"][0]["factor"] = "nope"; }},
      {"number", [](json& b) { b["number"] = ""; }},
  };
  for (const Case& c : cases) {
    json body = Body();
    c.spoil(body);
    Response r = Call("POST", "/api/v1/permits", admin_, body);
    EXPECT_EQ(r.status, 400) << c.field << ": " << r.body;
    EXPECT_NE(r.body.find(c.field), std::string::npos) << c.field << ": " << r.body;
  }
  EXPECT_TRUE(permits_->List()->empty());
}

TEST_F(PermitRoutesTest, RightsAreTheEnterprises) {
  int64_t id = Create();
  std::string path = "/api/v1/permits/" + std::to_string(id);
  EXPECT_EQ(Call("GET", "/api/v1/permits", "").status, 401);
  EXPECT_EQ(Call("GET", path, staff_b_).status, 403);  // E1 is in district A
  EXPECT_EQ(Call("GET", path + "/usage", staff_b_).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/permits", staff_b_, Body()).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/permits", ent1_, Body("OTHER")).status, 403);
  EXPECT_EQ(Call("GET", path, ent1_).status, 200);
  EXPECT_EQ(Call("GET", path + "/usage", ent1_).status, 200);
  json listed = json::parse(Call("GET", "/api/v1/permits", staff_b_).body);
  EXPECT_TRUE(listed["items"].empty());
  listed = json::parse(Call("GET", "/api/v1/permits", ent1_).body);
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0]["id"], id);
  listed =
      json::parse(Call("GET", "/api/v1/permits", admin_, nullptr, {{"district", "610403"}}).body);
  EXPECT_TRUE(listed["items"].empty());  // E1 is in 610402
}

// Two days of the waste-water outlet at 100 m³ an hour (Cou) and 50 mg/L COD, two
// hours of which have no COD value, asked at 2026-01-03 00:30:
//   46 hours × 100 m³ × 50 g/m³ = 230,000 g = 0.23 t; 0.23 / 60 t/a = 0.0038333.
TEST_F(PermitRoutesTest, UsageOfTwoDaysByHand) {
  int64_t id = Create();
  store::Batch b;
  for (int h = 0; h < 48; ++h) {
    UnixSeconds t = kJan1 + h * kHour;
    b.readings.push_back({"MNW1", Period::kHour, t, "w00000", "Cou", "100.00", 'N'});
    b.readings.push_back({"MNW1", Period::kHour, t, "w00000", "Avg", "27.78", 'N'});
    if (h != 10 && h != 11)
      b.readings.push_back({"MNW1", Period::kHour, t, "w01018", "Avg", "50.0", 'N'});
  }
  const store::Batch* batch = &b;
  ASSERT_TRUE(store_->Append(std::span<const store::Batch* const>(&batch, 1)).ok());
  Response r = Call("GET", "/api/v1/permits/" + std::to_string(id) + "/usage", admin_, nullptr,
                    {{"year", "2026"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json u = json::parse(r.body);
  EXPECT_EQ(u["hours"], 48);
  EXPECT_EQ(u["from"], "2026-01-01T00:00:00+08:00");
  ASSERT_EQ(u["total"].size(), 1u);
  json cod = u["total"][0];
  EXPECT_EQ(cod["factor"], "w01018");
  EXPECT_NEAR(cod["emitted_t"].get<double>(), 0.23, 1e-9);
  EXPECT_NEAR(cod["share"].get<double>(), 0.003833, 1e-6);
  EXPECT_EQ(cod["hours_with_data"], 46);
  EXPECT_EQ(cod["hours_missing"], 2);
  EXPECT_EQ(u["outlets"][0]["site_code"], "W-E1");
  EXPECT_EQ(u["outlets"][0]["medium"], "water");
  EXPECT_EQ(Call("GET", "/api/v1/permits/" + std::to_string(id) + "/usage", admin_, nullptr,
                 {{"year", "1999"}})
                .status,
            400);
}

}  // namespace
}  // namespace ecohub::api
