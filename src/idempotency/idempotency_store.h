// IdempotencyStore: the answers of requests sent with an `Idempotency-Key` header, so
// that a client which retries a POST (its node died, the network cut the answer) gets
// the first answer again instead of a second complaint, key or command. The API's
// guard uses it (api.h); this is only the record, behind one small interface with a
// contract suite (idempotency_test.cc) that every backend runs. The SQLite backend
// keeps its own file, idempotency.db; PostgreSQL shares it between the nodes.
//
// A record is begun before the request runs and finished with its answer; records
// live a day (Purge). Thread-safety: every method may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "core/time.h"

namespace ecohub::idempotency {

// An answer kept for replay.
struct KeptAnswer {
  int status = 0;
  std::string content_type, body;
  std::string headers = "[]";  // JSON [[name, value], ...] of the headers worth replaying
  bool operator==(const KeptAnswer&) const = default;
};

// What Begin found.
struct Claim {
  enum Kind {
    kNew,       // recorded now: run the request, then Finish (or Forget)
    kDone,      // the first request's answer, in `answer`
    kRunning,   // the first request has not finished; it began at `began`
    kMismatch,  // the key was used for another request (another fingerprint)
  } kind = kNew;
  KeptAnswer answer;
  UnixSeconds began = 0;
};

// A stored record, and what it means to a Begin with `fingerprint` (the backends
// share this).
struct Record {
  std::string fingerprint;
  UnixSeconds began = 0;
  bool done = false;
  KeptAnswer answer;
};
Claim ClaimOf(const Record& stored, const std::string& fingerprint);

class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;
  // Records (scope, key) for a request with `fingerprint` begun at `now`, or tells
  // what is recorded already. Atomic: of two racing Begins one gets kNew.
  virtual Result<Claim> Begin(const std::string& scope, const std::string& key,
                              const std::string& fingerprint, UnixSeconds now) = 0;
  // The answer of a request Begin gave kNew.
  virtual Status Finish(const std::string& scope, const std::string& key,
                        const KeptAnswer& answer) = 0;
  // Forgets a record Begin gave kNew whose request may be sent again with the same key
  // (its answer was not kept: a server error, a streamed body).
  virtual Status Forget(const std::string& scope, const std::string& key) = 0;
  // Deletes the records begun before `before`; returns how many.
  virtual Result<int64_t> Purge(UnixSeconds before) = 0;
};

// Opens or creates `data_dir`/idempotency.db.
Result<std::unique_ptr<IdempotencyStore>> OpenSqliteIdempotencyStore(const std::string& data_dir);
// The table in the PostgreSQL database at `url`.
Result<std::unique_ptr<IdempotencyStore>> OpenPostgresIdempotencyStore(const std::string& url);
// The SQLite file without a URL, PostgreSQL with one (as the other modules' stores).
Result<std::unique_ptr<IdempotencyStore>> OpenIdempotencyStore(const std::string& store_url,
                                                               const std::string& data_dir);

}  // namespace ecohub::idempotency
