// How long continuous derivation takes on the embedded store: the hourly pass when
// one new hour arrives from every station (station AQI, then districts and the
// city), for 100, 300 and 1,000 stations; and recomputing a whole year of one
// city's 12 stations (hourly + daily AQI, areas, quality). Targets: one hour for
// 1,000 stations well under a second.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "derive/deriver.h"
#include "store/sqlite_store.h"

using namespace ecohub;

namespace {

constexpr UnixSeconds kHour = 3600, kDay = 86400;
const char* kFactors[] = {"a34004", "a34002", "a21026", "a21004", "a21005", "a05024"};

double Seconds(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

std::string Value(int station, UnixSeconds t, int k) {
  unsigned h = static_cast<unsigned>(station * 7919 + t / 3600 * 104729 + k * 31);
  h ^= h >> 13;
  h *= 0x5bd1e995;
  int base[] = {45, 75, 6, 35, 7, 60};
  int v = base[k] / 2 + static_cast<int>(h % static_cast<unsigned>(base[k] * 2));
  if (k == 4) return std::to_string(v / 10) + "." + std::to_string(v % 10);  // CO mg/m3
  return std::to_string(v);
}

std::unique_ptr<store::Store> Build(const std::string& dir, int stations, UnixSeconds from,
                                    UnixSeconds to) {
  std::filesystem::remove_all(dir);
  auto st = std::move(store::OpenSqliteStore(dir, {}).value());
  std::vector<int64_t> districts;
  for (int d = 0; d < 16; ++d)
    districts.push_back(
        *st->PutDistrict({0, "D" + std::to_string(d), "District " + std::to_string(d)}));
  for (int i = 0; i < stations; ++i) {
    store::Site s;
    s.code = "S" + std::to_string(i);
    s.name = s.code;
    s.kind = registry::SiteKind::kAir;
    s.district_id = districts[i % 16];
    int64_t id = *st->PutSite(s);
    (void)st->PutDevice({"MN" + std::to_string(i), id, "pw"});
  }
  for (UnixSeconds d = from; d < to; d += kDay) {
    store::Batch b;
    for (int i = 0; i < stations; ++i)
      for (UnixSeconds t = d; t < std::min(to, d + kDay); t += kHour)
        for (int k = 0; k < 6; ++k)
          b.readings.push_back({"MN" + std::to_string(i), Period::kHour, t, kFactors[k], "Avg",
                                Value(i, t, k), 'N'});
    const store::Batch* p = &b;
    (void)st->Append(std::span<const store::Batch* const>(&p, 1));
  }
  (void)st->Compact(to - kDay);  // older days in chunks, the last one hot: as in service
  return st;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main() {
  std::string dir = std::filesystem::temp_directory_path() / "ecohub_derive_bench";
  UnixSeconds day = DaysFromCivil(2026, 6, 1) * kDay - 8 * kHour;
  std::printf(
      "one new hour from every station (hourly + daily AQI of the stations, 16\n"
      "districts and the city; quality rates), median of 5, SQLite store:\n");
  std::printf("%10s %12s %14s %12s\n", "stations", "seconds", "ms/station", "rows");
  for (int n : {100, 300, 1000}) {
    auto st = Build(dir, n, day - kDay, day + 12 * kHour);
    derive::Deriver d(*st, {});
    (void)d.Reload();
    (void)d.RecomputeRange(day - kDay, day + 12 * kHour);
    std::vector<double> times;
    int64_t rows = 0;
    for (int rep = 0; rep < 5; ++rep) {
      UnixSeconds h = day + 11 * kHour;
      for (const auto& s : d.sites()) d.TouchSiteHour(s.id, h);
      auto t0 = std::chrono::steady_clock::now();
      auto r = d.Flush();
      times.push_back(Seconds(t0));
      if (r.ok()) rows = r->rows_written;
    }
    double m = Median(times);
    std::printf("%10d %12.3f %14.3f %12lld\n", n, m, m * 1000 / n, (long long)rows);
  }
  std::printf("\na year of one city (12 stations, 8,760 hours each): recompute everything\n");
  UnixSeconds y0 = DaysFromCivil(2025, 1, 1) * kDay - 8 * kHour, y1 = y0 + 365 * kDay;
  auto st = Build(dir, 12, y0, y1);
  derive::Deriver d(*st, {});
  (void)d.Reload();
  auto t0 = std::chrono::steady_clock::now();
  auto r = d.RecomputeRange(y0, y1);
  double s = Seconds(t0);
  if (r.ok())
    std::printf(
        "%.2f s: %lld station hours, %lld station days, %lld area days, %lld rows "
        "(%.1f us per station hour)\n",
        s, (long long)r->station_hours, (long long)r->station_days, (long long)r->area_days,
        (long long)r->rows_written, s * 1e6 / r->station_hours);
  std::filesystem::remove_all(dir);
  return 0;
}
