#include "core/file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ecohub {

Result<std::string> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int e = errno;
    if (e == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IoError("cannot read " + path + ": " + std::strerror(e));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read " + path);
  return std::move(bytes).str();
}

Result<std::string> ReadSecretFile(const std::string& path, std::string_view what) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty())
    return Status::InvalidInput(std::string(what) + " '" + path +
                                "' has no secret on its first line");
  return line;
}

}  // namespace ecohub
