#include "store/chunk.h"

#include <gtest/gtest.h>

namespace ecohub::store {

TEST(Chunk, RoundTripsExactText) {
  int64_t day = 1700006400;
  std::vector<ChunkEntry> e = {{day, "0", 'N'},         {day + 30, "231.0", 'N'},
                               {day + 60, "-0.5", 'D'}, {day + 90, "1e3", 0},
                               {day + 120, "007", 'N'}, {day + 86399, "-0.000", 'M'}};
  std::string blob = EncodeChunk(day, e);
  std::vector<ChunkEntry> back;
  ASSERT_TRUE(DecodeChunk(day, blob, &back).ok());
  ASSERT_EQ(back.size(), e.size());
  for (size_t i = 0; i < e.size(); ++i) {
    EXPECT_EQ(back[i].time, e[i].time);
    EXPECT_EQ(back[i].value, e[i].value);
    EXPECT_EQ(back[i].flag, e[i].flag);
  }
}

TEST(Chunk, RegularSeriesIsSmall) {
  std::vector<ChunkEntry> e;
  for (int i = 0; i < 2880; ++i) e.push_back({i * 30, std::to_string(40 + i % 50) + ".5", 'N'});
  EXPECT_LE(EncodeChunk(0, e).size(), 2880u * 6);
}

TEST(Chunk, CorruptionIsAnErrorNotACrash) {
  std::vector<ChunkEntry> e = {{10, "12.5", 'N'}, {20, "text value", 0}};
  std::string blob = EncodeChunk(0, e);
  for (size_t cut = 0; cut < blob.size(); ++cut) {
    std::vector<ChunkEntry> out;
    EXPECT_FALSE(DecodeChunk(0, blob.substr(0, cut), &out).ok()) << cut;
  }
}

TEST(Chunk, MergeNewerWins) {
  auto m = MergeEntries({{1, "a", 0}, {2, "b", 0}, {4, "d", 0}}, {{2, "B", 0}, {3, "C", 0}});
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[1].value, "B");
  EXPECT_EQ(m[2].value, "C");
}

}  // namespace ecohub::store
