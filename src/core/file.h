// Reading a whole file into memory: boundary files, uploaded tables, the web folder.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace ecohub {

// The bytes of the file at `path`; kNotFound when it does not exist, kIoError when it
// cannot be read (the message names the file).
Result<std::string> ReadFileBytes(const std::string& path);

// The first line of a file that keeps a secret (a client secret, an SMTP password)
// out of the configuration; kInvalidInput "<what> '<path>' has no secret on its first
// line" when it cannot be read or the line is empty.
Result<std::string> ReadSecretFile(const std::string& path, std::string_view what);

}  // namespace ecohub
