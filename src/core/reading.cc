#include "core/reading.h"

#include <cmath>

namespace ecohub {

namespace {
struct PeriodInfo {
  Period period;
  const char* cn;
  const char* name;
};
constexpr PeriodInfo kPeriods[] = {
    {Period::kRealtime, "2011", "realtime"}, {Period::kMinute, "2051", "minute"},
    {Period::kHour, "2061", "hour"},         {Period::kDay, "2031", "day"},
    {Period::kRunStatus, "2021", "status"},  {Period::kRunTime, "2041", "runtime"},
};
}  // namespace

const char* PeriodCn(Period p) { return kPeriods[static_cast<int>(p)].cn; }
const char* PeriodName(Period p) { return kPeriods[static_cast<int>(p)].name; }

std::optional<Period> PeriodFromCn(std::string_view cn) {
  for (const auto& i : kPeriods)
    if (cn == i.cn) return i.period;
  return std::nullopt;
}

std::optional<Period> PeriodFromName(std::string_view name) {
  for (const auto& i : kPeriods)
    if (name == i.name) return i.period;
  return std::nullopt;
}

std::optional<Decimal> Decimal::Parse(std::string_view s) {
  Decimal d;
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && s[i] == '-') {
    neg = true;
    ++i;
  }
  size_t int_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  size_t int_digits = i - int_start;
  if (int_digits == 0) return std::nullopt;
  if (int_digits > 1 && s[int_start] == '0') return std::nullopt;  // "007" stays text
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t f = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    frac_digits = i - f;
    if (frac_digits == 0) return std::nullopt;  // "12." stays text
  }
  if (i != s.size() || int_digits + frac_digits > 18 || frac_digits > 15) return std::nullopt;
  int64_t m = 0;
  for (char c : s.substr(int_start))
    if (c != '.') m = m * 10 + (c - '0');
  d.mantissa = neg ? -m : m;
  d.scale = static_cast<uint8_t>(frac_digits);
  d.negative_zero = neg && m == 0;
  return d;
}

std::string Decimal::ToString() const {
  uint64_t m = mantissa < 0 ? 0 - static_cast<uint64_t>(mantissa) : mantissa;
  std::string digits = std::to_string(m);
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  if (scale > 0) digits.insert(digits.size() - scale, ".");
  if (mantissa < 0 || negative_zero) digits.insert(0, "-");
  return digits;
}

double Decimal::ToDouble() const { return static_cast<double>(mantissa) / std::pow(10.0, scale); }

bool IsValueField(std::string_view f) {
  return f == "Rtd" || f == "Avg" || f == "Min" || f == "Max" || f == "Cou" || f == "ZsRtd" ||
         f == "ZsAvg" || f == "ZsMin" || f == "ZsMax" || f == "RS" || f == "RT" || f == "Data" ||
         f == "DayData" || f == "NightData";
}

}  // namespace ecohub
