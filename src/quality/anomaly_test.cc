#include "quality/anomaly.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iterator>
#include <string>
#include <vector>

namespace ecohub::quality {
namespace {

constexpr int64_t kHour = 3600;
// 2026-03-01 00:00 Beijing.
const UnixSeconds kT0 = DaysFromCivil(2026, 2, 28) * 86400 + 16 * 3600;

Decimal D(std::string_view text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Decimal{});
}

// Hourly samples from kT0; "12.5" or "12.5:C" (value and flag).
std::vector<Sample> Hourly(const std::vector<const char*>& values) {
  std::vector<Sample> out;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string_view v = values[i];
    char flag = 0;
    if (auto colon = v.find(':'); colon != std::string_view::npos) {
      flag = v[colon + 1];
      v = v.substr(0, colon);
    }
    out.push_back({kT0 + static_cast<int64_t>(i) * kHour, D(v), flag});
  }
  return out;
}

TEST(AnomalyKind, StableNames) {
  const char* names[] = {"out_of_range", "negative",           "stuck",  "zero_run",
                         "jump",         "during_maintenance", "offline"};
  for (int i = 0; i < kAnomalyKindCount; ++i) {
    auto kind = static_cast<AnomalyKind>(i);
    EXPECT_STREQ(AnomalyKindName(kind), names[i]);
    EXPECT_EQ(AnomalyKindFromName(names[i]), kind);
  }
  EXPECT_FALSE(AnomalyKindFromName("Stuck").has_value());
  EXPECT_FALSE(AnomalyKindFromName("").has_value());
}

// ---------------------------------------------------------------------------
// The value checks, one table. Each wanted anomaly names its first and last sample
// by index into `values`.

struct Want {
  AnomalyKind kind;
  int first;
  int last;
  int count;
};

struct AnomalyCase {
  const char* name;
  std::vector<const char*> values;
  void (*tweak)(AnomalyOptions*);
  std::vector<Want> want;
};

void NoTweak(AnomalyOptions*) {}

class AnomalyTest : public testing::TestWithParam<AnomalyCase> {};
TEST_P(AnomalyTest, Detected) {
  const AnomalyCase& c = GetParam();
  AnomalyOptions options;
  c.tweak(&options);
  ASSERT_TRUE(options.Validate().ok()) << options.Validate().ToString();
  std::vector<Anomaly> got = DetectAnomalies(Hourly(c.values), options);
  ASSERT_EQ(got.size(), c.want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(AnomalyKindName(got[i].kind), std::string(AnomalyKindName(c.want[i].kind)));
    EXPECT_EQ(got[i].start, kT0 + c.want[i].first * kHour);
    EXPECT_EQ(got[i].end, kT0 + c.want[i].last * kHour);
    EXPECT_EQ(got[i].count, c.want[i].count);
    EXPECT_FALSE(got[i].detail.empty());
  }
}

constexpr AnomalyKind kRange = AnomalyKind::kOutOfRange;
constexpr AnomalyKind kNeg = AnomalyKind::kNegative;
constexpr AnomalyKind kStuck = AnomalyKind::kStuck;
constexpr AnomalyKind kZero = AnomalyKind::kZeroRun;
constexpr AnomalyKind kJump = AnomalyKind::kJump;
constexpr AnomalyKind kMaint = AnomalyKind::kDuringMaintenance;

void Range0To1000(AnomalyOptions* o) {
  o->range_min = D("0");
  o->range_max = D("1000");
}
void Range0To1000NoJump(AnomalyOptions* o) {
  Range0To1000(o);
  o->jump_ratio = 0;
}
void NoNegative(AnomalyOptions* o) { o->check_negative = false; }
void ZeroRun5(AnomalyOptions* o) { o->zero_run = 5; }
void StuckOff(AnomalyOptions* o) { o->stuck_run = 0; }
void Maintenance0To2(AnomalyOptions* o) { o->maintenance = {{kT0, kT0 + 2 * kHour}}; }
void MaintenanceAtEnd(AnomalyOptions* o) {
  o->maintenance = {{kT0 + 3 * kHour, kT0 + 10 * kHour}, {kT0 - kHour, kT0}};
}
void JumpOff(AnomalyOptions* o) { o->jump_ratio = 0; }

INSTANTIATE_TEST_SUITE_P(
    Table, AnomalyTest,
    testing::Values(
        AnomalyCase{"clean", {"10", "12", "11", "13", "12"}, Range0To1000, {}},
        AnomalyCase{"empty", {}, Range0To1000, {}},
        // Out of range: runs at the start and at the end of the series; bounds inclusive.
        AnomalyCase{"range_run_at_start",
                    {"1200", "1100.5", "999", "1000", "0"},
                    Range0To1000,
                    {{kRange, 0, 1, 2}}},
        AnomalyCase{
            "range_run_at_end", {"900", "950", "1000.1"}, Range0To1000, {{kRange, 2, 2, 1}}},
        AnomalyCase{"range_below_min",
                    {"5", "-1", "6"},
                    Range0To1000,
                    {{kRange, 1, 1, 1}, {kNeg, 1, 1, 1}}},
        AnomalyCase{"range_unchecked_by_default", {"99999", "99999.5", "100000"}, NoTweak, {}},
        // A value the device flagged T (above range) is already known: not reported.
        AnomalyCase{"range_flagged_T_skipped", {"5", "1200:T", "6"}, Range0To1000, {}},
        // Two runs of the same kind split by a good value are two anomalies.
        AnomalyCase{"range_two_runs",
                    {"2000", "5", "2000", "3000"},
                    Range0To1000NoJump,
                    {{kRange, 0, 0, 1}, {kRange, 2, 3, 2}}},
        // Flagged values neither break nor extend a run.
        AnomalyCase{
            "range_run_across_flagged", {"2000", "5:C", "2000"}, Range0To1000, {{kRange, 0, 2, 2}}},
        // Negative: at both edges; "-0.0" is zero; the check can be off.
        AnomalyCase{"negative_edges",
                    {"-1", "-2", "3", "-0.0", "-0.5"},
                    NoTweak,
                    {{kNeg, 0, 1, 2}, {kNeg, 4, 4, 1}}},
        AnomalyCase{"negative_off", {"-1", "-2", "3"}, NoNegative, {}},
        // Stuck: 6 identical values (hourly default) from the first to the last.
        AnomalyCase{
            "stuck_whole_series", {"7", "7", "7", "7", "7", "7"}, NoTweak, {{kStuck, 0, 5, 6}}},
        AnomalyCase{"stuck_5_not_enough", {"7", "7", "7", "7", "7", "8"}, NoTweak, {}},
        AnomalyCase{"stuck_run_at_end",
                    {"1", "2", "7.0", "7", "7.00", "7", "7", "7"},
                    NoTweak,
                    {{kStuck, 2, 7, 6}}},
        AnomalyCase{"stuck_across_calibration",
                    {"7", "7", "7", "9:C", "7", "7", "7"},
                    NoTweak,
                    {{kStuck, 0, 6, 6}}},
        AnomalyCase{"stuck_off", {"7", "7", "7", "7", "7", "7"}, StuckOff, {}},
        // Zero runs: reported as zero_run, never also as stuck.
        AnomalyCase{"zero_run_whole_series",
                    {"0", "0.0", "0", "0", "-0", "0"},
                    NoTweak,
                    {{kZero, 0, 5, 6}}},
        AnomalyCase{
            "zero_run_at_start", {"0", "0", "0", "0", "0", "1"}, ZeroRun5, {{kZero, 0, 4, 5}}},
        AnomalyCase{
            "zero_run_at_end", {"1", "0", "0", "0", "0", "0"}, ZeroRun5, {{kZero, 1, 5, 5}}},
        AnomalyCase{"zero_run_too_short", {"0", "0", "0", "0", "0", "1"}, NoTweak, {}},
        // Jumps: > 5x the previous valid value AND > +50.
        AnomalyCase{"jump_at_end", {"10", "11", "100"}, NoTweak, {{kJump, 2, 2, 1}}},
        AnomalyCase{"jump_floor_not_passed", {"10", "60"}, NoTweak, {}},    // +50 exactly
        AnomalyCase{"jump_ratio_not_passed", {"100", "500"}, NoTweak, {}},  // 5x exactly
        AnomalyCase{"jump_spike_returns", {"10", "100", "10"}, NoTweak, {{kJump, 1, 1, 1}}},
        AnomalyCase{"jump_run_merges", {"1", "100", "1000", "900"}, NoTweak, {{kJump, 1, 2, 2}}},
        AnomalyCase{
            "jump_against_previous_valid", {"10", "500:C", "100"}, NoTweak, {{kJump, 2, 2, 1}}},
        AnomalyCase{"jump_from_zero", {"0", "51"}, NoTweak, {{kJump, 1, 1, 1}}},
        AnomalyCase{"jump_off", {"10", "100"}, JumpOff, {}},
        // Valid-flag values inside a declared window, at the start and at the end.
        AnomalyCase{"maintenance_at_start",
                    {"10", "10:M", "12", "13"},
                    Maintenance0To2,
                    {{kMaint, 0, 0, 1}}},
        AnomalyCase{
            "maintenance_run", {"10", "11", "12", "13"}, Maintenance0To2, {{kMaint, 0, 1, 2}}},
        AnomalyCase{"maintenance_at_end",
                    {"10", "11", "12", "13", "14:F", "15"},
                    MaintenanceAtEnd,
                    {{kMaint, 3, 5, 2}}},
        // Several kinds at once, sorted by start then kind.
        AnomalyCase{"mixed",
                    {"-5", "-5", "-5", "-5", "-5", "-5", "2000"},
                    Range0To1000,
                    {{kRange, 0, 6, 7},  // below then above: one run
                     {kNeg, 0, 5, 6},
                     {kStuck, 0, 5, 6},
                     {kJump, 6, 6, 1}}}),
    [](const testing::TestParamInfo<AnomalyCase>& info) { return std::string(info.param.name); });

TEST(Anomaly, MinuteDefaults) {
  AnomalyOptions o = DefaultAnomalyOptions(Period::kMinute);
  EXPECT_EQ(o.stuck_run, 30);
  EXPECT_EQ(o.zero_run, 30);
  EXPECT_EQ(o.interval_seconds, 60);
  std::vector<Sample> s;
  for (int i = 0; i < 30; ++i) s.push_back({kT0 + i * 60, D("3.3"), 'N'});
  auto got = DetectAnomalies(s, o);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, AnomalyKind::kStuck);
  EXPECT_EQ(got[0].count, 30);
  EXPECT_EQ(got[0].detail, "30 values of 3.3");
  s.pop_back();
  EXPECT_TRUE(DetectAnomalies(s, o).empty());

  AnomalyOptions h = DefaultAnomalyOptions(Period::kHour);
  EXPECT_EQ(h.stuck_run, 6);
  EXPECT_EQ(h.interval_seconds, 3600);
  EXPECT_EQ(DefaultAnomalyOptions(Period::kDay).interval_seconds, 86400);
}

TEST(Anomaly, UnsortedAndDuplicatedInput) {
  // Retransmission at hour 2 replaces 7 by 8: the stuck run is broken.
  std::vector<Sample> s = Hourly({"7", "7", "7", "7", "7", "7"});
  s.push_back({kT0 + 2 * kHour, D("8"), 'N'});
  std::swap(s[0], s[4]);
  auto got = DetectAnomalies(s, AnomalyOptions{});
  EXPECT_TRUE(got.empty());
}

// ---------------------------------------------------------------------------
// Offline.

TEST(Offline, GapInsideTheSeries) {
  AnomalyOptions o;  // hourly, 3 intervals
  std::vector<Sample> s = {{kT0, D("1")},
                           {kT0 + kHour, D("1.5")},
                           {kT0 + 5 * kHour, D("2")},
                           {kT0 + 8 * kHour, D("3")}};  // 4 h gap: offline; 3 h gap: not
  auto got = DetectAnomalies(s, o);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, AnomalyKind::kOffline);
  EXPECT_EQ(got[0].start, kT0 + 2 * kHour);  // first value that did not come
  EXPECT_EQ(got[0].end, kT0 + 5 * kHour);
  EXPECT_EQ(got[0].count, 3);  // hours 2, 3, 4 missing
}

TEST(Offline, FlaggedDataIsStillOnline) {
  std::vector<Sample> s = Hourly({"1", "1:D", "1:D", "1:D", "1:D", "2"});
  EXPECT_TRUE(DetectAnomalies(s, AnomalyOptions{}).empty());
}

TEST(Offline, SilenceUntilNow) {
  AnomalyOptions o;
  std::vector<Sample> s = Hourly({"1", "2", "3"});  // last at kT0 + 2 h
  UnixSeconds last = kT0 + 2 * kHour;
  EXPECT_TRUE(DetectAnomalies(s, o, last + 3 * kHour).empty());  // exactly 3 intervals
  auto got = DetectAnomalies(s, o, last + 3 * kHour + 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, AnomalyKind::kOffline);
  EXPECT_EQ(got[0].start, last + kHour);
  EXPECT_EQ(got[0].end, last + 3 * kHour + 1);
  EXPECT_EQ(got[0].count, 2);
  EXPECT_EQ(got[0].detail, "no data for 10801 s (> 3 x 3600 s)");
  // Without `now` nothing is said about the silence at the end.
  EXPECT_TRUE(DetectAnomalies(s, o).empty());
  // No samples: nothing to measure from.
  EXPECT_TRUE(DetectAnomalies({}, o, last + 100 * kHour).empty());
}

TEST(Offline, CheckOffline) {
  AnomalyOptions o = DefaultAnomalyOptions(Period::kMinute);  // 3 x 60 s
  EXPECT_FALSE(CheckOffline(std::nullopt, kT0, o).has_value());
  EXPECT_FALSE(CheckOffline(kT0, kT0 + 180, o).has_value());
  auto a = CheckOffline(kT0, kT0 + 181, o);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->start, kT0 + 60);
  EXPECT_EQ(a->end, kT0 + 181);
  EXPECT_EQ(a->count, 2);
  o.offline_factor = 0;
  EXPECT_FALSE(CheckOffline(kT0, kT0 + 100000, o).has_value());
}

// ---------------------------------------------------------------------------
// Options.

TEST(AnomalyOptions, Validate) {
  EXPECT_TRUE(AnomalyOptions{}.Validate().ok());
  for (auto minute : {false, true}) {
    EXPECT_TRUE(DefaultAnomalyOptions(minute ? Period::kMinute : Period::kDay).Validate().ok());
  }
  void (*bad[])(AnomalyOptions*) = {
      [](AnomalyOptions* o) {
        o->range_min = D("10");
        o->range_max = D("9.99");
      },
      [](AnomalyOptions* o) { o->stuck_run = 1; },
      [](AnomalyOptions* o) { o->stuck_run = -1; },
      [](AnomalyOptions* o) { o->zero_run = -1; },
      [](AnomalyOptions* o) { o->jump_ratio = std::nan(""); },
      [](AnomalyOptions* o) { o->jump_floor = -1; },
      [](AnomalyOptions* o) { o->jump_floor = std::nan(""); },
      [](AnomalyOptions* o) {
        o->maintenance = {{kT0, kT0}};
      },
      [](AnomalyOptions* o) { o->interval_seconds = 0; },
      [](AnomalyOptions* o) { o->offline_factor = -1; },
  };
  for (size_t i = 0; i < std::size(bad); ++i) {
    AnomalyOptions o;
    bad[i](&o);
    Status s = o.Validate();
    EXPECT_EQ(s.code(), Code::kInvalidInput) << i;
  }
}

}  // namespace
}  // namespace ecohub::quality
