#include "crypto/sealer.h"

#include "crypto/sm.h"

namespace ecohub::crypto {
namespace {

struct SealKeys {
  std::string enc, mac;
};

Result<SealKeys> SubkeysOf(const Key& key) {
  auto enc = DeriveKey(key.bytes, "ecohub seal sm4-cbc");
  auto mac = DeriveKey(key.bytes, "ecohub seal hmac-sm3");
  if (!enc.ok()) return enc.status();
  if (!mac.ok()) return mac.status();
  return SealKeys{enc->substr(0, kSm4KeyBytes), *std::move(mac)};
}

}  // namespace

Result<std::string> Sealer::Seal(std::string_view plaintext) const {
  if (!keys_ || keys_->empty()) return Status::Internal("sealing without a key");
  const Key& key = keys_->newest();
  auto sub = SubkeysOf(key);
  auto iv = RandomBytes(kSm4BlockBytes);
  if (!sub.ok()) return sub.status();
  if (!iv.ok()) return iv.status();
  auto ct = Sm4CbcEncrypt(sub->enc, *iv, plaintext);
  if (!ct.ok()) return ct.status();
  std::string head = std::string(kSealedPrefix) + key.id + "$";
  std::string body = *iv + *ct;
  auto tag = HmacSm3(sub->mac, head + body);
  if (!tag.ok()) return tag.status();
  return head + ToHex(body + *tag);
}

Result<std::string> Sealer::Open(std::string_view value) const {
  if (!IsSealed(value)) return std::string(value);
  std::string_view rest = value.substr(kSealedPrefix.size());
  size_t dollar = rest.find('$');
  if (dollar == std::string_view::npos) return Status::Corruption("sealed value without key id");
  std::string_view id = rest.substr(0, dollar);
  const Key* key = keys_ ? keys_->Find(id) : nullptr;
  if (!key) return Status::NotFound("sealed with key '" + std::string(id) + "', not in the ring");
  auto raw = FromHex(rest.substr(dollar + 1));
  if (!raw.ok() || raw->size() < 2 * kSm4BlockBytes + kSm3Bytes)
    return Status::Corruption("sealed value damaged or truncated");
  auto sub = SubkeysOf(*key);
  if (!sub.ok()) return sub.status();
  std::string_view all(*raw);
  std::string_view body = all.substr(0, all.size() - kSm3Bytes);
  auto tag = HmacSm3(sub->mac, std::string(value.substr(0, kSealedPrefix.size() + dollar + 1)) +
                                   std::string(body));
  if (!tag.ok()) return tag.status();
  if (!ConstantTimeEqual(*tag, all.substr(body.size())))
    return Status::Corruption("sealed value altered (tag mismatch)");
  return Sm4CbcDecrypt(sub->enc, body.substr(0, kSm4BlockBytes), body.substr(kSm4BlockBytes));
}

}  // namespace ecohub::crypto
