// How fast the HJ 633 arithmetic is: one IAQI, and a whole hourly/daily AQI report
// (six or seven indicators, special rules, primary pollutants). Target: >= 10 million
// AQI evaluations per second on one core.
#include <benchmark/benchmark.h>

#include <vector>

#include "standards/aqi.h"
#include "standards/exact.h"

namespace ecohub::standards {
namespace {

void BM_Iaqi(benchmark::State& state) {
  std::vector<Decimal> c;
  for (int i = 0; i < 1024; ++i) c.push_back(MakeDecimal((i * 37) % 600, 0));
  size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Iaqi(Indicator::kPM25_24h, c[k++ & 1023], Edition::k2026));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Iaqi);

std::vector<AqiInput> Inputs(AqiMode mode, Edition e) {
  std::vector<AqiInput> in(1024);
  for (int i = 0; i < 1024; ++i) {
    AqiInput& x = in[i];
    x.edition = e;
    x.mode = mode;
    bool h = mode == AqiMode::kHourly;
    x.Set(h ? Indicator::kSO2_1h : Indicator::kSO2_24h, MakeDecimal(3 + i % 40, 0));
    x.Set(h ? Indicator::kNO2_1h : Indicator::kNO2_24h, MakeDecimal(10 + i % 90, 0));
    x.Set(h ? Indicator::kPM10_1h : Indicator::kPM10_24h, MakeDecimal(20 + (i * 7) % 300, 0));
    x.Set(h ? Indicator::kCO_1h : Indicator::kCO_24h, MakeDecimal(3 + i % 30, 1));
    x.Set(Indicator::kO3_1h, MakeDecimal(10 + (i * 13) % 250, 0));
    x.Set(Indicator::kO3_8h, MakeDecimal(10 + (i * 11) % 200, 0));
    x.Set(h ? Indicator::kPM25_1h : Indicator::kPM25_24h, MakeDecimal(5 + (i * 17) % 250, 0));
  }
  return in;
}

void BM_AqiReport(benchmark::State& state) {
  auto in = Inputs(state.range(0) ? AqiMode::kDaily : AqiMode::kHourly,
                   state.range(1) ? Edition::k2026 : Edition::k2012);
  size_t k = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ComputeAqi(in[k++ & 1023]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AqiReport)->ArgNames({"daily", "y2026"})->ArgsProduct({{0, 1}, {0, 1}});

// Inputs with decimals that GB/T 8170 must round first (e.g. PM2.5 74.5).
void BM_AqiReportRounding(benchmark::State& state) {
  auto in = Inputs(AqiMode::kHourly, Edition::k2026);
  for (int i = 0; i < 1024; ++i)
    in[i].Set(Indicator::kPM25_1h, MakeDecimal(50 + (i * 17) % 2500, 1));
  size_t k = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ComputeAqi(in[k++ & 1023]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AqiReportRounding);

}  // namespace
}  // namespace ecohub::standards

BENCHMARK_MAIN();
