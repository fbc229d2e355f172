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

namespace ecohub::store {

class StoreKeys {
 public:
  explicit StoreKeys(std::string default_file) : default_file_(std::move(default_file)) {}
  void Use(std::shared_ptr<const crypto::KeyRing> keys);
  Result<std::shared_ptr<const crypto::KeyRing>> Get();

 private:
  std::mutex mu_;
  std::string default_file_;
  std::shared_ptr<const crypto::KeyRing> keys_;  // null until set or found
};

}  // namespace ecohub::store
