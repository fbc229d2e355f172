// Reading a whole file into memory: boundary files, uploaded tables, the web folder.
#pragma once

#include <string>

#include "core/status.h"

namespace ecohub {

// The bytes of the file at `path`; kNotFound when it does not exist, kIoError when it
// cannot be read (the message names the file).
Result<std::string> ReadFileBytes(const std::string& path);

}  // namespace ecohub
