#include "alarm/sync.h"

#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

namespace ecohub::alarm {
namespace {

using nlohmann::json;
constexpr int64_t kDay = 86400;

std::optional<int64_t> Int(const json& o, const char* k) {
  auto it = o.find(k);
  if (it == o.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}
std::optional<double> Num(const json& o, const char* k) {
  auto it = o.find(k);
  if (it == o.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}
std::string Str(const json& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

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

// An exceedance event's row: body from derive/site_jobs.cc (OutletEvents).
bool FromExceedance(const store::DerivedRow& r, const Sites& sites, store::Alarm* out) {
  json b = json::parse(r.body, nullptr, false);
  if (!b.is_object()) return false;
  auto slash = r.scope.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == r.scope.size()) return false;
  auto site = sites.by_code.find(r.scope.substr(0, slash));
  auto start = Int(b, "start");
  if (site == sites.by_code.end() || !start) return false;
  store::Alarm a = Base(*site->second, "exceedance");
  a.factor = r.scope.substr(slash + 1);
  a.key = "exceedance:" + r.scope + ":" + std::to_string(*start);
  a.started = *start;
  auto ongoing = b.find("ongoing");
  if (!(ongoing != b.end() && ongoing->is_boolean() && ongoing->get<bool>()))
    a.ended = Int(b, "end");
  a.value = Num(b, "peak");
  a.limit = Num(b, "limit");
  a.unit = Str(b, "unit");
  json d = {{"hours", b.value("hours", json())},
            {"multiple", b.value("multiple", json())},
            {"peak_hour", b.value("peak_hour", json())},
            {"basis", b.value("basis", json())},
            {"compared", b.value("compared", json())}};
  a.detail = d.dump(-1, ' ', false, json::error_handler_t::replace);
  *out = std::move(a);
  return true;
}

// The anomalies of one quality day (body.factors.<code>.anomalies[]). Returns false
// when the row cannot be read at all; bad single anomalies are counted in *skipped.
bool FromQualityDay(const store::DerivedRow& r, const Sites& sites, const SyncOptions& o,
                    UnixSeconds now, std::vector<store::Alarm>* out, int64_t* skipped) {
  if (!r.scope.starts_with("site:")) return false;
  auto site = sites.by_code.find(r.scope.substr(5));
  json b = json::parse(r.body, nullptr, false);
  if (site == sites.by_code.end() || !b.is_object()) return false;
  auto factors = b.find("factors");
  if (factors == b.end() || !factors->is_object()) return true;  // a day without factors
  for (const auto& [factor, f] : factors->items()) {
    if (!f.is_object() || !f.contains("anomalies")) continue;
    const json& list = f["anomalies"];
    if (!list.is_array()) {
      ++*skipped;
      continue;
    }
    for (const json& x : list) {
      if (!x.is_object()) {
        ++*skipped;
        continue;
      }
      std::string kind = Str(x, "kind");
      // (plain integers, not optionals: GCC 12 warns maybe-uninitialized on these)
      const json js = x.value("start", json()), je = x.value("end", json());
      if (kind.empty() || !js.is_number_integer()) {
        ++*skipped;
        continue;
      }
      // Values flagged during declared maintenance are expected, not a problem.
      if (kind == "during_maintenance") continue;
      store::Alarm a = Base(*site->second, "anomaly");
      a.factor = factor;
      int64_t start = js.get<int64_t>();
      a.key =
          "anomaly:" + site->second->code + "/" + factor + ":" + kind + ":" + std::to_string(start);
      a.started = start;
      if (je.is_number_integer() && je.get<int64_t>() < now - o.anomaly_ongoing_seconds)
        a.ended = je.get<int64_t>();
      json d = {{"anomaly", kind},
                {"count", x.value("count", json())},
                {"text", x.value("detail", json())},
                {"last", je}};
      a.detail = d.dump(-1, ' ', false, json::error_handler_t::replace);
      out->push_back(std::move(a));
    }
  }
  return true;
}

void Offline(const SyncInput& in, const Sites& sites, const SyncOptions& o,
             std::vector<store::Alarm>* out) {
  std::map<std::string, std::vector<const store::Alarm*>> ongoing;  // by MN, newest last
  for (const auto& a : in.ongoing_offline) {
    auto d = json::parse(a.detail, nullptr, false);
    std::string mn = d.is_object() ? Str(d, "mn") : "";
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
    bool ok = false;
    try {
      ok = FromExceedance(r, sites, &a);
    } catch (const std::exception&) {  // nlohmann type errors on odd bodies
      ok = false;
    }
    if (ok) {
      out.alarms.push_back(std::move(a));
    } else {
      ++out.skipped;
      spdlog::warn("[alarm] exceedance row {} at {} skipped: unreadable", r.scope, r.time);
    }
  }
  for (const auto& r : in.quality_days) {
    bool ok = false;
    try {
      ok = FromQualityDay(r, sites, o, in.now, &out.alarms, &out.skipped);
    } catch (const std::exception&) {
      ok = false;
    }
    if (!ok) {
      ++out.skipped;
      spdlog::warn("[alarm] quality row {} at {} skipped: unreadable", r.scope, r.time);
    }
  }
  Offline(in, sites, o, &out.alarms);
  return out;
}

Result<SyncStats> SyncAlarms(store::Store& store, const std::vector<DeviceSeen>& devices,
                             UnixSeconds now, UnixSeconds started, const SyncOptions& o,
                             Metrics* metrics) {
  SyncInput in;
  in.now = now;
  in.started = started;
  in.devices = devices;
  auto sites = store.Sites();
  if (!sites.ok()) return sites.status();
  in.sites = std::move(*sites);
  auto exc =
      store.QueryDerived("exceedance", "", now - o.exceedance_days * kDay, now + kDay, 1'000'000);
  if (!exc.ok()) return exc.status();
  in.exceedances = std::move(*exc);
  UnixSeconds day = FloorBeijing(now, kDay);
  auto q = store.QueryDerived("quality_day", "site:*", day - (o.anomaly_days - 1) * kDay,
                              day + kDay, 1'000'000);
  if (!q.ok()) return q.status();
  in.quality_days = std::move(*q);
  store::AlarmFilter f;
  f.kind = "offline";
  f.ongoing_only = true;
  f.limit = 1'000'000;
  auto off = store.QueryAlarms(f);
  if (!off.ok()) return off.status();
  in.ongoing_offline = std::move(*off);

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
  return stats;
}

void AlarmSyncer::RunOnce() {
  std::lock_guard lock(run_mu_);
  auto r = SyncAlarms(store_, devices_(), WallSeconds(), started_, options_, metrics_);
  if (!r.ok()) {
    if (metrics_)
      metrics_->counter("ecohub_alarm_sync_failures_total", "Alarm sync passes that failed")->Add();
    spdlog::error("[alarm] sync failed: {}", r.status().ToString());
  } else if (r->written || r->skipped) {
    spdlog::info("[alarm] {} alarms raised or updated ({} current, {} rows skipped)", r->written,
                 r->built, r->skipped);
  }
}

void AlarmSyncer::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (cv_.wait_for(lock, std::chrono::seconds(options_.interval_seconds),
                       [this] { return stop_; }))
        break;
      lock.unlock();
      RunOnce();
      lock.lock();
    }
  });
}

void AlarmSyncer::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ecohub::alarm
