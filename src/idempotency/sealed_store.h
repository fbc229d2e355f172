// The answers kept sealed. A kept answer may hold a secret that is shown once (a new
// API key's secret, a login's token) and that the accounts store itself keeps only as
// a hash: in the idempotency record it is sealed with SM4 under the deployment's keys
// (crypto/sealer.h), never in clear. The decorator seals on Finish and opens on Begin.
#pragma once

#include <memory>

#include "crypto/keyring.h"
#include "idempotency/idempotency_store.h"

namespace ecohub::idempotency {

std::unique_ptr<IdempotencyStore> Sealed(std::unique_ptr<IdempotencyStore> inner,
                                         std::shared_ptr<const crypto::KeyRing> keys);

}  // namespace ecohub::idempotency
