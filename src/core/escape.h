// Escaping of outside bytes for log lines.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ecohub {

// Bytes from the network (a frame, a request path, an MN) as one readable log line:
// printable ASCII as is, everything else (and the backslash) as \xNN, at most
// `max` input bytes followed by "..." when cut. After LevelDB's EscapeString.
std::string EscapeForLog(std::string_view s, size_t max = 160);

}  // namespace ecohub
