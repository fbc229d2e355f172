// Files of readings read into the long form: EcoHub's CSV, each mapping key, the
// conversions, and every kind of bad cell named by its row and column.
#include "ingest/readings_file.h"

#include <gtest/gtest.h>

#include "core/parse_time.h"
#include "ingest/units.h"

namespace ecohub::ingest {
namespace {

constexpr UnixSeconds kMar1 = 1772294400;  // 2026-03-01 00:00 Beijing

std::string Errors(const FileValues& f) {
  std::string out;
  for (const auto& e : f.errors)
    out += std::to_string(e.row) + "/" + e.column + ": " + e.reason + "\n";
  return out;
}

using Values = std::map<std::pair<UnixSeconds, std::string>, std::string>;
std::pair<UnixSeconds, std::string> Key(UnixSeconds t, const char* factor) { return {t, factor}; }
std::string At(Values& v, UnixSeconds t, const char* factor) { return v[Key(t, factor)]; }

FileValues Read(std::string_view csv, const Mapping* m = nullptr) {
  auto r = ReadValues(csv, m);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : FileValues{};
}

Mapping Map(std::string_view json) {
  auto m = ParseMapping(json, false);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : Mapping{};
}

TEST(ReadValues, LongCsv) {
  auto f = Read(
      "\xEF\xBB\xBFsite,factor,period,time,value,flag\n"
      "AIR-1,a34004,hour,2026-03-01 08:00,35,N\n"
      "AIR-1,a34004,hour,2026-03-01T01:00:00Z,36.5,\n"
      "AIR-1,a21005,day,2026-03-01,0.8,M\r\n"
      "\n"
      "AIR-2,a34004,minute,2026-03-01 08:01,,N\n");
  EXPECT_EQ(Errors(f), "");
  EXPECT_EQ(f.format, "csv");
  EXPECT_EQ(f.rows, 4);
  EXPECT_EQ(f.missing, 1);
  ASSERT_EQ(f.values.size(), 3u);
  EXPECT_EQ(f.values[0].site, "AIR-1");
  EXPECT_EQ(f.values[0].time, kMar1 + 8 * 3600);
  EXPECT_EQ(f.values[0].value, "35");
  EXPECT_EQ(f.values[0].row, 2);
  EXPECT_EQ(f.values[1].time, kMar1 + 9 * 3600);
  EXPECT_EQ(f.values[1].value, "36.5");
  EXPECT_EQ(f.values[1].flag, 'N');
  EXPECT_EQ(f.values[2].period, Period::kDay);
  EXPECT_EQ(f.values[2].flag, 'M');
}

TEST(ReadValues, BadCellsNamedByRowAndColumn) {
  auto f = Read(
      "site,factor,period,time,value,flag\n"
      "AIR-1,a34004,hour,2026-03-01 08:00,abc,N\n"  // 2: value
      "AIR-1,a34004,hour,2026-03-32 08:00,1,N\n"    // 3: time
      "AIR-1,PM25,hour,2026-03-01 08:00,1,N\n"      // 4: factor
      "AIR-1,a34004,week,2026-03-01 08:00,1,N\n"    // 5: period
      "AIR-1,a34004,hour,2026-03-01 08:30,1,N\n"    // 6: not an hour's start
      "AIR-1,a34004,hour,2026-03-01 09:00,1,X\n"    // 7: flag
      ",a34004,hour,2026-03-01 09:00,1,N\n"         // 8: site
      "AIR-1,a34004,day,2026-03-01 08:00,1,N\n"     // 9: not a Beijing day
      "AIR-1,a34004,hour,2026-03-01 10:00,1e3,N\n"  // 10: not a plain decimal
      "AIR-1,a34004,hour,2026-03-01 11:00,5,N\n"    // good
      "AIR-1,a34004,hour,2026-03-01 11:00,6,N\n"    // 12: repeat, another value
      "AIR-1,a34004,hour,2026-03-01 11:00,5,N\n");  // repeat, same: dropped
  EXPECT_EQ(Errors(f),
            "2/value: \"abc\" is not a decimal number\n"
            "3/time: \"2026-03-32 08:00\" is not a time (YYYY-MM-DD HH:MM[:SS] or RFC 3339)\n"
            "4/factor: \"PM25\" is not an HJ 212 factor code\n"
            "5/period: \"week\" is not a period (minute, hour or day)\n"
            "6/time: not the start of an hour\n"
            "7/flag: \"X\" is not an HJ 212 data flag (N F M S D C T B)\n"
            "8/site: no site\n"
            "9/time: not the start of a Beijing day\n"
            "10/value: \"1e3\" is not a decimal number\n"
            "12/: the same site, factor, period and time as row 11, with another value\n");
  ASSERT_EQ(f.values.size(), 1u);
  EXPECT_EQ(f.values[0].row, 11);
}

TEST(ReadValues, UnreadableFiles) {
  EXPECT_FALSE(ReadValues("", nullptr).ok());
  auto no_time = ReadValues("site,factor,period,value\nA,a34004,hour,1\n", nullptr);
  ASSERT_FALSE(no_time.ok());
  EXPECT_EQ(no_time.status().message(), "the header has no column \"time\"");
  EXPECT_FALSE(ReadValues("site,factor,period,time,value\n\xff\xfe,,,,\n", nullptr).ok());
  std::string many = "site,factor,period,time,value\n";
  for (int i = 0; i < 10; ++i) many += "A,a34004,hour,2026-03-01 08:00,1\n";
  EXPECT_FALSE(ReadValues(many, nullptr, 5).ok());
}

TEST(ReadValues, WideTableWithUnitsCompassAndDewPoint) {
  Mapping m = Map(R"({
    "shape": "wide", "site_prefix": "AIR-", "period": "hour",
    "columns": {"site": "station", "year": "year", "month": "month", "day": "day", "hour": "hour"},
    "factors": {
      "TEMP": "a01001",
      "PRES": {"code": "a01006", "unit": "hPa"},
      "DEWP": {"code": "a01002", "convert": "dew_point", "with": "TEMP"},
      "wd": {"code": "a01008", "convert": "compass"},
      "WSPM": {"code": "a01007", "unit": "km/h"},
      "CO": {"code": "a21005", "unit": "ug/m3"}
    },
    "skip": ["RAIN"]
  })");
  auto f = Read(
      "No,year,month,day,hour,CO,TEMP,PRES,DEWP,RAIN,wd,WSPM,station\n"
      "1,2026,3,1,0,300,-0.7,1023.0,-18.8,0,NNW,4.4,Dongsi\n"
      "2,2026,3,1,1,NA,5,1023.5,5,0.5,C,36,Dongsi\n"
      "3,2026,3,1,2,1,1,1,1,0,XX,1,Dongsi\n",
      &m);
  EXPECT_EQ(Errors(f), "4/wd: \"XX\" is not a compass point (N, NNE ... NNW, C)\n");
  Values got;
  for (const auto& v : f.values) {
    EXPECT_EQ(v.site, "AIR-Dongsi");
    got[std::pair(v.time - kMar1, v.factor)] = v.value;
  }
  EXPECT_EQ(At(got, 0, "a01001"), "-0.7");
  EXPECT_EQ(At(got, 0, "a01006"), "102.30");  // hPa -> kPa, exactly
  EXPECT_EQ(At(got, 0, "a01008"), "337.5");
  EXPECT_EQ(At(got, 0, "a01007"), "1.22");   // km/h -> m/s, one decimal more
  EXPECT_EQ(At(got, 0, "a21005"), "0.300");  // µg/m³ -> mg/m³
  EXPECT_EQ(At(got, 0, "a01002"), "24.0");   // RH of dew point -18.8 °C at -0.7 °C
  EXPECT_EQ(At(got, 3600, "a01002"), "100.0");
  EXPECT_EQ(got.count(Key(3600, "a01008")), 0u);  // calm: no direction
  EXPECT_EQ(got.count(Key(3600, "a21005")), 0u);
  EXPECT_EQ(f.missing, 2);  // NA, calm
  EXPECT_EQ(f.skipped, 3);  // RAIN of every row (0 is a value too)
}

TEST(ReadValues, HourLabelledByItsEnd) {
  Mapping m = Map(R"({"shape": "sites", "period": "hour", "hour_label": "end",
    "columns": {"date": "date", "hour": "hour", "factor": "type"},
    "factors": {"PM2.5": "a34004", "CO": "a21005"}, "skip": ["city"]})");
  auto f = Read(
      "date,hour,type,1001A,1002A,city\n"
      "20260301,24,PM2.5,35,,99\n"
      "20260301,1,AQI,50,60,70\n"
      "20260301,1,CO,0.9,1.1,1\n",
      &m);
  EXPECT_EQ(Errors(f), "");
  ASSERT_EQ(f.values.size(), 3u);
  EXPECT_EQ(f.values[0].site, "1001A");
  EXPECT_EQ(f.values[0].time, kMar1 + 23 * 3600);  // hour 24 ends at midnight
  EXPECT_EQ(f.values[1].time, kMar1);              // hour 1 is 00:00-01:00
  EXPECT_EQ(f.values[2].site, "1002A");
  EXPECT_EQ(f.values[2].value, "1.1");
  EXPECT_EQ(f.skipped, 2);  // the AQI row's two stations
  EXPECT_EQ(f.missing, 1);
}

TEST(ReadValues, JsonArrayWithNamedColumnsAndZone) {
  Mapping m = Map(R"({"records": "data", "time_zone": "Z", "site": "WQ-1", "period": "hour",
    "columns": {"time": "ts", "factor": "item", "value": "v"},
    "factors": {"COD": {"code": "w01018"}}, "shape": "long"})");
  auto f = Read(R"({"count": 3, "data": [
      {"ts": "2026-03-01 00:00", "item": "COD", "v": 12.5},
      {"ts": "2026-03-01 01:00", "item": "w21003", "v": "0.31"},
      {"ts": "2026-03-01 02:00", "item": "w21003", "v": null},
      7]})",
                &m);
  EXPECT_EQ(Errors(f), "5/: not an object\n");
  EXPECT_EQ(f.format, "json");
  ASSERT_EQ(f.values.size(), 2u);
  EXPECT_EQ(f.values[0].factor, "w01018");
  EXPECT_EQ(f.values[0].value, "12.5");
  EXPECT_EQ(f.values[0].time, kMar1 + 8 * 3600);  // 00:00 UTC
  EXPECT_EQ(f.values[1].value, "0.31");
  EXPECT_EQ(f.missing, 1);
}

TEST(ParseMapping, TomlAndRefusals) {
  auto t = ParseMapping(R"(
shape = "wide"
site = "AIR-1"
period = "hour"
[columns]
time = "时间"
[factors]
"PM2.5" = "a34004"
"气压" = { code = "a01006", unit = "hPa" }
)",
                        true);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->factors.at("气压").unit, "hPa");
  auto f = Read("时间,PM2.5,气压\n2026-03-01 08:00,35,1013.2\n", &*t);
  EXPECT_EQ(Errors(f), "");
  ASSERT_EQ(f.values.size(), 2u);

  struct Case {
    const char* json;
    const char* why;
  } bad[] = {
      {R"({"sheme": "wide"})", "mapping: \"sheme\" is not a mapping key"},
      {R"({"shape": "wide"})", "mapping: \"factors\" must name the value columns"},
      {R"({"factors": {"X": "PM2.5"}})", "not an HJ 212 code"},
      {R"({"factors": {"X": {"code": "a34004", "unit": "furlongs"}}})", "does not convert"},
      {R"({"factors": {"X": {"code": "a34004", "unit": "hPa"}}})", "cannot convert hPa"},
      {R"({"time_zone": "Beijing"})", "must be an offset"},
      {R"({"hour_label": "middle"})", "must be \"start\" or \"end\""},
      {R"({"columns": {"when": "t"}})", "is not a column EcoHub reads"},
      {R"({"factors": {"X": {"code": "a01002", "convert": "dew_point"}}})", "must name"},
      {"[1]", "the top level must be an object"},
  };
  for (const auto& c : bad) {
    auto m = ParseMapping(c.json, false);
    ASSERT_FALSE(m.ok()) << c.json;
    EXPECT_NE(m.status().message().find(c.why), std::string::npos) << m.status().message();
  }
}

}  // namespace
}  // namespace ecohub::ingest

namespace ecohub::ingest {
namespace {

TEST(UnitConversion, ExactByPowersOfTenComputedOtherwise) {
  struct Case {
    const char *from, *to, *in, *out;
  } cases[] = {
      {"hPa", "kPa", "1013.25", "101.325"},
      {"µg/m³", "mg/m³", "800", "0.800"},
      {"ug/m3", "mg/m3", "0.5", "0.0005"},
      {"mg/m³", "µg/m³", "1.25", "1250"},
      {"ng/m3", "µg/m³", "75600.000", "75.600000"},
      {"K", "°C", "273.15", "0.000"},
      {"℃", "°C", "-3.5", "-3.5"},
      {"°F", "°C", "212", "100.0"},
      {"km/h", "m/s", "36", "10.0"},
      {"m³/h", "L/s", "3.6", "1.00"},
      {"L/s", "m³/s", "12", "0.012"},
  };
  for (const auto& c : cases) {
    auto conv = UnitConversion::Between(c.from, c.to);
    ASSERT_TRUE(conv.ok()) << c.from << " " << conv.status().ToString();
    EXPECT_EQ(conv->Apply(*Decimal::Parse(c.in)), c.out) << c.from << " -> " << c.to;
  }
  EXPECT_FALSE(UnitConversion::Between("hPa", "mg/L").ok());
  EXPECT_FALSE(UnitConversion::Between("furlong", "m").ok());
  EXPECT_EQ(DefaultUnit("a21026"), "µg/m³");  // the stations' unit of two
  EXPECT_EQ(DefaultUnit("a01006"), "kPa");
}

}  // namespace
}  // namespace ecohub::ingest
