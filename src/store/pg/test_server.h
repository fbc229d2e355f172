// TestServer: a PostgreSQL server of a test's own, made from Debian's server
// programs (postgresql-15): initdb into a fresh temporary folder, postgres listening
// on a free loopback port and on a socket in that folder, stopped and removed when
// the object goes. No mocks: the PostgreSQL store's contract suites run against it.
//
// The programs are found in $ECOHUB_PG_BIN, else in the newest
// /usr/lib/postgresql/<version>/bin. PostgreSQL refuses to run as root: as root the
// server runs as the `postgres` account the Debian package creates.
//
// Not for production: the server trusts every local connection, and by default does
// not fsync (a test that kills the server and counts what survived asks for durable).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/pg/db.h"

namespace ecohub::store::pg {

class TestServer {
 public:
  struct Options {
    bool durable = false;  // fsync and synchronous_commit on
    std::string extra;     // more `-c name=value` settings for postgres
  };

  // kUnavailable, saying why, when PostgreSQL's server programs are not installed
  // or the server does not start.
  static Result<std::unique_ptr<TestServer>> Start(const Options& options);
  static Result<std::unique_ptr<TestServer>> Start() { return Start(Options{}); }
  // The server shared by the test process, started at first use, stopped at exit;
  // null when it cannot start (`why` then says why).
  static TestServer* Shared(std::string* why);

  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // postgresql://ecohub@127.0.0.1:<port>/<database>
  std::string Url(std::string_view database) const;
  // Creates `name` unless it exists.
  Status CreateDatabase(std::string_view name);
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }

  // kill -9 of the postmaster (what a crash looks like), then Restart() brings it
  // back on the same port and data.
  Status Kill();
  Status Restart();

 private:
  TestServer() = default;
  Status Run(const std::string& command) const;  // as the server's account
  Status StartPostgres();

  std::string bin_;   // the folder of initdb, pg_ctl, postgres
  std::string dir_;   // the temporary folder: data/, the socket, the log
  std::string user_;  // the account the server runs as ("" for this one)
  Options options_;
  int port_ = 0;
};

// While it lives, the next `times` COMMITs of any connection in the process lose
// their connection as `how` says (db.h: SetCommitLossForTesting).
class LoseCommits {
 public:
  LoseCommits(CommitLoss how, int times);
  ~LoseCommits();
  LoseCommits(const LoseCommits&) = delete;
  LoseCommits& operator=(const LoseCommits&) = delete;
  int lost() const { return *lost_; }  // how many were lost so far

 private:
  std::shared_ptr<int> lost_ = std::make_shared<int>(0);
};

// A database name for a test folder: lower case letters, digits and '_', at most 63
// characters, distinct for distinct folders (mkdtemp's suffix is kept).
std::string DatabaseNameFor(std::string_view dir);

}  // namespace ecohub::store::pg
