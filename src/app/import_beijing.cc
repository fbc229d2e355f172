#include "app/import_beijing.h"

#include <zlib.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cstdio>
#include <memory>

#include "app/cli_support.h"
#include "app/commands.h"
#include "app/demo_city.h"

namespace ecohub::app {
namespace {

// Columns 5..10 of the dataset, in the order of the demo's air factors.
constexpr const char* kFactors[6] = {"a34004", "a34002", "a21026", "a21004", "a21005", "a05024"};

// Splits a CSV line (no quoted commas in this dataset) into its first `n` fields.
int SplitCsv(const char* line, std::array<std::string_view, 12>* cols) {
  int c = 0;
  const char* start = line;
  for (const char* p = line;; ++p) {
    if (*p == ',' || *p == '\n' || *p == '\r' || *p == 0) {
      if (c < 12) (*cols)[c++] = std::string_view(start, p - start);
      if (*p != ',') break;
      start = p + 1;
    }
  }
  return c;
}

int ToInt(std::string_view s) {
  int v = 0;
  for (char ch : s)
    if (ch >= '0' && ch <= '9') v = v * 10 + (ch - '0');
  return v;
}

}  // namespace

Result<ImportSummary> ImportBeijing(store::Store& store, const std::string& dataset_dir,
                                    UnixSeconds from, UnixSeconds to,
                                    const std::function<void(const char*, int, int)>& progress) {
  // The registry of the Beijing demo city (districts, sites, devices), no history: its
  // sites name the dataset's stations.
  auto beijing = LoadDemoCity("beijing");
  if (!beijing.ok()) return beijing.status();
  const DemoCity& city = *beijing;
  int devices = static_cast<int>(city.sites.size());
  if (Status s = SeedDemo(store, nullptr, city, devices, 0, WallSeconds(), ""); !s.ok()) return s;
  ImportSummary sum;
  sum.first_hour = INT64_MAX;
  int stations = 0, total = 0;
  for (const auto& ds : city.sites) total += !ds.dataset_station.empty();
  for (size_t i = 0; i < city.sites.size(); ++i) {
    const DemoSite& ds = city.sites[i];
    if (ds.dataset_station.empty()) continue;
    std::string path =
        dataset_dir + "/PRSA_Data_" + ds.dataset_station + "_20130301-20170228.csv.gz";
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) return Status::NotFound("cannot open " + path);
    std::string mn = DemoMn(static_cast<int>(i));
    store::Batch batch;
    char line[512];
    bool header = true;
    Status st;
    auto flush = [&] {
      const store::Batch* one = &batch;
      st = store.Append(std::span<const store::Batch* const>(&one, 1));
      batch.readings.clear();
      return st.ok();
    };
    while (gzgets(f, line, sizeof line)) {
      if (header) {
        header = false;
        continue;
      }
      std::array<std::string_view, 12> cols;
      if (SplitCsv(line, &cols) < 11) {
        ++sum.bad_values;
        continue;
      }
      ++sum.rows;
      int y = ToInt(cols[1]), m = ToInt(cols[2]), d = ToInt(cols[3]), h = ToInt(cols[4]);
      UnixSeconds t = DaysFromCivil(y, m, d) * 86400 + h * 3600 - kBeijingOffsetSeconds;
      if (t < from || t >= to) continue;
      ++sum.rows_taken;
      sum.first_hour = std::min(sum.first_hour, t);
      sum.last_hour = std::max(sum.last_hour, t);
      for (int k = 0; k < 6; ++k) {
        std::string_view text = cols[5 + k];
        if (text == "NA" || text.empty()) {
          ++sum.missing_values;
          continue;
        }
        auto v = Decimal::Parse(text);
        if (!v || v->mantissa < 0) {
          ++sum.bad_values;
          continue;
        }
        if (k == 4) {  // CO: ug/m3 in the dataset, mg/m3 in HJ 212 and HJ 633
          if (v->scale + 3 > 15) {
            ++sum.bad_values;
            continue;
          }
          v->scale += 3;
        }
        batch.readings.push_back({mn, Period::kHour, t, kFactors[k], "Avg", v->ToString(), 'N'});
        ++sum.readings;
      }
      if (batch.readings.size() >= 50000 && !flush()) break;
    }
    gzclose(f);
    if (st.ok() && !batch.readings.empty()) flush();
    if (!st.ok()) return st;
    if (progress) progress("import", ++stations, total);
  }
  if (sum.first_hour == INT64_MAX) sum.first_hour = 0;
  return sum;
}

namespace {

struct ImportArgs {
  std::string data_dir, dataset = ECOHUB_SHARED_DIR "/data/beijing_multisite_2013_2017";
  std::string from, to;  // YYYYMMDD (Beijing), both days included; empty: the whole dataset
};

// "2014-01-04": the Beijing day of a UTC instant.
std::string BeijingDate(UnixSeconds t) { return FormatRfc3339Beijing(t).substr(0, 10); }

// Imports, puts the import on the record, derives the imported hours and prints a
// JSON summary of both, with the first and last day taken.
int ImportBeijingCmd(const ImportArgs& a) {
  UnixSeconds from = INT64_MIN, to = INT64_MAX;
  for (auto [text, out] : {std::pair{&a.from, &from}, std::pair{&a.to, &to}}) {
    if (text->empty()) continue;
    auto t = ParseBeijingDay(*text);
    if (!t) {
      std::fprintf(stderr, "ecohub import: dates are YYYYMMDD (Beijing), not \"%s\"\n",
                   text->c_str());
      return 2;
    }
    *out = *t;
  }
  if (to != INT64_MAX) to += 86400;  // --to names the last day included
  if (from != INT64_MIN && to != INT64_MAX && from >= to) {
    std::fprintf(stderr, "ecohub import: --to (the last day) is before --from\n");
    return 2;
  }
  auto opened = OpenStore("import", a.data_dir, /*read_only=*/false);
  if (!opened) return 1;
  store::Store& st = *opened;
  auto sum = ImportBeijing(st, a.dataset, from, to, Progress);
  if (!sum.ok()) {
    std::fprintf(stderr, "ecohub import: %s\n", sum.status().ToString().c_str());
    return 1;
  }
  if (!AuditCli(
          st, "import", "dataset:beijing_multisite_2013_2017",
          {{"dataset", a.dataset}, {"readings", sum->readings}, {"from", a.from}, {"to", a.to}}))
    return 1;
  derive::DeriveStats stats;
  std::string first_day = "null", last_day = "null";
  if (sum->rows_taken > 0) {
    auto r = Rederive(st, sum->first_hour, sum->last_hour + 3600);
    if (!r.ok()) {
      std::fprintf(stderr, "ecohub import: %s\n", r.status().ToString().c_str());
      return 1;
    }
    stats = *r;
    first_day = "\"" + BeijingDate(sum->first_hour) + "\"";
    last_day = "\"" + BeijingDate(sum->last_hour) + "\"";
    std::fprintf(stderr, "ecohub import: took %s .. %s (Beijing), both included\n",
                 BeijingDate(sum->first_hour).c_str(), BeijingDate(sum->last_hour).c_str());
  } else {
    std::fprintf(stderr, "ecohub import: the dataset has no hour in the range given\n");
  }
  std::printf(
      "{\"rows\":%lld,\"readings\":%lld,\"missing_values\":%lld,\"bad_values\":%lld,"
      "\"first_day\":%s,\"last_day\":%s,"
      "\"first_hour\":\"%s\",\"last_hour\":\"%s\",\"station_hours\":%lld,"
      "\"station_days\":%lld,\"area_hours\":%lld,\"area_days\":%lld,\"derived_rows\":%lld}\n",
      (long long)sum->rows, (long long)sum->readings, (long long)sum->missing_values,
      (long long)sum->bad_values, first_day.c_str(), last_day.c_str(),
      FormatRfc3339Beijing(sum->first_hour).c_str(), FormatRfc3339Beijing(sum->last_hour).c_str(),
      (long long)stats.station_hours, (long long)stats.station_days, (long long)stats.area_hours,
      (long long)stats.area_days, (long long)stats.rows_written);
  return 0;
}

}  // namespace

void AddImportCommand(CLI::App& app) {
  auto a = std::make_shared<ImportArgs>();
  auto* imp = AddGroup(app, "import", "Bring historical data in");
  auto* beijing = imp->add_subcommand(
      "beijing", "Beijing 12-station hourly dataset 2013-2017 -> readings and derived AQI");
  AddDataOption(beijing, a->data_dir);
  beijing->add_option("--dataset", a->dataset, "Folder with PRSA_Data_*.csv.gz");
  beijing->add_option("--from", a->from, "First day to import, YYYYMMDD (Beijing)");
  beijing->add_option("--to", a->to, "Last day to import (included), YYYYMMDD (Beijing)");
  beijing->callback([a] { ExitWith(ImportBeijingCmd(*a)); });
}

}  // namespace ecohub::app
