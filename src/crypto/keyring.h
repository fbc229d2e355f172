// KeyRing: EcoHub's master keys, kept outside the database (GB/T 39786: keys apart
// from the data they protect). Each key is 32 random bytes with an id; the newest
// (the last) seals and signs, all of them open and verify, so rotating adds a key
// and keeps the old ones for what they protected.
//
// Sources:
//   key file   lines `key_id hex` (64 hex digits), '#' comments; the file must be
//              readable by its owner only (mode 0600 or 0400) or it is refused.
//              Ids are [A-Za-z0-9_.-]{1,32}; rotation names them k1, k2, ...
//   ECOHUB_KEYS  the same entries as `id:hex`, separated by commas, for deployments
//              that hand secrets through the environment.
// Keys are never written to the database, logs or audit rows; only their ids are.
//
// A KeyRing is an immutable value once loaded: share it as shared_ptr<const KeyRing>
// between threads. A running server sees a rotation at its next start.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ecohub::crypto {

inline constexpr size_t kMasterKeyBytes = 32;
inline constexpr const char* kKeysEnv = "ECOHUB_KEYS";

struct Key {
  std::string id;
  std::string bytes;  // kMasterKeyBytes raw bytes
};

class KeyRing {
 public:
  KeyRing() = default;

  // Lines, each `id hex` or `id:hex` (ECOHUB_KEYS's commas are newlines here). kInvalidInput
  // naming `origin` and the entry on a bad id, bad hex, wrong length or a repeated id.
  static Result<KeyRing> Parse(std::string_view text, const std::string& origin);
  // A key file (format above). kNotFound when missing; kPermissionDenied when group or
  // others may read or write it (the message says how to fix it).
  static Result<KeyRing> LoadFile(const std::string& path);
  // Creates `path` (mode 0600, refusing to overwrite: kConflict) with one fresh key k1.
  static Status CreateFile(const std::string& path);
  // Appends a fresh key to the key file at `path` (checked as LoadFile does) and
  // returns its id; the file is synced before returning.
  static Result<std::string> RotateFile(const std::string& path);

  // Where a process finds its keys: `file` when given (created with one key when
  // missing and `create`), else ECOHUB_KEYS when set, else `default_file` (created
  // likewise when missing and `create`; otherwise a missing default is an empty ring).
  static Result<KeyRing> Resolve(const std::string& file, const std::string& default_file,
                                 bool create);

  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }
  // The key that seals and signs now. Precondition: !empty().
  const Key& newest() const { return keys_.back(); }
  // The key with `id`, or null.
  const Key* Find(std::string_view id) const;
  // Where the keys came from ("key file /x/keys", "ECOHUB_KEYS", "none"), for logs.
  const std::string& origin() const { return origin_; }
  // True when Resolve created the key file just now.
  bool created() const { return created_; }

 private:
  std::vector<Key> keys_;
  std::string origin_ = "none";
  bool created_ = false;
};

}  // namespace ecohub::crypto
