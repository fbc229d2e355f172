#include "store/registry_store.h"

namespace ecohub::store {

Status PublishRegistry(RegistryStore& from, registry::Registry& to) {
  auto districts = from.Districts();
  if (!districts.ok()) return districts.status();
  auto enterprises = from.Enterprises();
  if (!enterprises.ok()) return enterprises.status();
  auto sites = from.Sites();
  if (!sites.ok()) return sites.status();
  auto devices = from.Devices();
  if (!devices.ok()) return devices.status();
  auto now = to.Current();
  if (*districts == now->districts && *enterprises == now->enterprises && *sites == now->sites &&
      *devices == now->devices && now->version() > 0)
    return Status::Ok();  // nothing changed: readers keep their snapshot and version
  to.Publish(std::move(*districts), std::move(*enterprises), std::move(*sites),
             std::move(*devices));
  return Status::Ok();
}

}  // namespace ecohub::store
