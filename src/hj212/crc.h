// HJ 212 CRC (HJ 212-2017 Appendix A; HJ/T 212-2005 Appendix A).
//
// The register keeps only its high byte between input bytes:
//   reg = 0xFFFF; for each byte b: reg = (reg >> 8) ^ b, then 8 reflected shifts
//   with polynomial 0xA001.
// which is exactly reg = T[(reg >> 8) ^ b] for the reflected CRC-16 table T. It is
// NOT CRC-16/MODBUS (reg ^= b); some legacy loggers send Modbus CRCs, optionally
// byte-swapped, so those variants exist as a per-device override (digest §14.3).
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace ecohub::hj212 {

// HJ 212 CRC of the data segment's bytes. Empty input gives 0xFFFF.
uint16_t Crc16(std::string_view bytes);
// CRC-16/MODBUS, for legacy devices only.
uint16_t Crc16Modbus(std::string_view bytes);

enum class CrcVariant : uint8_t { kHj212, kModbus, kModbusSwapped };

// True when `wire_value` (the 4 hex digits, read high byte first) is the CRC of
// `segment` under variant `v`.
bool CrcMatches(CrcVariant v, std::string_view segment, uint16_t wire_value);

// The table shared by both CRCs (reflected, polynomial 0xA001).
extern const uint16_t kCrcTable[256];

}  // namespace ecohub::hj212
