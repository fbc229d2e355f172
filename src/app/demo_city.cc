#include "app/demo_city.h"

#include <zlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "api/registry_import.h"
#include "api/routes.h"
#include "api/site_directory.h"
#include "app/city_setup.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/table.h"
#include "core/time.h"

namespace ecohub::app {

namespace {

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
// Hourly equivalent sound level, dB(A): a street's day and night.
const std::vector<DemoFactor> kNoiseFactors = {{"Leq", "Leq", 55, 0.12, 1}};

// What the simulator sends for a site of a kind: its logger's HJ 212 system code
// (HJ 212-2017 table 5) and factors.
struct DemoKind {
  registry::SiteKind kind;
  const char* st;
  const std::vector<DemoFactor>* factors;
};
const DemoKind kKinds[] = {
    {registry::SiteKind::kAir, "22", &kAirFactors},
    {registry::SiteKind::kWater, "21", &kWaterFactors},
    {registry::SiteKind::kNoise, "23", &kNoiseFactors},
    {registry::SiteKind::kOutletGas, "31", &kGasOutletFactors},
    {registry::SiteKind::kOutletWater, "32", &kWaterOutletFactors},
};
// The text `o[key]` holds; "" when `o` is no object or the key no text.
std::string TextOf(const nlohmann::json& o, const char* key) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_string()) return "";
  return o[key].get<std::string>();
}

const DemoKind* KindOf(registry::SiteKind kind) {
  for (const DemoKind& k : kKinds)
    if (k.kind == kind) return &k;
  return nullptr;
}

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

const DemoSite& DemoSiteOfDevice(const DemoCity& city, int index) {
  return city.sites[index % city.sites.size()];
}

std::string DemoCityDir(const std::string& city) {
  if (city.find('/') != std::string::npos) return city;
  return std::string(ECOHUB_DEMO_DIR) + "/" + city;
}

Result<DemoCity> LoadDemoCity(const std::string& name) {
  DemoCity city;
  city.dir = DemoCityDir(name);
  if (name.empty() ||
      (name.find('/') == std::string::npos && !std::all_of(name.begin(), name.end(), [](char c) {
         return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
       })))
    return Status::InvalidInput(
        "a demo city is a name of demo/ (beijing, xianyang) or a directory");
  auto meta = ReadFileBytes(city.dir + "/city.json");
  if (!meta.ok())
    return Status::InvalidInput("no demo city " + name + ": " + meta.status().message());
  auto j = nlohmann::json::parse(*meta, nullptr, false);
  if (!j.is_object() || !j.value("name", nlohmann::json()).is_string() ||
      !j.value("code", nlohmann::json()).is_string())
    return Status::InvalidInput(city.dir + "/city.json: an object with the city's name and code");
  city.name = j["name"];
  city.code = j["code"];
  if (auto t = j.value("targets", nlohmann::json::object()); t.is_object()) {
    auto number = [&](const char* key) -> std::optional<double> {
      if (t.contains(key) && t[key].is_number()) return t[key].get<double>();
      return std::nullopt;
    };
    city.pm25_target = number("pm25_annual");
    city.good_days_target = number("good_days_percent");
    city.water_target = number("water_percent");
  }
  std::string file = city.dir + "/sites.csv";
  auto bytes = ReadFileBytes(file);
  if (!bytes.ok()) return bytes.status();
  auto table = ReadTable(*bytes);
  if (!table.ok()) return Status::InvalidInput(file + ": " + table.status().message());
  if (table->rows.empty()) return Status::InvalidInput(file + ": no header row");
  std::map<std::string, size_t> at;  // field -> column
  for (size_t c = 0; c < table->rows[0].size(); ++c)
    at[api::ImportFieldOf("sites", table->rows[0][c])] = c;
  auto cell = [&](const std::vector<std::string>& row, const char* field) {
    auto it = at.find(field);
    return it != at.end() && it->second < row.size() ? row[it->second] : std::string();
  };
  for (size_t r = 1; r < table->rows.size(); ++r) {
    const auto& row = table->rows[r];
    // Blank rows are skipped, as the import skips them.
    if (std::all_of(row.begin(), row.end(), [](const std::string& c) {
          return c.find_first_not_of(" \t") == std::string::npos;
        }))
      continue;
    DemoSite ds;
    ds.code = cell(row, "code");
    auto kind = registry::ParseSiteKind(cell(row, "kind"));
    const DemoKind* k = kind ? KindOf(*kind) : nullptr;
    if (!k)
      return Status::InvalidInput(file + " row " + std::to_string(r + 1) +
                                  ": the demo simulates no site of kind '" + cell(row, "kind") +
                                  "'");
    ds.kind = *kind;
    ds.st = k->st;
    ds.factors = *k->factors;
    ds.dataset_station =
        TextOf(nlohmann::json::parse(cell(row, "attrs"), nullptr, false), "dataset");
    city.sites.push_back(std::move(ds));
  }
  if (city.sites.empty()) return Status::InvalidInput(file + ": no sites");
  return city;
}

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

namespace {

// Who registers the demo: a system administrator, "demo" in the audit log.
auth::Principal DemoAdmin() {
  auth::Principal demo;
  demo.role = auth::Role::kAdmin;
  demo.name = "demo";
  return demo;
}

// Registers `bytes`, rows of `kind` from `what`, as `registry import` does, for the
// administrator "demo".
Status ImportDemoRows(const api::ApiContext& ctx, const char* kind, std::string_view bytes,
                      const std::string& what) {
  auto report = api::ImportRegistry(ctx, DemoAdmin(), kind, bytes, /*dry_run=*/false);
  if (!report.ok()) return Status(report.status().code(), what + ": " + report.status().message());
  if (report->errors.empty()) return Status::Ok();
  std::string msg = what + ": " + std::to_string(report->errors.size()) + " bad rows";
  for (size_t i = 0; i < report->errors.size() && i < 3; ++i) {
    const api::ImportError& e = report->errors[i];
    msg += "; row " + std::to_string(e.row) + (e.column.empty() ? "" : " " + e.column) + ": " +
           e.reason;
  }
  return Status::InvalidInput(msg);
}

// The permits of permits.json (POST /api/v1/permits bodies naming their enterprise by
// credit code and their outlets by site code), written as the route writes them.
Status SeedPermits(api::ApiContext ctx, const DemoCity& city, int64_t now) {
  std::string file = city.dir + "/permits.json";
  if (!std::filesystem::exists(file)) return Status::Ok();
  auto bytes = ReadFileBytes(file);
  if (!bytes.ok()) return bytes.status();
  auto list = nlohmann::json::parse(*bytes, nullptr, false);
  if (!list.is_array()) return Status::InvalidInput(file + ": not a JSON array of permits");
  ManualClock clock;
  clock.SetWallSeconds(now);
  ctx.clock = &clock;
  auto snap = ctx.sites->Get();
  for (size_t i = 0; i < list.size(); ++i) {
    nlohmann::json body = list[i];
    std::string at = file + " permit " + std::to_string(i + 1);
    if (!body.is_object()) return Status::InvalidInput(at + ": not an object");
    std::string credit = TextOf(body, "enterprise");
    const store::Enterprise* e = snap->EnterpriseByCode(credit);
    if (!e) return Status::InvalidInput(at + ": no enterprise has the credit code " + credit);
    body.erase("enterprise");
    body["enterprise_id"] = e->id;
    if (!body.contains("outlets") || !body["outlets"].is_array())
      return Status::InvalidInput(at + ": outlets must be an array");
    for (auto& outlet : body["outlets"]) {
      const store::Site* s = snap->SiteByCode(TextOf(outlet, "site"));
      if (!s) return Status::InvalidInput(at + ": no site has the code " + TextOf(outlet, "site"));
      outlet.erase("site");
      outlet["site_id"] = s->id;
    }
    api::Response r = api::WritePermit(ctx, DemoAdmin(), body);
    if (r.status != 200 && r.status != 201) return Status::InvalidInput(at + ": " + r.body);
  }
  return Status::Ok();
}

// The city, its districts, enterprises, sites, `devices` devices and (with `permits`)
// permits, by the paths a bureau takes: `city init` with the boundary file, `registry
// import` of the files, the permit route's write.
Status SeedRegistry(store::Store& store, permit::PermitStore* permits, const DemoCity& city,
                    int devices, int64_t now) {
  auto geojson = ReadFileBytes(city.dir + "/districts.geojson");
  if (!geojson.ok()) return geojson.status();
  auto set_up = InitCity(store, city.name, city.code, *geojson);
  if (!set_up.ok()) return set_up.status();
  registry::City targets = set_up->setup.city;
  targets.pm25_target = city.pm25_target;
  targets.good_days_target = city.good_days_target;
  targets.water_target = city.water_target;
  if (Status s = store.PutCity(targets); !s.ok()) return s;
  api::ApiContext ctx;
  ctx.store = &store;
  ctx.sites = std::make_shared<api::SiteDirectory>(&store);
  for (const char* kind : {"enterprises", "sites"}) {
    std::string file = city.dir + "/" + kind + ".csv";
    auto bytes = ReadFileBytes(file);
    if (!bytes.ok()) return bytes.status();
    if (Status s = ImportDemoRows(ctx, kind, *bytes, file); !s.ok()) return s;
  }
  // The devices as a device list a bureau would upload.
  std::string rows = "mn,site,password,protocol_version\r\n";
  for (int i = 0; i < devices; ++i)
    rows += DemoMn(i) + "," + DemoSiteOfDevice(city, i).code + "," + DemoPassword(i) + ",1\r\n";
  if (Status s = ImportDemoRows(ctx, "devices", rows, "the demo's devices"); !s.ok()) return s;
  if (!permits) return Status::Ok();
  ctx.permits = permits;
  return SeedPermits(ctx, city, now);
}

// `history_days` of hourly values ending at the last full hour before `now` for the
// first device of every site.
Status SeedHistory(store::Store& store, const DemoCity& city, int devices, int history_days,
                   int64_t now, const std::string& dataset_dir) {
  // History: hourly means for the last `history_days`, one device per site.
  std::map<std::string, DatasetRows> dataset;
  for (const DemoSite& s : city.sites) {
    if (s.dataset_station.empty() || dataset_dir.empty()) continue;
    std::string path =
        dataset_dir + "/PRSA_Data_" + s.dataset_station + "_20130301-20170228.csv.gz";
    DatasetRows rows;
    if (LoadDataset(path, &rows)) dataset[s.dataset_station] = std::move(rows);
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
        if (rows && ds.kind == registry::SiteKind::kAir) {
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

}  // namespace

Status SeedDemo(store::Store& store, permit::PermitStore* permits, const DemoCity& city,
                int devices, int history_days, int64_t now, const std::string& dataset_dir) {
  if (Status s = SeedRegistry(store, permits, city, devices, now); !s.ok()) return s;
  return SeedHistory(store, city, devices, history_days, now, dataset_dir);
}

// The MNs and passwords `sim` uses, for configuring real loggers.
void AddDemoCommand(CLI::App& app) {
  struct Args {
    int count = 0;
    std::string city = "beijing";
  };
  auto a = std::make_shared<Args>();
  auto* demo = AddGroup(app, "demo", "Demo city facts");
  auto* devices = demo->add_subcommand("devices", "Print MN,password,site code,ST of demo devices");
  devices->add_option("--count", a->count, "How many (default: one per site)")
      ->check(CLI::Range(1, 100000));
  devices->add_option("--demo-city", a->city, "beijing, xianyang or a directory (demo/README.md)");
  devices->callback([a] {
    auto city = LoadDemoCity(a->city);
    if (!city.ok()) {
      std::fprintf(stderr, "ecohub demo devices: %s\n", city.status().message().c_str());
      ExitWith(2);
      return;
    }
    int n = a->count > 0 ? a->count : static_cast<int>(city->sites.size());
    for (int i = 0; i < n; ++i) {
      const DemoSite& site = DemoSiteOfDevice(*city, i);
      std::printf("%s,%s,%s,%s\n", DemoMn(i).c_str(), DemoPassword(i).c_str(), site.code.c_str(),
                  site.st.c_str());
    }
  });
}

}  // namespace ecohub::app
