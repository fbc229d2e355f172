// The random draw (draw.h): the stream and Below as documented, the draw reproducible
// and following its rates and recusal rules, the JSON read back exactly.
#include "casework/draw.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/sm.h"

namespace ecohub::casework {
namespace {

DrawInput Pool(int key, int general, int officers) {
  DrawInput in;
  in.seed = "2026-12-07 第四季度";
  in.rate_bp = {2000, 10000, 500};  // key 20 %, special 100 %, general 5 %
  for (int i = 0; i < key; ++i)
    in.enterprises.push_back({"91110000K" + std::to_string(100 + i), "重点" + std::to_string(i),
                              1 + i % 3, PoolCategory::kKey});
  for (int i = 0; i < general; ++i)
    in.enterprises.push_back({"91110000G" + std::to_string(1000 + i), "一般" + std::to_string(i),
                              1 + i % 3, PoolCategory::kGeneral});
  for (int i = 0; i < officers; ++i)
    in.officers.push_back({100 + i, "执法" + std::to_string(i), i % 4});
  return in;
}

TEST(DrawStream, WordsAreTheBigEndianWordsOfShaOfSeedAndCounter) {
  std::string block0 = crypto::Sha256(std::string("s") + std::string(8, '\0')).value();
  std::string counter1 = std::string(7, '\0') + '\1';
  std::string block1 = crypto::Sha256("s" + counter1).value();
  auto word = [](const std::string& b, int w) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<unsigned char>(b[w * 8 + i]);
    return v;
  };
  DrawStream s("s");
  for (int w = 0; w < 4; ++w) EXPECT_EQ(s.Next().value(), word(block0, w)) << w;
  EXPECT_EQ(s.Next().value(), word(block1, 0));
}

TEST(DrawStream, BelowStaysInRangeAndReachesEveryValue) {
  DrawStream s("range");
  std::set<uint64_t> seen;
  for (int i = 0; i < 500; ++i) {
    uint64_t v = s.Below(7).value();
    ASSERT_LT(v, 7u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(s.Below(1).value(), 0u);
  // m a power of two divides 2^64: nothing is rejected.
  DrawStream a("p"), b("p");
  EXPECT_EQ(a.Below(uint64_t{1} << 32).value(), b.Next().value() % (uint64_t{1} << 32));
}

TEST(Draw, TheSameInputGivesTheSameResultAndAnotherSeedAnother) {
  DrawInput in = Pool(10, 60, 8);
  auto a = RunDraw(in), b = RunDraw(in);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(*a, *b);
  // The order the pool is given in does not matter: it is sorted by credit code.
  DrawInput shuffled = in;
  std::reverse(shuffled.enterprises.begin(), shuffled.enterprises.end());
  std::reverse(shuffled.officers.begin(), shuffled.officers.end());
  EXPECT_EQ(*RunDraw(shuffled), *a);
  in.seed += "!";
  EXPECT_NE(RunDraw(in)->picks, a->picks);
}

TEST(Draw, EachCategoryIsDrawnAtItsRateRoundedUp) {
  struct {
    int key, general;
    int64_t key_drawn, general_drawn;
  } cases[] = {
      {10, 60, 2, 3},  // 20 % of 10, 5 % of 60
      {11, 61, 3, 4},  // ⌈2.2⌉, ⌈3.05⌉
      {1, 1, 1, 1},    // any rate above zero reaches a pool of one
      {0, 0, 0, 0},
  };
  for (const auto& c : cases) {
    auto r = RunDraw(Pool(c.key, c.general, 8));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->drawn[0], c.key_drawn) << c.key;
    EXPECT_EQ(r->drawn[2], c.general_drawn) << c.general;
    EXPECT_EQ(r->pool[0], c.key);
    EXPECT_EQ(r->picks.size(), static_cast<size_t>(c.key_drawn + c.general_drawn));
    std::set<std::string> codes;
    for (const auto& p : r->picks) codes.insert(p.credit_code);
    EXPECT_EQ(codes.size(), r->picks.size()) << "an enterprise drawn twice";
  }
  DrawInput none = Pool(5, 5, 4);
  none.rate_bp = {0, 0, 0};
  EXPECT_TRUE(RunDraw(none)->picks.empty());
  DrawInput all = Pool(5, 5, 4);
  all.rate_bp = {10000, 10000, 10000};
  EXPECT_EQ(RunDraw(all)->picks.size(), 10u);
}

TEST(Draw, KeyUnitsComeFirstThenGeneralAndEveryPickHasATeam) {
  auto r = RunDraw(Pool(10, 60, 8));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->picks.size(), 5u);
  EXPECT_EQ(r->picks[0].category, PoolCategory::kKey);
  EXPECT_EQ(r->picks[1].category, PoolCategory::kKey);
  EXPECT_EQ(r->picks[4].category, PoolCategory::kGeneral);
  for (const auto& p : r->picks) {
    ASSERT_EQ(p.officers.size(), 2u);
    EXPECT_NE(p.officers[0], p.officers[1]);
  }
}

TEST(Draw, RecusedOfficersAreNeverPaired) {
  DrawInput in = Pool(12, 0, 8);
  in.rate_bp = {10000, 0, 0};
  in.recuse_own_district = true;
  in.last["91110000K100"] = {100, 101, 102};
  auto r = RunDraw(in);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->picks.size(), 12u);
  for (const auto& p : r->picks) {
    const DrawEnterprise* e = nullptr;
    for (const auto& x : in.enterprises)
      if (x.credit_code == p.credit_code) e = &x;
    ASSERT_NE(e, nullptr);
    for (int64_t id : p.officers) {
      const DrawOfficer& o = in.officers[id - 100];
      EXPECT_FALSE(o.district_id != 0 && o.district_id == e->district_id)
          << "officer " << id << " of the enterprise's own district " << e->district_id;
      if (p.credit_code == "91110000K100") {
        EXPECT_GT(id, 102) << "inspected it last time";
      }
    }
  }
  // Without the rules the same officers may be drawn.
  in.recuse_own_district = false;
  in.recuse_last = false;
  EXPECT_NE(RunDraw(in)->picks, r->picks);
}

TEST(Draw, TooFewFreeOfficersLeaveTheEnterpriseUnpaired) {
  DrawInput in = Pool(3, 0, 1);
  in.rate_bp = {10000, 0, 0};
  auto r = RunDraw(in);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->picks.size(), 3u);
  for (const auto& p : r->picks) EXPECT_TRUE(p.officers.empty());
  in.team = 1;
  DrawResult alone = RunDraw(in).value();
  for (const auto& p : alone.picks) EXPECT_EQ(p.officers, std::vector<int64_t>{100});
}

TEST(Draw, BadInputIsRefusedNamingTheField) {
  struct {
    const char* why;
    void (*spoil)(DrawInput&);
    const char* field;
  } cases[] = {
      {"no seed", [](DrawInput& in) { in.seed.clear(); }, "seed"},
      {"rate over 100 %", [](DrawInput& in) { in.rate_bp[2] = 10001; }, "rates"},
      {"team of 0", [](DrawInput& in) { in.team = 0; }, "team"},
      {"team of 6", [](DrawInput& in) { in.team = 6; }, "team"},
      {"credit code twice", [](DrawInput& in) { in.enterprises.push_back(in.enterprises.front()); },
       "twice"},
      {"no credit code", [](DrawInput& in) { in.enterprises[0].credit_code.clear(); },
       "credit code"},
      {"officer twice", [](DrawInput& in) { in.officers.push_back(in.officers.front()); }, "twice"},
  };
  for (const auto& c : cases) {
    DrawInput in = Pool(3, 3, 3);
    c.spoil(in);
    Status s = CheckDrawInput(in);
    EXPECT_EQ(s.code(), Code::kInvalidInput) << c.why;
    EXPECT_NE(s.message().find(c.field), std::string::npos) << c.why << ": " << s.message();
    EXPECT_FALSE(RunDraw(in).ok()) << c.why;
  }
  EXPECT_FALSE(RateFromPercent(-1));
  EXPECT_FALSE(RateFromPercent(100.5));
  EXPECT_EQ(RateFromPercent(2.5), 250);
  EXPECT_EQ(RateFromPercent(0.005), 1);  // half away from zero
}

TEST(Draw, InputAndResultComeBackFromTheirJson) {
  DrawInput in = Pool(4, 5, 3);
  in.rate_bp = {2550, 10000, 1};
  in.last["91110000G1000"] = {101};
  in.recuse_own_district = true;
  auto back = DrawInputFromJson(nlohmann::json::parse(DrawInputJson(in).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, in);
  DrawResult r = RunDraw(in).value();
  auto rback = DrawResultFromJson(nlohmann::json::parse(DrawResultJson(r).dump()));
  ASSERT_TRUE(rback.ok()) << rback.status().ToString();
  EXPECT_EQ(*rback, r);
  for (const char* bad : {R"([])", R"({"algorithm":"other"})",
                          R"({"algorithm":"ecohub-draw-1","seed":"s","rates":{"key":1}})"})
    EXPECT_EQ(DrawInputFromJson(nlohmann::json::parse(bad)).status().code(), Code::kInvalidInput)
        << bad;
}

}  // namespace
}  // namespace ecohub::casework
