// Why a frame or packet was rejected. The names are stable: they appear in the
// CLI's JSON, in metrics labels and in the raw-packet verdicts.
#pragma once

#include <cstdint>

namespace ecohub::hj212 {

enum class Error : uint8_t {
  kNone = 0,
  kBadHeader,       // no "##" where a frame starts
  kBadLengthField,  // the 4 length characters are not decimal digits
  kOversize,        // declared data-segment length above the limit (1024 by default)
  kLengthMismatch,  // declared length differs from the bytes before the CRC
  kBadCrcFormat,    // the CRC is not 4 hex digits
  kCrcMismatch,     // CRC differs from the data segment's
  kMissingTail,     // no CR LF after the CRC
  kMissingCp,       // no "CP=&&"
  kCpUnterminated,  // "CP=&&" without the closing "&&"
  kMissingField,    // MN or CN absent
};
constexpr int kErrorCount = 11;

const char* ErrorCode(Error e);

}  // namespace ecohub::hj212
