// Tokens: where the separators of a data segment are ('=', ';', ','), found in the
// same pass that computes the CRC.
//
// The HJ 212 CRC is a chain of dependent table loads, one per byte (crc.h), so it
// leaves the CPU idle between loads; classifying each byte in the same loop costs
// almost nothing, and the parser then walks ~3 tokens per CP pair instead of every
// byte (performance.md: "the rest of parsing can run beside it in the same pass").
// Not thread-safe; reused per connection to avoid allocation.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ecohub::hj212 {

struct Tokens {
  std::vector<uint16_t> pos;  // offsets of '=', ';', ',' in the segment, ascending
  bool has_slash = false;     // '/' seen: log text //...// may hide separators
};

// HJ 212 CRC of `segment` (same value as Crc16) and its tokens.
uint16_t Crc16WithTokens(std::string_view segment, Tokens* tokens);

}  // namespace ecohub::hj212
