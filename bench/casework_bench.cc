// How long casework computations take at a city's size: a random draw (casework/draw.h)
// over pools of 1,000 to 100,000 enterprises with 200 officers, and enterprise codes
// (casework/envcode.h) for an enterprise with a month of alarms, now and with 30 days of
// history. Target: a draw of the largest pool well under a second; a code in microseconds,
// so that a list of every enterprise in a city answers in well under a second.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "casework/draw.h"
#include "casework/envcode.h"

namespace ecohub::casework {
namespace {

DrawInput Pool(int64_t n) {
  DrawInput in;
  in.seed = "bench";
  in.rate_bp = {2000, 10000, 500};
  for (int64_t i = 0; i < n; ++i)
    in.enterprises.push_back({"91110000" + std::to_string(10000000 + i), "企业", 1 + i % 16,
                              i % 10 == 0 ? PoolCategory::kKey : PoolCategory::kGeneral});
  for (int i = 0; i < 200; ++i) in.officers.push_back({1 + i, "执法", i % 17});
  in.recuse_own_district = true;
  return in;
}

void BM_Draw(benchmark::State& state) {
  DrawInput in = Pool(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(RunDraw(in));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Draw)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

CodeFacts Month() {
  constexpr UnixSeconds kNow = 1796083200;
  CodeFacts f;
  f.has_outlets = true;
  f.permits = {{kNow - 400 * 86400, kNow + 400 * 86400}};
  for (int h = 0; h < 60 * 24; h += 7)  // an alarm every 7 hours for 60 days
    f.alarms.push_back({h % 3 ? "exceedance" : "offline", kNow - h * 3600, kNow - h * 3600 + 1800,
                        h % 2 ? kNow - h * 3600 + 600 : 0, 0});
  return f;
}

void BM_Code(benchmark::State& state) {
  CodeFacts f = Month();
  for (auto _ : state) benchmark::DoNotOptimize(ComputeCode(f, 1796083200));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Code)->Unit(benchmark::kMicrosecond);

void BM_CodeHistory30(benchmark::State& state) {
  CodeFacts f = Month();
  for (auto _ : state) benchmark::DoNotOptimize(CodeHistory(f, 1796083200, 30));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CodeHistory30)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ecohub::casework

BENCHMARK_MAIN();
