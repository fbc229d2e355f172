#include "samples/evaluate.h"

#include <map>

#include "core/time.h"

namespace ecohub::samples {
namespace {

// HJ 212-2017 appendix B codes of the GB 3838 items in EcoHub's factor table, all in
// mg/L like Table 1 (pH dimensionless).
constexpr std::pair<const char*, standards::WaterItem> kCodes[] = {
    {"w01001", standards::WaterItem::kPH},    {"w01009", standards::WaterItem::kDO},
    {"w01019", standards::WaterItem::kCODMn}, {"w01018", standards::WaterItem::kCOD},
    {"w21003", standards::WaterItem::kNH3N},  {"w21011", standards::WaterItem::kTP},
    {"w21001", standards::WaterItem::kTN},
};

const char* CodeOf(standards::WaterItem item) {
  for (const auto& [code, i] : kCodes)
    if (i == item) return code;
  return "";
}

// HJ 212 flags a value that enters no evaluation (maintenance, calibration, fault...):
// N (valid) and absent are kept; what a review invalidated is left out.
bool Valid(char flag) { return flag == 0 || flag == 'N'; }

}  // namespace

std::optional<standards::WaterItem> WaterItemOfFactor(std::string_view code) {
  for (const auto& [c, item] : kCodes)
    if (code == c) return item;
  return std::nullopt;
}

Result<std::vector<WaterDay>> EvaluateWaterDays(const std::vector<Reading>& values,
                                                standards::WaterBody body) {
  std::map<UnixSeconds, standards::WaterSample> days;
  std::map<UnixSeconds, std::map<std::string, std::string>> texts;
  for (const Reading& r : values) {
    auto item = WaterItemOfFactor(r.factor);
    if (!item || !Valid(r.flag)) continue;
    auto v = Decimal::Parse(r.value);
    if (!v) continue;
    UnixSeconds day = FloorBeijing(r.time, 86400);
    days[day].Set(*item, *v);
    texts[day][r.factor] = r.value;
  }
  std::vector<WaterDay> out;
  for (const auto& [day, sample] : days) {
    auto r = standards::ClassifySite(sample, body, standards::WaterItemSet::Routine());
    if (!r.ok()) return r.status();
    WaterDay d;
    d.day = day;
    d.site_class = r->site_class;
    for (const auto& ir : r->items) {
      std::string code = CodeOf(ir.item);
      d.items.push_back({code, texts[day][code], ir.cls});
    }
    for (auto item : r->exceeding) d.exceeding.push_back(CodeOf(item));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace ecohub::samples
