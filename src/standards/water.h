// GB 3838-2002 surface water quality class by the single-factor method of the 2011
// evaluation method (地表水环境质量评价办法(试行), 环办〔2011〕22号). Every comparison
// with a limit is an exact decimal comparison: 0.2 mg/L TP is exactly the class III
// limit, not the double nearest to it. The limit table is a constexpr array in
// water.cc beside the functions that read it.
//
// Pure functions, no I/O, thread-compatible. Bad values (negative concentrations)
// give nullopt, never an exception.
// Digest: ../shared/reference/standards.md §3; doc: docs/standards-water-emission.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/reading.h"
#include "core/status.h"

namespace ecohub::standards {

// 水质类别. The numeric value orders the classes: a larger value is worse.
enum class WaterClass : uint8_t { kI = 1, kII, kIII, kIV, kV, kWorseV };

// "I" "II" "III" "IV" "V" "劣V" (UTF-8).
const char* WaterClassName(WaterClass c);
std::optional<WaterClass> WaterClassFromName(std::string_view name);

// 水质状况, the qualitative grade of a site class or of a river/basin.
enum class WaterGrade : uint8_t {
  kExcellent,
  kGood,
  kLightlyPolluted,
  kModeratelyPolluted,
  kHeavilyPolluted
};
// "优" "良好" "轻度污染" "中度污染" "重度污染" (UTF-8).
const char* WaterGradeName(WaterGrade g);
// Of one site: I–II 优, III 良好, IV 轻度污染, V 中度污染, 劣V 重度污染.
WaterGrade GradeOfClass(WaterClass c);

// Display colour of a class: I–II "#0000FF" blue, III "#00FF00" green, IV "#FFFF00"
// yellow, V "#FFA500" orange, 劣V "#FF0000" red. Conventional, not from the
// standard (digest §3.2, [unconfirmed]); for display only.
const char* WaterClassColor(WaterClass c);

// Rivers use the river TP column; lakes and reservoirs (湖、库) the lake column, and
// only they have TN. 河流型水库 are evaluated as rivers (2011 method).
enum class WaterBody : uint8_t { kRiver, kLake };
// "river" / "lake"; FromName also takes "reservoir" (a lake-type site).
const char* WaterBodyName(WaterBody b);
std::optional<WaterBody> WaterBodyFromName(std::string_view name);

// The items of GB 3838-2002 Table 1 in table order (water temperature excluded: its
// limit is a man-made change, not a class). The order decides ties in rankings.
// Units as in Table 1: mg/L, pH dimensionless, fecal coliform 个/L.
enum class WaterItem : uint8_t {
  kPH,
  kDO,
  kCODMn,
  kCOD,
  kBOD5,
  kNH3N,
  kTP,
  kTN,
  kCu,
  kZn,
  kF,
  kSe,
  kAs,
  kHg,
  kCd,
  kCr6,
  kPb,
  kCN,
  kPhenol,
  kPetroleum,
  kLAS,
  kSulfide,
  kFecalColiform,
};
constexpr int kWaterItemCount = 23;

// The canonical key: "pH" "DO" "CODMn" "COD" "BOD5" "NH3N" "TP" "TN" "Cu" "Zn" "F"
// "Se" "As" "Hg" "Cd" "Cr6" "Pb" "CN" "Phenol" "Petroleum" "LAS" "Sulfide"
// "FecalColiform" (the keys of the vectors and of `ecohub water-class`).
const char* WaterItemName(WaterItem i);
// A canonical key or an unambiguous alias ("NH3-N", "Fluoride", "CODCr", "Cr(VI)",
// "Cyanide", "VolatilePhenol", the Chinese names ...; the list is in water.cc and in
// the doc). HJ 212 codes (w21003 ...) are deliberately not aliases: HJ 212 reports
// Hg, Cd, Cr(VI), Pb and Se in µg/L where GB 3838 uses mg/L. Nullopt when unknown.
std::optional<WaterItem> WaterItemFromName(std::string_view name);
// Parameters an automatic station reports beside the Table 1 items that have no
// class (water temperature, conductivity, turbidity, chlorophyll a, algae density,
// transparency). Callers accept and ignore them instead of rejecting the record.
bool IsUnclassifiedWaterParameter(std::string_view name);

// TN and fecal coliform: evaluated separately (参考指标) and never part of the site
// class (2011 method: 21 items = Table 1 minus water temperature, TN, fecal coliform).
bool IsReferenceItem(WaterItem i);

// A set of items to evaluate: one of the method's sets, or the items a caller named.
class WaterItemSet {
 public:
  // Empty, and named: the caller's list, built with Add.
  constexpr WaterItemSet() = default;
  // The 21 routine items that decide the class, plus the reference items TN and
  // fecal coliform (reported apart, see ClassifySite).
  static WaterItemSet Routine();
  // The national automatic stations: pH, DO, CODMn, NH3N, TP (digest §3.3).
  static WaterItemSet AutoStation();

  void Add(WaterItem i) { bits_ |= Bit(i); }
  bool Contains(WaterItem i) const { return (bits_ & Bit(i)) != 0; }
  // True for a caller's list, false for Routine() and AutoStation(): every named
  // item is evaluated and decides the class, TN and fecal coliform included.
  bool named() const { return named_; }
  bool operator==(const WaterItemSet&) const = default;

 private:
  static constexpr uint32_t Bit(WaterItem i) { return 1u << static_cast<int>(i); }
  uint32_t bits_ = 0;
  bool named_ = true;
};

// The limit of `item` for `cls` (kI..kV) in Table 1: an upper limit for pollutants,
// the lower limit for DO (class I: 7.5 mg/L). TP by water body; TN is the lake
// column whatever the body. Nullopt for pH (a 6–9 range for every class) and kWorseV.
std::optional<Decimal> WaterLimit(WaterItem item, WaterClass cls, WaterBody body);

// The class of one value: the best class whose limit it meets (≤ for pollutants, ≥
// for DO; equal to a limit belongs to that class; shared limits give the better
// class); worse than V → 劣V. pH: 6 ≤ pH ≤ 9 is class I, anything else 劣V. DO is
// class I also when `do_saturation_percent` ≥ 90 (Table 1: "饱和率90%(或7.5)").
// Nullopt for a negative value (or a negative saturation).
std::optional<WaterClass> ClassifyItem(WaterItem item, const Decimal& value, WaterBody body,
                                       std::optional<Decimal> do_saturation_percent = {});

// 超标倍数 (C − S_III)/S_III, exact ratio rounded half-even to 2 decimals (reports
// show 1 decimal, the reference keeps 2: digest §3.2 [unconfirmed rule]). Negative
// when C is below the class III limit. Nullopt for pH and DO (the method computes no
// multiple for them) and for a negative value.
std::optional<Decimal> ExceedMultiple(WaterItem item, const Decimal& value, WaterBody body);

// One site sample: a value per item (nullopt = not measured).
struct WaterSample {
  std::array<std::optional<Decimal>, kWaterItemCount> values{};
  // DO saturation in percent, when measured; only lifts DO to class I.
  std::optional<Decimal> do_saturation_percent;

  void Set(WaterItem i, const Decimal& v) { values[static_cast<int>(i)] = v; }
  const std::optional<Decimal>& Get(WaterItem i) const { return values[static_cast<int>(i)]; }
};

struct WaterItemResult {
  WaterItem item;
  Decimal value;
  WaterClass cls;
  // Only for items worse than III, and never for pH and DO.
  std::optional<Decimal> multiple;
};

struct WaterResult {
  // Site class = the worst item class (参评指标中类别最高的一项); nullopt when no
  // item was evaluable.
  std::optional<WaterClass> site_class;
  // Items that decided the class, in Table 1 order.
  std::vector<WaterItemResult> items;
  // TN (lakes only) and fecal coliform, classed but outside the site class; only
  // with one of the method's sets (a named list evaluates them as any other item).
  std::vector<WaterItemResult> reference_only;
  // 超标指标: items worse than III, worst class first, then multiple descending
  // (exact ratios compared; items without a multiple, pH and DO, after those with
  // one), then Table 1 order.
  std::vector<WaterItem> exceeding;
  // The result for `i` in items, or nullptr.
  const WaterItemResult* Find(WaterItem i) const;
};

// The class of a site sample over `items`: items in the sample but not in the set are
// ignored, items in the set but not in the sample are not evaluated. With one of the
// method's sets (Routine, AutoStation), TN and fecal coliform go to reference_only
// (TN only for lakes: "河流总氮除外", for rivers it is ignored). With items a caller
// named, every named item decides the class, TN included (against Table 1's TN
// limits, the lake column, whatever the body) and fecal coliform: naming an item is
// asking for it to be evaluated. Fails (kInvalidInput, naming the item) when a value
// of an item of the set, or the DO saturation, is negative.
Result<WaterResult> ClassifySite(const WaterSample& sample, WaterBody body,
                                 const WaterItemSet& items = WaterItemSet::Routine());

// The arithmetic mean of `values`, rounded half-even to max(inputs' decimals, 5) +
// (digits of the count) decimals. It then has the class of the exact mean against
// every Table 1 limit: the limits have at most 5 decimals, so an exact mean that is
// not on a limit is at least 10^-max(inputs' decimals, 5)/count away from it, more
// than the rounding moves it. The decimals are capped at 15, beyond which that
// guarantee does not hold. Nullopt when empty, when a value is negative, or when the
// mean does not fit a Decimal.
std::optional<Decimal> MeanValue(std::span<const Decimal> values);

// Per item, the mean over the samples that measured it (the 2011 method classifies
// the mean of a period, and of the points of a lake, per item). Nullopt when a mean
// is not representable (see MeanValue).
std::optional<WaterSample> AverageSamples(std::span<const WaterSample> samples);

// River or basin grade from its sections (断面), 2011 method:
// - fewer than 5 sections with a class: the grade of the class of the per-item mean of
//   all sections;
// - 5 or more: the proportion method (GradeByProportion).
struct RiverResult {
  std::optional<WaterGrade> grade;  // nullopt when no section could be classified
  bool by_proportion = false;
  int sections = 0;                      // sections with a class
  std::optional<WaterClass> mean_class;  // the class of the mean (fewer than 5 only)
  int class_i_to_iii = 0;                // counts, for the proportion method
  int class_worse_v = 0;
};
// Fails as ClassifySite, or when a mean is not representable.
Result<RiverResult> GradeRiver(std::span<const WaterSample> sections, WaterBody body,
                               const WaterItemSet& items = WaterItemSet::Routine());

// Proportion method on section classes: I–III ≥ 90 % 优; 75 % ≤ I–III < 90 % 良好;
// I–III < 75 % and 劣V < 20 % 轻度污染; I–III < 75 % and 20 % ≤ 劣V < 40 % 中度污染;
// I–III < 60 % and 劣V ≥ 40 % 重度污染. Sources disagree on the last threshold (<60 %
// from the original method, <75 % in a Shenzhen MEE answer; digest §3.2
// [unconfirmed]); this implements <60 %. The two readings differ only at exactly
// I–III = 60 % and 劣V = 40 %, which then falls in no row: it is graded 中度污染 (not
// heavily polluted by the <60 % reading). Exact integer proportions. Nullopt when empty.
std::optional<WaterGrade> GradeByProportion(std::span<const WaterClass> section_classes);

}  // namespace ecohub::standards
