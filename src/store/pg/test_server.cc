#include "store/pg/test_server.h"

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "store/pg/db.h"

namespace ecohub::store::pg {

namespace fs = std::filesystem;

namespace {

// The newest /usr/lib/postgresql/<version>/bin with initdb, or $ECOHUB_PG_BIN.
std::string FindBin() {
  if (const char* e = std::getenv("ECOHUB_PG_BIN"); e && *e) return e;
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& d : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto bin = d.path() / "bin";
    if (!fs::exists(bin / "initdb", ec)) continue;
    int v = std::atoi(d.path().filename().c_str());
    if (v > best_version) best_version = v, best = bin.string();
  }
  return best;
}

// A port the kernel says is free now (bound to 0, read, released).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string DatabaseNameFor(std::string_view dir) {
  std::string base = fs::path(std::string(dir)).filename().string();
  std::string out = "t_";
  for (char c : base)
    out += std::isalnum(static_cast<unsigned char>(c))
               ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
               : '_';
  // Keep the end: mkdtemp's unique suffix is there. Its letters are folded to lower
  // case above, which still leaves 36^6 suffixes.
  if (out.size() > 63) out = "t_" + out.substr(out.size() - 61);
  return out;
}

Status TestServer::Run(const std::string& command) const {
  std::string full = user_.empty() ? command : "runuser -u " + user_ + " -- " + command;
  full += " >>" + Quote(dir_ + "/commands.log") + " 2>&1";
  int rc = std::system(full.c_str());
  if (rc != 0)
    return Status::Unavailable("postgresql test server: `" + command + "` failed (see " + dir_ +
                               "/commands.log and " + dir_ + "/server.log)");
  return Status::Ok();
}

Result<std::unique_ptr<TestServer>> TestServer::Start(const Options& options) {
  std::unique_ptr<TestServer> t(new TestServer());
  t->options_ = options;
  t->bin_ = FindBin();
  if (t->bin_.empty())
    return Status::Unavailable(
        "PostgreSQL's server programs are not installed (apt-get install postgresql-15, or set "
        "ECOHUB_PG_BIN)");
  std::string dir = (fs::temp_directory_path() / "ecohub_pg_XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return Status::IoError("mkdtemp " + dir + " failed");
  t->dir_ = dir;
  if (::geteuid() == 0) {
    passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr)
      return Status::Unavailable(
          "running as root, and there is no `postgres` account to run the test server as");
    t->user_ = "postgres";
    if (::chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      return Status::IoError("chown " + dir + " failed");
  }
  Status s = t->Run(Quote(t->bin_ + "/initdb") + " -D " + Quote(dir + "/data") +
                    " -A trust -U ecohub -E UTF8 --no-locale --no-sync");
  if (!s.ok()) return s;
  for (int attempt = 0; attempt < 3; ++attempt) {
    t->port_ = FreePort();
    s = t->StartPostgres();
    if (s.ok()) break;
  }
  if (!s.ok()) return s;
  return t;
}

Status TestServer::StartPostgres() {
  std::string o = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k " + dir_ +
                  " -c max_connections=200 -c shared_buffers=64MB";
  if (!options_.durable) o += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  if (!options_.extra.empty()) o += " " + options_.extra;
  return Run(Quote(bin_ + "/pg_ctl") + " -D " + Quote(dir_ + "/data") + " -l " +
             Quote(dir_ + "/server.log") + " -w -t 60 -o " + Quote(o) + " start");
}

TestServer::~TestServer() {
  if (port_ != 0)
    Run(Quote(bin_ + "/pg_ctl") + " -D " + Quote(dir_ + "/data") + " -m immediate -w stop");
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string TestServer::Url(std::string_view database) const {
  return "postgresql://ecohub@127.0.0.1:" + std::to_string(port_) + "/" + std::string(database);
}

Status TestServer::CreateDatabase(std::string_view name) {
  auto c = Conn::Open(Url("postgres"));
  if (!c.ok()) return c.status();
  auto have = (*c)->Query("SELECT 1 FROM pg_database WHERE datname = $1", "find database",
                          std::string(name));
  if (!have.ok()) return have.status();
  if (!have->empty()) return Status::Ok();
  // Names come from DatabaseNameFor: letters, digits and '_' only.
  return (*c)->Exec("CREATE DATABASE " + std::string(name));
}

Status TestServer::Kill() {
  std::ifstream pid_file(dir_ + "/data/postmaster.pid");
  pid_t pid = 0;
  if (!(pid_file >> pid) || pid <= 0) return Status::NotFound("no postmaster.pid");
  if (::kill(pid, SIGKILL) != 0) return Status::IoError("kill postmaster failed");
  // Wait for the postmaster to be reaped (its children follow: Restart() waits).
  for (int i = 0; i < 200 && ::kill(pid, 0) == 0; ++i) ::usleep(50 * 1000);
  return Status::Ok();
}

Status TestServer::Restart() {
  // The killed postmaster's children leave within moments of noticing; until then
  // the shared memory is still in use and postgres refuses to start.
  Status s;
  for (int i = 0; i < 40; ++i) {
    s = StartPostgres();
    if (s.ok()) return s;
    ::usleep(250 * 1000);
  }
  return s;
}

TestServer* TestServer::Shared(std::string* why) {
  static std::once_flag once;
  static std::unique_ptr<TestServer> server;
  static std::string failure;
  std::call_once(once, [] {
    auto s = Start();
    if (s.ok()) {
      server = std::move(s).value();
      // Stopped at exit: static destructors run after every test.
    } else {
      failure = s.status().message();
    }
  });
  if (!server && why) *why = failure;
  return server.get();
}

LoseCommits::LoseCommits(CommitLoss how, int times) {
  // Called under db.cc's lock, one COMMIT at a time.
  SetCommitLossForTesting([how, times, lost = lost_] {
    if (*lost >= times) return CommitLoss::kNone;
    ++*lost;
    return how;
  });
}

LoseCommits::~LoseCommits() { SetCommitLossForTesting(nullptr); }

}  // namespace ecohub::store::pg
