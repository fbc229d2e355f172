#include "hj212/crc.h"

#include <array>

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
}  // namespace

const uint16_t kCrcTable[256] = {
#define E(i) kTable[i]
#define R8(i) E(i), E(i + 1), E(i + 2), E(i + 3), E(i + 4), E(i + 5), E(i + 6), E(i + 7)
#define R64(i) R8(i), R8(i + 8), R8(i + 16), R8(i + 24), R8(i + 32), R8(i + 40), R8(i + 48), R8(i + 56)
    R64(0), R64(64), R64(128), R64(192)
#undef R64
#undef R8
#undef E
};

uint16_t Crc16(std::string_view bytes) {
  if (bytes.empty()) return 0xFFFF;
  // reg = T[(reg >> 8) ^ b]: only the high byte is carried, so keep just that.
  uint32_t hi = 0xFF;
  uint16_t reg = 0xFFFF;
  for (unsigned char b : bytes) {
    reg = kTable[hi ^ b];
    hi = reg >> 8;
  }
  return reg;
}

uint16_t Crc16Modbus(std::string_view bytes) {
  uint16_t reg = 0xFFFF;
  for (unsigned char b : bytes) reg = static_cast<uint16_t>((reg >> 8) ^ kTable[(reg ^ b) & 0xFF]);
  return reg;
}

bool CrcMatches(CrcVariant v, std::string_view segment, uint16_t wire) {
  switch (v) {
    case CrcVariant::kHj212: return Crc16(segment) == wire;
    case CrcVariant::kModbus: return Crc16Modbus(segment) == wire;
    case CrcVariant::kModbusSwapped: {
      uint16_t c = Crc16Modbus(segment);
      return static_cast<uint16_t>((c >> 8) | (c << 8)) == wire;
    }
  }
  return false;
}

}  // namespace ecohub::hj212
