// The Deriver on a real SQLite store: hourly and daily AQI of stations, districts and
// the city, editions by date, validity, late data, quality rates.
#include "derive/deriver.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "derive/annual.h"
#include "permit/sqlite_permit_store.h"
#include "store/sqlite_store.h"

namespace ecohub::derive {
namespace {

using nlohmann::json;

constexpr UnixSeconds kHour = 3600, kDay = 86400;

UnixSeconds BeijingDay(int y, int m, int d) { return DaysFromCivil(y, m, d) * kDay - 8 * kHour; }

// Run with and without the one-scan prefetch of the window (param = min sites).
class DeriverTest : public testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "/ecohub_derive_" +
           testing::UnitTest::GetInstance()->current_test_info()->name() +
           std::to_string(GetParam());
    std::filesystem::remove_all(dir_);
    auto s = store::OpenSqliteStore(dir_, {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    int64_t d1 = *store_->PutDistrict({0, "D1", "东城区"});
    int64_t d2 = *store_->PutDistrict({0, "D2", "西城区"});
    int k = 0;
    for (auto [code, district] : {std::pair{"S1", d1}, {"S2", d1}, {"S3", d2}}) {
      store::Site site;
      site.code = code;
      site.name = code;
      site.kind = registry::SiteKind::kAir;
      site.district_id = district;
      int64_t id = *store_->PutSite(site);
      ASSERT_TRUE(store_->PutDevice({"MN" + std::to_string(++k), id, "pw"}).ok());
    }
    DeriveOptions o;
    o.prefetch_min_sites = GetParam();
    deriver_ = std::make_unique<Deriver>(*store_, registry_, o);
    Publish();
  }
  // Publishes the store's registry, as the server does after a change, and has the
  // deriver take the new snapshot.
  void Publish() {
    ASSERT_TRUE(store::PublishRegistry(*store_, registry_).ok());
    ASSERT_TRUE(deriver_->Reload().ok());
  }
  void TearDown() override {
    deriver_.reset();
    permits_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Hourly Avg values of one factor for `hours` hours from `start`.
  void Put(const std::string& mn, const std::string& factor, UnixSeconds start, int hours,
           const std::string& value, char flag = 'N') {
    store::Batch b;
    for (int h = 0; h < hours; ++h)
      b.readings.push_back({mn, Period::kHour, start + h * kHour, factor, "Avg", value, flag});
    const store::Batch* p = &b;
    ASSERT_TRUE(store_->Append(std::span<const store::Batch* const>(&p, 1)).ok());
    deriver_->Touch({b});
  }
  json Row(const std::string& kind, const std::string& scope, UnixSeconds t) {
    auto r = store_->QueryDerived(kind, scope, t, t + 1, 1);
    EXPECT_TRUE(r.ok());
    if (!r.ok() || r->empty()) return json();
    return json::parse(r->front().body);
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  registry::Registry registry_;
  std::unique_ptr<Deriver> deriver_;
  std::unique_ptr<permit::PermitStore> permits_;  // when a test gives the deriver permits
};

TEST_P(DeriverTest, StationDistrictCityHourlyAndDaily2012) {
  UnixSeconds day = BeijingDay(2015, 6, 1);
  Put("MN1", "a34004", day, 24, "40");  // PM2.5 40 -> IAQI 56.25 -> 57
  Put("MN2", "a34004", day, 24, "50");
  Put("MN3", "a34004", day, 24, "81");
  auto st = deriver_->Flush();
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->station_hours, 72);
  json h = Row("aqi_hour", "site:S1", day + 5 * kHour);
  EXPECT_EQ(h["aqi"], 57);
  EXPECT_EQ(h["edition"], "HJ633-2012");
  EXPECT_EQ(h["primary"], json::array({"PM2.5"}));
  EXPECT_EQ(h["coverage"]["present"], 1);
  // District D1 = mean of S1 and S2 = 45 -> 62.5 -> 63; the city = (40+50+81)/3 = 57.
  json d = Row("aqi_hour", "district:D1", day + 5 * kHour);
  EXPECT_EQ(d["conc"]["PM2.5"], 45);
  EXPECT_EQ(d["aqi"], 63);
  EXPECT_EQ(d["coverage"]["present"], 2);
  json c = Row("aqi_hour", "city", day + 5 * kHour);
  EXPECT_EQ(c["conc"]["PM2.5"], 57);
  EXPECT_EQ(c["coverage"]["expected"], 3);
  // Daily: 24 valid hours; S3 81 -> 2012 row 75..115: 100 + 50*6/40 = 107.5 -> 108.
  json sd = Row("aqi_day", "site:S3", day);
  EXPECT_EQ(sd["aqi"], 108);
  EXPECT_EQ(sd["over_standard"], json::array({"PM2.5"}));
  EXPECT_EQ(sd["validity"]["PM2.5"]["hours"], 24);
  json cd = Row("aqi_day", "city", day);
  EXPECT_EQ(cd["conc"]["PM2.5"], 57);
  EXPECT_EQ(cd["aqi"], 78);  // 50 + 50*22/40 = 77.5 -> 78
}

TEST_P(DeriverTest, DailyValidityAndTheEditionOfTheDay) {
  UnixSeconds day = BeijingDay(2026, 3, 1);
  Put("MN1", "a34004", day, 20, "80");       // 20 hours: valid
  Put("MN2", "a34004", day, 19, "80");       // 19 hours: invalid
  Put("MN3", "a34004", day, 24, "80", 'D');  // fault flags: no valid hour
  ASSERT_TRUE(deriver_->Flush().ok());
  json s1 = Row("aqi_day", "site:S1", day);
  EXPECT_EQ(s1["edition"], "HJ633-2026");
  EXPECT_EQ(s1["standard"], "GB3095-2026 transition");
  EXPECT_EQ(s1["aqi"], 119);  // 2026 row 60..115: 100 + 50*20/55 = 118.2 -> 119
  json s2 = Row("aqi_day", "site:S2", day);
  EXPECT_TRUE(s2["aqi"].is_null());
  EXPECT_EQ(s2["validity"]["PM2.5"]["valid"], false);
  // The hour before the switch still uses HJ 633-2012.
  Put("MN1", "a34004", day - kHour, 1, "60");
  ASSERT_TRUE(deriver_->Flush().ok());
  EXPECT_EQ(Row("aqi_hour", "site:S1", day - kHour)["edition"], "HJ633-2012");
  EXPECT_EQ(Row("aqi_hour", "site:S1", day - kHour)["aqi"], 82);
  EXPECT_EQ(Row("aqi_hour", "site:S1", day)["aqi"], 119);
  // Quality of S3's day: 24 received, none valid.
  json q = Row("quality_day", "site:S3", day);
  EXPECT_EQ(q["totals"]["received"], 24);
  EXPECT_EQ(q["totals"]["valid"], 0);
  EXPECT_EQ(q["totals"]["transmission"], 1.0);
}

TEST_P(DeriverTest, LateDataRecomputesTheHourTheDayAndTheEightHourMeans) {
  UnixSeconds day = BeijingDay(2015, 7, 1);
  Put("MN1", "a05024", day, 24, "100");
  ASSERT_TRUE(deriver_->Flush().ok());
  EXPECT_EQ(Row("aqi_hour", "site:S1", day + 10 * kHour)["conc"]["O3_8h"], 100);
  // A late, corrected hour: 900 at 06:00 changes the 8-h means ending 06:00..13:00.
  Put("MN1", "a05024", day + 6 * kHour, 1, "900");
  ASSERT_TRUE(deriver_->Flush().ok());
  EXPECT_EQ(Row("aqi_hour", "site:S1", day + 13 * kHour)["conc"]["O3_8h"], 200);
  EXPECT_EQ(Row("aqi_hour", "site:S1", day + 14 * kHour)["conc"]["O3_8h"], 100);
  json d = Row("aqi_day", "site:S1", day);
  EXPECT_EQ(d["conc"]["O3_8h"], 200);
  EXPECT_EQ(d["conc"]["O3_1h"], 900);
  // The quality of the day flags (never deletes): 100 repeated for hours is a stuck
  // sensor; 900 after 100 is a jump. Both values still count as received and valid.
  json q = Row("quality_day", "site:S1", day);
  std::set<std::string> kinds;
  for (const json& a : q["factors"]["a05024"]["anomalies"]) kinds.insert(a["kind"]);
  EXPECT_TRUE(kinds.count("stuck")) << q.dump();
  EXPECT_TRUE(kinds.count("jump")) << q.dump();
  EXPECT_EQ(q["factors"]["a05024"]["valid"], 24);
  // A value beyond the analyser's range is flagged too.
  Put("MN1", "a05024", day + 20 * kHour, 1, "1500");
  ASSERT_TRUE(deriver_->Flush().ok());
  kinds.clear();
  q = Row("quality_day", "site:S1", day);
  for (const json& a : q["factors"]["a05024"]["anomalies"]) kinds.insert(a["kind"]);
  EXPECT_TRUE(kinds.count("out_of_range")) << q.dump();
}

TEST_P(DeriverTest, WaterClassOfTheDayAndOutletExceedanceEvents) {
  int64_t d1 = *store_->PutDistrict({0, "D1", "东城区"});
  store::Site w;
  w.code = "W1";
  w.name = "W1";
  w.kind = registry::SiteKind::kWater;
  w.district_id = d1;
  w.attrs_json = R"({"water_type":"river","target_class":"III"})";
  ASSERT_TRUE(store_->PutDevice({"MNW", *store_->PutSite(w), "pw"}).ok());
  store::Site o;
  o.code = "O1";
  o.name = "O1";
  o.kind = registry::SiteKind::kOutletGas;
  o.district_id = d1;
  o.attrs_json = R"({"limits":{"a21026":{"value":35,"unit":"mg/m3","basis":"permit"}}})";
  ASSERT_TRUE(store_->PutDevice({"MNO", *store_->PutSite(o), "pw"}).ok());
  Publish();
  UnixSeconds day = BeijingDay(2026, 5, 10);
  Put("MNW", "w01001", day, 24, "7.6");
  Put("MNW", "w01009", day, 24, "6.5");
  Put("MNW", "w01019", day, 24, "4.2");
  Put("MNW", "w21003", day, 24, "0.45");
  Put("MNW", "w21011", day, 12, "0.2");
  Put("MNW", "w21011", day + 12 * kHour, 12, "0.3");  // mean 0.25 -> IV, multiple 0.25
  Put("MNO", "a21026", day, 24, "20.0");
  Put("MNO", "a21026", day + 5 * kHour, 3, "40.0");
  Put("MNO", "a21026", day + 6 * kHour, 1, "52.5");        // peak in the middle
  Put("MNO", "a21026", day + 20 * kHour, 1, "36.0", 'C');  // calibrating: no event
  ASSERT_TRUE(deriver_->Flush().ok());
  json wd = Row("water_day", "site:W1", day);
  EXPECT_EQ(wd["class"], "IV");
  EXPECT_EQ(wd["meets_target"], false);
  EXPECT_EQ(wd["exceeding"], json::array({"TP"}));
  EXPECT_EQ(wd["exceed_multiple"]["TP"], 0.25);
  EXPECT_EQ(wd["item_class"]["DO"], "II");
  // A surface drinking-water source is classed the same way, against class III when it
  // names no target; a groundwater source is not (GB/T 14848 is not implemented).
  for (auto [code, mn, type] :
       {std::tuple{"DW1", "MNDW", "reservoir"}, {"GW1", "MNGW", "groundwater"}}) {
    store::Site s;
    s.code = code;
    s.name = code;
    s.kind = registry::SiteKind::kDrinkingWater;
    s.district_id = d1;
    s.attrs_json = std::string(R"({"water_type":")") + type + "\"}";
    ASSERT_TRUE(store_->PutDevice({mn, *store_->PutSite(s), "pw"}).ok());
  }
  Publish();
  for (const char* mn : {"MNDW", "MNGW"}) {
    Put(mn, "w01001", day, 24, "7.6");
    Put(mn, "w01009", day, 24, "6.5");
    Put(mn, "w01019", day, 24, "4.2");
    Put(mn, "w21003", day, 24, "0.45");
    Put(mn, "w21011", day, 24, "0.04");  // lake and reservoir column: 0.04 -> III
  }
  ASSERT_TRUE(deriver_->Flush().ok());
  json dw = Row("water_day", "site:DW1", day);
  EXPECT_EQ(dw["class"], "III");
  EXPECT_EQ(dw["target_class"], "III");
  EXPECT_EQ(dw["meets_target"], true);
  EXPECT_EQ(dw["site_type"], "lake");  // GB 3838 has one column for lakes and reservoirs
  auto gw = store_->QueryDerived("water_day", "site:GW1", 0, INT64_MAX, 10);
  ASSERT_TRUE(gw.ok());
  EXPECT_TRUE(gw->empty());

  auto ev = store_->QueryDerived("exceedance", "O1/a21026", 0, INT64_MAX, 10);
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 1u);
  json e = json::parse(ev->front().body);
  EXPECT_EQ(e["start"], day + 5 * kHour);
  EXPECT_EQ(e["end"], day + 8 * kHour);
  EXPECT_EQ(e["hours"], 3);
  EXPECT_EQ(e["peak"], 52.5);
  EXPECT_EQ(e["multiple"], 0.5);
  EXPECT_EQ(e["basis"], "permit");
  // A late correction that brings the peak hour under the limit splits the event.
  Put("MNO", "a21026", day + 6 * kHour, 1, "30.0");
  ASSERT_TRUE(deriver_->Flush().ok());
  ev = store_->QueryDerived("exceedance", "O1/a21026", 0, INT64_MAX, 10);
  ASSERT_EQ(ev->size(), 2u);
  EXPECT_EQ(json::parse((*ev)[1].body)["start"], day + 7 * kHour);
}

// Each hour of an outlet is judged by the permit in force at that hour, and by the
// outlet's own limit where no permit is: 35 mg/m³ until 2026-05-10 (P1), 50 from
// 2026-05-11 (P2, a renewal), the attributes' 100 before May.
TEST_P(DeriverTest, OutletHoursAreJudgedByThePermitInForce) {
  int64_t d1 = *store_->PutDistrict({0, "D1", "东城区"});
  store::Site o;
  o.code = "O2";
  o.name = "O2";
  o.kind = registry::SiteKind::kOutletGas;
  o.district_id = d1;
  o.attrs_json = R"({"limits":{"a21026":{"value":100,"unit":"mg/m3"}}})";
  int64_t site = *store_->PutSite(o);
  ASSERT_TRUE(store_->PutDevice({"MNP", site, "pw"}).ok());
  auto opened = permit::OpenSqlitePermitStore(dir_ + "/permits");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  permits_ = std::move(opened).value();
  for (auto [number, from, to, value] : {std::tuple{"P1", "2026-05-01", "2026-05-10", 35.0},
                                         {"P2", "2026-05-11", "2031-05-10", 50.0}}) {
    permit::Permit p;
    p.number = number;
    p.enterprise_id = 1;
    p.valid_from = from;
    p.valid_to = to;
    p.outlets = {{site, {{"a21026", value, std::nullopt, "mg/m3", "GB 13223-2011 表1"}}}};
    ASSERT_TRUE(permits_->Put(p).ok());
  }
  deriver_->SetPermits(permits_.get());
  Publish();
  UnixSeconds apr30 = BeijingDay(2026, 4, 30), may10 = BeijingDay(2026, 5, 10);
  Put("MNP", "a21026", apr30, 24, "80.0");              // under the attributes' 100
  Put("MNP", "a21026", apr30 + 5 * kHour, 1, "120.0");  // over it
  Put("MNP", "a21026", may10, 48, "40.0");              // over P1's 35, under P2's 50
  Put("MNP", "a21026", may10 + 50 * kHour, 2, "60.0");  // May 12 02:00: over P2's 50
  ASSERT_TRUE(deriver_->Flush().ok());
  auto ev = store_->QueryDerived("exceedance", "O2/a21026", 0, INT64_MAX, 10);
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 3u);
  json before = json::parse((*ev)[0].body), p1 = json::parse((*ev)[1].body),
       p2 = json::parse((*ev)[2].body);
  EXPECT_EQ(before["start"], apr30 + 5 * kHour);
  EXPECT_EQ(before["limit"], 100);
  EXPECT_EQ(before["basis"], "standard");
  // May 10 is over P1 all day; the same 40s of May 11 comply with P2: the event ends
  // with P1, and is not "ongoing" although its hours run on.
  EXPECT_EQ(p1["start"], may10);
  EXPECT_EQ(p1["hours"], 24);
  EXPECT_EQ(p1["limit"], 35);
  EXPECT_EQ(p1["basis"], "permit");
  EXPECT_EQ(p1["ongoing"], false);
  EXPECT_EQ(p2["start"], may10 + 50 * kHour);
  EXPECT_EQ(p2["hours"], 2);
  EXPECT_EQ(p2["limit"], 50);
  // P1 revoked: May 10 falls back to the attributes' 100 and its event goes.
  auto all = permits_->List();
  ASSERT_TRUE(all.ok());
  permit::Permit revoked = all->front();
  revoked.state = permit::PermitState::kRevoked;
  ASSERT_TRUE(permits_->Put(revoked).ok());
  Put("MNP", "a21026", may10, 1, "40.0");  // touches the day again
  ASSERT_TRUE(deriver_->Flush().ok());
  ev = store_->QueryDerived("exceedance", "O2/a21026", 0, INT64_MAX, 10);
  ASSERT_EQ(ev->size(), 2u);
  EXPECT_EQ(json::parse((*ev)[1].body)["limit"], 50);
}

TEST_P(DeriverTest, LoggerSendingOnlyMinuteDataGetsHoursWhenTheyHave45Minutes) {
  UnixSeconds hour = BeijingDay(2015, 6, 1) + 10 * kHour;
  store::Batch b;
  for (int m = 0; m < 6; ++m)  // 10-minute values, the whole hour
    b.readings.push_back(
        {"MN2", Period::kMinute, hour + m * 600, "a34004", "Avg", m % 2 ? "41" : "39", 'N'});
  for (int m = 0; m < 4; ++m)  // the next hour: 40 minutes only (needs 45, i.e. 5 of 6)
    b.readings.push_back(
        {"MN2", Period::kMinute, hour + kHour + m * 600, "a34004", "Avg", "80", 'N'});
  const store::Batch* p = &b;
  ASSERT_TRUE(store_->Append(std::span<const store::Batch* const>(&p, 1)).ok());
  deriver_->Touch({b});
  ASSERT_TRUE(deriver_->Flush().ok());
  json h = Row("aqi_hour", "site:S2", hour);
  EXPECT_EQ(h["conc"]["PM2.5"], 40);  // mean of 39/41
  EXPECT_EQ(h["aqi"], 57);            // HJ 633-2012: 50 + 50*5/40 = 56.25 -> 57
  // 40 of 60 minutes: no hourly value, so the hour has no AQI (and no row).
  json next = Row("aqi_hour", "site:S2", hour + kHour);
  EXPECT_TRUE(next.is_null() || next["aqi"].is_null()) << next.dump();
}

// The deriver evaluates the sites of the published snapshot, the one the gateway
// and the API read: a station only in the store is not derived until it is
// published, and a reading of its device is not taken for anyone else's.
TEST_P(DeriverTest, SitesComeFromThePublishedSnapshot) {
  store::Site s4;
  s4.code = "S4";
  s4.name = "S4";
  s4.district_id = *store_->PutDistrict({0, "D2", "西城区"});
  ASSERT_TRUE(store_->PutDevice({"MN4", *store_->PutSite(s4), "pw"}).ok());
  ASSERT_TRUE(deriver_->Reload().ok());
  EXPECT_EQ(deriver_->sites().size(), 3u);
  UnixSeconds day = BeijingDay(2015, 6, 1);
  Put("MN4", "a34004", day, 1, "40");
  ASSERT_TRUE(deriver_->Flush().ok());
  EXPECT_TRUE(Row("aqi_hour", "site:S4", day).is_null());

  Publish();
  ASSERT_EQ(deriver_->sites().size(), 4u);
  EXPECT_EQ(deriver_->sites().back().kind, registry::SiteKind::kAir);
  Put("MN4", "a34004", day, 1, "40");
  ASSERT_TRUE(deriver_->Flush().ok());
  EXPECT_EQ(Row("aqi_hour", "site:S4", day)["aqi"], 57);
}

// Regression: a site whose only device is its manual one (samples/record.h) must not be
// evaluated from the laboratory's day values as if they were its automatic series: its
// manual device is never the one it reports from.
TEST_P(DeriverTest, TheManualDeviceNeverReportsForTheSite) {
  store::Site s4;
  s4.code = "S4";
  s4.name = "S4";
  s4.district_id = *store_->PutDistrict({0, "D2", "西城区"});
  int64_t id = *store_->PutSite(s4);
  registry::Device manual{registry::ManualMn("S4"), id, "pw"};
  manual.enabled = false;
  ASSERT_TRUE(store_->PutDevice(manual).ok());
  Publish();
  ASSERT_EQ(deriver_->sites().size(), 4u);
  EXPECT_EQ(deriver_->sites().back().code, "S4");
  EXPECT_EQ(deriver_->sites().back().mn, "");
  UnixSeconds day = BeijingDay(2015, 6, 1);
  Put(registry::ManualMn("S4"), "a34004", day, 1, "40");
  ASSERT_TRUE(deriver_->Flush().ok());
  EXPECT_TRUE(Row("aqi_hour", "site:S4", day).is_null());
}

// Regression: a district's day was the mean of its stations' ROUNDED daily values,
// rounded again (GB/T 8170 forbids successive rounding). S1 PM2.5 10.5 (-> 10), S2
// 10.6 (-> 11): the district is 10.55 -> 11, not (10 + 11)/2 = 10.5 -> 10. O3: the
// first 8-h window 804/8 = 100.5 (-> 100) and 811/8 = 101.375 (-> 101): 100.9375 ->
// 101, not 100.5 -> 100, for the day's maximum and for the hour's sliding mean.
TEST_P(DeriverTest, AreaValuesAreMeansOfUnroundedStationValuesRoundedOnce) {
  UnixSeconds day = BeijingDay(2015, 6, 1);
  Put("MN1", "a34004", day, 24, "10.5");
  Put("MN2", "a34004", day, 24, "10.6");
  Put("MN3", "a34004", day, 24, "10.6");
  Put("MN1", "a05024", day, 1, "104");
  Put("MN1", "a05024", day + kHour, 23, "100");
  Put("MN2", "a05024", day, 1, "111");
  Put("MN2", "a05024", day + kHour, 23, "100");
  ASSERT_TRUE(deriver_->Flush().ok());
  json s1 = Row("aqi_day", "site:S1", day), s2 = Row("aqi_day", "site:S2", day);
  EXPECT_EQ(s1["conc"]["PM2.5"], 10);
  EXPECT_EQ(s2["conc"]["PM2.5"], 11);
  EXPECT_EQ(s1["unrounded"]["PM2.5"], json::array({252.0, 24}));
  EXPECT_EQ(s1["conc"]["O3_8h"], 100);
  EXPECT_EQ(s1["unrounded"]["O3_8h"], json::array({804, 8}));
  EXPECT_EQ(s2["conc"]["O3_8h"], 101);
  json d1 = Row("aqi_day", "district:D1", day);
  EXPECT_EQ(d1["conc"]["PM2.5"], 11) << d1.dump();
  EXPECT_EQ(d1["conc"]["O3_8h"], 101) << d1.dump();
  EXPECT_FALSE(d1.contains("unrounded"));
  // The hour whose 8-h window is hours 0..7.
  json s1h = Row("aqi_hour", "site:S1", day + 7 * kHour);
  EXPECT_EQ(s1h["conc"]["O3_8h"], 100);
  EXPECT_EQ(s1h["unrounded"]["O3_8h"], json::array({804, 8}));
  json d1h = Row("aqi_hour", "district:D1", day + 7 * kHour);
  EXPECT_EQ(d1h["conc"]["O3_8h"], 101) << d1h.dump();
  EXPECT_EQ(d1h["conc"]["PM2.5"], 11);  // 1-h values: (10.5 + 10.6)/2 = 10.55 -> 11
  // The city: PM2.5 (10.5 + 10.6 + 10.6)/3 -> 11.
  EXPECT_EQ(Row("aqi_day", "city", day)["conc"]["PM2.5"], 11);
}

// Regression: a city day counted from one station of twelve, and coverage.expected
// counted every air site of the registry. An area's indicator now needs 75 % of the
// stations that exist in the period (rounded up), and a station exists from its first
// data on, while active (a disabled one only where it reported).
TEST_P(DeriverTest, AreaNeedsThreeQuartersOfTheStationsThatExistInThePeriod) {
  UnixSeconds day1 = BeijingDay(2015, 6, 1), day2 = day1 + kDay, day3 = day2 + kDay;
  Put("MN1", "a34004", day1, 24, "40");
  Put("MN2", "a34004", day1, 24, "50");
  Put("MN3", "a34004", day1, 24, "60");
  // S4 joins D2 and reports from day 2 on; S3 is disabled after day 1.
  int64_t d2 = *store_->PutDistrict({0, "D2", "西城区"});
  store::Site s4;
  s4.code = "S4";
  s4.name = "S4";
  s4.district_id = d2;
  ASSERT_TRUE(store_->PutDevice({"MN4", *store_->PutSite(s4), "pw"}).ok());
  store::Site s3;
  s3.code = "S3";
  s3.name = "S3";
  s3.district_id = d2;
  s3.active = false;
  ASSERT_TRUE(store_->PutSite(s3).ok());
  Publish();
  Put("MN1", "a34004", day2, 24, "40");
  Put("MN2", "a34004", day2, 24, "50");
  Put("MN4", "a34004", day2, 24, "70");
  Put("MN1", "a34004", day3, 24, "40");  // day 3: S1 alone
  ASSERT_TRUE(deriver_->RecomputeRange(day1, day3 + kDay).ok());

  // Day 1: S1, S2, S3 existed (S4 had no data yet, S3 reported): 3 of 3.
  json c1 = Row("aqi_day", "city", day1);
  EXPECT_EQ(c1["coverage"]["expected"], 3) << c1.dump();
  EXPECT_EQ(c1["coverage"]["required"], 3);
  EXPECT_EQ(c1["stations"]["PM2.5"], 3);
  EXPECT_EQ(c1["conc"]["PM2.5"], 50);
  // Day 2: S1, S2, S4 (S3 disabled and silent): 3 of 3.
  json c2 = Row("aqi_day", "city", day2);
  EXPECT_EQ(c2["coverage"]["expected"], 3) << c2.dump();
  EXPECT_EQ(c2["conc"]["PM2.5"], 53);  // 160/3
  // Day 3: S1 of 3 expected: no city value, nor for D1 (1 of 2) or its hours.
  json c3 = Row("aqi_day", "city", day3);
  EXPECT_EQ(c3["coverage"]["expected"], 3) << c3.dump();
  EXPECT_EQ(c3["coverage"]["present"], 1);
  EXPECT_EQ(c3["stations"]["PM2.5"], 1);
  EXPECT_FALSE(c3["conc"].contains("PM2.5")) << c3.dump();
  EXPECT_TRUE(c3["aqi"].is_null());
  json d1 = Row("aqi_day", "district:D1", day3);
  EXPECT_EQ(d1["coverage"]["expected"], 2);
  EXPECT_EQ(d1["coverage"]["required"], 2);
  EXPECT_TRUE(d1["aqi"].is_null()) << d1.dump();
  json h = Row("aqi_hour", "city", day3 + 5 * kHour);
  EXPECT_EQ(h["coverage"]["expected"], 3) << h.dump();
  EXPECT_TRUE(h["aqi"].is_null()) << h.dump();
  // D2 on day 2: S4 alone is all D2 has (S3 disabled): 1 of 1.
  json d2row = Row("aqi_day", "district:D2", day2);
  EXPECT_EQ(d2row["coverage"]["expected"], 1) << d2row.dump();
  EXPECT_EQ(d2row["conc"]["PM2.5"], 70);
}

// `report air` and /air/report: fewer daily values than days is said in "warnings".
TEST_P(DeriverTest, PeriodReportWarnsOfMissingDays) {
  UnixSeconds day = BeijingDay(2015, 6, 1);
  for (const char* mn : {"MN1", "MN2", "MN3"}) Put(mn, "a34004", day, 24, "40");
  ASSERT_TRUE(deriver_->Flush().ok());
  auto [from, to] = BeijingMonth(2015, 6);
  auto r = PeriodReport(*store_, "city", from, to, false);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)["warnings"].size(), 2u) << r->dump();
  EXPECT_EQ((*r)["warnings"][0],
            "1 of the period's 30 days have a daily AQI: the day counts and "
            "the ratio cover those days only");
  EXPECT_NE((*r)["warnings"][1].get<std::string>().find("PM2.5 1"), std::string::npos);
  // A period whose every day has every value: no warning.
  nlohmann::ordered_json full = {
      {"days_in_period", 2}, {"days_with_aqi", 2}, {"statistics", {{"PM2.5", {{"days", 2}}}}}};
  EXPECT_TRUE(PeriodWarnings(full).empty());
}

INSTANTIATE_TEST_SUITE_P(Prefetch, DeriverTest, testing::Values(1000, 1), [](const auto& info) {
  return info.param == 1 ? "OneScan" : "PerSeries";
});

}  // namespace
}  // namespace ecohub::derive
