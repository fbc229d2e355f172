#include "standards/water.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "standards/exact.h"
#include "standards/test_vectors.h"

namespace ecohub::standards {
namespace {

using nlohmann::json;

Decimal D(const char* s) { return *Decimal::Parse(s); }

std::optional<Decimal> FromJson(const json& v) {
  if (v.is_number_integer()) return MakeDecimal(v.get<int64_t>(), 0);
  return DecimalFromDouble(v.get<double>());
}

WaterResult Classify(const std::map<std::string, std::string>& values, WaterBody body,
                     const WaterItemSet& items = WaterItemSet::Routine()) {
  WaterSample s;
  for (const auto& [k, v] : values) s.Set(*WaterItemFromName(k), D(v.c_str()));
  Result<WaterResult> r = ClassifySite(s, body, items);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : WaterResult{};
}

std::vector<std::string> Names(const std::vector<WaterItem>& items) {
  std::vector<std::string> out;
  for (WaterItem i : items) out.push_back(WaterItemName(i));
  return out;
}

std::string ClassOf(const WaterResult& r) {
  return r.site_class ? WaterClassName(*r.site_class) : "null";
}

// Every "water" vector of ../shared/reference/standards_vectors.json.
TEST(WaterVectors, AllReferenceVectors) {
  SKIP_WITHOUT_STANDARDS_VECTORS();
  const json& all = StandardsVectors();
  const json& vectors = all.at("water");
  ASSERT_GE(vectors.size(), 40u);
  for (const json& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    WaterBody body = *WaterBodyFromName(v.at("site_type").get<std::string>());
    WaterSample s;
    for (auto it = v.at("values").begin(); it != v.at("values").end(); ++it) {
      if (it.value().is_null()) continue;
      auto item = WaterItemFromName(it.key());
      ASSERT_TRUE(item) << it.key();
      s.Set(*item, *FromJson(it.value()));
    }
    WaterItemSet items = WaterItemSet::Routine();
    if (v.contains("items") && v.at("items").is_string()) {
      std::string set = v.at("items").get<std::string>();
      if (set == "auto_station" || set == "AUTO_STATION_ITEMS") {
        items = WaterItemSet::AutoStation();
      }
    } else if (v.contains("items")) {
      items = WaterItemSet();
      for (const json& n : v.at("items")) items.Add(*WaterItemFromName(n.get<std::string>()));
    }
    Result<WaterResult> r = ClassifySite(s, body, items);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(ClassOf(*r), v.at("class").is_null() ? "null" : v.at("class").get<std::string>());
    EXPECT_EQ(Names(r->exceeding), v.at("exceeding").get<std::vector<std::string>>());

    std::map<std::string, std::string> item_class, ref, multiple;
    for (const WaterItemResult& it : r->items) {
      item_class[WaterItemName(it.item)] = WaterClassName(it.cls);
      if (it.cls > WaterClass::kIII) {
        multiple[WaterItemName(it.item)] = it.multiple ? it.multiple->ToString() : "null";
      }
    }
    for (const WaterItemResult& it : r->reference_only) {
      ref[WaterItemName(it.item)] = WaterClassName(it.cls);
    }
    EXPECT_EQ(item_class, (v.at("item_class").get<std::map<std::string, std::string>>()));
    std::map<std::string, std::string> want_multiple;
    for (auto it = v.at("exceed_multiple").begin(); it != v.at("exceed_multiple").end(); ++it) {
      want_multiple[it.key()] = it.value().is_null() ? "null" : it.value().get<std::string>();
    }
    EXPECT_EQ(multiple, want_multiple);
    std::map<std::string, std::string> want_ref;
    if (v.contains("reference_only")) {
      want_ref = v.at("reference_only").get<std::map<std::string, std::string>>();
    }
    EXPECT_EQ(ref, want_ref);
  }
}

// The test's own copy of GB 3838-2002 Table 1 (digest §3.1), as text.
struct TableRow {
  WaterItem item;
  WaterBody body;
  const char* limit[5];
};
const TableRow kTable1[] = {
    {WaterItem::kDO, WaterBody::kRiver, {"7.5", "6", "5", "3", "2"}},
    {WaterItem::kCODMn, WaterBody::kRiver, {"2", "4", "6", "10", "15"}},
    {WaterItem::kCOD, WaterBody::kRiver, {"15", "15", "20", "30", "40"}},
    {WaterItem::kBOD5, WaterBody::kRiver, {"3", "3", "4", "6", "10"}},
    {WaterItem::kNH3N, WaterBody::kRiver, {"0.15", "0.5", "1.0", "1.5", "2.0"}},
    {WaterItem::kTP, WaterBody::kRiver, {"0.02", "0.1", "0.2", "0.3", "0.4"}},
    {WaterItem::kTP, WaterBody::kLake, {"0.01", "0.025", "0.05", "0.1", "0.2"}},
    {WaterItem::kTN, WaterBody::kLake, {"0.2", "0.5", "1.0", "1.5", "2.0"}},
    {WaterItem::kCu, WaterBody::kRiver, {"0.01", "1.0", "1.0", "1.0", "1.0"}},
    {WaterItem::kZn, WaterBody::kRiver, {"0.05", "1.0", "1.0", "2.0", "2.0"}},
    {WaterItem::kF, WaterBody::kRiver, {"1.0", "1.0", "1.0", "1.5", "1.5"}},
    {WaterItem::kSe, WaterBody::kRiver, {"0.01", "0.01", "0.01", "0.02", "0.02"}},
    {WaterItem::kAs, WaterBody::kRiver, {"0.05", "0.05", "0.05", "0.1", "0.1"}},
    {WaterItem::kHg, WaterBody::kRiver, {"0.00005", "0.00005", "0.0001", "0.001", "0.001"}},
    {WaterItem::kCd, WaterBody::kRiver, {"0.001", "0.005", "0.005", "0.005", "0.01"}},
    {WaterItem::kCr6, WaterBody::kRiver, {"0.01", "0.05", "0.05", "0.05", "0.1"}},
    {WaterItem::kPb, WaterBody::kRiver, {"0.01", "0.01", "0.05", "0.05", "0.1"}},
    {WaterItem::kCN, WaterBody::kRiver, {"0.005", "0.05", "0.2", "0.2", "0.2"}},
    {WaterItem::kPhenol, WaterBody::kRiver, {"0.002", "0.002", "0.005", "0.01", "0.1"}},
    {WaterItem::kPetroleum, WaterBody::kRiver, {"0.05", "0.05", "0.05", "0.5", "1.0"}},
    {WaterItem::kLAS, WaterBody::kRiver, {"0.2", "0.2", "0.2", "0.3", "0.3"}},
    {WaterItem::kSulfide, WaterBody::kRiver, {"0.05", "0.1", "0.2", "0.5", "1.0"}},
    {WaterItem::kFecalColiform, WaterBody::kRiver, {"200", "2000", "10000", "20000", "40000"}},
};

// value ± one unit of the 8th decimal (finer than any limit).
Decimal Nudge(const Decimal& v, int sign) {
  __int128 m = ScaledTo(v, 8) + sign;
  return MakeDecimal(static_cast<int64_t>(m), 8);
}

// Every limit of every item, at it, just inside and just outside, both water bodies
// where they differ. The expected class is derived from the text table: the best class
// whose limit the value meets, so shared limits give the better class.
TEST(WaterItemClass, EveryLimitAtBelowAndAbove) {
  int checked = 0;
  for (const TableRow& row : kTable1) {
    bool higher_better = row.item == WaterItem::kDO;
    auto expected = [&](const Decimal& v) {
      for (int c = 0; c < 5; ++c) {
        int cmp = Compare(v, D(row.limit[c]));
        if (higher_better ? cmp >= 0 : cmp <= 0) return static_cast<WaterClass>(c + 1);
      }
      return WaterClass::kWorseV;
    };
    for (int c = 0; c < 5; ++c) {
      Decimal limit = D(row.limit[c]);
      SCOPED_TRACE(std::string(WaterItemName(row.item)) + " " + WaterBodyName(row.body) + " " +
                   row.limit[c]);
      EXPECT_EQ(Compare(*WaterLimit(row.item, static_cast<WaterClass>(c + 1), row.body), limit), 0);
      // Equal to a limit belongs to the best class sharing it.
      int best = c;
      while (best > 0 && Compare(D(row.limit[best - 1]), limit) == 0) --best;
      EXPECT_EQ(ClassifyItem(row.item, limit, row.body), static_cast<WaterClass>(best + 1));
      for (int sign : {-1, 1}) {
        Decimal v = Nudge(limit, sign);
        EXPECT_EQ(ClassifyItem(row.item, v, row.body), expected(v)) << v.ToString();
        ++checked;
      }
      // Just worse than a class-V limit is 劣V; just better than a shared limit stays.
      if (c == 4) {
        EXPECT_EQ(ClassifyItem(row.item, Nudge(limit, higher_better ? -1 : 1), row.body),
                  WaterClass::kWorseV);
      }
    }
  }
  EXPECT_EQ(checked, 23 * 10);
}

TEST(WaterItemClass, SharedLimitsGiveTheBetterClass) {
  EXPECT_EQ(ClassifyItem(WaterItem::kCOD, D("15"), WaterBody::kRiver), WaterClass::kI);
  EXPECT_EQ(ClassifyItem(WaterItem::kF, D("1.0"), WaterBody::kRiver), WaterClass::kI);
  EXPECT_EQ(ClassifyItem(WaterItem::kF, D("1.5"), WaterBody::kRiver), WaterClass::kIV);
  EXPECT_EQ(ClassifyItem(WaterItem::kLAS, D("0.3"), WaterBody::kRiver), WaterClass::kIV);
  EXPECT_EQ(ClassifyItem(WaterItem::kCu, D("1.0"), WaterBody::kRiver), WaterClass::kII);
  EXPECT_EQ(ClassifyItem(WaterItem::kCN, D("0.2"), WaterBody::kRiver), WaterClass::kIII);
  EXPECT_EQ(ClassifyItem(WaterItem::kCd, D("0.005"), WaterBody::kRiver), WaterClass::kII);
  EXPECT_EQ(ClassifyItem(WaterItem::kSe, D("0.02"), WaterBody::kRiver), WaterClass::kIV);
}

TEST(WaterItemClass, PhRangeForEveryClass) {
  for (const char* in : {"6", "6.0", "7.5", "9", "9.00"}) {
    EXPECT_EQ(ClassifyItem(WaterItem::kPH, D(in), WaterBody::kRiver), WaterClass::kI) << in;
  }
  for (const char* out : {"5.99", "0", "9.01", "14"}) {
    EXPECT_EQ(ClassifyItem(WaterItem::kPH, D(out), WaterBody::kLake), WaterClass::kWorseV) << out;
  }
  EXPECT_FALSE(WaterLimit(WaterItem::kPH, WaterClass::kI, WaterBody::kRiver));
  EXPECT_FALSE(ExceedMultiple(WaterItem::kPH, D("10"), WaterBody::kRiver));
}

TEST(WaterItemClass, DoSaturationLiftsToClassI) {
  EXPECT_EQ(ClassifyItem(WaterItem::kDO, D("7"), WaterBody::kRiver, D("90")), WaterClass::kI);
  EXPECT_EQ(ClassifyItem(WaterItem::kDO, D("7"), WaterBody::kRiver, D("89.9")), WaterClass::kII);
  EXPECT_EQ(ClassifyItem(WaterItem::kDO, D("7.5"), WaterBody::kRiver, D("50")), WaterClass::kI);
  EXPECT_EQ(ClassifyItem(WaterItem::kDO, D("7"), WaterBody::kRiver), WaterClass::kII);
  EXPECT_FALSE(ClassifyItem(WaterItem::kDO, D("7"), WaterBody::kRiver, D("-1")));
  EXPECT_FALSE(ExceedMultiple(WaterItem::kDO, D("1"), WaterBody::kRiver));
}

TEST(WaterItemClass, NegativeIsNoClass) {
  EXPECT_FALSE(ClassifyItem(WaterItem::kTP, D("-0.01"), WaterBody::kRiver));
  WaterSample s;
  s.Set(WaterItem::kTP, D("-0.01"));
  Result<WaterResult> r = ClassifySite(s, WaterBody::kRiver);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  EXPECT_NE(r.status().message().find("TP"), std::string::npos);
  // A negative value of an item outside the set does not matter.
  EXPECT_TRUE(ClassifySite(s, WaterBody::kRiver, WaterItemSet()).ok());
}

// Hg limits have 5 decimals: 5e-05 read from JSON is exactly 0.00005, class I.
TEST(WaterItemClass, MercuryExactness) {
  EXPECT_EQ(Compare(*DecimalFromDouble(5e-05), D("0.00005")), 0);
  EXPECT_EQ(ClassifyItem(WaterItem::kHg, *DecimalFromDouble(5e-05), WaterBody::kRiver),
            WaterClass::kI);
  EXPECT_EQ(ClassifyItem(WaterItem::kHg, *DecimalFromDouble(0.00005000001), WaterBody::kRiver),
            WaterClass::kIII);
  EXPECT_EQ(ClassifyItem(WaterItem::kHg, *DecimalFromDouble(1e-4), WaterBody::kRiver),
            WaterClass::kIII);
  EXPECT_EQ(ClassifyItem(WaterItem::kHg, *DecimalFromDouble(0.00011), WaterBody::kRiver),
            WaterClass::kIV);
  EXPECT_EQ(ClassifyItem(WaterItem::kHg, *DecimalFromDouble(0.001), WaterBody::kRiver),
            WaterClass::kIV);
  EXPECT_EQ(ClassifyItem(WaterItem::kHg, *DecimalFromDouble(0.0010001), WaterBody::kRiver),
            WaterClass::kWorseV);
  // Shortest decimals, so 0.3 read from JSON is exactly the TP class IV limit.
  EXPECT_EQ(ClassifyItem(WaterItem::kTP, *DecimalFromDouble(0.3), WaterBody::kRiver),
            WaterClass::kIV);
  EXPECT_EQ(ClassifyItem(WaterItem::kTP, *DecimalFromDouble(0.3000001), WaterBody::kRiver),
            WaterClass::kV);
}

TEST(WaterItemClass, LakeAndRiverTp) {
  EXPECT_EQ(ClassifyItem(WaterItem::kTP, D("0.03"), WaterBody::kRiver), WaterClass::kII);
  EXPECT_EQ(ClassifyItem(WaterItem::kTP, D("0.03"), WaterBody::kLake), WaterClass::kIII);
  EXPECT_EQ(ClassifyItem(WaterItem::kTP, D("0.025"), WaterBody::kLake), WaterClass::kII);
  EXPECT_EQ(ClassifyItem(WaterItem::kTP, D("0.2"), WaterBody::kLake), WaterClass::kV);
  EXPECT_EQ(ClassifyItem(WaterItem::kTP, D("0.2"), WaterBody::kRiver), WaterClass::kIII);
  // The multiple is against the site's own class III limit.
  EXPECT_EQ(ExceedMultiple(WaterItem::kTP, D("0.21"), WaterBody::kLake)->ToString(), "3.20");
  EXPECT_EQ(ExceedMultiple(WaterItem::kTP, D("0.21"), WaterBody::kRiver)->ToString(), "0.05");
}

TEST(WaterSite, TnOnlyForLakesAndNeverInTheClass) {
  std::map<std::string, std::string> v = {{"TP", "0.01"}, {"TN", "2.5"}};
  WaterResult lake = Classify(v, WaterBody::kLake);
  EXPECT_EQ(ClassOf(lake), "I");
  ASSERT_EQ(lake.reference_only.size(), 1u);
  EXPECT_EQ(lake.reference_only[0].item, WaterItem::kTN);
  EXPECT_EQ(lake.reference_only[0].cls, WaterClass::kWorseV);
  EXPECT_TRUE(lake.exceeding.empty());
  EXPECT_EQ(lake.Find(WaterItem::kTN), nullptr);

  WaterResult river = Classify(v, WaterBody::kRiver);
  EXPECT_EQ(ClassOf(river), "I");
  EXPECT_TRUE(river.reference_only.empty());  // "河流总氮除外": ignored entirely

  // TN alone: reference only, no site class.
  EXPECT_EQ(ClassOf(Classify({{"TN", "0.3"}}, WaterBody::kLake)), "null");
}

// Regression: a caller who named TN got it back as reference-only (lakes) or not at
// all (rivers). Named items are all evaluated; the method's sets keep TN apart.
TEST(WaterSite, NamedItemsAreAllEvaluatedTnIncluded) {
  std::map<std::string, std::string> v = {
      {"CODMn", "3"}, {"TN", "1.2"}, {"FecalColiform", "50000"}};
  WaterItemSet named;
  for (WaterItem i : {WaterItem::kCODMn, WaterItem::kTN, WaterItem::kFecalColiform}) named.Add(i);
  EXPECT_TRUE(named.named());
  EXPECT_FALSE(WaterItemSet::Routine().named());
  EXPECT_FALSE(WaterItemSet::AutoStation().named());
  for (WaterBody body : {WaterBody::kLake, WaterBody::kRiver}) {
    SCOPED_TRACE(static_cast<int>(body));
    WaterResult r = Classify(v, body, named);
    EXPECT_EQ(ClassOf(r), "劣V");  // fecal coliform 50000 > 40000
    EXPECT_TRUE(r.reference_only.empty());
    ASSERT_NE(r.Find(WaterItem::kTN), nullptr);
    EXPECT_EQ(r.Find(WaterItem::kTN)->cls, WaterClass::kIV);  // 1.0 < 1.2 <= 1.5
    EXPECT_EQ(r.items.size(), 3u);
  }
  // TN alone, named: it decides the class.
  WaterItemSet tn;
  tn.Add(WaterItem::kTN);
  EXPECT_EQ(ClassOf(Classify({{"TN", "0.3"}}, WaterBody::kLake, tn)), "II");
  EXPECT_EQ(ClassOf(Classify({{"TN", "0.3"}}, WaterBody::kRiver, tn)), "II");
  // Not named (the routine set): TN stays reference-only for lakes, ignored for rivers.
  WaterResult lake = Classify(v, WaterBody::kLake);
  EXPECT_EQ(ClassOf(lake), "II");
  ASSERT_EQ(lake.reference_only.size(), 2u);
  EXPECT_EQ(lake.reference_only[0].item, WaterItem::kTN);
  WaterResult river = Classify(v, WaterBody::kRiver);
  EXPECT_EQ(ClassOf(river), "II");
  ASSERT_EQ(river.reference_only.size(), 1u);
  EXPECT_EQ(river.reference_only[0].item, WaterItem::kFecalColiform);
}

TEST(WaterSite, FecalColiformIsReferenceOnly) {
  WaterResult r = Classify({{"CODMn", "3"}, {"FecalColiform", "50000"}}, WaterBody::kRiver);
  EXPECT_EQ(ClassOf(r), "II");
  ASSERT_EQ(r.reference_only.size(), 1u);
  EXPECT_EQ(r.reference_only[0].cls, WaterClass::kWorseV);
  EXPECT_EQ(ClassifyItem(WaterItem::kFecalColiform, D("10000"), WaterBody::kRiver),
            WaterClass::kIII);
}

TEST(WaterSite, CustomItemSets) {
  std::map<std::string, std::string> v = {{"pH", "7"},     {"DO", "8"},   {"CODMn", "3"},
                                          {"NH3N", "0.4"}, {"TP", "0.1"}, {"COD", "35"},
                                          {"TN", "3"}};
  // Routine: COD 35 (V) decides.
  EXPECT_EQ(ClassOf(Classify(v, WaterBody::kRiver)), "V");
  // Automatic stations: five parameters, COD and TN ignored.
  WaterResult a = Classify(v, WaterBody::kLake, WaterItemSet::AutoStation());
  EXPECT_EQ(ClassOf(a), "IV");  // lake TP 0.1 is IV
  EXPECT_EQ(a.items.size(), 5u);
  EXPECT_TRUE(a.reference_only.empty());
  // A list naming absent items evaluates what is there.
  WaterItemSet s;
  s.Add(WaterItem::kCODMn);
  s.Add(WaterItem::kHg);
  WaterResult c = Classify(v, WaterBody::kRiver, s);
  EXPECT_EQ(ClassOf(c), "II");
  EXPECT_EQ(c.items.size(), 1u);
  // TN named in a lake's list: evaluated like every named item (TN 3 is 劣V).
  s.Add(WaterItem::kTN);
  WaterResult t = Classify(v, WaterBody::kLake, s);
  EXPECT_EQ(ClassOf(t), "劣V");
  EXPECT_TRUE(t.reference_only.empty());
  ASSERT_NE(t.Find(WaterItem::kTN), nullptr);
  EXPECT_EQ(t.exceeding, std::vector<WaterItem>{WaterItem::kTN});
  // Nothing evaluable: no class.
  EXPECT_EQ(ClassOf(Classify(v, WaterBody::kRiver, WaterItemSet())), "null");
  EXPECT_EQ(ClassOf(Classify({}, WaterBody::kRiver)), "null");
}

// (C − S_III)/S_III, half-even to 2 decimals on the exact ratio.
TEST(WaterMultiple, HalfEvenTies) {
  struct Case {
    WaterItem item;
    const char* value;
    const char* want;
  } cases[] = {
      {WaterItem::kCODMn, "6.03", "0.00"},  // 0.005 -> even 0.00
      {WaterItem::kCODMn, "6.09", "0.02"},  // 0.015 -> even 0.02
      {WaterItem::kCODMn, "6.15", "0.02"},  // 0.025 -> even 0.02
      {WaterItem::kCODMn, "7", "0.17"},     // 0.1666...
      {WaterItem::kNH3N, "1.005", "0.00"},  // 0.005
      {WaterItem::kNH3N, "1.035", "0.04"},  // 0.035 -> even 0.04
      {WaterItem::kNH3N, "1.0350001", "0.04"}, {WaterItem::kTP, "0.201", "0.00"},  // 0.005
      {WaterItem::kTP, "0.203", "0.02"},                                           // 0.015
      {WaterItem::kTP, "0.2050001", "0.03"},                                       // above the tie
      {WaterItem::kPetroleum, "0.6", "11.00"}, {WaterItem::kHg, "0.000125", "0.25"},
      {WaterItem::kCODMn, "5", "-0.17"},  // below III: negative
  };
  for (const Case& c : cases) {
    auto m = ExceedMultiple(c.item, D(c.value), WaterBody::kRiver);
    ASSERT_TRUE(m) << c.value;
    EXPECT_EQ(m->ToString(), c.want) << WaterItemName(c.item) << " " << c.value;
  }
}

TEST(WaterSite, ExceedingRanking) {
  // Same class IV; exact multiples order them even when the rounded ones tie:
  // NH3N 1.0101 -> 0.0101, CODMn 6.06 -> 0.0100, both "0.01".
  WaterResult r = Classify({{"CODMn", "6.06"}, {"NH3N", "1.0101"}, {"DO", "4"}, {"pH", "7"}},
                           WaterBody::kRiver);
  EXPECT_EQ(Names(r.exceeding), (std::vector<std::string>{"NH3N", "CODMn", "DO"}));
  EXPECT_EQ(r.Find(WaterItem::kNH3N)->multiple->ToString(), "0.01");
  EXPECT_EQ(r.Find(WaterItem::kCODMn)->multiple->ToString(), "0.01");
  EXPECT_FALSE(r.Find(WaterItem::kDO)->multiple);
  EXPECT_FALSE(r.Find(WaterItem::kPH)->multiple);  // class I: no multiple

  // Worse class first even with a smaller multiple; exact ties in Table 1 order; pH
  // and DO last within their class.
  r = Classify({{"pH", "5"}, {"TP", "0.45"}, {"COD", "45"}, {"DO", "1"}, {"Sulfide", "2.0"}},
               WaterBody::kRiver);
  EXPECT_EQ(ClassOf(r), "劣V");
  EXPECT_EQ(Names(r.exceeding), (std::vector<std::string>{"Sulfide", "COD", "TP", "pH", "DO"}));

  // Only items worse than III are exceeding.
  r = Classify({{"CODMn", "6"}, {"NH3N", "1.0"}}, WaterBody::kRiver);
  EXPECT_EQ(ClassOf(r), "III");
  EXPECT_TRUE(r.exceeding.empty());
}

TEST(WaterNames, ClassesGradesAliases) {
  for (int c = 1; c <= 6; ++c) {
    auto cls = static_cast<WaterClass>(c);
    EXPECT_EQ(WaterClassFromName(WaterClassName(cls)), cls);
  }
  EXPECT_STREQ(WaterClassName(WaterClass::kWorseV), "劣V");
  EXPECT_STREQ(WaterGradeName(GradeOfClass(WaterClass::kI)), "优");
  EXPECT_STREQ(WaterGradeName(GradeOfClass(WaterClass::kII)), "优");
  EXPECT_STREQ(WaterGradeName(GradeOfClass(WaterClass::kIII)), "良好");
  EXPECT_STREQ(WaterGradeName(GradeOfClass(WaterClass::kIV)), "轻度污染");
  EXPECT_STREQ(WaterGradeName(GradeOfClass(WaterClass::kV)), "中度污染");
  EXPECT_STREQ(WaterGradeName(GradeOfClass(WaterClass::kWorseV)), "重度污染");
  EXPECT_STREQ(WaterClassColor(WaterClass::kWorseV), "#FF0000");
  for (int i = 0; i < kWaterItemCount; ++i) {
    auto item = static_cast<WaterItem>(i);
    EXPECT_EQ(WaterItemFromName(WaterItemName(item)), item);
  }
  EXPECT_EQ(WaterItemFromName("NH3-N"), WaterItem::kNH3N);
  EXPECT_EQ(WaterItemFromName("Fluoride"), WaterItem::kF);
  EXPECT_EQ(WaterItemFromName("CODCr"), WaterItem::kCOD);
  EXPECT_EQ(WaterItemFromName("Cr(VI)"), WaterItem::kCr6);
  EXPECT_EQ(WaterItemFromName("高锰酸盐指数"), WaterItem::kCODMn);
  EXPECT_FALSE(WaterItemFromName("Cr"));
  EXPECT_FALSE(WaterItemFromName("BOD"));
  EXPECT_FALSE(WaterItemFromName("w21003"));  // HJ 212 codes: other units
  EXPECT_TRUE(IsUnclassifiedWaterParameter("Turbidity"));
  EXPECT_FALSE(IsUnclassifiedWaterParameter("TP"));
  EXPECT_EQ(WaterBodyFromName("reservoir"), WaterBody::kLake);
  EXPECT_FALSE(WaterBodyFromName("sea"));
}

TEST(WaterMean, KeepsTheClassOfTheExactMean) {
  std::vector<Decimal> at = {D("0.1"), D("0.2"), D("0.3")};
  EXPECT_EQ(MeanValue(at)->ToString(), "0.200000");
  EXPECT_EQ(ClassifyItem(WaterItem::kTP, *MeanValue(at), WaterBody::kRiver), WaterClass::kIII);
  // (0.2 + 0.2 + 0.20001)/3 = 0.200003333...: just above the limit stays above it.
  std::vector<Decimal> above = {D("0.2"), D("0.2"), D("0.20001")};
  EXPECT_EQ(ClassifyItem(WaterItem::kTP, *MeanValue(above), WaterBody::kRiver), WaterClass::kIV);
  // Hg (0.00005 * 6 + 0.00006)/7 = 0.0000514...: above the class I limit.
  std::vector<Decimal> hg(6, D("0.00005"));
  hg.push_back(D("0.00006"));
  EXPECT_EQ(ClassifyItem(WaterItem::kHg, *MeanValue(hg), WaterBody::kRiver), WaterClass::kIII);
  // Exhaustive small check: mean of n values around a limit vs the exact sum.
  for (int n = 1; n <= 12; ++n) {
    for (int k = -3; k <= 3; ++k) {
      std::vector<Decimal> vs(n, D("1.5"));
      vs[0] = MakeDecimal(150 + k, 2);  // one value off by k hundredths
      bool exact_above = 150 * n + k > 150 * n;
      bool mean_above = Compare(*MeanValue(vs), D("1.5")) > 0;
      EXPECT_EQ(mean_above, exact_above) << n << " " << k;
    }
  }
  EXPECT_FALSE(MeanValue({}));
  std::vector<Decimal> neg = {D("1"), D("-1")};
  EXPECT_FALSE(MeanValue(neg));
}

TEST(WaterMean, AverageSamplesPerItem) {
  WaterSample a, b;
  a.Set(WaterItem::kTP, D("0.1"));
  a.Set(WaterItem::kCODMn, D("5"));
  b.Set(WaterItem::kTP, D("0.4"));  // CODMn missing in b: mean over a only
  std::vector<WaterSample> samples = {a, b};
  auto m = AverageSamples(samples);
  ASSERT_TRUE(m);
  EXPECT_EQ(Compare(*m->Get(WaterItem::kTP), D("0.25")), 0);
  EXPECT_EQ(Compare(*m->Get(WaterItem::kCODMn), D("5")), 0);
  EXPECT_FALSE(m->Get(WaterItem::kDO));
  Result<WaterResult> r = ClassifySite(*m, WaterBody::kRiver);
  EXPECT_EQ(ClassOf(*r), "IV");  // the mean 0.25, though one sample was V
}

TEST(WaterRiver, ProportionMethod) {
  auto grade = [](int good, int iv_v, int worse_v) {
    std::vector<WaterClass> cs;
    cs.insert(cs.end(), good, WaterClass::kII);
    cs.insert(cs.end(), iv_v, WaterClass::kIV);
    cs.insert(cs.end(), worse_v, WaterClass::kWorseV);
    auto g = GradeByProportion(cs);
    return g ? std::string(WaterGradeName(*g)) : "null";
  };
  EXPECT_EQ(grade(9, 1, 0), "优");         // 90 %
  EXPECT_EQ(grade(8, 1, 1), "良好");       // 80 %
  EXPECT_EQ(grade(15, 5, 0), "良好");      // 75 %
  EXPECT_EQ(grade(14, 3, 3), "轻度污染");  // 70 %, 劣V 15 %
  EXPECT_EQ(grade(14, 2, 4), "中度污染");  // 劣V 20 %
  EXPECT_EQ(grade(12, 1, 7), "中度污染");  // 劣V 35 %
  // The disputed row: exactly 60 % / 40 % is not 重度 under the <60 % reading.
  EXPECT_EQ(grade(12, 0, 8), "中度污染");
  EXPECT_EQ(grade(11, 1, 8), "重度污染");  // 55 %, 40 %
  EXPECT_EQ(grade(0, 0, 5), "重度污染");
  EXPECT_EQ(grade(0, 0, 0), "null");
}

TEST(WaterRiver, FewerThanFiveSectionsUseTheMean) {
  auto section = [](const char* tp) {
    WaterSample s;
    s.Set(WaterItem::kTP, D(tp));
    return s;
  };
  std::vector<WaterSample> four = {section("0.1"), section("0.1"), section("0.1"), section("0.5")};
  Result<RiverResult> r = GradeRiver(four, WaterBody::kRiver);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->by_proportion);
  EXPECT_EQ(r->mean_class, WaterClass::kIII);  // mean TP 0.2
  EXPECT_EQ(r->grade, WaterGrade::kGood);

  std::vector<WaterSample> five = four;
  five.push_back(section("0.02"));
  r = GradeRiver(five, WaterBody::kRiver);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->by_proportion);
  EXPECT_EQ(r->sections, 5);
  EXPECT_EQ(r->class_i_to_iii, 4);
  EXPECT_EQ(r->class_worse_v, 1);
  EXPECT_EQ(r->grade, WaterGrade::kGood);  // 80 %

  std::vector<WaterSample> none = {WaterSample()};
  r = GradeRiver(none, WaterBody::kRiver);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->grade);
}

}  // namespace
}  // namespace ecohub::standards
