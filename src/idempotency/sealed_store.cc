#include "idempotency/sealed_store.h"

#include "crypto/sealer.h"

namespace ecohub::idempotency {
namespace {

class SealedStore final : public IdempotencyStore {
 public:
  SealedStore(std::unique_ptr<IdempotencyStore> inner, std::shared_ptr<const crypto::KeyRing> keys)
      : inner_(std::move(inner)), sealer_(std::move(keys)) {}

  Result<Claim> Begin(const std::string& scope, const std::string& key,
                      const std::string& fingerprint, UnixSeconds now) override {
    auto claim = inner_->Begin(scope, key, fingerprint, now);
    if (!claim.ok() || claim->kind != Claim::kDone) return claim;
    auto body = sealer_.Open(claim->answer.body);
    if (!body.ok()) return body.status();
    claim->answer.body = std::move(*body);
    return claim;
  }

  Status Finish(const std::string& scope, const std::string& key,
                const KeptAnswer& answer) override {
    auto sealed = sealer_.Seal(answer.body);
    if (!sealed.ok()) return sealed.status();
    KeptAnswer kept = answer;
    kept.body = std::move(*sealed);
    return inner_->Finish(scope, key, kept);
  }

  Status Forget(const std::string& scope, const std::string& key) override {
    return inner_->Forget(scope, key);
  }
  Result<int64_t> Purge(UnixSeconds before) override { return inner_->Purge(before); }

 private:
  std::unique_ptr<IdempotencyStore> inner_;
  crypto::Sealer sealer_;
};

}  // namespace

std::unique_ptr<IdempotencyStore> Sealed(std::unique_ptr<IdempotencyStore> inner,
                                         std::shared_ptr<const crypto::KeyRing> keys) {
  return std::make_unique<SealedStore>(std::move(inner), std::move(keys));
}

}  // namespace ecohub::idempotency
