// `ecohub hj212 decode [--hex]` and `ecohub hj212 encode`: the codec on stdin/stdout,
// one JSON object per line (a stable contract: outside checks use it).
#pragma once

#include <istream>
#include <ostream>

namespace ecohub::app {

// Strict: 1024-byte segment limit, HJ 212 CRC, tail required. Without --hex a line
// is the packet text and its "\r\n" tail is implied; with --hex it is the hex of the
// exact wire bytes. Prints {"ok":true,"header":{…},"cp":{…}[,"warnings":[…]]} or
// {"ok":false,"error":"<code>","message":"…"} per line. Returns 0 even when frames
// are rejected.
int RunHj212Decode(std::istream& in, std::ostream& out, bool hex);

// Reads {"header":{…},"cp":{…}} lines (a CP value may be an array for a repeated
// key) and prints each packet with length and CRC, no tail. A line that is not such
// an object prints {"ok":false,"error":"bad_json","message":…} and the exit code is 1.
int RunHj212Encode(std::istream& in, std::ostream& out);

}  // namespace ecohub::app
