#include "crypto/keyring.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "crypto/sm.h"

namespace ecohub::crypto {
namespace {

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      return false;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

// Reads the whole file behind `fd` (closing it).
Result<std::string> ReadAll(int fd, const std::string& path) {
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  Status s = n < 0 ? Errno("cannot read key file", path) : Status::Ok();
  close(fd);
  if (!s.ok()) return s;
  return text;
}

// Opens the key file for reading or appending after checking that it is a regular
// file only its owner can use: keys readable by others are as good as published.
Result<int> OpenKeyFile(const std::string& path, int flags) {
  int fd = open(path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("key file " + path + " does not exist");
    return Errno("cannot open key file", path);
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Status::InvalidInput("key file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    return Status(Code::kPermissionDenied,
                  "key file " + path + " has mode " + mode +
                      ": keys must be readable by their owner only (chmod 600 " + path + ")");
  }
  return fd;
}

Status WriteAllAndSync(int fd, const std::string& text, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot write key file", path);
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return Errno("cannot sync key file", path);
  return Status::Ok();
}

// "<id> <64 hex digits>\n" for a fresh key.
Result<std::string> NewKeyLine(const std::string& id) {
  auto bytes = RandomBytes(kMasterKeyBytes);
  if (!bytes.ok()) return bytes.status();
  return id + " " + ToHex(*bytes) + "\n";
}

}  // namespace

Result<KeyRing> KeyRing::Parse(std::string_view text, const std::string& origin) {
  KeyRing ring;
  ring.origin_ = origin;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view entry = Trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_no;
    if (entry.empty() || entry.front() == '#') continue;
    size_t sep = entry.find_first_of(" \t:");
    std::string where = origin + " entry " + std::to_string(line_no);
    if (sep == std::string_view::npos) return Status::InvalidInput(where + ": expected 'id hex'");
    std::string id(entry.substr(0, sep));
    auto bytes = FromHex(Trim(entry.substr(sep + 1)));
    if (!ValidId(id)) return Status::InvalidInput(where + ": bad key id");
    if (!bytes.ok() || bytes->size() != kMasterKeyBytes)
      return Status::InvalidInput(where + ": a key is 64 hex digits (32 bytes)");
    if (ring.Find(id)) return Status::InvalidInput(where + ": key id '" + id + "' repeated");
    ring.keys_.push_back(Key{std::move(id), std::move(bytes).value()});
  }
  return ring;
}

Result<KeyRing> KeyRing::LoadFile(const std::string& path) {
  auto fd = OpenKeyFile(path, O_RDONLY);
  if (!fd.ok()) return fd.status();
  auto text = ReadAll(*fd, path);
  if (!text.ok()) return text.status();
  return Parse(*text, "key file " + path);
}

Status KeyRing::CreateFile(const std::string& path) {
  auto line = NewKeyLine("k1");
  if (!line.ok()) return line.status();
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status(Code::kConflict, "key file " + path + " exists");
    return Errno("cannot create key file", path);
  }
  std::string text =
      "# EcoHub master keys: `id hex`, the last one is used for new data.\n"
      "# Keep a copy apart from the data; rotate with `ecohub keys rotate`.\n" +
      *line;
  Status s = WriteAllAndSync(fd, text, path);
  close(fd);
  return s;
}

Result<std::string> KeyRing::RotateFile(const std::string& path) {
  auto ring = LoadFile(path);
  if (!ring.ok()) return ring.status();
  // The next kN after the largest in use, so ids never repeat.
  long next = 1;
  for (const Key& k : ring->keys_)
    if (k.id.size() > 1 && k.id[0] == 'k') {
      char* end = nullptr;
      long n = std::strtol(k.id.c_str() + 1, &end, 10);
      if (*end == '\0' && n >= next) next = n + 1;
    }
  std::string id = "k" + std::to_string(next);
  auto line = NewKeyLine(id);
  if (!line.ok()) return line.status();
  auto fd = OpenKeyFile(path, O_WRONLY | O_APPEND);
  if (!fd.ok()) return fd.status();
  Status s = WriteAllAndSync(*fd, *line, path);
  close(*fd);
  if (!s.ok()) return s;
  return id;
}

Result<KeyRing> KeyRing::Resolve(const std::string& file, const std::string& default_file,
                                 bool create) {
  const char* env = file.empty() ? std::getenv(kKeysEnv) : nullptr;
  if (env && *env) {
    std::string lines = env;
    std::replace(lines.begin(), lines.end(), ',', '\n');
    return Parse(lines, kKeysEnv);
  }
  const std::string& path = file.empty() ? default_file : file;
  bool created = false;
  if (create && !std::filesystem::exists(path)) {
    if (Status s = CreateFile(path); !s.ok()) return s;
    created = true;
  }
  auto ring = LoadFile(path);
  if (!ring.ok() && ring.status().code() == Code::kNotFound && file.empty())
    return KeyRing();  // no default key file: nothing is keyed
  if (ring.ok()) ring->created_ = created;
  return ring;
}

const Key* KeyRing::Find(std::string_view id) const {
  for (const Key& k : keys_)
    if (k.id == id) return &k;
  return nullptr;
}

}  // namespace ecohub::crypto
