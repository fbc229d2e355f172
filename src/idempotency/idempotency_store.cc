#include "idempotency/idempotency_store.h"

namespace ecohub::idempotency {

Claim ClaimOf(const Record& stored, const std::string& fingerprint) {
  Claim c;
  c.began = stored.began;
  if (stored.fingerprint != fingerprint) {
    c.kind = Claim::kMismatch;
  } else if (!stored.done) {
    c.kind = Claim::kRunning;
  } else {
    c.kind = Claim::kDone;
    c.answer = stored.answer;
  }
  return c;
}

Result<std::unique_ptr<IdempotencyStore>> OpenIdempotencyStore(const std::string& store_url,
                                                               const std::string& data_dir) {
  return store_url.empty() ? OpenSqliteIdempotencyStore(data_dir)
                           : OpenPostgresIdempotencyStore(store_url);
}

}  // namespace ecohub::idempotency
