// The audit log's chain, its anchors outside the store, and how the whole log is
// checked (GB/T 22239 level 3, "security audit": records protected against change,
// deletion and overwriting).
//
// A row's hash covers, each length-prefixed so no two rows serialise alike
// (`<byte length>:<bytes>;`): id, time, actor, action, object, detail, prev_hash and,
// for a keyed row, key_id. Rows written before keying hold SHA-256 of those fields
// (AuditHash); keyed rows hold HMAC-SM3 under a subkey of key `key_id` (AuditMac), so
// a chain re-hashed by someone without the key fails. A chain may begin with SHA-256
// rows (written by older versions or with no key) and continue keyed; never the
// other way round, so turning keyed rows back into SHA-256 ones is caught.
//
// Anchors: a chain, keyed or not, cannot show that rows were cut from its end. The
// server therefore writes the head (seq, hash, time) now and then, and at a clean
// stop, to an append-only file outside the store (AuditAnchorLog; default
// `<data>/audit-anchors.log`, better on other storage), each line signed with
// HMAC-SM3. VerifyAuditChain then requires every anchored row to be present and
// unchanged: rows cut after an anchor are found; only rows newer than the last
// anchor can go unnoticed.
//
// Anchor line (text, one per anchor):
//   <seq> <hash> <time ms> <keyed_from> <key id> <hmac hex>\n
// where hmac = HMAC-SM3(subkey of key id, "<seq> <hash> <time ms> <keyed_from> <key id>").
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "crypto/keyring.h"
#include "store/store.h"

namespace ecohub::store {

inline constexpr const char* kAuditGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr const char* kAuditAnchorFile = "audit-anchors.log";  // under the data dir

// Lowercase hex SHA-256 of the entry's fields and prev_hash (the pre-keying form;
// entry.hash and entry.key_id are ignored).
std::string AuditHash(const AuditEntry& entry);
// Lowercase hex HMAC-SM3 of the fields, prev_hash and entry.key_id under `key`
// (whose id must be entry.key_id).
Result<std::string> AuditMac(const AuditEntry& entry, const crypto::Key& key);

// Links `entry` (id, time, prev_hash set) after `head`: signs it with the newest of
// `keys`, or hashes it with SHA-256 when `keys` is empty. kPermissionDenied when the
// chain is keyed and `keys` is empty or lacks the key of the head, so a process
// without the right key cannot extend (and weaken) it.
Status SealAuditEntry(const AuditEntry& head, const crypto::KeyRing& keys, AuditEntry* entry);

// Whether a copied `entry` continues the chain after `head` (AuditStore::CopyAudits):
// its id one more and its prev_hash the head's hash; kConflict naming the row if not.
Status CheckAuditLink(const AuditEntry& head, const AuditEntry& entry);

struct AuditAnchor {
  int64_t seq = 0;  // an audit row id
  std::string hash;
  UnixMillis time = 0;
  int64_t keyed_from = 0;
  std::string key_id;
};

// The append-only anchor file. Thread-safe (one writer at a time).
class AuditAnchorLog {
 public:
  // `keys` must not be empty: anchors are signed.
  AuditAnchorLog(std::string path, std::shared_ptr<const crypto::KeyRing> keys)
      : path_(std::move(path)), keys_(std::move(keys)) {}

  // Appends the head of `store`'s chain (created 0600 when missing, synced), unless
  // it is the head this log last wrote or the chain is empty. Returns the seq anchored.
  Result<int64_t> Anchor(AuditStore& store, UnixMillis now);

  // Every anchor of the file at `path`, each line's signature checked. An empty list
  // when the file does not exist; kCorruption naming the line when one was altered,
  // forged or signed with a key not in `keys`.
  static Result<std::vector<AuditAnchor>> Read(const std::string& path,
                                               const crypto::KeyRing& keys);

 private:
  const std::string path_;
  const std::shared_ptr<const crypto::KeyRing> keys_;
  std::mutex mu_;
  int64_t last_seq_ = -1;  // guarded by mu_
};

struct AuditCheck {
  bool ok = true;
  int64_t rows = 0;
  int64_t first_broken_id = 0;  // 0 when ok
  std::string reason;           // why that row is broken
  std::string head;             // hash of the last row (genesis when empty)
  int64_t keyed_from = 0;       // first keyed row; 0 when none
  int64_t anchors = 0;          // anchors checked
};

struct AuditVerifyOptions {
  const crypto::KeyRing* keys = nullptr;  // needed when the chain has keyed rows
  std::vector<AuditAnchor> anchors;       // AuditAnchorLog::Read
};

// Walks the log in id order: ids consecutive from 1, each prev_hash equal to the
// previous row's hash, SHA-256 rows only before keyed ones, each hash equal to
// AuditHash or AuditMac of the row, each anchored row unchanged, and no anchored row
// missing (a cut tail is reported at the first missing id). Stops at the first
// broken row. An error when the store cannot be read, or kPermissionDenied when
// keyed rows (or anchors) are met without `keys`.
Result<AuditCheck> VerifyAuditChain(Store& store, const AuditVerifyOptions& options = {});

}  // namespace ecohub::store
