#include "standards/emission.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ecohub::standards {
namespace {

Decimal D(const char* s) { return *Decimal::Parse(s); }

constexpr int64_t kT0 = 1767225600;  // 2026-01-01 00:00 UTC
constexpr int64_t kH = 3600;

// One hour at kT0 + n hours; "" = absent value.
HourValue Hour(int n, const char* avg, const char* zs = "", char flag = 'N') {
  HourValue h;
  h.hour_start = kT0 + n * kH;
  if (*avg) h.avg = D(avg);
  if (*zs) h.zs_avg = D(zs);
  h.flag = flag;
  return h;
}

EmissionLimit So2() { return MakeEmissionLimit("a21026", D("35"), "mg/m3", "GB 13223-2011"); }
EmissionLimit Cod() { return MakeEmissionLimit("w01018", D("50"), "mg/L", "GB 18918-2002"); }
EmissionLimit Ph() {
  return MakeEmissionLimit("w01001", D("9"), "", "GB 8978-1996", EmissionLimit::kStandard, D("6"));
}

TEST(EmissionConverted, WhichFactorsCompareZsAvg) {
  for (const char* f : {"a21026", "a21002", "a34013", "a20057"}) {
    EXPECT_TRUE(UsesConvertedValue(f)) << f;
  }
  for (const char* f : {"w01018", "w21003", "w21011", "w01001", "a24088", "a21005", "a19001", ""}) {
    EXPECT_FALSE(UsesConvertedValue(f)) << f;
  }
  EXPECT_TRUE(So2().use_converted);
  EXPECT_FALSE(Cod().use_converted);
  EmissionLimit permit = MakeEmissionLimit("a21002", D("50"), "mg/m3", "91110000XXXXXXXXXX001P",
                                           EmissionLimit::kPermit);
  EXPECT_EQ(permit.basis, EmissionLimit::kPermit);
  EXPECT_TRUE(permit.use_converted);
}

TEST(EmissionFlags, OnlyNormalDataCounts) {
  EXPECT_TRUE(IsValidEmissionFlag(0));
  EXPECT_TRUE(IsValidEmissionFlag('N'));
  for (char f : {'F', 'M', 'S', 'C', 'D', 'T', 'B', 'P', 'n', '0'}) {
    EXPECT_FALSE(IsValidEmissionFlag(f)) << f;
  }
}

TEST(EmissionExceedance, OneEventWithPeakAndMultiple) {
  std::vector<HourValue> hours = {Hour(0, "30", "30"), Hour(1, "40", "36"), Hour(2, "50", "52.5"),
                                  Hour(3, "45", "40"), Hour(4, "20", "35")};
  auto ev = FindExceedances(So2(), hours);
  ASSERT_EQ(ev.size(), 1u);
  const ExceedanceEvent& e = ev[0];
  EXPECT_EQ(e.factor, "a21026");
  EXPECT_EQ(e.start, kT0 + kH);
  EXPECT_EQ(e.end, kT0 + 4 * kH);  // end of the last exceeding hour
  EXPECT_EQ(e.hours, 3);
  EXPECT_EQ(e.peak.ToString(), "52.5");
  EXPECT_EQ(e.peak_hour, kT0 + 2 * kH);
  EXPECT_EQ(e.multiple->ToString(), "0.50");  // (52.5 − 35)/35
  EXPECT_EQ(e.limit.ToString(), "35");
  EXPECT_EQ(e.basis, EmissionLimit::kStandard);
  EXPECT_FALSE(e.ongoing);  // hour 4 equals the limit: complies
  EXPECT_FALSE(e.measured_fallback);
}

TEST(EmissionExceedance, ComparesTheRightValue) {
  // Flue gas: ZsAvg decides, however high the measured Avg.
  std::vector<HourValue> hours = {Hour(0, "90", "30"), Hour(1, "20", "36")};
  auto ev = FindExceedances(So2(), hours);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].start, kT0 + kH);
  // Waste water: Avg decides; a ZsAvg (not expected) is ignored.
  std::vector<HourValue> water = {Hour(0, "49", "80"), Hour(1, "51", "10")};
  ev = FindExceedances(Cod(), water);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].start, kT0 + kH);
  EXPECT_EQ(ev[0].peak.ToString(), "51");
  // A permit that says to compare the measured value.
  EmissionLimit measured = So2();
  measured.use_converted = false;
  EXPECT_EQ(FindExceedances(measured, hours).size(), 1u);
  EXPECT_EQ(FindExceedances(measured, hours)[0].start, kT0);
}

TEST(EmissionExceedance, MissingConvertedValueFallsBackAndIsMarked) {
  std::vector<HourValue> hours = {Hour(0, "40", "38"), Hour(1, "40"), Hour(2, "30")};
  auto ev = FindExceedances(So2(), hours);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].hours, 2);
  EXPECT_TRUE(ev[0].measured_fallback);
  EXPECT_EQ(ev[0].peak.ToString(), "40");
  // No value at all: like a missing hour.
  std::vector<HourValue> empty_hour = {Hour(0, "40", "38"), Hour(1, ""), Hour(2, "40", "38")};
  EXPECT_EQ(FindExceedances(So2(), empty_hour).size(), 2u);
}

TEST(EmissionExceedance, InvalidFlagsNeverExceedAndEndEvents) {
  for (char flag : {'F', 'M', 'S', 'C', 'D', 'T', 'B'}) {
    SCOPED_TRACE(std::string(1, flag));
    std::vector<HourValue> alone = {Hour(0, "900", "900", flag), Hour(1, "900", "900", flag)};
    EXPECT_TRUE(FindExceedances(So2(), alone).empty());
    std::vector<HourValue> split = {Hour(0, "40", "40"), Hour(1, "900", "900", flag),
                                    Hour(2, "40", "40")};
    auto ev = FindExceedances(So2(), split);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].hours, 1);
    EXPECT_EQ(ev[1].start, kT0 + 2 * kH);
  }
  // No flag at all is normal data.
  std::vector<HourValue> unflagged = {Hour(0, "40", "40", 0)};
  EXPECT_EQ(FindExceedances(So2(), unflagged).size(), 1u);
}

TEST(EmissionExceedance, GapsAndComplyingHoursSplitEvents) {
  // Hour 2 is missing from the input.
  std::vector<HourValue> gap = {Hour(0, "40", "40"), Hour(1, "40", "40"), Hour(3, "40", "40")};
  auto ev = FindExceedances(So2(), gap);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].hours, 2);
  EXPECT_EQ(ev[0].end, kT0 + 2 * kH);
  EXPECT_EQ(ev[1].start, kT0 + 3 * kH);
  EXPECT_TRUE(ev[1].ongoing);
  EXPECT_FALSE(ev[0].ongoing);

  std::vector<HourValue> dip = {Hour(0, "40", "40"), Hour(1, "35", "34.9"), Hour(2, "40", "40")};
  EXPECT_EQ(FindExceedances(So2(), dip).size(), 2u);

  // Out of order: not consecutive, so it ends the event.
  std::vector<HourValue> back = {Hour(5, "40", "40"), Hour(4, "40", "40")};
  EXPECT_EQ(FindExceedances(So2(), back).size(), 2u);

  EXPECT_TRUE(FindExceedances(So2(), {}).empty());
}

TEST(EmissionExceedance, OngoingWhenTheLastHourExceeds) {
  std::vector<HourValue> hours = {Hour(0, "10", "10"), Hour(1, "40", "40"), Hour(2, "41", "41")};
  auto ev = FindExceedances(So2(), hours);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_TRUE(ev[0].ongoing);
  EXPECT_EQ(ev[0].end, kT0 + 3 * kH);
}

TEST(EmissionExceedance, PhRange) {
  std::vector<HourValue> hours = {Hour(0, "7"), Hour(1, "5.5"), Hour(2, "9.8"),
                                  Hour(3, "6"), Hour(4, "9"),   Hour(5, "5.9")};
  auto ev = FindExceedances(Ph(), hours);
  ASSERT_EQ(ev.size(), 2u);
  // 5.5 (0.5 below) then 9.8 (0.8 above): one event, the peak is the farther one.
  EXPECT_EQ(ev[0].hours, 2);
  EXPECT_EQ(ev[0].peak.ToString(), "9.8");
  EXPECT_EQ(ev[0].limit.ToString(), "9");
  EXPECT_EQ(ev[0].multiple->ToString(), "0.09");  // 0.8/9 = 0.0888...
  // Below the range: the lower bound, no multiple.
  EXPECT_EQ(ev[1].peak.ToString(), "5.9");
  EXPECT_EQ(ev[1].limit.ToString(), "6");
  EXPECT_FALSE(ev[1].multiple);
  EXPECT_TRUE(ev[1].ongoing);
}

TEST(EmissionExceedance, MultipleHalfEvenAndPeakTies) {
  struct Case {
    const char* limit;
    const char* peak;
    const char* multiple;
  } cases[] = {
      {"200", "201", "0.00"},    // 0.005 -> even
      {"200", "203", "0.02"},    // 0.015 -> even
      {"200", "205", "0.02"},    // 0.025 -> even
      {"200", "205.2", "0.03"},  // 0.026
      {"35", "36", "0.03"},      // 0.02857
      {"0.5", "1.5", "2.00"},
  };
  for (const Case& c : cases) {
    EmissionLimit l = MakeEmissionLimit("w21003", D(c.limit), "mg/L", "test");
    std::vector<HourValue> hours = {Hour(0, c.peak)};
    auto ev = FindExceedances(l, hours);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].multiple->ToString(), c.multiple) << c.limit << " " << c.peak;
  }
  // Equal peaks: the first hour is the peak hour.
  std::vector<HourValue> hours = {Hour(0, "60"), Hour(1, "70"), Hour(2, "70")};
  auto ev = FindExceedances(Cod(), hours);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].peak_hour, kT0 + kH);
  // A zero limit has no multiple.
  EmissionLimit zero = MakeEmissionLimit("w01018", D("0"), "mg/L", "test");
  ev = FindExceedances(zero, hours);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_FALSE(ev[0].multiple);
}

TEST(EmissionExceedance, PermitBasisIsCarried) {
  EmissionLimit l = MakeEmissionLimit("a34013", D("10"), "mg/m3", "91110000XXXXXXXXXX001P",
                                      EmissionLimit::kPermit);
  std::vector<HourValue> hours = {Hour(0, "9", "12")};
  auto ev = FindExceedances(l, hours);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].basis, EmissionLimit::kPermit);
  EXPECT_EQ(ev[0].multiple->ToString(), "0.20");
}

}  // namespace
}  // namespace ecohub::standards
