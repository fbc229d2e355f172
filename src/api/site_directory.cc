#include "api/site_directory.h"

#include <spdlog/spdlog.h>

namespace ecohub::api {

SiteDirectory::SiteDirectory(store::Store* store)
    : own_(std::make_unique<registry::Registry>()), registry_(own_.get()) {
  reload_ = [store, r = own_.get()] { return store::PublishRegistry(*store, *r); };
  Invalidate();
}

void SiteDirectory::Invalidate() {
  if (!reload_) return;
  if (Status s = reload_(); !s.ok())
    spdlog::error("registry reload failed; serving the previous snapshot: {}", s.ToString());
}

}  // namespace ecohub::api
