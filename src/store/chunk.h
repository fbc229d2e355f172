// Chunk: the compressed form of one series' readings over one UTC day.
//
//   chunk := varint(count) entry*          entries ordered by time, unique times
//   entry := varint(t - prev_t) flag:u8 kind:u8 body
//            prev_t starts at the chunk's day start; flag 0 = none
//            kind: bits 0-4 decimal scale, bit 5 "-0", bit 6 text
//            body: text ? varint(len) bytes : zigzag varint(mantissa)
//
// A regular series costs about 4-5 bytes per value. Pure, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ecohub::store {

struct ChunkEntry {
  int64_t time = 0;
  std::string value;  // exact text
  char flag = 0;
};

std::string EncodeChunk(int64_t day_start, const std::vector<ChunkEntry>& sorted_entries);
Status DecodeChunk(int64_t day_start, std::string_view data, std::vector<ChunkEntry>* out);

// Merges `newer` into `base` (both sorted by time): on equal times `newer` wins.
std::vector<ChunkEntry> MergeEntries(const std::vector<ChunkEntry>& base,
                                     const std::vector<ChunkEntry>& newer);

}  // namespace ecohub::store
