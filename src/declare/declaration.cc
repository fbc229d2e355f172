#include "declare/declaration.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "core/time.h"

namespace ecohub::declare {
namespace {

struct KindInfo {
  const char* name;
  const char* label;
};
constexpr KindInfo kKinds[] = {
    {"stopped", "停产"}, {"fault", "故障"}, {"maintenance", "检修"}, {"abnormal", "异常"}};

// The rule table, in one place (docs/declarations.md has it with the reasons).
// Rows: declaration kinds; columns: exceedance, anomaly, offline.
struct Rule {
  const char* kind;
  Effect exceedance, anomaly, offline;
};
constexpr Rule kRules[] = {
    // Stopped: no production, so no data and odd data are expected; an exceedance
    // while declared stopped is a contradiction staff must see.
    {"stopped", Effect::kAnnotate, Effect::kSuppress, Effect::kSuppress},
    // Maintenance of the monitoring equipment: silence and flagged or stuck values
    // are what maintenance looks like; an exceedance is still an exceedance.
    {"maintenance", Effect::kAnnotate, Effect::kSuppress, Effect::kSuppress},
    // Fault of the equipment: silence is explained; the odd values are the fault's
    // evidence, which staff check the declaration against, so they stay open.
    {"fault", Effect::kAnnotate, Effect::kAnnotate, Effect::kSuppress},
    // Something else abnormal: the enterprise's word explains nothing on its own.
    {"abnormal", Effect::kAnnotate, Effect::kAnnotate, Effect::kAnnotate},
};

std::optional<double> Number(const std::string& s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

char FlagOf(const Reading& r) { return r.flag ? r.flag : 'N'; }

}  // namespace

const std::vector<std::string>& Kinds() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> v;
    for (const auto& k : kKinds) v.push_back(k.name);
    return v;
  }();
  return kNames;
}

bool IsKind(std::string_view kind) { return !KindLabel(kind).empty(); }

std::string_view KindLabel(std::string_view kind) {
  for (const auto& k : kKinds)
    if (kind == k.name) return k.label;
  return {};
}

bool Covers(const Declaration& d, UnixSeconds t) {
  return (d.status == "accepted" || d.status == "ended") && t >= d.from && (!d.to || t < *d.to);
}

bool Overlaps(const Declaration& a, const Declaration& b) {
  return (!b.to || a.from < *b.to) && (!a.to || b.from < *a.to);
}

Status Validate(const Declaration& d, UnixSeconds now, std::span<const Declaration> accepted) {
  if (!IsKind(d.kind))
    return Status::InvalidInput("kind must be stopped, fault, maintenance or abnormal");
  if (d.to && *d.to <= d.from) return Status::InvalidInput("from must be before to");
  if (!d.to && d.kind != "stopped")
    return Status::InvalidInput("only a stop (停产) may be declared without an end (to)");
  if (d.to && *d.to - d.from > kMaxWindowSeconds)
    return Status::InvalidInput("a window is at most 90 days");
  if (d.from < now - kMaxLateSeconds)
    return Status::InvalidInput("from is more than 30 days in the past: too late to declare");
  if (d.from > now + kMaxAheadSeconds)
    return Status::InvalidInput("from is more than 90 days ahead");
  if (d.reason.find_first_not_of(" \t\r\n") == std::string::npos)
    return Status::InvalidInput("a reason is required");
  if (d.reason.size() > kMaxReasonBytes) return Status::InvalidInput("the reason is too long");
  for (const Declaration& a : accepted)
    if (a.id != d.id && a.site_id == d.site_id && (a.status == "accepted" || a.status == "ended") &&
        Overlaps(a, d))
      return Status(Code::kConflict, "the window overlaps accepted declaration " +
                                         std::to_string(a.id) + " of this outlet");
  return Status::Ok();
}

std::string_view EffectName(Effect e) {
  switch (e) {
    case Effect::kAnnotate:
      return "annotate";
    case Effect::kSuppress:
      return "suppress";
    case Effect::kNone:
      break;
  }
  return "none";
}

Effect RuleFor(std::string_view declaration_kind, std::string_view alarm_kind) {
  for (const Rule& r : kRules) {
    if (declaration_kind != r.kind) continue;
    if (alarm_kind == "exceedance") return r.exceedance;
    if (alarm_kind == "anomaly") return r.anomaly;
    if (alarm_kind == "offline") return r.offline;
  }
  return Effect::kNone;
}

bool IsFlowFactor(std::string_view factor) { return factor == "w00000" || factor == "a00000"; }

std::vector<Finding> Check(const Declaration& d, std::span<const Reading> hours,
                           UnixSeconds until) {
  UnixSeconds end = d.to ? *d.to : until;
  auto in_window = [&](const Reading& r) {
    return r.period == Period::kHour && r.field == "Avg" && r.time >= d.from && r.time < end;
  };
  std::vector<Finding> out;
  if (d.kind == "stopped") {
    // By factor: each flow factor the outlet sends (water and gas outlets differ).
    std::map<std::string, Finding> by_factor;
    for (const Reading& r : hours) {
      if (!in_window(r) || !IsFlowFactor(r.factor)) continue;
      Finding& f = by_factor[r.factor];
      ++f.of;
      auto v = Number(r.value);
      if (FlagOf(r) != 'N' || !v || *v <= 0) continue;
      if (f.hours == 0 || r.time < f.first) f.first = r.time;
      ++f.hours;
    }
    for (auto& [factor, f] : by_factor) {
      if (f.hours == 0) continue;
      f.code = "flow_while_stopped";
      f.factor = factor;
      f.text = "declared stopped (停产) but " + factor + " flow > 0 in " + std::to_string(f.hours) +
               " of " + std::to_string(f.of) + " hours (first at " + FormatRfc3339Beijing(f.first) +
               ")";
      out.push_back(std::move(f));
    }
  } else if (d.kind == "fault" || d.kind == "maintenance") {
    // An hour is valid when every value of it is flagged N: the equipment said it
    // was measuring normally.
    std::map<UnixSeconds, bool> valid;  // hour -> all N so far
    for (const Reading& r : hours) {
      if (!in_window(r)) continue;
      auto [it, fresh] = valid.emplace(r.time, true);
      it->second = it->second && FlagOf(r) == 'N';
    }
    Finding f;
    f.of = static_cast<int64_t>(valid.size());
    for (const auto& [t, ok] : valid)
      if (ok) {
        if (f.hours == 0) f.first = t;
        ++f.hours;
      }
    if (f.hours > 0) {
      char want = d.kind == "fault" ? 'D' : 'M';
      f.code = d.kind == "fault" ? "valid_while_fault" : "valid_while_maintenance";
      f.text = "declared " + d.kind + " (" + std::string(KindLabel(d.kind)) +
               ") but data flagged N " +
               (f.hours == f.of
                    ? std::string("throughout (") + std::to_string(f.hours) + " hours)"
                    : "in " + std::to_string(f.hours) + " of " + std::to_string(f.of) + " hours") +
               " (first at " + FormatRfc3339Beijing(f.first) + "; expected flag " +
               std::string(1, want) + ")";
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace ecohub::declare
