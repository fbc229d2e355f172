// The derived bodies read and written through derive/bodies.h: rows as the Deriver
// has stored them (copied from a store filled by the Deriver before the bodies were
// typed) parse and write back to the same bytes, and odd rows read leniently.
#include "derive/bodies.h"

#include <gtest/gtest.h>

namespace ecohub::derive {
namespace {

// Rows as stored.
const char* const kAqiRows[] = {
    // a station's day, with validity (2012)
    R"j({"aqi":144,"level":3,"category":"轻度污染","primary":["O3_8h"],"iaqi":{"O3_1)j"
    R"j(h":110,"O3_8h":144,"PM2.5_24h":119},"published":true,"color":"#FF7E00",")j"
    R"j(edition":"HJ633-2012","mode":"daily","level_name":"三级","category_en":"Li)j"
    R"j(ghtly polluted","missing":["SO2_24h","NO2_24h","PM10_24h","CO_24h"],"not)j"
    R"j(_monitored":[],"over_standard":["O3_1h","O3_8h","PM2.5"],"health_effect")j"
    R"j(:"易感人群症状有轻度加剧，健康人群出现刺激症状","advice":"儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼",)j"
    R"j("conc":{"O3_8h":208.0,"O3_1h":219.0,"PM2.5":90.0},"validity":{"SO2":{"ho)j"
    R"j(urs":0,"valid":false},"NO2":{"hours":0,"valid":false},"PM10":{"hours":0,)j"
    R"j("valid":false},"CO":{"hours":0,"valid":false},"O3_8h":{"windows":17,"val)j"
    R"j(id":true},"O3_1h":{"hours":24,"valid":true},"PM2.5":{"hours":22,"valid":)j"
    R"j(true}},"standard":"GB3095-2012"})j",
    // a district's hour
    R"j({"aqi":82,"level":2,"category":"良","primary":["PM2.5"],"iaqi":{"SO2_1h":)j"
    R"j(3,"NO2_1h":18,"PM10_1h":61,"CO_1h":7,"O3_1h":38,"PM2.5_1h":82},"publishe)j"
    R"j(d":true,"color":"#FFFF00","edition":"HJ633-2012","mode":"hourly","level_)j"
    R"j(name":"二级","category_en":"Good","missing":[],"not_monitored":[],"over_st)j"
    R"j(andard":[],"health_effect":"空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响","advice":)j"
    R"j("极少数异常敏感人群应减少户外活动","conc":{"SO2":8.0,"NO2":35.0,"PM10":71.0,"CO":0.7,"O3)j"
    R"j(":120.0,"PM2.5":60.0},"time_label":"start","coverage":{"unit":"stations")j"
    R"j(,"expected":2,"present":2},"district_name":"东城区"})j",
    // the city's day
    R"j({"aqi":92,"level":2,"category":"良","primary":["O3_8h"],"iaqi":{"SO2_24h")j"
    R"j(:10,"NO2_24h":47,"PM10_24h":62,"CO_24h":65,"O3_1h":49,"O3_8h":92,"PM2.5_)j"
    R"j(24h":89},"published":true,"color":"#FFFF00","edition":"HJ633-2012","mode)j"
    R"j(":"daily","level_name":"二级","category_en":"Good","missing":[],"not_monit)j"
    R"j(ored":[],"over_standard":[],"health_effect":"空气质量可接受，但某些污染物可能对极少数异常敏感人群健)j"
    R"j(康有较弱影响","advice":"极少数异常敏感人群应减少户外活动","conc":{"SO2":10.0,"NO2":37.0,"PM10")j"
    R"j(:73.0,"CO":2.6,"O3_1h":156.0,"O3_8h":150.0,"PM2.5":66.0},"coverage":{"un)j"
    R"j(it":"stations","expected":2,"present":2},"standard":"GB3095-2012"})j",
    // a station's day with its unrounded statistics, and a city day with the stations
    // per indicator and the minimum (both hand-made: the format since round-once)
    R"j({"aqi":15,"level":1,"category":"优","primary":[],"iaqi":{"PM2.5_24h":15},)j"
    R"j("published":true,"color":"#00E400","edition":"HJ633-2012","mode":"daily",)j"
    R"j("level_name":"一级","category_en":"Excellent","missing":[],"not_monitored")j"
    R"j(:[],"over_standard":[],"health_effect":"x","advice":"y","conc":{"O3_8h":1)j"
    R"j(00.0,"PM2.5":10.0},"unrounded":{"O3_8h":[804.0,8],"PM2.5":[252.0,24]},"v)j"
    R"j(alidity":{"PM2.5":{"hours":24,"valid":true}},"standard":"GB3095-2012"})j",
    R"j({"aqi":16,"level":1,"category":"优","primary":[],"iaqi":{"PM2.5_24h":16},)j"
    R"j("published":true,"color":"#00E400","edition":"HJ633-2012","mode":"daily",)j"
    R"j("level_name":"一级","category_en":"Excellent","missing":[],"not_monitored")j"
    R"j(:[],"over_standard":[],"health_effect":"x","advice":"y","conc":{"PM2.5":1)j"
    R"j(1.0},"coverage":{"unit":"stations","expected":4,"present":3,"required":3)j"
    R"j(},"stations":{"PM2.5":3},"standard":"GB3095-2012"})j",
    // nothing to compute an AQI from (hand-made in the same shape)
    R"j({"aqi":null,"level":null,"category":null,"primary":[],"iaqi":{},"publish)j"
    R"j(ed":false,"color":null,"edition":"HJ633-2012","mode":"hourly","level_nam)j"
    R"j(e":null,"category_en":null,"missing":["SO2_1h","NO2_1h","PM10_1h","CO_1h)j"
    R"j(","O3_1h","PM2.5_1h"],"not_monitored":[],"over_standard":[],"conc":{},"t)j"
    R"j(ime_label":"start","coverage":{"unit":"pollutants","expected":6,"present)j"
    R"j(":0}})j",
};
const char kWaterRow[] =
    R"j({"class":"劣V","grade":"重度污染","color":"#FF0000","meets_target":false,"tar)j"
    R"j(get_class":"III","item_class":{"pH":"I","DO":"I","CODMn":"III","NH3N":"劣)j"
    R"j(V","TP":"劣V"},"exceeding":["TP","NH3N"],"exceed_multiple":{"TP":7.25,"NH)j"
    R"j(3N":1.7},"values":{"pH":8.7,"DO":7.6,"CODMn":5.8,"NH3N":2.7,"TP":1.65},")j"
    R"j(site_type":"river","items_used":"auto_station: pH DO CODMn NH3N TP","sta)j"
    R"j(ndard":"GB3838-2002","coverage":{"unit":"hourly values","items":{"pH":20)j"
    R"j(,"DO":20,"CODMn":20,"NH3N":20,"TP":20}}})j";
const char kExceedanceRow[] =
    R"j({"site":"O1","site_name":"O1名","district":"D1","factor":"a21026","start")j"
    R"j(:1748725200,"end":1748739600,"start_text":"2025-06-01T05:00:00+08:00","e)j"
    R"j(nd_text":"2025-06-01T09:00:00+08:00","hours":4,"peak":50.5,"peak_hour":1)j"
    R"j(748725200,"multiple":0.44,"limit":35.0,"unit":"mg/m3","basis":"permit",")j"
    R"j(compared":"Avg","ongoing":false})j";
const char kQualityRow[] =
    R"j({"factors":{"w01001":{"expected":24,"received":20,"valid":20,"transmissi)j"
    R"j(on":0.8333333333333334,"validity":1.0,"transmission_validity":0.83333333)j"
    R"j(33333334,"completeness":0.8333333333333334,"timeliness":null,"anomalies")j"
    R"j(:[{"kind":"out_of_range","start":1748718000,"end":1748718000,"count":1,")j"
    R"j(detail":"37.200000 above range max 14"},{"kind":"jump","start":174871800)j"
    R"j(0,"end":1748718000,"count":1,"detail":"7.200000 -> 37.200000 (> 5x and >)j"
    R"j( +1)"},{"kind":"stuck","start":1748721600,"end":1748775600,"count":16,"d)j"
    R"j(etail":"16 values of 7.200000"}]}},"site_kind":"water","district":"D1",")j"
    R"j(totals":{"expected":120,"received":100,"valid":100,"transmission":0.8333)j"
    R"j(333333333334,"validity":1.0,"transmission_validity":0.8333333333333334,")j"
    R"j(completeness":0.8333333333333334,"timeliness":null}})j";

TEST(Bodies, AqiRowsAsStoredRoundTrip) {
  for (const char* row : kAqiRows) {
    SCOPED_TRACE(row);
    auto b = ParseAqiBody(row);
    ASSERT_TRUE(b);
    EXPECT_EQ(ToJson(*b).dump(), row);
  }
}

TEST(Bodies, AqiFieldsAreTyped) {
  auto day = ParseAqiBody(kAqiRows[0]);
  ASSERT_TRUE(day);
  EXPECT_EQ(day->aqi, 144);
  EXPECT_EQ(day->level, 3);
  EXPECT_EQ(day->edition, "HJ633-2012");
  ASSERT_TRUE(day->Conc("O3_8h"));
  EXPECT_EQ(*day->Conc("O3_8h"), 208.0);
  EXPECT_FALSE(day->Conc("SO2"));
  const AqiBody::Validity* o3 = Find(day->validity, "O3_8h");
  ASSERT_TRUE(o3);
  EXPECT_TRUE(o3->windows);
  EXPECT_EQ(o3->count, 17);
  auto none = ParseAqiBody(kAqiRows[5]);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->aqi);
  EXPECT_FALSE(none->health_effect);
  EXPECT_EQ(none->coverage->present, 0);
  EXPECT_FALSE(none->coverage->required);
  auto station = ParseAqiBody(kAqiRows[3]);
  ASSERT_TRUE(station);
  const UnroundedValue* pm = station->UnroundedOf("PM2.5");
  ASSERT_TRUE(pm);
  EXPECT_EQ(pm->sum, 252.0);
  EXPECT_EQ(pm->n, 24);
  EXPECT_FALSE(station->UnroundedOf("SO2"));
  auto city = ParseAqiBody(kAqiRows[4]);
  ASSERT_TRUE(city);
  EXPECT_EQ(city->coverage->required, 3);
  EXPECT_EQ(*Find(city->stations, "PM2.5"), 3);
  // An unrounded value that is not [number, integer >= 1] reads as absent.
  auto odd = ParseAqiBody(R"({"unrounded":{"A":[1.5,0],"B":[1.5],"C":"x","D":[2.5,2]}})");
  ASSERT_TRUE(odd);
  ASSERT_EQ(odd->unrounded.size(), 1u);
  EXPECT_EQ(odd->unrounded[0].first, "D");
}

TEST(Bodies, WaterExceedanceQualityRowsAsStoredRoundTrip) {
  auto water = ParseWaterDayBody(kWaterRow);
  ASSERT_TRUE(water);
  EXPECT_EQ(ToJson(*water).dump(), kWaterRow);
  EXPECT_EQ(water->water_class, "劣V");
  EXPECT_EQ(water->meets_target, false);

  auto event = ParseExceedanceBody(kExceedanceRow);
  ASSERT_TRUE(event);
  EXPECT_EQ(ToJson(*event).dump(), kExceedanceRow);
  EXPECT_EQ(event->hours, 4);
  EXPECT_EQ(event->limit, 35.0);

  int64_t bad = 0;
  auto quality = ParseQualityDayBody(kQualityRow, &bad);
  ASSERT_TRUE(quality);
  EXPECT_EQ(ToJson(*quality).dump(), kQualityRow);
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(quality->district, "D1");
  EXPECT_EQ(quality->totals.expected, 120);
  ASSERT_EQ(quality->factors.size(), 1u);
  EXPECT_EQ(quality->factors[0].second.anomalies.size(), 3u);
}

TEST(Bodies, OddRowsReadLeniently) {
  EXPECT_FALSE(ParseAqiBody("not json"));
  EXPECT_FALSE(ParseAqiBody("[1]"));
  auto aqi = ParseAqiBody(R"({"aqi":"high","conc":{"SO2":"x","NO2":5}})");
  ASSERT_TRUE(aqi);
  EXPECT_FALSE(aqi->aqi);
  EXPECT_FALSE(aqi->Conc("SO2"));
  EXPECT_EQ(*aqi->Conc("NO2"), 5.0);

  EXPECT_FALSE(ParseExceedanceBody(R"({"start":"x"})"));
  auto event = ParseExceedanceBody(R"({"start":5,"peak":"high","ongoing":"yes"})");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->start, 5);
  EXPECT_FALSE(event->peak);
  EXPECT_FALSE(event->ongoing);

  int64_t bad = 0;
  auto q = ParseQualityDayBody(
      R"({"factors":{"a":{"anomalies":7},"b":{"anomalies":[1,{"kind":"x"},{"start":3},)"
      R"({"kind":"jump","start":4}]},"c":2}})",
      &bad);
  ASSERT_TRUE(q);
  EXPECT_EQ(bad, 4);
  ASSERT_EQ(q->factors.size(), 2u);  // "c" is not an object
  ASSERT_EQ(q->factors[1].second.anomalies.size(), 1u);
  EXPECT_EQ(q->factors[1].second.anomalies[0].kind, "jump");
  EXPECT_TRUE(ParseQualityDayBody(R"({"factors":[]})")->factors.empty());
}

}  // namespace
}  // namespace ecohub::derive
