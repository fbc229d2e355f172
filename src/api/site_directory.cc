#include "api/site_directory.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ecohub::api {
namespace {

// How long a snapshot serves before the next Get reloads it: changes made outside
// the API (the demo seeder, another process) show within this time.
constexpr double kSnapshotSeconds = 5;

// The first row whose `key` equals `value`; nullptr when none does.
template <class Row, class Key, class Value>
const Row* FindBy(const std::vector<Row>& rows, Key Row::*key, const Value& value) {
  auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.*key == value; });
  return it == rows.end() ? nullptr : &*it;
}

}  // namespace

const store::Site* SiteDirectory::Snapshot::Site(int64_t id) const {
  auto it = std::lower_bound(sites.begin(), sites.end(), id,
                             [](const store::Site& s, int64_t v) { return s.id < v; });
  return it != sites.end() && it->id == id ? &*it : nullptr;
}
const store::Site* SiteDirectory::Snapshot::SiteByCode(std::string_view code) const {
  return FindBy(sites, &store::Site::code, code);
}
const store::District* SiteDirectory::Snapshot::DistrictByCode(std::string_view code) const {
  return FindBy(districts, &store::District::code, code);
}
const store::District* SiteDirectory::Snapshot::DistrictById(int64_t id) const {
  return FindBy(districts, &store::District::id, id);
}
const store::Enterprise* SiteDirectory::Snapshot::EnterpriseById(int64_t id) const {
  return FindBy(enterprises, &store::Enterprise::id, id);
}
const store::Device* SiteDirectory::Snapshot::DeviceByMn(std::string_view mn) const {
  return FindBy(devices, &store::Device::mn, mn);
}
std::vector<std::string> SiteDirectory::Snapshot::MnsOf(int64_t site_id) const {
  std::vector<std::string> out;
  for (const auto& d : devices)
    if (d.site_id == site_id) out.push_back(d.mn);
  return out;
}

std::shared_ptr<const SiteDirectory::Snapshot> SiteDirectory::Get() {
  double now = clock_.SteadySeconds();
  std::lock_guard lock(mu_);
  if (snap_ && now - loaded_at_ < kSnapshotSeconds) return snap_;
  auto s = std::make_shared<Snapshot>();
  auto d = store_->Districts();
  auto e = store_->Enterprises();
  auto si = store_->Sites();
  auto dv = store_->Devices();
  if (!d.ok() || !e.ok() || !si.ok() || !dv.ok()) {
    spdlog::error("registry reload failed; serving the previous snapshot");
    if (snap_) return snap_;
  } else {
    s->districts = std::move(*d);
    s->enterprises = std::move(*e);
    s->sites = std::move(*si);
    s->devices = std::move(*dv);
    std::sort(s->sites.begin(), s->sites.end(),
              [](const store::Site& a, const store::Site& b) { return a.id < b.id; });
  }
  snap_ = std::move(s);
  loaded_at_ = now;
  return snap_;
}

void SiteDirectory::Invalidate() {
  std::lock_guard lock(mu_);
  snap_.reset();
}

}  // namespace ecohub::api
