// Escaping of outside bytes for log lines, and percent-encoding for URIs and headers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ecohub {

// Bytes from the network (a frame, a request path, an MN) as one readable log line:
// printable ASCII as is, everything else (and the backslash) as \xNN, at most
// `max` input bytes followed by "..." when cut. After LevelDB's EscapeString.
std::string EscapeForLog(std::string_view s, size_t max = 160);

// `s` with every byte that `keep` refuses as %XX (upper-case hex), byte by byte, so
// UTF-8 text comes out as its percent-encoded bytes.
std::string PercentEncode(std::string_view s, bool (*keep)(unsigned char));
// RFC 3986 unreserved characters: A-Z a-z 0-9 - . _ ~
bool IsUnreserved(unsigned char c);

}  // namespace ecohub
