#include "app/demo_city.h"

#include <zlib.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "app/city_setup.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "core/file.h"
#include "core/time.h"
#include "standards/credit_code.h"

namespace ecohub::app {

namespace {

struct DistrictSeed {
  const char* code;
  const char* name;
  double lon, lat;
};
// GB/T 2260 codes of Beijing's 16 districts, approximate centres.
constexpr DistrictSeed kDistricts[] = {
    {"110101", "东城区", 116.416, 39.928},   {"110102", "西城区", 116.366, 39.912},
    {"110105", "朝阳区", 116.486, 39.948},   {"110106", "丰台区", 116.286, 39.858},
    {"110107", "石景山区", 116.195, 39.914}, {"110108", "海淀区", 116.298, 39.959},
    {"110109", "门头沟区", 116.102, 39.937}, {"110111", "房山区", 116.143, 39.748},
    {"110112", "通州区", 116.657, 39.909},   {"110113", "顺义区", 116.654, 40.130},
    {"110114", "昌平区", 116.231, 40.221},   {"110115", "大兴区", 116.341, 39.727},
    {"110116", "怀柔区", 116.632, 40.316},   {"110117", "平谷区", 117.121, 40.141},
    {"110118", "密云区", 116.843, 40.377},   {"110119", "延庆区", 115.975, 40.457},
};

struct RealStation {
  const char* file;
  const char* name;
  const char* district;
  double lon, lat;
};
// The 12 national stations of the Beijing multi-site dataset (shared/data README).
constexpr RealStation kRealStations[] = {
    {"Dongsi", "东四", "110101", 116.417, 39.929},
    {"Tiantan", "天坛", "110101", 116.407, 39.886},
    {"Guanyuan", "官园", "110102", 116.339, 39.929},
    {"Wanshouxigong", "万寿西宫", "110102", 116.352, 39.878},
    {"Aotizhongxin", "奥体中心", "110105", 116.397, 39.982},
    {"Nongzhanguan", "农展馆", "110105", 116.461, 39.937},
    {"Wanliu", "海淀区万柳", "110108", 116.287, 39.987},
    {"Gucheng", "古城", "110107", 116.184, 39.914},
    {"Changping", "昌平镇", "110114", 116.230, 40.217},
    {"Dingling", "定陵", "110114", 116.220, 40.292},
    {"Huairou", "怀柔镇", "110116", 116.644, 40.328},
    {"Shunyi", "顺义新城", "110113", 116.655, 40.127},
};

// Air: µg/m³ except CO in mg/m³ (the units HJ 633 reads).
const std::vector<DemoFactor> kAirFactors = {
    {"a34004", "PM2.5", 45, 0.35, 0}, {"a34002", "PM10", 75, 0.30, 0},
    {"a21026", "SO2", 6, 0.20, 0},    {"a21004", "NO2", 35, 0.40, 0},
    {"a21005", "CO", 0.7, 0.30, 1},   {"a05024", "O3", 60, 0.70, 0},
};
// Automatic surface-water stations measure these five (GB 3838 items).
const std::vector<DemoFactor> kWaterFactors = {
    {"w01001", "pH", 7.6, 0.03, 2},    {"w01009", "DO", 7.5, 0.15, 2},
    {"w01019", "CODMn", 4.2, 0.10, 1}, {"w21003", "NH3-N", 0.45, 0.20, 3},
    {"w21011", "TP", 0.12, 0.20, 3},
};
const std::vector<DemoFactor> kGasOutletFactors = {
    {"a00000", "flue gas flow", 42.0, 0.15, 1},
    {"a21026", "SO2", 18.0, 0.25, 2},
    {"a21002", "NOx", 38.0, 0.25, 1},
    {"a34013", "particulate", 4.5, 0.30, 2},
    {"a19001", "O2", 9.5, 0.05, 1},
    {"a01012", "flue gas temperature", 62, 0.05, 1},
};
const std::vector<DemoFactor> kWaterOutletFactors = {
    {"w00000", "waste water flow", 8.5, 0.40, 2},
    {"w01018", "COD", 28.0, 0.25, 1},
    {"w21003", "NH3-N", 1.2, 0.30, 3},
    {"w21011", "TP", 0.18, 0.30, 3},
    {"w01001", "pH", 7.3, 0.03, 2},
};

constexpr const char* kRivers[] = {"永定河", "潮白河", "北运河", "温榆河", "凉水河",
                                   "清河",   "拒马河", "泃河",   "白河",   "妫水河"};
constexpr const char* kRiverDistricts[] = {"110107", "110118", "110112", "110105", "110106",
                                           "110108", "110111", "110117", "110116", "110119"};
// Where each section sits: on its river's course, within its district (lon, lat degrees).
constexpr double kSectionPlaces[][2] = {
    {116.135, 39.930}, {116.880, 40.400}, {116.720, 39.830}, {116.520, 40.010}, {116.330, 39.840},
    {116.330, 40.030}, {115.550, 39.640}, {117.100, 40.115}, {116.600, 40.600}, {115.980, 40.460}};
constexpr const char* kFirmWords[] = {"京能", "燕山", "永安", "华北", "通达", "金隅", "首创",
                                      "恒信", "中材", "北辰", "天润", "博远", "正源", "宏达",
                                      "瑞丰", "新港", "嘉禾", "安泰", "和平", "东方"};
constexpr const char* kIndustries[] = {"热电",     "水泥", "污水处理", "制药", "印染",
                                       "汽车涂装", "食品", "化工",     "造纸", "垃圾焚烧"};

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t HashStr(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}
double Unit(uint64_t h) { return static_cast<double>(h >> 11) / 9007199254740992.0; }

const DistrictSeed& District(const char* code) {
  for (const auto& d : kDistricts)
    if (std::strcmp(d.code, code) == 0) return d;
  return kDistricts[0];
}

DemoCity Build() {
  DemoCity city;
  for (const auto& d : kDistricts)
    city.districts.push_back(store::District{0, d.code, d.name, d.lon, d.lat, ""});

  auto jitter = [](int i, double scale) { return (Unit(Mix(i * 7919 + 17)) - 0.5) * scale; };
  int n = 0;
  for (const auto& s : kRealStations) {
    DemoSite ds;
    ds.site.code = std::string("AIR-") + s.file;
    ds.site.name = s.name;
    ds.site.kind = registry::SiteKind::kAir;
    ds.site.lon = s.lon;
    ds.site.lat = s.lat;
    ds.site.simulated = false;
    ds.site.attrs_json = R"({"level":"national","dataset":")" + std::string(s.file) + "\"}";
    ds.district_code = s.district;
    ds.st = "22";
    ds.factors = kAirFactors;
    ds.dataset_station = s.file;
    city.sites.push_back(std::move(ds));
    ++n;
  }
  // Simulated stations: every district gets at least one, the larger ones two.
  for (int i = 0; static_cast<int>(city.sites.size()) < 30; ++i) {
    const auto& d = kDistricts[i % 16];
    DemoSite ds;
    char code[32];
    std::snprintf(code, sizeof code, "AIR-S%02d", i + 1);
    ds.site.code = code;
    ds.site.name = std::string(d.name).substr(0, std::string(d.name).size() - 3) +
                   (i < 16 ? "监测站" : "二站");
    ds.site.kind = registry::SiteKind::kAir;
    ds.site.lon = d.lon + jitter(n, 0.08);
    ds.site.lat = d.lat + jitter(n + 1, 0.06);
    ds.site.simulated = true;
    ds.site.attrs_json = R"({"level":"city"})";
    ds.district_code = d.code;
    ds.st = "22";
    ds.factors = kAirFactors;
    city.sites.push_back(std::move(ds));
    n += 2;
  }
  for (int i = 0; i < 10; ++i) {
    const auto& d = District(kRiverDistricts[i]);
    DemoSite ds;
    char code[32];
    std::snprintf(code, sizeof code, "WAT-%02d", i + 1);
    ds.site.code = code;
    ds.site.name = std::string(kRivers[i]) +
                   std::string(d.name).substr(0, std::string(d.name).size() - 3) + "断面";
    ds.site.kind = registry::SiteKind::kWater;
    ds.site.lon = kSectionPlaces[i][0];
    ds.site.lat = kSectionPlaces[i][1];
    ds.site.simulated = true;
    ds.site.attrs_json = std::string(R"({"water_type":"river","river":")") + kRivers[i] +
                         R"(","target_class":")" +
                         (i % 3 == 0   ? "II"
                          : i % 3 == 1 ? "III"
                                       : "IV") +
                         "\"}";
    ds.district_code = d.code;
    ds.st = "21";
    ds.factors = kWaterFactors;
    city.sites.push_back(std::move(ds));
  }
  // 40 enterprises; the first 20 have a gas and a water outlet, the rest one.
  for (int i = 0; i < 40; ++i) {
    const auto& d = kDistricts[(i * 5 + 3) % 16];
    store::Enterprise e;
    e.name = std::string("北京") + kFirmWords[i % 20] + kIndustries[i % 10] +
             (i < 20 ? "有限公司" : "股份有限公司");
    char credit[32], permit[40];
    // Valid codes (GB 32100 and GB 11714 checks), so that the demo's enterprises can
    // be edited through the API like any other.
    std::snprintf(credit, sizeof credit, "91110%03d%08llu", 100 + i,
                  static_cast<unsigned long long>(Mix(i) % 100000000ULL));
    std::snprintf(permit, sizeof permit, "%s%08d001P", d.code, 1000 + i * 37);
    e.credit_code = standards::CompleteCreditCode(credit);
    e.industry = kIndustries[i % 10];
    e.lon = d.lon + jitter(300 + i, 0.12);
    e.lat = d.lat + jitter(400 + i, 0.1);
    e.key_unit = i % 4 != 3;
    e.permit_no = permit;
    city.enterprises.push_back(e);
    bool water_industry = i % 10 == 2 || i % 10 == 3 || i % 10 == 4 || i % 10 == 8;
    int outlets = i < 20 ? 2 : 1;
    for (int k = 0; k < outlets; ++k) {
      bool gas = outlets == 2 ? k == 0 : !water_industry;
      DemoSite ds;
      char code[32];
      std::snprintf(code, sizeof code, "%s-%02d-%d", gas ? "DA" : "DW", i + 1, k + 1);
      ds.site.code = code;
      ds.site.name = e.name + (gas ? " 废气排放口" : " 废水总排口") + std::to_string(k + 1);
      ds.site.kind = gas ? registry::SiteKind::kOutletGas : registry::SiteKind::kOutletWater;
      ds.site.lon = e.lon + jitter(500 + i * 2 + k, 0.004);
      ds.site.lat = e.lat + jitter(600 + i * 2 + k, 0.004);
      ds.site.simulated = true;
      // Limits of the discharge permit (GB 13223 / GB 8978 class values for the demo).
      ds.site.attrs_json =
          gas ? R"({"limits":{"a21026":{"value":35,"unit":"mg/m3","basis":"permit"},"a21002":{"value":50,"unit":"mg/m3","basis":"permit"},"a34013":{"value":10,"unit":"mg/m3","basis":"permit"}}})"
              : R"({"limits":{"w01018":{"value":50,"unit":"mg/L","basis":"permit"},"w21003":{"value":5,"unit":"mg/L","basis":"permit"},"w21011":{"value":0.5,"unit":"mg/L","basis":"permit"}}})";
      ds.district_code = d.code;
      ds.enterprise_credit_code = e.credit_code;
      ds.st = gas ? "31" : "32";
      ds.factors = gas ? kGasOutletFactors : kWaterOutletFactors;
      city.sites.push_back(std::move(ds));
    }
  }
  return city;
}

// Hourly rows of one dataset station: key (year, month, day, hour) -> 6 values
// (PM2.5, PM10, SO2, NO2, CO µg/m³, O3), NaN for NA.
using DatasetRows = std::unordered_map<int64_t, std::array<double, 6>>;

int64_t RowKey(int y, int m, int d, int h) { return ((y * 100 + m) * 100 + d) * 100 + h; }

bool LoadDataset(const std::string& path, DatasetRows* rows) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return false;
  char line[512];
  bool header = true;
  while (gzgets(f, line, sizeof line)) {
    if (header) {
      header = false;
      continue;
    }
    // No,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,...
    std::array<std::string, 11> cols;
    int c = 0;
    for (char* p = line; *p && c < 11; ++p) {
      if (*p == ',')
        ++c;
      else if (*p != '"' && *p != '\n')
        cols[c] += *p;
    }
    if (c < 10) continue;
    std::array<double, 6> v;
    for (int i = 0; i < 6; ++i)
      v[i] = cols[5 + i] == "NA" || cols[5 + i].empty() ? NAN : std::atof(cols[5 + i].c_str());
    (*rows)[RowKey(std::atoi(cols[1].c_str()), std::atoi(cols[2].c_str()),
                   std::atoi(cols[3].c_str()), std::atoi(cols[4].c_str()))] = v;
  }
  gzclose(f);
  return true;
}

std::string Format(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

const DemoCity& GetDemoCity() {
  static const DemoCity city = Build();
  return city;
}

std::string DemoMn(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "010000A8900016F0%08X", index + 1);
  return buf;
}

std::string DemoPassword(int index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06d", static_cast<int>(Mix(index + 42) % 1000000));
  return buf;
}

const DemoSite& DemoSiteOfDevice(int index) {
  const auto& sites = GetDemoCity().sites;
  return sites[index % sites.size()];
}

int DemoDefaultDevices() { return static_cast<int>(GetDemoCity().sites.size()); }

std::string SimulatedValue(const DemoFactor& f, const std::string& mn, int64_t t, uint64_t seed) {
  CivilTime c = CivilFromSeconds(t + kBeijingOffsetSeconds);
  double hour = c.hour + c.minute / 60.0;
  // Peak in the afternoon for ozone, in the morning and evening rush for the rest.
  double phase = std::string_view(f.code) == "a05024" ? (hour - 15) : (hour - 8);
  double diurnal = 1 + f.amplitude * std::cos(2 * M_PI * phase / 24);
  uint64_t h = Mix(seed ^ HashStr(mn) ^ Mix(static_cast<uint64_t>(t)) ^ HashStr(f.code));
  double noise = 1 + (Unit(h) - 0.5) * 0.2;
  double v = f.base * diurnal * noise;
  if (std::string_view(f.code) == "w01001") v = f.base + (Unit(h) - 0.5) * 0.4;  // pH
  return Format(v < 0 ? 0 : v, f.decimals);
}

Status SeedDemo(store::Store& store, int devices, int history_days, int64_t now,
                const std::string& dataset_dir) {
  const DemoCity& city = GetDemoCity();
  // The city as a bureau sets it up (city_setup.h): its boundaries when this build has
  // the demo's file, else the districts' points alone.
  std::string geojson;
  if (std::string file = DemoBoundaryFile(); !file.empty()) {
    auto bytes = ReadFileBytes(file);
    if (!bytes.ok()) return bytes.status();
    geojson = std::move(*bytes);
  }
  auto plan = registry::PlanCity("北京市", "110000", geojson);
  if (!plan.ok()) return plan.status();
  if (plan->districts.empty())
    for (const auto& d : city.districts) plan->districts.push_back(d);
  if (auto done = ApplyCity(store, *plan); !done.ok()) return done.status();
  std::map<std::string, int64_t> district_ids;
  auto districts = store.Districts();
  if (!districts.ok()) return districts.status();
  for (const auto& d : *districts) district_ids[d.code] = d.id;
  std::map<std::string, int64_t> enterprise_ids;
  for (size_t i = 0; i < city.enterprises.size(); ++i) {
    store::Enterprise e = city.enterprises[i];
    e.district_id = district_ids[kDistricts[(i * 5 + 3) % 16].code];
    auto id = store.PutEnterprise(e);
    if (!id.ok()) return id.status();
    enterprise_ids[e.credit_code] = *id;
  }
  std::vector<int64_t> site_ids;
  for (const auto& ds : city.sites) {
    store::Site s = ds.site;
    s.district_id = district_ids[ds.district_code];
    if (!ds.enterprise_credit_code.empty())
      s.enterprise_id = enterprise_ids[ds.enterprise_credit_code];
    auto id = store.PutSite(s);
    if (!id.ok()) return id.status();
    site_ids.push_back(*id);
  }
  for (int i = 0; i < devices; ++i) {
    store::Device d;
    d.mn = DemoMn(i);
    d.site_id = site_ids[i % site_ids.size()];
    d.password = DemoPassword(i);
    d.protocol_version = 1;
    Status st = store.PutDevice(d);
    if (!st.ok()) return st;
  }

  // History: hourly means for the last `history_days`, one device per site.
  std::map<std::string, DatasetRows> dataset;
  for (const auto& s : kRealStations) {
    std::string path = dataset_dir + "/PRSA_Data_" + s.file + "_20130301-20170228.csv.gz";
    DatasetRows rows;
    if (!dataset_dir.empty() && LoadDataset(path, &rows)) dataset[s.file] = std::move(rows);
  }
  int64_t end = FloorBeijing(now, 3600);
  int64_t begin = end - int64_t{history_days} * 86400;
  int with_history = std::min<int>(devices, static_cast<int>(city.sites.size()));
  for (int64_t t0 = begin; t0 < end; t0 += 86400) {
    store::Batch batch;  // one day per transaction
    for (int64_t t = t0; t < std::min(end, t0 + 86400); t += 3600) {
      CivilTime c = CivilFromSeconds(t + kBeijingOffsetSeconds);
      // Replay the same calendar hour of a year inside the dataset (2013-03 .. 2017-02).
      int year = c.month >= 3 ? 2015 : 2016;
      for (int i = 0; i < with_history; ++i) {
        const DemoSite& ds = city.sites[i];
        const DatasetRows* rows = nullptr;
        if (auto it = dataset.find(ds.dataset_station); it != dataset.end()) rows = &it->second;
        const std::array<double, 6>* real = nullptr;
        if (rows) {
          auto r = rows->find(RowKey(year, c.month, c.day, c.hour));
          if (r != rows->end()) real = &r->second;
        }
        for (size_t k = 0; k < ds.factors.size(); ++k) {
          const DemoFactor& f = ds.factors[k];
          std::string value;
          if (real) {
            double v = (*real)[k];
            if (std::isnan(v)) continue;  // the dataset has no value: leave the gap
            if (k == 4) v /= 1000;        // CO µg/m³ -> mg/m³
            value = Format(v, f.decimals);
          } else {
            value = SimulatedValue(f, DemoMn(i), t, 7);
          }
          batch.readings.push_back(Reading{DemoMn(i), Period::kHour, t, f.code, "Avg", value, 'N'});
        }
      }
    }
    const store::Batch* one = &batch;
    Status s = store.Append(std::span<const store::Batch* const>(&one, 1));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// The MNs and passwords `sim` uses, for configuring real loggers.
void AddDemoCommand(CLI::App& app) {
  auto count = std::make_shared<int>(DemoDefaultDevices());
  auto* demo = AddGroup(app, "demo", "Demo city facts");
  auto* devices = demo->add_subcommand("devices", "Print MN,password,site code,ST of demo devices");
  devices->add_option("--count", *count, "How many")->check(CLI::Range(1, 100000));
  devices->callback([count] {
    for (int i = 0; i < *count; ++i) {
      const DemoSite& site = DemoSiteOfDevice(i);
      std::printf("%s,%s,%s,%s\n", DemoMn(i).c_str(), DemoPassword(i).c_str(),
                  site.site.code.c_str(), site.st.c_str());
    }
  });
}

}  // namespace ecohub::app
