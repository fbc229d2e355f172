// Codec throughput on one core: the HJ 212 CRC alone (the floor: one table load per
// byte, performance.md) against framing + CRC + parsing of the same bytes.
#include <benchmark/benchmark.h>

#include "hj212/builder.h"
#include "hj212/framer.h"
#include "hj212/packet.h"

namespace {

using namespace ecohub::hj212;

// A realistic hourly (2061) upload of a flue-gas outlet, ~800 bytes, and a small
// realtime one, ~140 bytes.
std::string Segment(int factors) {
  std::vector<Field> cp = {{"DataTime", "20261123080000"}};
  const char* codes[] = {"a21026", "a21002", "a34013", "a19001", "a01012", "a01011",
                         "a01013", "a01014", "a00000", "a21005", "a21004", "a21003"};
  for (int i = 0; i < factors; ++i) {
    std::string c = codes[i % 12];
    if (factors > 4) {
      cp.push_back({c + "-Cou", "1234.56"});
      cp.push_back({c + "-Min", "12.3"});
      cp.push_back({c + "-Avg", "18.75"});
      cp.push_back({c + "-Max", "25.1"});
    } else {
      cp.push_back({c + "-Rtd", "18.75"});
    }
    cp.push_back({c + "-Flag", "N"});
  }
  return BuildSegment({{"QN", "20261123080000123"},
                       {"ST", "31"},
                       {"CN", factors > 4 ? "2061" : "2011"},
                       {"PW", "123456"},
                       {"MN", "010000A8900016F000169DC0"},
                       {"Flag", "5"}},
                      cp);
}

std::string Stream(const std::string& segment, int copies) {
  std::string s;
  for (int i = 0; i < copies; ++i) s += Frame(segment);
  return s;
}

void BM_CrcOnly(benchmark::State& state) {
  std::string seg = Segment(static_cast<int>(state.range(0)));
  std::string stream = Stream(seg, 1000);
  for (auto _ : state) {
    uint32_t acc = 0;
    // The CRC of each segment of the same stream, as the framer computes it.
    for (size_t pos = 0; pos < stream.size(); pos += seg.size() + 12)
      acc += Crc16(std::string_view(stream).substr(pos + 6, seg.size()));
    benchmark::DoNotOptimize(acc);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
  state.SetItemsProcessed(state.iterations() * 1000);
}

void BM_FrameAndParse(benchmark::State& state) {
  std::string seg = Segment(static_cast<int>(state.range(0)));
  std::string stream = Stream(seg, 1000);
  Framer framer;
  Packet packet;
  for (auto _ : state) {
    size_t fields = 0;
    framer.Feed(
        stream,
        [&](std::string_view s, std::string_view) {
          if (ParsePacket(s, &packet, {}, framer.tokens()) == Error::kNone)
            fields += packet.cp_count();
        },
        [](Error, std::string_view) {});
    benchmark::DoNotOptimize(fields);
    if (fields == 0) state.SkipWithError("no frame parsed: the test packet is malformed");
  }
  state.counters["segment_bytes"] = static_cast<double>(seg.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
  state.SetItemsProcessed(state.iterations() * 1000);
}

BENCHMARK(BM_CrcOnly)->Arg(9)->Arg(2);
BENCHMARK(BM_FrameAndParse)->Arg(9)->Arg(2);

}  // namespace

BENCHMARK_MAIN();
