#include "hj212/framer.h"

namespace ecohub::hj212 {

bool ParseHex4(const char* p, uint16_t* out) {
  uint16_t v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p[i];
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    v = static_cast<uint16_t>(v << 4 | d);
  }
  *out = v;
  return true;
}

Error CheckFrame(std::string_view wire, const FramerOptions& o, std::string_view* segment) {
  if (wire.size() < 2 || wire[0] != '#' || wire[1] != '#') return Error::kBadHeader;
  if (wire.size() < 6) return Error::kBadLengthField;
  size_t len = 0;
  for (int i = 2; i < 6; ++i) {
    if (wire[i] < '0' || wire[i] > '9') return Error::kBadLengthField;
    len = len * 10 + static_cast<size_t>(wire[i] - '0');
  }
  if (len > o.max_segment) return Error::kOversize;
  std::string_view body = wire;
  bool has_tail = wire.size() >= 2 && wire.substr(wire.size() - 2) == "\r\n";
  if (has_tail) {
    body.remove_suffix(2);
  } else if (o.require_tail) {
    // The CRC sits where the length says and what follows is absent, a lone CR or
    // LF, or two bytes that are not CR LF: the tail is what is wrong. Otherwise the
    // length is.
    size_t end = 6 + len + 4;
    uint16_t ignore;
    bool crc_in_place = wire.size() >= end && ParseHex4(wire.data() + 6 + len, &ignore);
    return crc_in_place && wire.size() <= end + 2 ? Error::kMissingTail : Error::kLengthMismatch;
  }
  if (body.size() != 6 + len + 4) return Error::kLengthMismatch;
  uint16_t crc = 0;
  if (!ParseHex4(body.data() + 6 + len, &crc)) return Error::kBadCrcFormat;
  std::string_view seg = body.substr(6, len);
  if (!CrcMatches(o.crc, seg, crc)) return Error::kCrcMismatch;
  *segment = seg;
  return Error::kNone;
}

}  // namespace ecohub::hj212
