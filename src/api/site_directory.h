// SiteDirectory: the registry (districts, enterprises, sites, devices) as the API
// reads it: the current snapshot of a registry::Registry, the same one the gateway,
// the deriver and the latest-value cache read (registry/snapshot.h).
//
// A snapshot, once handed out, never changes: callers keep the shared_ptr for as
// long as they read it. After a change through the API, Invalidate() has the
// registry read from the store again, so the change shows in the next Get.
//
// Thread-safe.
#pragma once

#include <functional>
#include <memory>

#include "core/status.h"
#include "registry/snapshot.h"
#include "store/store.h"

namespace ecohub::api {

class SiteDirectory {
 public:
  using Snapshot = registry::Snapshot;

  // Reads `registry`, which its owner keeps published; `reload` reads the store into
  // it again. Both must outlive the directory.
  SiteDirectory(const registry::Registry& registry, std::function<Status()> reload)
      : registry_(&registry), reload_(std::move(reload)) {}
  // A directory with a registry of its own, read from `store` now and at every
  // Invalidate (tests and tools that run no server). `store` must outlive it.
  explicit SiteDirectory(store::Store* store);

  std::shared_ptr<const Snapshot> Get() const { return registry_->Current(); }
  // Reads the store again; on failure the current snapshot stays (and the failure is
  // logged).
  void Invalidate();

 private:
  std::unique_ptr<registry::Registry> own_;  // only for the store-only constructor
  const registry::Registry* registry_;
  std::function<Status()> reload_;
};

}  // namespace ecohub::api
