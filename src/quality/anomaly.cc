#include "quality/anomaly.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ecohub::quality {

namespace {

constexpr const char* kKindNames[kAnomalyKindCount] = {
    "out_of_range", "negative", "stuck", "zero_run", "jump", "during_maintenance", "offline",
};

// Exact comparison (src/quality may not use src/standards/exact.h). Decimal scales
// are 0..15; anything else compares by its double.
int CompareDecimal(const Decimal& a, const Decimal& b) {
  if (a.scale > 18 || b.scale > 18) {
    double x = a.ToDouble(), y = b.ToDouble();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  int s = std::max(a.scale, b.scale);
  __int128 x = a.mantissa, y = b.mantissa;
  for (int i = a.scale; i < s; ++i) x *= 10;
  for (int i = b.scale; i < s; ++i) y *= 10;
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool IsZero(const Decimal& d) { return d.mantissa == 0; }
bool IsNegative(const Decimal& d) { return d.mantissa < 0; }

std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Builds runs of consecutive samples (among those a check looks at) that fail one
// check; each run becomes one Anomaly.
class RunBuilder {
 public:
  RunBuilder(AnomalyKind kind, std::vector<Anomaly>* out) : kind_(kind), out_(out) {}

  // The sample fails the check; `detail` describes the run if it starts here.
  void Hit(const Sample& s, std::string detail) {
    if (!open_) {
      open_ = true;
      current_ = Anomaly{kind_, s.time, s.time, 0, std::move(detail)};
    }
    current_.end = s.time;
    ++current_.count;
  }
  // The sample passes: an open run ends before it.
  void Miss() {
    if (open_) out_->push_back(std::move(current_));
    open_ = false;
  }

 private:
  AnomalyKind kind_;
  std::vector<Anomaly>* out_;
  bool open_ = false;
  Anomaly current_;
};

// Runs of equal values (by `same`) of at least `min_run` samples become anomalies.
template <class Keep, class Describe>
void EqualRuns(const std::vector<Sample>& values, int min_run, AnomalyKind kind, Keep keep,
               Describe describe, std::vector<Anomaly>* out) {
  if (min_run <= 0) return;
  size_t i = 0;
  while (i < values.size()) {
    if (!keep(values[i].value)) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < values.size() && keep(values[j].value) &&
           CompareDecimal(values[j].value, values[i].value) == 0) {
      ++j;
    }
    int len = static_cast<int>(j - i);
    if (len >= min_run) {
      out->push_back(
          Anomaly{kind, values[i].time, values[j - 1].time, len, describe(values[i].value, len)});
    }
    i = j;
  }
}

std::optional<Anomaly> Silence(UnixSeconds last, UnixSeconds until, const AnomalyOptions& options) {
  int64_t interval = options.interval_seconds;
  if (options.offline_factor <= 0 || interval <= 0) return std::nullopt;
  __int128 gap = static_cast<__int128>(until) - last;
  if (gap <= static_cast<__int128>(options.offline_factor) * interval) return std::nullopt;
  Anomaly a;
  a.kind = AnomalyKind::kOffline;
  a.start = last + interval;
  a.end = until;
  a.count = static_cast<int>(std::min<__int128>((a.end - a.start) / interval, INT32_MAX));
  a.detail = "no data for " + std::to_string(static_cast<int64_t>(gap)) + " s (> " +
             std::to_string(options.offline_factor) + " x " + std::to_string(interval) + " s)";
  return a;
}

}  // namespace

const char* AnomalyKindName(AnomalyKind kind) {
  auto i = static_cast<int>(kind);
  return i >= 0 && i < kAnomalyKindCount ? kKindNames[i] : "unknown";
}

std::optional<AnomalyKind> AnomalyKindFromName(std::string_view name) {
  for (int i = 0; i < kAnomalyKindCount; ++i) {
    if (name == kKindNames[i]) return static_cast<AnomalyKind>(i);
  }
  return std::nullopt;
}

Status AnomalyOptions::Validate() const {
  if (range_min && range_max && CompareDecimal(*range_min, *range_max) > 0) {
    return Status::InvalidInput("range_min is above range_max");
  }
  if (stuck_run < 0 || stuck_run == 1) {
    return Status::InvalidInput("stuck_run must be 0 (off) or at least 2");
  }
  if (zero_run < 0) return Status::InvalidInput("zero_run must be 0 (off) or positive");
  if (std::isnan(jump_ratio)) return Status::InvalidInput("jump_ratio is not a number");
  if (!(jump_floor >= 0)) return Status::InvalidInput("jump_floor must be >= 0");
  for (const TimeRange& w : maintenance) {
    if (w.end <= w.start) return Status::InvalidInput("maintenance window end <= start");
  }
  if (interval_seconds <= 0) return Status::InvalidInput("interval_seconds must be > 0");
  if (offline_factor < 0) return Status::InvalidInput("offline_factor must be >= 0");
  return Status::Ok();
}

AnomalyOptions DefaultAnomalyOptions(Period period) {
  AnomalyOptions o;
  switch (period) {
    case Period::kMinute:
      o.stuck_run = 30;
      o.zero_run = 30;
      o.interval_seconds = 60;
      break;
    case Period::kDay:
      o.stuck_run = 3;
      o.zero_run = 3;
      o.interval_seconds = 86400;
      break;
    default:
      break;
  }
  return o;
}

std::optional<Anomaly> CheckOffline(std::optional<UnixSeconds> last, UnixSeconds now,
                                    const AnomalyOptions& options) {
  if (!last) return std::nullopt;
  return Silence(*last, now, options);
}

std::vector<Anomaly> DetectAnomalies(std::span<const Sample> samples, const AnomalyOptions& options,
                                     std::optional<UnixSeconds> now) {
  std::vector<Sample> series = NormalizeSeries(samples);
  std::vector<Sample> values;
  for (const Sample& s : series) {
    if (IsValidFlag(s.flag)) values.push_back(s);
  }

  std::vector<Anomaly> out;
  RunBuilder range(AnomalyKind::kOutOfRange, &out);
  RunBuilder negative(AnomalyKind::kNegative, &out);
  RunBuilder jump(AnomalyKind::kJump, &out);
  RunBuilder maintenance(AnomalyKind::kDuringMaintenance, &out);
  const Sample* previous = nullptr;
  for (const Sample& s : values) {
    const Decimal& v = s.value;
    if (options.range_max && CompareDecimal(v, *options.range_max) > 0) {
      range.Hit(s, v.ToString() + " above range max " + options.range_max->ToString());
    } else if (options.range_min && CompareDecimal(v, *options.range_min) < 0) {
      range.Hit(s, v.ToString() + " below range min " + options.range_min->ToString());
    } else {
      range.Miss();
    }

    if (options.check_negative && IsNegative(v)) {
      negative.Hit(s, "negative value " + v.ToString());
    } else {
      negative.Miss();
    }

    bool jumped = false;
    if (previous != nullptr && options.jump_ratio > 0) {
      double p = previous->value.ToDouble(), x = v.ToDouble();
      jumped = x > options.jump_ratio * p && x - p > options.jump_floor;
    }
    if (jumped) {
      jump.Hit(s, previous->value.ToString() + " -> " + v.ToString() + " (> " +
                      FormatDouble(options.jump_ratio) + "x and > +" +
                      FormatDouble(options.jump_floor) + ")");
    } else {
      jump.Miss();
    }

    auto window =
        std::find_if(options.maintenance.begin(), options.maintenance.end(),
                     [&](const TimeRange& w) { return s.time >= w.start && s.time < w.end; });
    if (window != options.maintenance.end()) {
      maintenance.Hit(s, "valid flag in a declared stop/maintenance window");
    } else {
      maintenance.Miss();
    }
    previous = &s;
  }
  range.Miss();
  negative.Miss();
  jump.Miss();
  maintenance.Miss();

  EqualRuns(
      values, options.stuck_run, AnomalyKind::kStuck, [](const Decimal& d) { return !IsZero(d); },
      [](const Decimal& d, int n) { return std::to_string(n) + " values of " + d.ToString(); },
      &out);
  EqualRuns(
      values, options.zero_run, AnomalyKind::kZeroRun, [](const Decimal& d) { return IsZero(d); },
      [](const Decimal&, int n) { return std::to_string(n) + " zero values"; }, &out);

  for (size_t i = 1; i < series.size(); ++i) {
    if (auto a = Silence(series[i - 1].time, series[i].time, options)) out.push_back(*a);
  }
  if (now && !series.empty()) {
    if (auto a = Silence(series.back().time, *now, options)) out.push_back(*a);
  }

  std::stable_sort(out.begin(), out.end(), [](const Anomaly& a, const Anomaly& b) {
    return a.start != b.start ? a.start < b.start : a.kind < b.kind;
  });
  return out;
}

}  // namespace ecohub::quality
