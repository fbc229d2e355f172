#include "ingest/admission.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ecohub::ingest {
namespace {

constexpr UnixMillis kNow = 1'767'225'600'000;  // 2026-01-01 00:00 UTC
constexpr UnixSeconds kNowS = kNow / 1000;

Reading R(std::string factor, std::string value, UnixSeconds time = kNowS,
          std::string field = "Rtd") {
  Reading r;
  r.mn = "MN1";
  r.time = time;
  r.factor = std::move(factor);
  r.field = std::move(field);
  r.value = std::move(value);
  return r;
}

struct Case {
  const char* what;
  Reading reading;
  Admission want;
};

TEST(Admission, Table) {
  const AdmissionPolicy policy;
  const Case cases[] = {
      {"ordinary PM2.5", R("a34004", "87"), Admission::kAdmitted},
      {"9 min in the future (clock drift)", R("a34004", "87", kNowS + 540), Admission::kAdmitted},
      {"11 min in the future", R("a34004", "87", kNowS + 660), Admission::kFuture},
      {"dated 2099", R("a34004", "87", 4'070'908'800), Admission::kFuture},
      {"399 days old", R("a34004", "87", kNowS - 399 * 86400), Admission::kAdmitted},
      {"401 days old", R("a34004", "87", kNowS - 401 * 86400), Admission::kTooOld},
      {"dated year 1", R("a34004", "87", -62'135'596'800), Admission::kTooOld},
      {"NaN", R("a34004", "nan"), Admission::kNotFinite},
      {"NaN upper case", R("a34004", "NaN"), Admission::kNotFinite},
      {"inf", R("a34004", "inf"), Admission::kNotFinite},
      {"-Infinity", R("a34004", "-Infinity"), Admission::kNotFinite},
      {"overflowing 1e999", R("a34004", "1e999"), Admission::kNotFinite},
      {"NaN of an unknown factor", R("x99999", "nan"), Admission::kNotFinite},
      {"NaN as a Cou", R("w00000", "nan", kNowS, "Cou"), Admission::kNotFinite},
      {"tiny 1e-999 is zero", R("a34004", "1e-999"), Admission::kAdmitted},
      {"-99999 marker", R("a34004", "-99999"), Admission::kImpossible},
      {"-99999 as a converted Avg", R("a21026", "-99999", kNowS, "ZsAvg"), Admission::kImpossible},
      {"zero drift -3 of PM2.5", R("a34004", "-3"), Admission::kAdmitted},
      {"-60 of PM2.5 (beyond 5 % of 1000)", R("a34004", "-60"), Admission::kImpossible},
      {"typical range is not a hard limit", R("a34004", "5000"), Admission::kAdmitted},
      {"COD far above its typical outlet range", R("w01018", "40000"), Admission::kAdmitted},
      {"pH 7.2", R("w01001", "7.2"), Admission::kAdmitted},
      {"pH 40", R("w01001", "40"), Admission::kImpossible},
      {"pH -3", R("w01001", "-3"), Admission::kImpossible},
      {"O2 content 120 %", R("a19001", "120"), Admission::kImpossible},
      {"wind direction 270", R("a01008", "270"), Admission::kAdmitted},
      {"wind direction -99999 (a missing-value code)", R("a01008", "-99999"),
       Admission::kImpossible},
      {"wind direction 400", R("a01008", "400"), Admission::kImpossible},
      {"humidity 130 %", R("a01002", "130"), Admission::kImpossible},
      {"air temperature -20", R("a01001", "-20"), Admission::kAdmitted},
      {"flue gas at -300 °C", R("a01012", "-300"), Admission::kImpossible},
      {"flue gas at -5 °C", R("a01012", "-5"), Admission::kAdmitted},
      {"negative flow: no known bound", R("w00000", "-5"), Admission::kAdmitted},
      {"unknown factor, any number", R("x99999", "-99999"), Admission::kAdmitted},
      {"-99999 as a Cou is not judged by range", R("w01018", "-99999", kNowS, "Cou"),
       Admission::kAdmitted},
      {"run status", R("SB1", "1", kNowS, "RS"), Admission::kAdmitted},
      {"text is not judged", R("a34004", "n/a"), Admission::kAdmitted},
      {"text still has a time", R("a34004", "n/a", kNowS + 86400), Admission::kFuture},
  };
  for (const Case& c : cases)
    EXPECT_EQ(AdmissionName(CheckReading(c.reading, kNow, policy)), AdmissionName(c.want))
        << c.what;
}

TEST(Admission, PolicyIsConfigurable) {
  AdmissionPolicy policy;
  policy.horizon_days = 30;
  policy.future_tolerance_seconds = 0;
  EXPECT_EQ(CheckReading(R("a34004", "1", kNowS - 31 * 86400), kNow, policy), Admission::kTooOld);
  EXPECT_EQ(CheckReading(R("a34004", "1", kNowS + 1), kNow, policy), Admission::kFuture);
  policy.below_zero_fraction = 0;
  EXPECT_EQ(CheckReading(R("a34004", "-0.1"), kNow, policy), Admission::kImpossible);
}

TEST(Admission, PhysicalRanges) {
  const AdmissionPolicy policy;
  PhysicalRange pm = PhysicalRangeOf("a34004", policy);
  ASSERT_TRUE(pm.min.has_value());
  EXPECT_EQ(*pm.min, 0);
  EXPECT_FALSE(pm.max.has_value());
  EXPECT_DOUBLE_EQ(pm.slack, 50);  // 5 % of the top of the typical range, 1000
  PhysicalRange ph = PhysicalRangeOf("w01001", policy);
  EXPECT_EQ(ph.max.value_or(-1), 14);
  EXPECT_FALSE(PhysicalRangeOf("x99999", policy).min.has_value());
}

}  // namespace
}  // namespace ecohub::ingest
