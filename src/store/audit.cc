#include "store/audit.h"

#include <openssl/evp.h>

#include <cstdio>

namespace ecohub::store {
namespace {

void Field(std::string* out, std::string_view v) {
  *out += std::to_string(v.size());
  out->push_back(':');
  out->append(v);
  out->push_back(';');
}

}  // namespace

std::string AuditHash(const AuditEntry& e) {
  std::string msg;
  Field(&msg, std::to_string(e.id));
  Field(&msg, std::to_string(e.time));
  Field(&msg, e.actor);
  Field(&msg, e.action);
  Field(&msg, e.object);
  Field(&msg, e.detail);
  Field(&msg, e.prev_hash);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(msg.data(), msg.size(), digest, &n, EVP_sha256(), nullptr);
  std::string hex(2 * n, '0');
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < n; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 15];
  }
  return hex;
}

Result<AuditCheck> VerifyAuditChain(Store& store) {
  AuditCheck c;
  c.head = kAuditGenesis;
  Status s = store.ScanAudit([&](const AuditEntry& e) {
    ++c.rows;
    std::string why;
    if (e.id != c.rows)
      why = "row id " + std::to_string(e.id) + " where " + std::to_string(c.rows) +
            " was expected (a row before it was deleted)";
    else if (e.prev_hash != c.head)
      why =
          "prev_hash does not match the previous row's hash (a row before it was deleted or "
          "edited)";
    else if (AuditHash(e) != e.hash)
      why = "hash does not match the row's contents (the row was edited)";
    if (!why.empty()) {
      c.ok = false;
      c.first_broken_id = e.id;
      c.reason = why;
      return false;
    }
    c.head = e.hash;
    return true;
  });
  if (!s.ok()) return s;
  return c;
}

}  // namespace ecohub::store
