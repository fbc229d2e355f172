#include "store/store_keys.h"

namespace ecohub::store {

void StoreKeys::Use(std::shared_ptr<const crypto::KeyRing> keys) {
  std::lock_guard lock(mu_);
  keys_ = std::move(keys);
}

Result<std::shared_ptr<const crypto::KeyRing>> StoreKeys::Get() {
  std::lock_guard lock(mu_);
  if (!keys_) {
    auto found = crypto::KeyRing::Resolve("", default_file_, /*create=*/false);
    if (!found.ok()) return found.status();
    keys_ = std::make_shared<const crypto::KeyRing>(std::move(found).value());
  }
  return keys_;
}

}  // namespace ecohub::store
