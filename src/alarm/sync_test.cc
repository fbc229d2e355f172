// BuildAlarms as a table: derived rows and device states in, alarm rows out; odd rows
// are skipped and counted, never fatal.
#include "alarm/sync.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ecohub::alarm {
namespace {

constexpr UnixSeconds kNow = 1'795'400'000;
constexpr UnixSeconds kStart = kNow - 7200;  // the process started two hours ago

std::vector<store::Site> Sites() {
  store::Site outlet{3, "DA-40-1", "Outlet 1", registry::SiteKind::kOutletGas, 4, 11};
  store::Site air{5, "AIR-1", "Station", registry::SiteKind::kAir, 6, 0};
  return {outlet, air};
}

store::DerivedRow Exceedance(std::string scope, std::string body) {
  return {"exceedance", std::move(scope), 0, std::nullopt, std::move(body)};
}
store::DerivedRow Quality(std::string scope, std::string body) {
  return {"quality_day", std::move(scope), 0, std::nullopt, std::move(body)};
}

struct Case {
  const char* what;
  SyncInput in;
  std::vector<std::string> keys;  // the alarms expected, in order
  int64_t skipped = 0;
  std::function<void(const std::vector<store::Alarm>&)> more = nullptr;
};

TEST(AlarmSync, Table) {
  const std::string kEvent =
      R"({"start":1795399200,"end":1795406400,"peak":180.5,"limit":100,"unit":"mg/m3",)"
      R"("hours":2,"multiple":0.81,"ongoing":false})";
  const std::string kOngoing =
      R"({"start":1795399200,"end":1795406400,"peak":120,"limit":100,"ongoing":true})";
  const std::string kDay =
      R"({"factors":{"a34004":{"anomalies":[{"kind":"stuck","start":1795300000,"end":1795310000,)"
      R"("count":6,"detail":"6 values of 35.2"},{"kind":"during_maintenance","start":1,"end":2}]},)"
      R"("a21026":{"anomalies":[{"kind":"jump","start":1795399000,"end":1795399000,"count":1}]}}})";
  store::Alarm before_restart;
  before_restart.key = "offline:MN1:1795000000";
  before_restart.kind = "offline";
  before_restart.started = 1'795'000'000;
  before_restart.detail = R"({"mn":"MN1","last_packet":1795000000})";
  std::vector<Case> cases = {
      {"an ended exceedance",
       {{Exceedance("DA-40-1/a21002", kEvent)}, {}, Sites(), {}, {}, kNow, kStart},
       {"exceedance:DA-40-1/a21002:1795399200"},
       0,
       [](const std::vector<store::Alarm>& a) {
         EXPECT_EQ(a[0].kind, "exceedance");
         EXPECT_EQ(a[0].site_id, 3);
         EXPECT_EQ(a[0].enterprise_id, 11);
         EXPECT_EQ(a[0].district_id, 4);
         EXPECT_EQ(a[0].factor, "a21002");
         EXPECT_EQ(a[0].ended, 1795406400);
         EXPECT_EQ(a[0].value, 180.5);
         EXPECT_EQ(a[0].limit, 100);
         EXPECT_EQ(a[0].unit, "mg/m3");
         EXPECT_EQ(nlohmann::json::parse(a[0].detail)["hours"], 2);
       }},
      {"an ongoing exceedance has no end",
       {{Exceedance("DA-40-1/a21002", kOngoing)}, {}, Sites(), {}, {}, kNow, kStart},
       {"exceedance:DA-40-1/a21002:1795399200"},
       0,
       [](const std::vector<store::Alarm>& a) { EXPECT_FALSE(a[0].ended); }},
      {"odd exceedance rows are skipped",
       {{Exceedance("DA-40-1/a21002", "not json"), Exceedance("NOPE/a21002", kEvent),
         Exceedance("DA-40-1", kEvent), Exceedance("DA-40-1/a21002", R"({"start":"x"})"),
         Exceedance("DA-40-1/a21002", "[1,2]"),
         Exceedance("DA-40-1/a21002", R"({"start":5,"peak":"high","ongoing":"yes"})")},
        {},
        Sites(),
        {},
        {},
        kNow,
        kStart},
       {"exceedance:DA-40-1/a21002:5"},
       5},
      {"anomalies of a quality day; maintenance is not an alarm; recent ones go on",
       {{}, {Quality("site:AIR-1", kDay)}, Sites(), {}, {}, kNow, kStart},
       {"anomaly:AIR-1/a21026:jump:1795399000", "anomaly:AIR-1/a34004:stuck:1795300000"},
       0,
       [](const std::vector<store::Alarm>& a) {
         EXPECT_FALSE(a[0].ended);  // 1000 s before now: may still be going on
         EXPECT_EQ(a[1].ended, 1795310000);
         EXPECT_EQ(a[1].district_id, 6);
         EXPECT_EQ(a[1].enterprise_id, 0);
         EXPECT_EQ(nlohmann::json::parse(a[1].detail)["anomaly"], "stuck");
       }},
      {"odd quality rows are skipped",
       {{},
        {Quality("site:AIR-1", "{"), Quality("AIR-1", kDay), Quality("site:GONE", kDay),
         Quality("site:AIR-1", R"({"factors":{"a":{"anomalies":7}}})"),
         Quality("site:AIR-1", R"({"factors":{"a":{"anomalies":[1,{"kind":"x"},{"start":3}]}}})"),
         Quality("site:AIR-1", R"({"factors":[]})")},
        Sites(),
        {},
        {},
        kNow,
        kStart},
       {},
       7},
      {"a device silent for 40 minutes",
       {{}, {}, Sites(), {{"MN1", 3, true, kNow - 2400, kStart}}, {}, kNow, kStart},
       {"offline:MN1:" + std::to_string(kNow - 2400)},
       0,
       [](const std::vector<store::Alarm>& a) {
         EXPECT_EQ(a[0].kind, "offline");
         EXPECT_EQ(a[0].site_id, 3);
         EXPECT_EQ(a[0].factor, "");
         EXPECT_FALSE(a[0].ended);
       }},
      {"a device heard 10 minutes ago, a disabled one, one of no site: no alarm",
       {{},
        {},
        Sites(),
        {{"MN1", 3, true, kNow - 600, kStart}, {"MN2", 3, false, 0, 0}, {"MN3", 99, true, 0, 0}},
        {},
        kNow,
        kStart},
       {}},
      {"never heard since a start-up more than 30 minutes ago",
       {{}, {}, Sites(), {{"MN1", 5, true, 0, 0}}, {}, kNow, kStart},
       {"offline:MN1:" + std::to_string(kStart)}},
      {"never heard, start-up 10 minutes ago: not yet",
       {{}, {}, Sites(), {{"MN1", 5, true, 0, 0}}, {}, kNow, kNow - 600},
       {}},
      {"an offline alarm from before the restart goes on",
       {{}, {}, Sites(), {{"MN1", 5, true, 0, 0}}, {before_restart}, kNow, kNow - 600},
       {"offline:MN1:1795000000"},
       0,
       [](const std::vector<store::Alarm>& a) {
         EXPECT_FALSE(a[0].ended);
         EXPECT_EQ(a[0].started, 1795000000);
       }},
      {"heard again: the offline alarm ends when it came back",
       {{}, {}, Sites(), {{"MN1", 5, true, kNow - 30, kNow - 300}}, {before_restart}, kNow, kStart},
       {"offline:MN1:1795000000"},
       0,
       [](const std::vector<store::Alarm>& a) { EXPECT_EQ(a[0].ended, kNow - 300); }},
      {"silent again after coming back: the old one ends, a new one starts",
       {{},
        {},
        Sites(),
        {{"MN1", 5, true, kNow - 3600, kNow - 4000}},
        {before_restart},
        kNow,
        kStart},
       {"offline:MN1:1795000000", "offline:MN1:" + std::to_string(kNow - 3600)},
       0,
       [](const std::vector<store::Alarm>& a) {
         EXPECT_EQ(a[0].ended, kNow - 4000);
         EXPECT_FALSE(a[1].ended);
       }},
      {"a disabled device's offline alarm ends",
       {{}, {}, Sites(), {{"MN1", 5, false, 0, 0}}, {before_restart}, kNow, kStart},
       {"offline:MN1:1795000000"},
       0,
       [](const std::vector<store::Alarm>& a) { EXPECT_EQ(a[0].ended, kNow); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    SyncOutput out = BuildAlarms(c.in, SyncOptions{});
    std::vector<std::string> keys;
    for (const auto& a : out.alarms) keys.push_back(a.key);
    EXPECT_EQ(keys, c.keys);
    EXPECT_EQ(out.skipped, c.skipped);
    if (c.more && keys == c.keys) c.more(out.alarms);
  }
}

}  // namespace
}  // namespace ecohub::alarm
