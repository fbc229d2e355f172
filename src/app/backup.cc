#include "app/backup.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "app/audit_verdict.h"
#include "core/clock.h"
#include "core/time.h"
#include "crypto/keyring.h"
#include "store/audit.h"
#include "store/sqlite/backup.h"
#include "store/sqlite_store.h"

namespace ecohub::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr size_t kChunk = 1 << 16;
constexpr int64_t kManifestLimit = 16 << 20;  // a manifest of thousands of tables is < 1 MiB

bool EndsWith(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// How a file of the data directory is kept (see the header).
enum class Kind { kSqlite, kFile, kSkip };

Kind KindOf(const std::string& name) {
  for (const char* transient : {"-wal", "-shm", "-journal", ".tmp"})
    if (EndsWith(name, transient)) return Kind::kSkip;
  return EndsWith(name, ".db") ? Kind::kSqlite : Kind::kFile;
}

// SHA-256 of a byte stream, fed piece by piece (OpenSSL EVP).
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void Update(const char* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
  std::string HexDigest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), md, &n);
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
      out += kHex[md[i] >> 4];
      out += kHex[md[i] & 15];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

// Reads the file at `path` to its end, handing each piece to `sink`.
Status ReadFile(const std::string& path, const std::function<Status(const char*, size_t)>& sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::vector<char> buf(kChunk);
  while (in) {
    in.read(buf.data(), buf.size());
    if (in.gcount() > 0)
      if (Status s = sink(buf.data(), static_cast<size_t>(in.gcount())); !s.ok()) return s;
  }
  if (in.bad()) return Status::IoError("cannot read " + path);
  return Status::Ok();
}

// Writes `size` bytes pulled from `source` into a new file `path` (0600), synced, and
// returns their SHA-256. `source` gives how many bytes it put into the buffer (0 at
// the end, -1 after setting *error).
Result<std::string> WriteNewFile(const std::string& path,
                                 const std::function<Result<size_t>(char*, size_t)>& source) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create " + path);
  Sha256 sha;
  std::vector<char> buf(kChunk);
  Status s;
  for (;;) {
    auto n = source(buf.data(), buf.size());
    if (!n.ok()) {
      s = n.status();
      break;
    }
    if (*n == 0) break;
    sha.Update(buf.data(), *n);
    if (::write(fd, buf.data(), *n) != static_cast<ssize_t>(*n)) {
      s = Errno("cannot write " + path);
      break;
    }
  }
  if (s.ok() && ::fsync(fd) != 0) s = Errno("cannot sync " + path);
  ::close(fd);
  if (!s.ok()) return s;
  return sha.HexDigest();
}

// Copies a plain file that the server may be appending to (the audit anchors): again
// when its size or time changed while it was read, so the copy is one state of it.
Status CopyStable(const std::string& from, const std::string& to) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::error_code ec;
    auto before = fs::last_write_time(from, ec);
    auto size = fs::file_size(from, ec);
    if (ec) return Status::IoError("cannot stat " + from + ": " + ec.message());
    std::ifstream in(from, std::ios::binary);
    if (!in) return Status::IoError("cannot read " + from);
    fs::remove(to, ec);
    auto copied = WriteNewFile(to, [&in, &from](char* buf, size_t cap) -> Result<size_t> {
      in.read(buf, cap);
      if (in.bad()) return Status::IoError("cannot read " + from);
      return static_cast<size_t>(in.gcount());
    });
    if (!copied.ok()) return copied.status();
    if (fs::last_write_time(from, ec) == before && fs::file_size(from, ec) == size && !ec)
      return Status::Ok();
  }
  return Status::Unavailable(from + " kept changing while it was copied");
}

// A directory of its own beside the archive, for the copies, removed with everything
// in it when this goes away.
class StagingDir {
 public:
  static Result<std::unique_ptr<StagingDir>> Create(const fs::path& near) {
    std::string tmpl = (near.parent_path() / ("." + near.filename().string() + ".XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) return Errno("cannot create a directory beside " + near.string());
    return std::unique_ptr<StagingDir>(new StagingDir(tmpl));
  }
  ~StagingDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit StagingDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// The audit verdict of the data directory `dir`, found as `ecohub audit verify` finds
// it (keys from ECOHUB_KEYS or <dir>/keys, anchors at <dir>/audit-anchors.log);
// {"error": why} when it cannot be computed; null when `dir` has no ecohub.db.
json AuditOf(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(fs::path(dir) / "ecohub.db", ec)) return nullptr;
  store::SqliteOptions options;
  options.read_only = true;
  auto opened = store::OpenSqliteStore(dir, options);
  if (!opened.ok()) return {{"error", opened.status().ToString()}};
  auto keys = crypto::KeyRing::Resolve("", dir + "/keys", /*create=*/false);
  if (!keys.ok()) return {{"error", keys.status().ToString()}};
  auto verdict = AuditVerdict(**opened, *keys, dir + "/" + store::kAuditAnchorFile);
  if (!verdict.ok()) return {{"error", verdict.status().ToString()}};
  return *verdict;
}

// Copies the files of `data_dir` into `stage` (plain files first, see the header) and
// returns their manifest entries, sizes and digests taken from the copies.
Result<json> StageFiles(const std::string& data_dir, const std::string& stage,
                        const BackupProgress& progress) {
  std::vector<std::string> plain, databases;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(data_dir, ec)) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file(ec)) continue;
    Kind kind = KindOf(name);
    if (kind != Kind::kSkip) (kind == Kind::kSqlite ? databases : plain).push_back(name);
  }
  if (ec) return Status::IoError("cannot list " + data_dir + ": " + ec.message());
  if (databases.empty()) return Status::NotFound("no EcoHub database (*.db) in " + data_dir);
  std::sort(plain.begin(), plain.end());
  std::sort(databases.begin(), databases.end());
  json files = json::array();
  int total = static_cast<int>(plain.size() + databases.size());
  for (const auto& names : {plain, databases}) {
    for (const std::string& name : names) {
      std::string from = (fs::path(data_dir) / name).string(), to = stage + "/" + name;
      json file = {{"name", name}, {"kind", KindOf(name) == Kind::kSqlite ? "sqlite" : "file"}};
      if (KindOf(name) == Kind::kSqlite) {
        auto rows = store::sqlite::BackupDatabase(from, to);
        if (!rows.ok()) return rows.status();
        file["tables"] = *rows;
      } else if (Status s = CopyStable(from, to); !s.ok()) {
        return s;
      }
      Sha256 sha;
      int64_t bytes = 0;
      Status s = ReadFile(to, [&](const char* data, size_t n) {
        sha.Update(data, n);
        bytes += static_cast<int64_t>(n);
        return Status::Ok();
      });
      if (!s.ok()) return s;
      file["bytes"] = bytes;
      file["sha256"] = sha.HexDigest();
      files.push_back(std::move(file));
      if (progress) progress(name, static_cast<int>(files.size()), total);
    }
  }
  return files;
}

// The libarchive write filter for the archive's name: .tar plain, .zst zstd, else gzip.
int AddFilter(archive* a, const std::string& file) {
  if (EndsWith(file, ".tar")) return archive_write_add_filter_none(a);
  if (EndsWith(file, ".zst") || EndsWith(file, ".tzst")) return archive_write_add_filter_zstd(a);
  return archive_write_add_filter_gzip(a);
}

Status ArchiveError(archive* a, const std::string& what) {
  const char* m = archive_error_string(a);
  return Status::IoError(what + ": " + (m ? m : "unknown archive error"));
}

// Writes one member (0600, owned by nobody in particular) whose bytes come from `body`.
Status WriteMember(
    archive* a, const std::string& name, int64_t size,
    const std::function<Status(const std::function<Status(const char*, size_t)>&)>& body) {
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                      &archive_entry_free);
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_set_size(entry.get(), size);
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0600);
  archive_entry_set_mtime(entry.get(), RealClock().WallSeconds(), 0);
  if (archive_write_header(a, entry.get()) != ARCHIVE_OK) return ArchiveError(a, "tar " + name);
  return body([a, &name](const char* data, size_t n) {
    if (archive_write_data(a, data, n) != static_cast<la_ssize_t>(n))
      return ArchiveError(a, "tar " + name);
    return Status::Ok();
  });
}

// The archive at `fd`: the manifest first, then the staged files in its order.
Status WriteArchive(int fd, const std::string& file, const json& manifest,
                    const std::string& stage) {
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(),
                                                            &archive_write_free);
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      AddFilter(a.get(), file) != ARCHIVE_OK || archive_write_open_fd(a.get(), fd) != ARCHIVE_OK)
    return ArchiveError(a.get(), "cannot write " + file);
  std::string text = manifest.dump(2) + "\n";
  Status s = WriteMember(a.get(), kBackupManifest, static_cast<int64_t>(text.size()),
                         [&text](const auto& sink) { return sink(text.data(), text.size()); });
  for (const json& f : manifest["files"]) {
    if (!s.ok()) break;
    std::string name = f["name"].get<std::string>();
    s = WriteMember(a.get(), name, f["bytes"].get<int64_t>(),
                    [&](const auto& sink) { return ReadFile(stage + "/" + name, sink); });
  }
  if (s.ok() && archive_write_close(a.get()) != ARCHIVE_OK)
    s = ArchiveError(a.get(), "cannot finish " + file);
  return s;
}

// Writes the archive to `file`.tmp (0600), syncs it, renames it over `file` and syncs
// the directory, so a crash leaves either the old file or the whole new one.
Status WriteArchiveFile(const std::string& file, const json& manifest, const std::string& stage) {
  std::string tmp = file + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create " + tmp);
  Status s = ::fchmod(fd, 0600) == 0 ? WriteArchive(fd, file, manifest, stage)
                                     : Errno("cannot chmod " + tmp);
  if (s.ok() && ::fsync(fd) != 0) s = Errno("cannot sync " + tmp);
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), file.c_str()) != 0) s = Errno("cannot rename " + tmp);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  int dir = ::open(fs::path(file).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

// --- restore ------------------------------------------------------------------------------

// A reader of the archive at a path, any tar filter libarchive knows.
using Reader = std::unique_ptr<archive, decltype(&archive_read_free)>;

Status Damaged(archive* a, const std::string& file, const std::string& where) {
  const char* m = archive_error_string(a);
  return Status::Corruption(file + " is damaged or truncated (" + where +
                            "): " + (m ? m : "unexpected end"));
}

bool SafeName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name != kBackupManifest &&
         name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

bool IsHex64(const json& v) {
  if (!v.is_string() || v.get<std::string>().size() != 64) return false;
  for (char c : v.get<std::string>())
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Checks the shape of a manifest read from outside before anything trusts it.
Status CheckManifest(const json& m) {
  auto bad = [](const std::string& why) {
    return Status::Corruption("not an EcoHub backup manifest: " + why);
  };
  if (!m.is_object() || m.value("format", json()) != kBackupFormat) return bad("no format");
  if (m.value("format_version", json()) != kBackupFormatVersion)
    return bad("format_version is not " + std::to_string(kBackupFormatVersion));
  if (!m.contains("files") || !m["files"].is_array()) return bad("no files");
  std::set<std::string> names;
  for (const json& f : m["files"]) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() ||
        !SafeName(f["name"].get<std::string>()) ||
        !names.insert(f["name"].get<std::string>()).second)
      return bad("a file with a missing, unsafe or repeated name");
    if (!f.contains("bytes") || !f["bytes"].is_number_unsigned() ||
        !IsHex64(f.value("sha256", json())))
      return bad(f["name"].get<std::string>() + " has no size or SHA-256");
    if (f.value("kind", "") == "sqlite" && !f.value("tables", json()).is_object())
      return bad(f["name"].get<std::string>() + " has no row counts");
    const json tables = f.value("tables", json::object());
    for (const auto& [table, rows] : tables.items())
      if (!rows.is_number_integer()) return bad("rows of " + table + " are not a number");
  }
  return Status::Ok();
}

// The first member, which must be the manifest.
Result<json> ReadManifest(archive* a, const std::string& file) {
  archive_entry* entry = nullptr;
  int rc = archive_read_next_header(a, &entry);
  if (rc != ARCHIVE_OK) return Damaged(a, file, "first member");
  const char* name = archive_entry_pathname(entry);
  int64_t size = archive_entry_size(entry);
  if (!name || name != std::string_view(kBackupManifest) || size < 0 || size > kManifestLimit)
    return Status::Corruption(file + " does not begin with an EcoHub " + kBackupManifest);
  std::string text(static_cast<size_t>(size), '\0');
  for (size_t got = 0; got < text.size();) {
    la_ssize_t n = archive_read_data(a, text.data() + got, text.size() - got);
    if (n <= 0) return Damaged(a, file, kBackupManifest);
    got += static_cast<size_t>(n);
  }
  json manifest = json::parse(text, nullptr, false);
  if (manifest.is_discarded())
    return Status::Corruption(std::string(kBackupManifest) + " is not JSON");
  if (Status s = CheckManifest(manifest); !s.ok()) return s;
  return manifest;
}

// Unpacks the members after the manifest into `dir`, each checked against its
// manifest entry; every file of the manifest must come exactly once.
Status UnpackMembers(archive* a, const std::string& file, const json& manifest,
                     const std::string& dir, const BackupProgress& progress) {
  std::map<std::string, const json*> expected;
  for (const json& f : manifest["files"]) expected[f["name"].get<std::string>()] = &f;
  int total = static_cast<int>(expected.size()), done = 0;
  archive_entry* entry = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    auto it = expected.find(name);
    if (it == expected.end() || archive_entry_filetype(entry) != AE_IFREG)
      return Status::Corruption(file + " holds '" + name + "', not in its manifest (or twice)");
    const json& f = *it->second;
    if (archive_entry_size(entry) != f["bytes"].get<int64_t>())
      return Status::Corruption(name + " in " + file + " is not the size its manifest says");
    auto sha = WriteNewFile(dir + "/" + name, [&](char* buf, size_t cap) -> Result<size_t> {
      la_ssize_t n = archive_read_data(a, buf, cap);
      if (n < 0) return Damaged(a, file, name);
      return static_cast<size_t>(n);
    });
    if (!sha.ok()) return sha.status();
    if (*sha != f["sha256"].get<std::string>())
      return Status::Corruption(name + " in " + file + " does not match its SHA-256");
    expected.erase(it);
    if (progress) progress(name, ++done, total);
  }
  if (rc != ARCHIVE_EOF) return Damaged(a, file, "after " + std::to_string(done) + " files");
  if (!expected.empty())
    return Status::Corruption(file + " lacks " + expected.begin()->first +
                              ", named by its manifest");
  return Status::Ok();
}

// Every restored database has the rows per table its manifest names.
Status CheckRows(const json& manifest, const std::string& dir) {
  for (const json& f : manifest["files"]) {
    if (f.value("kind", "") != "sqlite") continue;
    std::string name = f["name"].get<std::string>();
    auto rows = store::sqlite::CountRows(dir + "/" + name);
    if (!rows.ok()) return Status::Corruption(name + ": " + rows.status().message());
    if (json(*rows) != f["tables"])
      return Status::Corruption(name + " has " + json(*rows).dump() +
                                " rows per table, its manifest " + f["tables"].dump());
  }
  return Status::Ok();
}

// The restored copy's audit verdict, which must be the one the backup's copy had.
Result<json> CheckAudit(const json& manifest, const std::string& dir) {
  json verdict = AuditOf(dir);
  json expected = manifest.value("audit", json());
  if (expected.is_object() && expected.contains("error")) return verdict;  // nothing to compare
  if (verdict != expected)
    return Status::Corruption("the restored audit verdict " + verdict.dump() +
                              " is not the backup's " + expected.dump());
  return verdict;
}

// Removes what a failed restore unpacked: the directory's contents (it was empty), and
// the directory when the restore created it.
class Unpacking {
 public:
  Unpacking(std::string dir, bool created) : dir_(std::move(dir)), created_(created) {}
  ~Unpacking() {
    if (kept_) return;
    std::error_code ec;
    if (created_) {
      fs::remove_all(dir_, ec);
      return;
    }
    for (const auto& e : fs::directory_iterator(dir_, ec)) fs::remove_all(e.path(), ec);
  }
  void Keep() { kept_ = true; }

 private:
  std::string dir_;
  bool created_, kept_ = false;
};

// Creates `dir` (0700) unless it is an empty directory already; *created says which.
Status PrepareTarget(const std::string& dir, bool* created) {
  std::error_code ec;
  *created = !fs::exists(dir, ec);
  if (!*created && (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec)))
    return Status(Code::kConflict, dir +
                                       " exists and is not empty: restore only into a new or "
                                       "empty directory, never over a data directory");
  if (*created && ::mkdir(dir.c_str(), 0700) != 0) return Errno("cannot create " + dir);
  return Status::Ok();
}

}  // namespace

Result<json> WriteBackup(const std::string& data_dir, const std::string& file,
                         const BackupProgress& progress) {
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec)) return Status::NotFound("no data directory " + data_dir);
  fs::path target = fs::absolute(file, ec);
  fs::path source = fs::canonical(data_dir, ec);
  if (fs::weakly_canonical(target, ec).parent_path() == source)
    return Status::InvalidInput("the backup file " + file +
                                " must not be inside the data directory it copies");
  auto stage = StagingDir::Create(target);
  if (!stage.ok()) return stage.status();
  auto files = StageFiles(data_dir, (*stage)->path(), progress);
  if (!files.ok()) return files.status();
  UnixSeconds now = RealClock().WallSeconds();
  json manifest = {{"format", kBackupFormat},
                   {"format_version", kBackupFormatVersion},
                   {"created", FormatRfc3339Beijing(now)},
                   {"created_unix", now},
                   {"source", source.string()},
                   {"files", std::move(files).value()},
                   {"audit", AuditOf((*stage)->path())}};
  if (Status s = WriteArchiveFile(target.string(), manifest, (*stage)->path()); !s.ok()) return s;
  return manifest;
}

Result<RestoreReport> RestoreBackup(const std::string& file, const std::string& new_dir,
                                    const BackupProgress& progress) {
  bool created = false;
  if (Status s = PrepareTarget(new_dir, &created); !s.ok()) return s;
  Unpacking unpacking(new_dir, created);
  Reader a(archive_read_new(), &archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), file.c_str(), kChunk) != ARCHIVE_OK) {
    const char* m = archive_error_string(a.get());
    return Status::IoError("cannot read " + file + ": " + (m ? m : "unknown"));
  }
  auto manifest = ReadManifest(a.get(), file);
  if (!manifest.ok()) return manifest.status();
  if (Status s = UnpackMembers(a.get(), file, *manifest, new_dir, progress); !s.ok()) return s;
  if (Status s = CheckRows(*manifest, new_dir); !s.ok()) return s;
  auto audit = CheckAudit(*manifest, new_dir);
  if (!audit.ok()) return audit.status();
  unpacking.Keep();
  return RestoreReport{std::move(manifest).value(), std::move(audit).value()};
}

}  // namespace ecohub::app
