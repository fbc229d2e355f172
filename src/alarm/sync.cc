#include "alarm/sync.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "declare/alarms.h"
#include "derive/bodies.h"
#include "derive/kinds.h"

namespace ecohub::alarm {
namespace {

using nlohmann::json;
constexpr int64_t kDay = 86400;

template <class T>
json OrNull(const std::optional<T>& v) {
  return v ? json(*v) : json();
}
json OrNull(const std::string& s) { return s.empty() ? json() : json(s); }

struct Sites {
  explicit Sites(const std::vector<store::Site>& v) {
    for (const auto& s : v) {
      by_code[s.code] = &s;
      by_id[s.id] = &s;
    }
  }
  std::unordered_map<std::string, const store::Site*> by_code;
  std::unordered_map<int64_t, const store::Site*> by_id;
};

store::Alarm Base(const store::Site& s, std::string kind) {
  store::Alarm a;
  a.kind = std::move(kind);
  a.site_id = s.id;
  a.site_code = s.code;
  a.enterprise_id = s.enterprise_id;
  a.district_id = s.district_id;
  return a;
}

// An exceedance event's row (derive::ExceedanceBody).
bool FromExceedance(const store::DerivedRow& r, const Sites& sites, store::Alarm* out) {
  auto b = derive::ParseExceedanceBody(r.body);
  if (!b) return false;
  auto slash = r.scope.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == r.scope.size()) return false;
  auto site = sites.by_code.find(r.scope.substr(0, slash));
  if (site == sites.by_code.end()) return false;
  store::Alarm a = Base(*site->second, "exceedance");
  a.factor = r.scope.substr(slash + 1);
  a.key = "exceedance:" + r.scope + ":" + std::to_string(b->start);
  a.started = b->start;
  if (!b->ongoing) a.ended = b->end;
  a.value = b->peak;
  a.limit = b->limit;
  a.unit = b->unit;
  json d = {{"hours", OrNull(b->hours)},
            {"multiple", OrNull(b->multiple)},
            {"peak_hour", OrNull(b->peak_hour)},
            {"basis", OrNull(b->basis)},
            {"compared", OrNull(b->compared)}};
  a.detail = d.dump(-1, ' ', false, json::error_handler_t::replace);
  *out = std::move(a);
  return true;
}

// The anomalies of one quality day (derive::QualityDayBody). Returns false when the
// row cannot be read at all; bad single anomalies are counted in *skipped.
bool FromQualityDay(const store::DerivedRow& r, const Sites& sites, const SyncOptions& o,
                    UnixSeconds now, std::vector<store::Alarm>* out, int64_t* skipped) {
  if (!r.scope.starts_with(derive::kScopeSitePrefix)) return false;
  auto site = sites.by_code.find(r.scope.substr(std::string_view(derive::kScopeSitePrefix).size()));
  if (site == sites.by_code.end()) return false;
  auto b = derive::ParseQualityDayBody(r.body, skipped);
  if (!b) return false;
  // By factor code (the deriver's order; a hand-made row may have another).
  std::sort(b->factors.begin(), b->factors.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  for (const auto& [factor, f] : b->factors)
    for (const derive::AnomalyBody& x : f.anomalies) {
      // Values flagged during declared maintenance are expected, not a problem.
      if (x.kind == "during_maintenance") continue;
      store::Alarm a = Base(*site->second, "anomaly");
      a.factor = factor;
      a.key = "anomaly:" + site->second->code + "/" + factor + ":" + x.kind + ":" +
              std::to_string(x.start);
      a.started = x.start;
      if (x.end && *x.end < now - o.anomaly_ongoing_seconds) a.ended = x.end;
      json d = {{"anomaly", x.kind},
                {"count", OrNull(x.count)},
                {"text", OrNull(x.detail)},
                {"last", OrNull(x.end)}};
      a.detail = d.dump(-1, ' ', false, json::error_handler_t::replace);
      out->push_back(std::move(a));
    }
  return true;
}

void Offline(const SyncInput& in, const Sites& sites, const SyncOptions& o,
             std::vector<store::Alarm>* out) {
  std::map<std::string, std::vector<const store::Alarm*>> ongoing;  // by MN, newest last
  for (const auto& a : in.ongoing_offline) {
    auto d = json::parse(a.detail, nullptr, false);
    auto m = d.is_object() ? d.find("mn") : d.end();
    std::string mn = m != d.end() && m->is_string() ? m->get<std::string>() : "";
    if (!mn.empty()) ongoing[mn].push_back(&a);
  }
  for (auto& [mn, v] : ongoing)
    std::sort(v.begin(), v.end(), [](auto* x, auto* y) { return x->started < y->started; });
  auto end_all = [&](const std::string& mn, UnixSeconds at, const store::Alarm* keep) {
    for (const store::Alarm* a : ongoing[mn]) {
      if (a == keep) continue;
      store::Alarm e = *a;
      e.ended = std::max(at, a->started);
      out->push_back(std::move(e));
    }
  };
  for (const DeviceSeen& d : in.devices) {
    auto site = sites.by_id.find(d.site_id);
    bool silent_since_start = d.last_packet == 0;
    UnixSeconds since = silent_since_start ? in.started : d.last_packet;
    bool offline = in.now - since > o.offline_after_seconds;
    if (!d.enabled || site == sites.by_id.end()) {
      end_all(d.mn, in.now, nullptr);  // no longer expected to send
      continue;
    }
    std::vector<const store::Alarm*>& mine = ongoing[d.mn];
    const store::Alarm* keep = nullptr;
    if (silent_since_start && !mine.empty()) {
      // Not heard since start-up and an offline alarm from before the restart is
      // still going: it goes on (its start is the truer one).
      keep = mine.back();
    } else if (!offline) {
      // Heard again (or not due yet): what was open ended when it came back.
      end_all(d.mn, d.resumed ? d.resumed : (d.last_packet ? d.last_packet : in.now), nullptr);
      continue;
    }
    // Silent since its last packet (or since start-up).
    std::string key = "offline:" + d.mn + ":" + std::to_string(since);
    for (const store::Alarm* a : mine)
      if (a->key == key) keep = a;
    end_all(d.mn, d.resumed ? d.resumed : since, keep);
    store::Alarm a = Base(*site->second, "offline");
    a.key = keep ? keep->key : key;
    a.started = keep ? keep->started : since;
    // Stable while the silence lasts, so an unchanged alarm is not rewritten every
    // pass: the API derives the duration from `started`.
    json detail = {{"mn", d.mn}, {"last_packet", d.last_packet ? json(d.last_packet) : json()}};
    if (keep)
      detail["last_packet"] =
          json::parse(keep->detail, nullptr, false).value("last_packet", json());
    a.detail = detail.dump();
    out->push_back(std::move(a));
  }
}

}  // namespace

SyncOutput BuildAlarms(const SyncInput& in, const SyncOptions& o) {
  SyncOutput out;
  Sites sites(in.sites);
  for (const auto& r : in.exceedances) {
    store::Alarm a;
    if (FromExceedance(r, sites, &a)) {
      out.alarms.push_back(std::move(a));
    } else {
      ++out.skipped;
      spdlog::warn("[alarm] exceedance row {} at {} skipped: unreadable", r.scope, r.time);
    }
  }
  for (const auto& r : in.quality_days) {
    if (!FromQualityDay(r, sites, o, in.now, &out.alarms, &out.skipped)) {
      ++out.skipped;
      spdlog::warn("[alarm] quality row {} at {} skipped: unreadable", r.scope, r.time);
    }
  }
  Offline(in, sites, o, &out.alarms);
  if (!in.declarations.empty())
    for (auto& a : out.alarms) declare::Annotate(in.declarations, &a);
  return out;
}

Result<SyncStats> SyncAlarms(store::Store& store, const std::vector<DeviceSeen>& devices,
                             UnixSeconds now, UnixSeconds started, const SyncOptions& o,
                             Metrics* metrics, declare::DeclarationStore* declarations) {
  SyncInput in;
  in.now = now;
  in.started = started;
  in.devices = devices;
  auto sites = store.Sites();
  if (!sites.ok()) return sites.status();
  in.sites = std::move(*sites);
  auto exc = store.QueryDerived(derive::kKindExceedance, "", now - o.exceedance_days * kDay,
                                now + kDay, 1'000'000);
  if (!exc.ok()) return exc.status();
  in.exceedances = std::move(*exc);
  UnixSeconds day = FloorBeijing(now, kDay);
  auto q = store.QueryDerived(derive::kKindQualityDay, std::string(derive::kScopeSitePrefix) + "*",
                              day - (o.anomaly_days - 1) * kDay, day + kDay, 1'000'000);
  if (!q.ok()) return q.status();
  in.quality_days = std::move(*q);
  store::AlarmFilter f;
  f.kind = "offline";
  f.ongoing_only = true;
  f.limit = 1'000'000;
  auto off = store.QueryAlarms(f);
  if (!off.ok()) return off.status();
  in.ongoing_offline = std::move(*off);
  if (declarations) {
    declare::DeclarationFilter df;
    df.statuses = {"accepted", "ended"};
    df.limit = 1'000'000;
    auto d = declarations->List(df);
    // Alarms are raised without them rather than not at all; a later pass applies them.
    if (d.ok())
      in.declarations = std::move(*d);
    else
      spdlog::warn("[alarm] declarations unavailable, alarms raised without them: {}",
                   d.status().ToString());
  }

  SyncOutput built = BuildAlarms(in, o);
  // Only what is new or changed is written: most passes change nothing.
  UnixSeconds oldest = now;
  for (const auto& a : built.alarms) oldest = std::min(oldest, a.started);
  store::AlarmFilter known_f;
  known_f.from = oldest;
  known_f.limit = 10'000'000;
  auto known = store.QueryAlarms(known_f);
  if (!known.ok()) return known.status();
  std::unordered_map<std::string, const store::Alarm*> by_key;
  for (const auto& a : *known) by_key[a.key] = &a;
  // Suppressed by a declaration and not closed yet: closed once written.
  std::vector<store::Alarm> suppressed;
  for (const auto& a : built.alarms) {
    if (!declare::Suppressed(a)) continue;
    auto it = by_key.find(a.key);
    if (it == by_key.end() || it->second->status != "closed") suppressed.push_back(a);
  }
  std::vector<store::Alarm> changed;
  for (auto& a : built.alarms) {
    auto it = by_key.find(a.key);
    if (it != by_key.end() && it->second->ended == a.ended && it->second->value == a.value &&
        it->second->limit == a.limit && it->second->unit == a.unit &&
        it->second->detail == a.detail)
      continue;
    changed.push_back(std::move(a));
  }
  SyncStats stats{static_cast<int64_t>(built.alarms.size()), static_cast<int64_t>(changed.size()),
                  built.skipped};
  if (metrics && built.skipped)
    metrics
        ->counter("ecohub_alarm_sync_skipped_rows_total",
                  "Derived rows the alarm sync could not read")
        ->Add(static_cast<uint64_t>(built.skipped));
  Status s = store.UpsertAlarms(changed);
  if (!s.ok()) return s;
  auto closed = declare::CloseSuppressed(store, suppressed, now);
  if (!closed.ok()) return closed.status();
  stats.closed = *closed;
  return stats;
}

void AlarmSyncer::RunOnce() {
  if (leads_ && !leads_()) return;
  std::lock_guard lock(run_mu_);
  auto r = SyncAlarms(store_, devices_(), clock_.WallSeconds(), started_, options_, metrics_,
                      declarations_);
  if (!r.ok()) {
    if (metrics_)
      metrics_->counter("ecohub_alarm_sync_failures_total", "Alarm sync passes that failed")->Add();
    spdlog::error("[alarm] sync failed: {}", r.status().ToString());
  } else if (r->written || r->skipped || r->closed) {
    spdlog::info(
        "[alarm] {} alarms raised or updated ({} current, {} rows skipped, {} closed as declared)",
        r->written, r->built, r->skipped, r->closed);
  }
}

void AlarmSyncer::Start() {
  periodic_.Start(std::chrono::seconds(options_.interval_seconds), [this] { RunOnce(); });
}

void AlarmSyncer::Stop() { periodic_.Stop(); }

}  // namespace ecohub::alarm
