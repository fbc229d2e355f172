#include "hj212/error.h"

namespace ecohub::hj212 {

const char* ErrorCode(Error e) {
  switch (e) {
    case Error::kNone:
      return "ok";
    case Error::kBadHeader:
      return "bad_header";
    case Error::kBadLengthField:
      return "bad_length_field";
    case Error::kOversize:
      return "oversize";
    case Error::kLengthMismatch:
      return "length_mismatch";
    case Error::kBadCrcFormat:
      return "bad_crc_format";
    case Error::kCrcMismatch:
      return "crc_mismatch";
    case Error::kMissingTail:
      return "missing_tail";
    case Error::kMissingCp:
      return "missing_cp";
    case Error::kCpUnterminated:
      return "cp_unterminated";
    case Error::kMissingField:
      return "missing_field";
  }
  return "unknown";
}

}  // namespace ecohub::hj212
