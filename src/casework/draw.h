// 双随机一公开 (docs/random-inspections.md): a draw picks enterprises from a pool at
// the rate of their category and pairs each with law enforcement officers drawn at
// random, so that neither who is inspected nor who inspects is chosen by a person,
// and the result is published. The draw is reproducible: every input (the pools, the
// rates, the recusal rules, the seed) is recorded, and the algorithm below is short
// enough to re-run in a few lines of any language (scripts/draw_verify.py does it in
// Python with hashlib alone).
//
// The algorithm, "ecohub-draw-1":
//  1. The stream: block n (n = 0, 1, 2, ...) is SHA-256(seed ‖ n as 8 bytes, big-endian),
//     the seed being its UTF-8 bytes; each block gives four unsigned 64-bit words,
//     big-endian, in order.
//  2. Below(m), a whole number in [0, m): take words w until w < 2^64 − (2^64 mod m);
//     answer w mod m (rejection, so that every answer is equally likely).
//  3. Enterprises, category by category in the order key, special, general: the
//     category's pool sorted by credit code (bytewise), N of them, k = ⌈N × rate⌉ with
//     the rate in hundredths of a percent; for i = 0 .. k−1 swap entry i with entry
//     i + Below(N − i). The first k, in that order, are drawn.
//  4. Officers, for each enterprise drawn in the order drawn: those not recused from it,
//     sorted by id; fewer than the team size: none (the enterprise stays unpaired, to be
//     paired by hand and recorded); otherwise the same partial shuffle picks the team.
//     Recused: an officer of the enterprise's own district (when the rule is on; an
//     officer of the city, district 0, never is), and one who inspected it the last time
//     it was drawn (when that rule is on).
//
// Pure: no I/O. SHA-256 comes from OpenSSL.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ecohub::casework {

inline constexpr std::string_view kDrawAlgorithm = "ecohub-draw-1";

// The categories of the enterprise pool, in the order they are drawn.
enum class PoolCategory {
  kKey = 0,      // 重点监管对象: key pollutant-discharging units
  kSpecial = 1,  // 特殊监管对象: named for special focus (complaints, past violations)
  kGeneral = 2,  // 一般监管对象: the rest
};
inline constexpr int kPoolCategories = 3;
std::string_view PoolCategoryCode(PoolCategory c);
std::string_view PoolCategoryName(PoolCategory c);  // 中文
std::optional<PoolCategory> PoolCategoryFromCode(std::string_view code);

struct DrawEnterprise {
  std::string credit_code, name;
  int64_t district_id = 0;
  PoolCategory category = PoolCategory::kGeneral;
  bool operator==(const DrawEnterprise&) const = default;
};

struct DrawOfficer {
  int64_t id = 0;  // the user id
  std::string name;
  int64_t district_id = 0;  // their office; 0: the city's
  bool operator==(const DrawOfficer&) const = default;
};

// Everything a draw depends on.
struct DrawInput {
  std::string seed;
  // Per category (PoolCategory order), in hundredths of a percent: 0..10000.
  std::array<int64_t, kPoolCategories> rate_bp{};
  int team = 2;  // officers per enterprise (the law asks for at least two)
  bool recuse_own_district = false;
  bool recuse_last = true;
  std::vector<DrawEnterprise> enterprises;
  std::vector<DrawOfficer> officers;
  // The officers who inspected an enterprise (by credit code) the last time it was drawn.
  std::map<std::string, std::vector<int64_t>> last;
  bool operator==(const DrawInput&) const = default;
};

struct DrawPick {
  std::string credit_code;
  PoolCategory category = PoolCategory::kGeneral;
  std::vector<int64_t> officers;  // empty: too few officers were free to pair it
  bool operator==(const DrawPick&) const = default;
};

struct DrawResult {
  std::vector<DrawPick> picks;  // in the order drawn
  std::array<int64_t, kPoolCategories> pool{}, drawn{};
  bool operator==(const DrawResult&) const = default;
};

// kInvalidInput naming what is wrong: a seed of 1..200 bytes, rates within 0..100 %,
// a team of 1..5, enterprises with distinct non-empty credit codes (at most 100000),
// officers with distinct positive ids.
Status CheckDrawInput(const DrawInput& in);

// The draw (CheckDrawInput said yes). The same input gives the same result, always.
Result<DrawResult> RunDraw(const DrawInput& in);

// The stream of step 1, for tests and for anyone checking it by hand.
class DrawStream {
 public:
  explicit DrawStream(std::string seed) : seed_(std::move(seed)) {}
  Result<uint64_t> Next();
  Result<uint64_t> Below(uint64_t m);  // m > 0

 private:
  std::string seed_;
  uint64_t block_ = 0;
  std::array<uint64_t, 4> words_{};
  int used_ = 4;
};

// The JSON stored and published (keys as in docs/random-inspections.md), and back;
// the reader gives kInvalidInput naming the field for anything else.
nlohmann::ordered_json DrawInputJson(const DrawInput& in);
Result<DrawInput> DrawInputFromJson(const nlohmann::json& j);
nlohmann::ordered_json DrawResultJson(const DrawResult& r);
Result<DrawResult> DrawResultFromJson(const nlohmann::json& j);

// The words a published draw's task carries to name its enterprise, "统一社会信用代码
// <code>": how the draw's tasks are matched to its picks.
std::string DrawTaskMark(std::string_view credit_code);

// A rate in percent (0..100, any decimals) as hundredths of a percent, rounded half
// away from zero; nullopt outside 0..100.
std::optional<int64_t> RateFromPercent(double percent);

}  // namespace ecohub::casework
