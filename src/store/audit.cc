#include "store/audit.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crypto/sm.h"

namespace ecohub::store {
namespace {

void Field(std::string* out, std::string_view v) {
  *out += std::to_string(v.size());
  out->push_back(':');
  out->append(v);
  out->push_back(';');
}

std::string Serialise(const AuditEntry& e, bool keyed) {
  std::string msg;
  Field(&msg, std::to_string(e.id));
  Field(&msg, std::to_string(e.time));
  Field(&msg, e.actor);
  Field(&msg, e.action);
  Field(&msg, e.object);
  Field(&msg, e.detail);
  Field(&msg, e.prev_hash);
  if (keyed) Field(&msg, e.key_id);
  return msg;
}

// One subkey per use of a master key (crypto/sm.h: DeriveKey).
constexpr std::string_view kChainLabel = "ecohub audit chain";
constexpr std::string_view kAnchorLabel = "ecohub audit anchor";

Result<std::string> HexMac(const crypto::Key& key, std::string_view label, std::string_view msg) {
  auto sub = crypto::DeriveKey(key.bytes, label);
  if (!sub.ok()) return sub.status();
  auto mac = crypto::HmacSm3(*sub, msg);
  if (!mac.ok()) return mac.status();
  return crypto::ToHex(*mac);
}

std::string AnchorBody(const AuditAnchor& a) {
  return std::to_string(a.seq) + " " + a.hash + " " + std::to_string(a.time) + " " +
         std::to_string(a.keyed_from) + " " + a.key_id;
}

Status NoKey(std::string_view what) {
  return Status(Code::kPermissionDenied,
                std::string(what) +
                    ": the audit chain is keyed, and no key is loaded (--key-file, ECOHUB_KEYS "
                    "or <data>/keys)");
}

}  // namespace

std::string AuditHash(const AuditEntry& e) {
  std::string msg = Serialise(e, /*keyed=*/false);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(msg.data(), msg.size(), digest, &n, EVP_sha256(), nullptr);
  return crypto::ToHex(std::string_view(reinterpret_cast<char*>(digest), n));
}

Result<std::string> AuditMac(const AuditEntry& e, const crypto::Key& key) {
  return HexMac(key, kChainLabel, Serialise(e, /*keyed=*/true));
}

Status CheckAuditLink(const AuditEntry& head, const AuditEntry& e) {
  if (e.id == head.id + 1 && e.prev_hash == head.hash) return Status::Ok();
  return Status(Code::kConflict, "audit row " + std::to_string(e.id) +
                                     " does not continue the chain after row " +
                                     std::to_string(head.id));
}

Status SealAuditEntry(const AuditEntry& head, const crypto::KeyRing& keys, AuditEntry* e) {
  if (!head.key_id.empty()) {
    if (keys.empty()) return NoKey("audit append");
    if (!keys.Find(head.key_id))
      return Status(Code::kPermissionDenied,
                    "audit append: the chain's last row is signed with key '" + head.key_id +
                        "', which is not in the key ring of " + keys.origin());
  }
  if (keys.empty()) {
    e->key_id.clear();
    e->hash = AuditHash(*e);
    return Status::Ok();
  }
  e->key_id = keys.newest().id;
  auto mac = AuditMac(*e, keys.newest());
  if (!mac.ok()) return mac.status();
  e->hash = std::move(mac).value();
  return Status::Ok();
}

Result<int64_t> AuditAnchorLog::Anchor(AuditStore& store, UnixMillis now) {
  std::lock_guard lock(mu_);
  auto head = store.ReadAuditHead();
  if (!head.ok()) return head.status();
  const AuditEntry& last = head->last;
  if (last.id == 0 || last.id == last_seq_) return last.id;
  const crypto::Key& key = keys_->newest();
  AuditAnchor a{last.id, last.hash, now, head->keyed_from, key.id};
  std::string body = AnchorBody(a);
  auto mac = HexMac(key, kAnchorLabel, body);
  if (!mac.ok()) return mac.status();
  std::string line = body + " " + *mac + "\n";
  int fd = open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("audit anchors " + path_ + ": " + std::strerror(errno));
  // One short write with O_APPEND: a line is never interleaved with another's.
  bool written = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  bool synced = written && fsync(fd) == 0;
  close(fd);
  if (!synced) return Status::IoError("audit anchors " + path_ + ": " + std::strerror(errno));
  last_seq_ = last.id;
  return last.id;
}

Result<std::vector<AuditAnchor>> AuditAnchorLog::Read(const std::string& path,
                                                      const crypto::KeyRing& keys) {
  std::vector<AuditAnchor> out;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return out;
    return Status::IoError("audit anchors " + path + ": " + std::strerror(errno));
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A line cut short by a crash while appending is no anchor; all complete ones are.
  text.resize(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  std::istringstream lines(text);
  std::string line;
  for (int n = 1; std::getline(lines, line); ++n) {
    auto bad = [&](const std::string& why) {
      return Status::Corruption("audit anchors " + path + " line " + std::to_string(n) + ": " +
                                why);
    };
    AuditAnchor a;
    std::string mac, rest;
    std::istringstream f(line);
    if (!(f >> a.seq >> a.hash >> a.time >> a.keyed_from >> a.key_id >> mac) || (f >> rest))
      return bad("not an anchor line");
    const crypto::Key* key = keys.Find(a.key_id);
    if (!key) return bad("signed with key '" + a.key_id + "', which is not in the key ring");
    auto want = HexMac(*key, kAnchorLabel, AnchorBody(a));
    if (!want.ok()) return want.status();
    if (!crypto::ConstantTimeEqual(*want, mac)) return bad("signature does not match (altered)");
    out.push_back(std::move(a));
  }
  return out;
}

namespace {

// The checks of one row against the chain so far; "" when it holds.
class ChainWalk {
 public:
  ChainWalk(const AuditVerifyOptions& o, AuditCheck* c)
      : keys_(o.keys), anchors_(o.anchors), c_(*c) {
    std::stable_sort(anchors_.begin(), anchors_.end(),
                     [](const AuditAnchor& a, const AuditAnchor& b) { return a.seq < b.seq; });
    for (const AuditAnchor& a : anchors_) keyed_from_ = std::max(keyed_from_, a.keyed_from);
  }

  Result<std::string> Check(const AuditEntry& e) {
    if (e.id != c_.rows)
      return "row id " + std::to_string(e.id) + " where " + std::to_string(c_.rows) +
             " was expected (a row before it was deleted)";
    if (e.prev_hash != c_.head)
      return std::string(
          "prev_hash does not match the previous row's hash (a row before it was deleted or "
          "edited)");
    auto why = e.key_id.empty() ? CheckUnkeyed(e) : CheckKeyed(e);
    if (!why.ok() || !why->empty()) return why;
    for (; next_ < anchors_.size() && anchors_[next_].seq <= e.id; ++next_, ++c_.anchors)
      if (anchors_[next_].seq == e.id && anchors_[next_].hash != e.hash)
        return "hash differs from the anchor written at " + FormatAnchorTime(anchors_[next_]) +
               " (the chain was rewritten up to here)";
    return std::string();
  }

  // After the last row: anchors naming rows that are not there.
  std::string Missing() const {
    if (next_ >= anchors_.size()) return "";
    const AuditAnchor& a = anchors_.back();
    return "rows from " + std::to_string(c_.rows + 1) + " on were deleted: the anchor written at " +
           FormatAnchorTime(a) + " names row " + std::to_string(a.seq);
  }

 private:
  static std::string FormatAnchorTime(const AuditAnchor& a) {
    return FormatRfc3339Beijing(a.time / 1000);
  }

  Result<std::string> CheckUnkeyed(const AuditEntry& e) {
    if (c_.keyed_from != 0 || (keyed_from_ != 0 && e.id >= keyed_from_))
      return std::string(
          "a SHA-256 row where the chain is keyed (the chain was re-hashed without the key)");
    if (AuditHash(e) != e.hash)
      return std::string("hash does not match the row's contents (the row was edited)");
    return std::string();
  }

  Result<std::string> CheckKeyed(const AuditEntry& e) {
    if (!keys_) return NoKey("audit verify");
    const crypto::Key* key = keys_->Find(e.key_id);
    if (!key)
      return "signed with key '" + e.key_id +
             "', which is not in the key ring (re-signed with another key, or the key was "
             "removed)";
    auto mac = AuditMac(e, *key);
    if (!mac.ok()) return mac.status();
    if (!crypto::ConstantTimeEqual(*mac, e.hash))
      return "mac does not match the row's contents under key '" + e.key_id +
             "' (the row was edited, or re-signed without the key)";
    if (c_.keyed_from == 0) c_.keyed_from = e.id;
    return std::string();
  }

  const crypto::KeyRing* keys_;
  std::vector<AuditAnchor> anchors_;
  AuditCheck& c_;
  int64_t keyed_from_ = 0;  // the latest anchors' word on where keying began
  size_t next_ = 0;         // first anchor not yet matched to a row
};

}  // namespace

Result<AuditCheck> VerifyAuditChain(Store& store, const AuditVerifyOptions& options) {
  if (!options.anchors.empty() && !options.keys) return NoKey("audit verify (anchors)");
  AuditCheck c;
  c.head = kAuditGenesis;
  ChainWalk walk(options, &c);
  Status failed;
  Status s = store.ScanAudit([&](const AuditEntry& e) {
    ++c.rows;
    auto why = walk.Check(e);
    if (!why.ok()) {
      failed = why.status();
      return false;
    }
    if (!why->empty()) {
      c.ok = false;
      c.first_broken_id = e.id;
      c.reason = *why;
      return false;
    }
    c.head = e.hash;
    return true;
  });
  if (!s.ok()) return s;
  if (!failed.ok()) return failed;
  if (c.ok) {
    c.reason = walk.Missing();
    if (!c.reason.empty()) {
      c.ok = false;
      c.first_broken_id = c.rows + 1;
    }
  }
  return c;
}

}  // namespace ecohub::store
