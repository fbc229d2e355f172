#include "hj212/crc.h"

#include <array>

#include "hj212/tokens.h"

namespace ecohub::hj212 {

namespace {
constexpr std::array<uint16_t, 256> MakeTable() {
  std::array<uint16_t, 256> t{};
  for (int i = 0; i < 256; ++i) {
    uint16_t r = static_cast<uint16_t>(i);
    for (int k = 0; k < 8; ++k) r = (r & 1) ? static_cast<uint16_t>((r >> 1) ^ 0xA001) : r >> 1;
    t[i] = r;
  }
  return t;
}
constexpr std::array<uint16_t, 256> kTable = MakeTable();
// High bytes of kTable: the only state carried from byte to byte, so the chain per
// byte is one load and one xor.
constexpr std::array<uint8_t, 256> kHigh = [] {
  std::array<uint8_t, 256> h{};
  for (int i = 0; i < 256; ++i) h[i] = static_cast<uint8_t>(kTable[i] >> 8);
  return h;
}();
}  // namespace

const uint16_t kCrcTable[256] = {
#define E(i) kTable[i]
#define R8(i) E(i), E(i + 1), E(i + 2), E(i + 3), E(i + 4), E(i + 5), E(i + 6), E(i + 7)
#define R64(i) \
  R8(i), R8(i + 8), R8(i + 16), R8(i + 24), R8(i + 32), R8(i + 40), R8(i + 48), R8(i + 56)
    R64(0), R64(64), R64(128), R64(192)
#undef R64
#undef R8
#undef E
};

uint16_t Crc16(std::string_view bytes) {
  if (bytes.empty()) return 0xFFFF;
  // reg = T[(reg >> 8) ^ b]: only the high byte is carried, so keep just that and
  // look the full register up for the last byte.
  uint32_t hi = 0xFF;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t last = bytes.size() - 1;
  for (size_t i = 0; i < last; ++i) hi = kHigh[hi ^ p[i]];
  return kTable[hi ^ p[last]];
}

uint16_t Crc16WithTokens(std::string_view bytes, Tokens* t) {
  if (bytes.empty()) {
    t->pos.clear();
    t->has_slash = false;
    return 0xFFFF;
  }
  // Byte classes: 1 = separator token, 2 = '/'.
  static constexpr auto kKind = [] {
    std::array<uint8_t, 256> k{};
    k['='] = k[';'] = k[','] = 1;
    k['/'] = 2;
    return k;
  }();
  t->pos.resize(bytes.size());
  uint16_t* out = t->pos.data();
  uint32_t hi = 0xFF, prev = 0xFF;
  uint8_t kinds = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  for (size_t i = 0; i < n; ++i) {
    unsigned char b = p[i];
    prev = hi;
    hi = kHigh[hi ^ b];
    uint8_t k = kKind[b];
    *out = static_cast<uint16_t>(i);  // branch-free append
    out += k & 1;
    kinds |= k;
  }
  t->pos.resize(static_cast<size_t>(out - t->pos.data()));
  t->has_slash = kinds & 2;
  return kTable[prev ^ p[n - 1]];
}

uint16_t Crc16Modbus(std::string_view bytes) {
  uint16_t reg = 0xFFFF;
  for (unsigned char b : bytes) reg = static_cast<uint16_t>((reg >> 8) ^ kTable[(reg ^ b) & 0xFF]);
  return reg;
}

bool CrcMatches(CrcVariant v, std::string_view segment, uint16_t wire) {
  switch (v) {
    case CrcVariant::kHj212:
      return Crc16(segment) == wire;
    case CrcVariant::kModbus:
      return Crc16Modbus(segment) == wire;
    case CrcVariant::kModbusSwapped: {
      uint16_t c = Crc16Modbus(segment);
      return static_cast<uint16_t>((c >> 8) | (c << 8)) == wire;
    }
  }
  return false;
}

}  // namespace ecohub::hj212
