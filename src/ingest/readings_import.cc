#include "ingest/readings_import.h"

#include <algorithm>
#include <map>
#include <random>
#include <unordered_map>

namespace ecohub::ingest {
namespace {

// A series of the store: one device's factor at one period.
struct SeriesKey {
  std::string mn, factor;
  Period period;
  auto operator<=>(const SeriesKey&) const = default;
};

// The device a site's values are kept under, or "" when it has none. Never its
// manual device (registry::ManualMn): manual samples stay apart.
std::string ReportingMn(const registry::Snapshot& snap, int64_t site_id) {
  std::vector<std::string> mns = snap.MnsOf(site_id);
  std::erase_if(mns, [](const std::string& mn) { return registry::IsManualMn(mn); });
  for (const auto& mn : mns)
    if (const auto* d = snap.DeviceByMn(mn); d && d->enabled) return mn;
  return mns.empty() ? "" : mns.front();
}

std::string RandomPassword() {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 32; ++i) out += "0123456789abcdef"[rd() % 16];
  return out;
}

}  // namespace

std::string ImportMn(std::string_view site_code) { return "import:" + std::string(site_code); }

Result<ImportResult> ImportValues(store::Store& store, const registry::Snapshot& snap,
                                  FileValues file, const ImportScope& scope, bool dry_run,
                                  const std::function<void(size_t, size_t)>& progress) {
  ImportResult r;
  r.rows = file.rows;
  r.missing = file.missing;
  r.skipped = file.skipped;
  r.errors = std::move(file.errors);
  // The registry: every value's site, and the device it is kept under.
  std::unordered_map<std::string, std::string> mn_of;  // site code -> MN
  std::set<std::string> unknown;
  std::vector<std::string> mns(file.values.size());
  for (size_t i = 0; i < file.values.size(); ++i) {
    const FileValue& v = file.values[i];
    if (!scope.sites.empty() && !scope.sites.count(v.site)) {
      r.errors.push_back({v.row, "site", "site " + v.site + " is outside this key's scope"});
      continue;
    }
    if (!scope.factors.empty() && !scope.factors.count(v.factor)) {
      r.errors.push_back({v.row, "factor", "factor " + v.factor + " is outside this key's scope"});
      continue;
    }
    auto it = mn_of.find(v.site);
    if (it == mn_of.end()) {
      const registry::Site* site = snap.SiteByCode(v.site);
      if (!site) {
        r.errors.push_back({v.row, "site", "no site with the code \"" + v.site + "\""});
        continue;
      }
      std::string mn = ReportingMn(snap, site->id);
      if (mn.empty()) {
        mn = ImportMn(v.site);
        r.devices_created.push_back(mn);
      }
      it = mn_of.emplace(v.site, mn).first;
    }
    mns[i] = it->second;
    r.sites.insert(v.site);
  }
  std::stable_sort(r.errors.begin(), r.errors.end(),
                   [](const RowError& a, const RowError& b) { return a.row < b.row; });
  if (!r.errors.empty()) {
    r.sites.clear();
    return r;
  }
  r.values = static_cast<int64_t>(file.values.size());
  // What the store holds for each series over the file's span of it.
  std::map<SeriesKey, std::pair<UnixSeconds, UnixSeconds>> spans;
  r.first = INT64_MAX;
  r.last = INT64_MIN;
  for (size_t i = 0; i < file.values.size(); ++i) {
    const FileValue& v = file.values[i];
    auto [it, fresh] = spans.try_emplace(SeriesKey{mns[i], v.factor, v.period}, v.time, v.time);
    it->second.first = std::min(it->second.first, v.time);
    it->second.second = std::max(it->second.second, v.time);
    r.first = std::min(r.first, v.time);
    if (v.time >= r.last) {
      r.last = v.time;
      r.last_end = std::max(r.last_end, v.time + (v.period == Period::kMinute ? 60
                                                  : v.period == Period::kHour ? 3600
                                                                              : 86400));
    }
  }
  if (file.values.empty()) r.first = r.last = 0;
  std::map<SeriesKey, std::unordered_map<UnixSeconds, std::pair<std::string, char>>> stored;
  size_t done = 0;
  for (const auto& [key, span] : spans) {
    auto got = store.Range(key.mn, key.period, key.factor, "Avg", span.first, span.second + 1);
    if (!got.ok()) return got.status();
    auto& into = stored[key];
    for (const Reading& x : *got) into[x.time] = {x.value, x.flag};
    if (progress) progress(++done, spans.size());
  }
  store::Batch batch;
  for (size_t i = 0; i < file.values.size(); ++i) {
    FileValue& v = file.values[i];
    const auto& have = stored[SeriesKey{mns[i], v.factor, v.period}];
    auto it = have.find(v.time);
    if (it != have.end() && it->second.first == v.value && it->second.second == v.flag) {
      ++r.unchanged;
      continue;
    }
    ++(it == have.end() ? r.created : r.replaced);
    batch.readings.push_back(
        {mns[i], v.period, v.time, v.factor, "Avg", std::move(v.value), v.flag});
    r.written_rows.push_back(v.row);
  }
  if (dry_run || batch.readings.empty()) {
    r.written_rows.clear();
    return r;
  }
  for (const std::string& mn : r.devices_created) {
    registry::Device d;
    d.mn = mn;
    d.site_id = snap.SiteByCode(mn.substr(std::string_view("import:").size()))->id;
    d.password = RandomPassword();
    d.enabled = false;
    if (Status s = store.PutDevice(d); !s.ok()) return s;
  }
  const store::Batch* one = &batch;
  if (Status s = store.Append(std::span<const store::Batch* const>(&one, 1)); !s.ok()) return s;
  r.committed = true;
  r.written = std::move(batch);
  return r;
}

}  // namespace ecohub::ingest
