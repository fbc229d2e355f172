#include "standards/water.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "standards/exact.h"

namespace ecohub::standards {
namespace {

// A decimal literal for the limit table: "0.00005" -> 5 * 10^-5.
consteval Decimal L(const char* s) {
  int64_t m = 0;
  int scale = 0;
  bool frac = false;
  for (; *s; ++s) {
    if (*s == '.') {
      frac = true;
      continue;
    }
    m = m * 10 + (*s - '0');
    if (frac) ++scale;
  }
  Decimal d;
  d.mantissa = m;
  d.scale = static_cast<uint8_t>(scale);
  return d;
}

// One row of GB 3838-2002 Table 1: the limits of classes I..V.
struct Row {
  WaterItem item;
  bool higher_is_better;  // DO: ≥ limit; every other item ≤ limit
  Decimal limit[5];
};

// GB 3838-2002 Table 1 (digest §3.1), mg/L unless stated; pH has no row (6–9 for
// every class). Where classes share a limit (COD 15 for I and II, F 1.0 for I–III,
// IV = V for F/Se/As/LAS ...) the loop in ClassifyItem stops at the better class.
// clang-format off
constexpr Row kTable[] = {
    //                                    I             II            III           IV            V
    {WaterItem::kDO,             true,   {L("7.5"),     L("6"),       L("5"),       L("3"),       L("2")}},
    {WaterItem::kCODMn,          false,  {L("2"),       L("4"),       L("6"),       L("10"),      L("15")}},
    {WaterItem::kCOD,            false,  {L("15"),      L("15"),      L("20"),      L("30"),      L("40")}},
    {WaterItem::kBOD5,           false,  {L("3"),       L("3"),       L("4"),       L("6"),       L("10")}},
    {WaterItem::kNH3N,           false,  {L("0.15"),    L("0.5"),     L("1.0"),     L("1.5"),     L("2.0")}},
    // TP as P, river column (the lake column is kTpLake).
    {WaterItem::kTP,             false,  {L("0.02"),    L("0.1"),     L("0.2"),     L("0.3"),     L("0.4")}},
    // TN as N, lakes and reservoirs only.
    {WaterItem::kTN,             false,  {L("0.2"),     L("0.5"),     L("1.0"),     L("1.5"),     L("2.0")}},
    {WaterItem::kCu,             false,  {L("0.01"),    L("1.0"),     L("1.0"),     L("1.0"),     L("1.0")}},
    {WaterItem::kZn,             false,  {L("0.05"),    L("1.0"),     L("1.0"),     L("2.0"),     L("2.0")}},
    // Fluoride as F-.
    {WaterItem::kF,              false,  {L("1.0"),     L("1.0"),     L("1.0"),     L("1.5"),     L("1.5")}},
    {WaterItem::kSe,             false,  {L("0.01"),    L("0.01"),    L("0.01"),    L("0.02"),    L("0.02")}},
    {WaterItem::kAs,             false,  {L("0.05"),    L("0.05"),    L("0.05"),    L("0.1"),     L("0.1")}},
    {WaterItem::kHg,             false,  {L("0.00005"), L("0.00005"), L("0.0001"),  L("0.001"),   L("0.001")}},
    {WaterItem::kCd,             false,  {L("0.001"),   L("0.005"),   L("0.005"),   L("0.005"),   L("0.01")}},
    {WaterItem::kCr6,            false,  {L("0.01"),    L("0.05"),    L("0.05"),    L("0.05"),    L("0.1")}},
    {WaterItem::kPb,             false,  {L("0.01"),    L("0.01"),    L("0.05"),    L("0.05"),    L("0.1")}},
    {WaterItem::kCN,             false,  {L("0.005"),   L("0.05"),    L("0.2"),     L("0.2"),     L("0.2")}},
    {WaterItem::kPhenol,         false,  {L("0.002"),   L("0.002"),   L("0.005"),   L("0.01"),    L("0.1")}},
    {WaterItem::kPetroleum,      false,  {L("0.05"),    L("0.05"),    L("0.05"),    L("0.5"),     L("1.0")}},
    {WaterItem::kLAS,            false,  {L("0.2"),     L("0.2"),     L("0.2"),     L("0.3"),     L("0.3")}},
    {WaterItem::kSulfide,        false,  {L("0.05"),    L("0.1"),     L("0.2"),     L("0.5"),     L("1.0")}},
    // 个/L.
    {WaterItem::kFecalColiform,  false,  {L("200"),     L("2000"),    L("10000"),   L("20000"),   L("40000")}},
};
// GB 3838-2002 Table 1: TP of lakes and reservoirs (湖、库).
constexpr Row kTpLake =
    {WaterItem::kTP,             false,  {L("0.01"),    L("0.025"),   L("0.05"),    L("0.1"),     L("0.2")}};
// clang-format on

// pH 6–9 for every class.
constexpr Decimal kPhLow = L("6");
constexpr Decimal kPhHigh = L("9");
// Table 1 DO class I: "饱和率90%".
constexpr Decimal kDoSaturationClassI = L("90");
// The most decimals of any limit (Hg 0.00005); MeanValue keeps at least as many.
constexpr int kLimitDecimals = 5;

constexpr const char* kItemNames[kWaterItemCount] = {
    "pH", "DO", "CODMn",  "COD",       "BOD5", "NH3N",    "TP",           "TN",
    "Cu", "Zn", "F",      "Se",        "As",   "Hg",      "Cd",           "Cr6",
    "Pb", "CN", "Phenol", "Petroleum", "LAS",  "Sulfide", "FecalColiform"};

struct Alias {
  const char* name;
  WaterItem item;
};
// Other spellings that cannot mean anything else. Not "BOD" (BOD5 is the 5-day
// test), not "Cr" (total chromium is a different item), not "Oil" (animal and
// vegetable oils are distinct from petroleum in HJ 637).
constexpr Alias kAliases[] = {
    {"PH", WaterItem::kPH},
    {"pH值", WaterItem::kPH},
    {"DissolvedOxygen", WaterItem::kDO},
    {"溶解氧", WaterItem::kDO},
    {"CODmn", WaterItem::kCODMn},
    {"COD_Mn", WaterItem::kCODMn},
    {"PermanganateIndex", WaterItem::kCODMn},
    {"高锰酸盐指数", WaterItem::kCODMn},
    // GB 3838 COD is the dichromate method (GB 11914 / HJ 828).
    {"CODCr", WaterItem::kCOD},
    {"CODcr", WaterItem::kCOD},
    {"化学需氧量", WaterItem::kCOD},
    {"五日生化需氧量", WaterItem::kBOD5},
    {"NH3-N", WaterItem::kNH3N},
    {"NH3_N", WaterItem::kNH3N},
    {"氨氮", WaterItem::kNH3N},
    {"总磷", WaterItem::kTP},
    {"总氮", WaterItem::kTN},
    {"铜", WaterItem::kCu},
    {"锌", WaterItem::kZn},
    {"Fluoride", WaterItem::kF},
    {"氟化物", WaterItem::kF},
    {"硒", WaterItem::kSe},
    {"砷", WaterItem::kAs},
    {"汞", WaterItem::kHg},
    {"镉", WaterItem::kCd},
    {"Cr(VI)", WaterItem::kCr6},
    {"CrVI", WaterItem::kCr6},
    {"Cr6+", WaterItem::kCr6},
    {"六价铬", WaterItem::kCr6},
    {"铬(六价)", WaterItem::kCr6},
    {"铅", WaterItem::kPb},
    {"Cyanide", WaterItem::kCN},
    {"氰化物", WaterItem::kCN},
    {"VolatilePhenol", WaterItem::kPhenol},
    {"挥发酚", WaterItem::kPhenol},
    {"石油类", WaterItem::kPetroleum},
    {"阴离子表面活性剂", WaterItem::kLAS},
    {"硫化物", WaterItem::kSulfide},
    {"粪大肠菌群", WaterItem::kFecalColiform},
};

constexpr const char* kUnclassified[] = {
    "WaterTemp", "Temperature", "水温",    "Conductivity", "电导率", "Turbidity", "浊度",
    "Chla",      "叶绿素a",     "叶绿素α", "AlgaeDensity", "藻密度", "SD",        "透明度"};

const Row* RowOf(WaterItem item, WaterBody body) {
  if (item == WaterItem::kTP && body == WaterBody::kLake) return &kTpLake;
  for (const Row& r : kTable) {
    if (r.item == item) return &r;
  }
  return nullptr;  // pH
}

constexpr Decimal kZero{};

bool IsNegative(const Decimal& d) { return Compare(d, kZero) < 0; }

int Idx(WaterItem i) { return static_cast<int>(i); }

// a/b > c/d for positive denominators.
bool RatioGreater(__int128 a, __int128 b, __int128 c, __int128 d) { return a * d > c * b; }

// The exact exceed ratio (C − S)/S as num/den (den > 0), scaled to common decimals.
struct Ratio {
  __int128 num = 0;
  __int128 den = 1;
};

std::optional<Ratio> ExactMultiple(WaterItem item, const Decimal& value, WaterBody body) {
  if (item == WaterItem::kPH || item == WaterItem::kDO || IsNegative(value)) return std::nullopt;
  const Row* row = RowOf(item, body);
  if (row == nullptr) return std::nullopt;
  const Decimal& s3 = row->limit[2];
  int scale = std::max<int>(value.scale, s3.scale);
  __int128 c = ScaledTo(value, scale), s = ScaledTo(s3, scale);
  return Ratio{c - s, s};
}

}  // namespace

const char* WaterClassName(WaterClass c) {
  switch (c) {
    case WaterClass::kI:
      return "I";
    case WaterClass::kII:
      return "II";
    case WaterClass::kIII:
      return "III";
    case WaterClass::kIV:
      return "IV";
    case WaterClass::kV:
      return "V";
    case WaterClass::kWorseV:
      return "劣V";
  }
  return "?";
}

std::optional<WaterClass> WaterClassFromName(std::string_view name) {
  for (int c = 1; c <= 6; ++c) {
    auto cls = static_cast<WaterClass>(c);
    if (name == WaterClassName(cls)) return cls;
  }
  return std::nullopt;
}

const char* WaterGradeName(WaterGrade g) {
  switch (g) {
    case WaterGrade::kExcellent:
      return "优";
    case WaterGrade::kGood:
      return "良好";
    case WaterGrade::kLightlyPolluted:
      return "轻度污染";
    case WaterGrade::kModeratelyPolluted:
      return "中度污染";
    case WaterGrade::kHeavilyPolluted:
      return "重度污染";
  }
  return "?";
}

WaterGrade GradeOfClass(WaterClass c) {
  switch (c) {
    case WaterClass::kI:
    case WaterClass::kII:
      return WaterGrade::kExcellent;
    case WaterClass::kIII:
      return WaterGrade::kGood;
    case WaterClass::kIV:
      return WaterGrade::kLightlyPolluted;
    case WaterClass::kV:
      return WaterGrade::kModeratelyPolluted;
    case WaterClass::kWorseV:
      return WaterGrade::kHeavilyPolluted;
  }
  return WaterGrade::kHeavilyPolluted;
}

const char* WaterClassColor(WaterClass c) {
  switch (c) {
    case WaterClass::kI:
    case WaterClass::kII:
      return "#0000FF";
    case WaterClass::kIII:
      return "#00FF00";
    case WaterClass::kIV:
      return "#FFFF00";
    case WaterClass::kV:
      return "#FFA500";
    case WaterClass::kWorseV:
      return "#FF0000";
  }
  return "#FF0000";
}

const char* WaterBodyName(WaterBody b) { return b == WaterBody::kLake ? "lake" : "river"; }

std::optional<WaterBody> WaterBodyFromName(std::string_view name) {
  if (name == "river") return WaterBody::kRiver;
  if (name == "lake" || name == "reservoir") return WaterBody::kLake;
  return std::nullopt;
}

const char* WaterItemName(WaterItem i) { return kItemNames[Idx(i)]; }

std::optional<WaterItem> WaterItemFromName(std::string_view name) {
  for (int i = 0; i < kWaterItemCount; ++i) {
    if (name == kItemNames[i]) return static_cast<WaterItem>(i);
  }
  for (const Alias& a : kAliases) {
    if (name == a.name) return a.item;
  }
  return std::nullopt;
}

bool IsUnclassifiedWaterParameter(std::string_view name) {
  return std::find(std::begin(kUnclassified), std::end(kUnclassified), name) !=
         std::end(kUnclassified);
}

bool IsReferenceItem(WaterItem i) { return i == WaterItem::kTN || i == WaterItem::kFecalColiform; }

WaterItemSet WaterItemSet::Routine() {
  WaterItemSet s;
  for (int i = 0; i < kWaterItemCount; ++i) s.Add(static_cast<WaterItem>(i));
  s.named_ = false;
  return s;
}

WaterItemSet WaterItemSet::AutoStation() {
  WaterItemSet s;
  for (WaterItem i :
       {WaterItem::kPH, WaterItem::kDO, WaterItem::kCODMn, WaterItem::kNH3N, WaterItem::kTP}) {
    s.Add(i);
  }
  s.named_ = false;
  return s;
}

std::optional<Decimal> WaterLimit(WaterItem item, WaterClass cls, WaterBody body) {
  if (cls == WaterClass::kWorseV) return std::nullopt;
  const Row* row = RowOf(item, body);
  if (row == nullptr) return std::nullopt;
  return row->limit[static_cast<int>(cls) - 1];
}

std::optional<WaterClass> ClassifyItem(WaterItem item, const Decimal& value, WaterBody body,
                                       std::optional<Decimal> do_saturation_percent) {
  if (IsNegative(value)) return std::nullopt;
  if (item == WaterItem::kPH) {
    // Table 1: 6~9 for classes I–V alike, so a pH inside the range never worsens a site.
    bool in_range = Compare(value, kPhLow) >= 0 && Compare(value, kPhHigh) <= 0;
    return in_range ? WaterClass::kI : WaterClass::kWorseV;
  }
  const Row* row = RowOf(item, body);
  if (row == nullptr) return std::nullopt;
  if (item == WaterItem::kDO && do_saturation_percent) {
    if (IsNegative(*do_saturation_percent)) return std::nullopt;
    if (Compare(*do_saturation_percent, kDoSaturationClassI) >= 0) return WaterClass::kI;
  }
  for (int c = 0; c < 5; ++c) {
    int cmp = Compare(value, row->limit[c]);
    if (row->higher_is_better ? cmp >= 0 : cmp <= 0) return static_cast<WaterClass>(c + 1);
  }
  return WaterClass::kWorseV;
}

std::optional<Decimal> ExceedMultiple(WaterItem item, const Decimal& value, WaterBody body) {
  auto r = ExactMultiple(item, value, body);
  if (!r) return std::nullopt;
  return RoundRatio(r->num, r->den, 2);
}

const WaterItemResult* WaterResult::Find(WaterItem i) const {
  for (const WaterItemResult& r : items) {
    if (r.item == i) return &r;
  }
  return nullptr;
}

Result<WaterResult> ClassifySite(const WaterSample& sample, WaterBody body,
                                 const WaterItemSet& items) {
  WaterResult out;
  if (sample.do_saturation_percent && IsNegative(*sample.do_saturation_percent)) {
    return Status::InvalidInput("negative DO saturation");
  }
  for (int i = 0; i < kWaterItemCount; ++i) {
    auto item = static_cast<WaterItem>(i);
    const std::optional<Decimal>& v = sample.values[i];
    if (!v || !items.Contains(item)) continue;
    if (IsNegative(*v)) {
      return Status::InvalidInput(std::string("negative value of ") + WaterItemName(item));
    }
    // 2011 method: "河流总氮除外" — TN of a river is not evaluated at all, unless the
    // caller named it.
    if (item == WaterItem::kTN && body == WaterBody::kRiver && !items.named()) continue;
    auto cls = ClassifyItem(item, *v, body,
                            item == WaterItem::kDO ? sample.do_saturation_percent : std::nullopt);
    if (!cls) continue;  // unreachable: negative values were refused above
    WaterItemResult r{item, *v, *cls, std::nullopt};
    if (IsReferenceItem(item) && !items.named()) {
      out.reference_only.push_back(r);
      continue;
    }
    if (*cls > WaterClass::kIII) r.multiple = ExceedMultiple(item, *v, body);
    out.items.push_back(r);
    if (!out.site_class || *cls > *out.site_class) out.site_class = *cls;
  }

  // 超标指标 only when worse than III (2011 method); ranked for 主要污染指标.
  for (const WaterItemResult& r : out.items) {
    if (r.cls > WaterClass::kIII) out.exceeding.push_back(r.item);
  }
  std::stable_sort(out.exceeding.begin(), out.exceeding.end(), [&](WaterItem a, WaterItem b) {
    const WaterItemResult& ra = *out.Find(a);
    const WaterItemResult& rb = *out.Find(b);
    if (ra.cls != rb.cls) return ra.cls > rb.cls;
    auto ma = ExactMultiple(a, ra.value, body), mb = ExactMultiple(b, rb.value, body);
    if (ma.has_value() != mb.has_value()) return ma.has_value();
    if (ma && RatioGreater(ma->num, ma->den, mb->num, mb->den)) return true;
    if (ma && RatioGreater(mb->num, mb->den, ma->num, ma->den)) return false;
    return a < b;  // Table 1 order
  });
  return out;
}

std::optional<Decimal> MeanValue(std::span<const Decimal> values) {
  if (values.empty()) return std::nullopt;
  int in_scale = 0;
  for (const Decimal& v : values) {
    if (IsNegative(v)) return std::nullopt;
    in_scale = std::max<int>(in_scale, v.scale);
  }
  __int128 sum = 0;
  for (const Decimal& v : values) sum += ScaledTo(v, in_scale);
  int count_digits = 0;
  for (size_t n = values.size(); n > 0; n /= 10) ++count_digits;
  int scale = std::min(15, std::max(in_scale, kLimitDecimals) + count_digits);
  __int128 n = static_cast<__int128>(values.size());
  __int128 up = Pow10(scale - in_scale);
  // The mean is at most the largest value, but sum * up must not overflow either.
  constexpr __int128 kMax128 = (static_cast<__int128>(1) << 126);
  if (sum > kMax128 / up || sum * up / n >= static_cast<__int128>(INT64_MAX)) {
    return std::nullopt;
  }
  Decimal mean = RoundRatio(sum * up, n, 0);
  mean.scale = static_cast<uint8_t>(scale);
  return mean;
}

std::optional<WaterSample> AverageSamples(std::span<const WaterSample> samples) {
  WaterSample out;
  for (int i = 0; i <= kWaterItemCount; ++i) {
    std::vector<Decimal> vs;
    for (const WaterSample& s : samples) {
      const std::optional<Decimal>& v = i < kWaterItemCount ? s.values[i] : s.do_saturation_percent;
      if (v) vs.push_back(*v);
    }
    if (vs.empty()) continue;
    auto mean = MeanValue(vs);
    if (!mean) return std::nullopt;
    (i < kWaterItemCount ? out.values[i] : out.do_saturation_percent) = *mean;
  }
  return out;
}

Result<RiverResult> GradeRiver(std::span<const WaterSample> sections, WaterBody body,
                               const WaterItemSet& items) {
  RiverResult out;
  std::vector<WaterClass> classes;
  for (const WaterSample& s : sections) {
    Result<WaterResult> r = ClassifySite(s, body, items);
    if (!r.ok()) return r.status();
    if (r->site_class) classes.push_back(*r->site_class);
  }
  out.sections = static_cast<int>(classes.size());
  for (WaterClass c : classes) {
    if (c <= WaterClass::kIII) ++out.class_i_to_iii;
    if (c == WaterClass::kWorseV) ++out.class_worse_v;
  }
  if (classes.empty()) return out;
  if (classes.size() >= 5) {
    out.by_proportion = true;
    out.grade = GradeByProportion(classes);
    return out;
  }
  // Fewer than 5 sections: the mean of all sections, classified like one site.
  auto mean = AverageSamples(sections);
  if (!mean) return Status::InvalidInput("section mean not representable");
  Result<WaterResult> r = ClassifySite(*mean, body, items);
  if (!r.ok()) return r.status();
  out.mean_class = r->site_class;
  if (out.mean_class) out.grade = GradeOfClass(*out.mean_class);
  return out;
}

std::optional<WaterGrade> GradeByProportion(std::span<const WaterClass> section_classes) {
  if (section_classes.empty()) return std::nullopt;
  int64_t n = static_cast<int64_t>(section_classes.size());
  int64_t good = 0, worse_v = 0;
  for (WaterClass c : section_classes) {
    if (c <= WaterClass::kIII) ++good;
    if (c == WaterClass::kWorseV) ++worse_v;
  }
  // Percentages compared exactly on counts: good/n ≥ 90 % ⇔ 100·good ≥ 90·n.
  auto at_least = [n](int64_t k, int pct) { return 100 * k >= pct * n; };
  if (at_least(good, 90)) return WaterGrade::kExcellent;
  if (at_least(good, 75)) return WaterGrade::kGood;
  if (!at_least(worse_v, 20)) return WaterGrade::kLightlyPolluted;
  if (!at_least(worse_v, 40)) return WaterGrade::kModeratelyPolluted;
  // 劣V ≥ 40 %: 重度污染 needs I–III < 60 % [<60 % reading, unconfirmed]; the one case
  // left (exactly 60 % / 40 %) matches no row and is graded 中度污染.
  if (!at_least(good, 60)) return WaterGrade::kHeavilyPolluted;
  return WaterGrade::kModeratelyPolluted;
}

}  // namespace ecohub::standards
