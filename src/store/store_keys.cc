#include "store/store_keys.h"

#include "crypto/sealer.h"

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

Result<std::string> StoreKeys::SealPassword(const std::string& password) {
  auto keys = Get();
  if (!keys.ok()) return keys.status();
  if ((*keys)->empty()) return password;
  return crypto::Sealer(*keys).Seal(password);
}

Status StoreKeys::OpenPassword(registry::Device* d) {
  if (!crypto::Sealer::IsSealed(d->password)) return Status::Ok();
  auto keys = Get();
  if (!keys.ok()) return keys.status();
  if ((*keys)->empty())
    return Status(Code::kPermissionDenied, "device " + d->mn +
                                               ": its password is sealed and no key is at hand "
                                               "(--key-file, ECOHUB_KEYS or <data>/keys)");
  auto opened = crypto::Sealer(*keys).Open(d->password);
  if (!opened.ok())
    return Status(opened.status().code(), "device " + d->mn + ": " + opened.status().message());
  d->password = std::move(*opened);
  return Status::Ok();
}

}  // namespace ecohub::store
