#include "samples/record.h"

#include <algorithm>
#include <random>
#include <set>

namespace ecohub::samples {
namespace {

// The manual device never logs in (it is disabled); its password only fills the field.
std::string RandomPassword() {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 32; ++i) out += "0123456789abcdef"[rd() % 16];
  return out;
}

}  // namespace

Result<RecordOutcome> RecordSamples(store::Store& store, SampleStore& samples,
                                    const registry::Snapshot& snap, std::vector<Sample> in,
                                    const std::string& by, UnixSeconds now, bool dry_run,
                                    const std::function<bool(const registry::Site&)>& may_write) {
  RecordOutcome out;
  std::set<std::string> need_device;
  out.first = INT64_MAX;
  out.last = INT64_MIN;
  for (size_t i = 0; i < in.size(); ++i) {
    Sample& s = in[i];
    const registry::Site* site = snap.SiteByCode(s.site_code);
    if (!site) {
      out.errors.push_back({i, "site", "no site with the code \"" + s.site_code + "\""});
      continue;
    }
    if (may_write && !may_write(*site)) {
      out.errors.push_back(
          {i, "site", "samples of site " + s.site_code + " are not yours to enter"});
      continue;
    }
    s.site_id = site->id;
    s.entered_by = by;
    s.entered_at = now;
    if (Status v = Validate(s, now); !v.ok()) {
      out.errors.push_back({i, "sample", v.message()});
      continue;
    }
    out.values += s.values.size();
    out.first = std::min(out.first, s.sampled_at);
    out.last = std::max(out.last, s.sampled_at);
    std::string mn = registry::ManualMn(s.site_code);
    if (!snap.DeviceByMn(mn)) need_device.insert(mn);
  }
  if (in.empty()) out.first = out.last = 0;
  if (in.empty()) out.errors.push_back({0, "samples", "there is no sample"});
  if (!out.errors.empty() || dry_run) return out;
  out.devices_created.assign(need_device.begin(), need_device.end());
  for (const std::string& mn : out.devices_created) {
    registry::Device d;
    d.mn = mn;
    d.site_id = snap.SiteByCode(mn.substr(std::string_view("manual:").size()))->id;
    d.password = RandomPassword();
    d.enabled = false;  // the gateway refuses it, no offline alarm
    if (Status s = store.PutDevice(d); !s.ok()) return s;
  }
  auto ids = samples.Add(in);
  if (!ids.ok()) return ids.status();
  store::Batch batch;
  for (const Sample& s : in)
    for (Reading& r : ToReadings(s)) batch.readings.push_back(std::move(r));
  const store::Batch* one = &batch;
  if (Status s = store.Append(std::span<const store::Batch* const>(&one, 1)); !s.ok()) {
    // Nothing half-written: the record goes when its values could not be stored.
    if (Status back = samples.Remove(*ids); !back.ok()) return back;
    return s;
  }
  out.ids = std::move(*ids);
  return out;
}

}  // namespace ecohub::samples
