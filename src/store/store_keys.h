// StoreKeys: the keys a store's modules sign (the audit chain) and seal (device
// passwords) with. Keys live outside the database (crypto/keyring.h), so every
// backend finds them the same way: those handed over by UseAuditKeys, or else found
// once, at first use, where every process of the deployment finds them (ECOHUB_KEYS,
// else the default file: <data>/keys); an empty ring when there are none.
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "crypto/keyring.h"
#include "registry/types.h"

namespace ecohub::store {

class StoreKeys {
 public:
  explicit StoreKeys(std::string default_file) : default_file_(std::move(default_file)) {}
  void Use(std::shared_ptr<const crypto::KeyRing> keys);
  Result<std::shared_ptr<const crypto::KeyRing>> Get();

  // A device password as stored: sealed (SM4, crypto/sealer.h) when there are keys,
  // as it is otherwise.
  Result<std::string> SealPassword(const std::string& password);
  // Opens a stored password of `d` in place; a sealed one needs the key that sealed
  // it (kPermissionDenied without keys).
  Status OpenPassword(registry::Device* d);

 private:
  std::mutex mu_;
  std::string default_file_;
  std::shared_ptr<const crypto::KeyRing> keys_;  // null until set or found
};

}  // namespace ecohub::store
