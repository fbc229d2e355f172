#include "store/pg/db.h"

#include <libpq-fe.h>
#include <sys/socket.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace ecohub::store::pg {

namespace {

// What a failed result means for the caller (db.h, "Errors").
Code CodeOf(pg_conn* c, pg_result* r) {
  if (PQstatus(c) != CONNECTION_OK) return Code::kUnavailable;
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr) return Code::kIoError;
  std::string_view s(state);
  if (s == "23505" || s == "23P01") return Code::kConflict;
  if (s.starts_with("08") || s.starts_with("57P0") || s == "25006") return Code::kUnavailable;
  return Code::kIoError;
}

bool ResultOk(pg_result* r) {
  auto st = PQresultStatus(r);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN;
}

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server
// running..."): one line for the logs.
std::string OneLine(std::string why) {
  std::string out;
  for (char c : why) {
    if (c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::mutex commit_loss_mu;
std::function<CommitLoss()> commit_loss;  // guarded by commit_loss_mu
std::atomic<bool> commit_loss_set{false};

CommitLoss CommitLossNow() {
  if (!commit_loss_set.load(std::memory_order_relaxed)) return CommitLoss::kNone;
  std::lock_guard lock(commit_loss_mu);
  return commit_loss ? commit_loss() : CommitLoss::kNone;
}

}  // namespace

void SetCommitLossForTesting(std::function<CommitLoss()> f) {
  std::lock_guard lock(commit_loss_mu);
  commit_loss_set = static_cast<bool>(f);
  commit_loss = std::move(f);
}

// --- Rows -----------------------------------------------------------------------------

Rows::~Rows() { PQclear(r_); }
int Rows::size() const { return r_ ? PQntuples(r_) : 0; }
bool Rows::Null(int row, int col) const { return PQgetisnull(r_, row, col); }
std::string_view Rows::Text(int row, int col) const {
  return std::string_view(PQgetvalue(r_, row, col), PQgetlength(r_, row, col));
}
int64_t Rows::Int(int row, int col) const {
  auto t = Text(row, col);
  int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}
double Rows::Real(int row, int col) const {
  return Null(row, col) ? 0.0 : std::strtod(PQgetvalue(r_, row, col), nullptr);
}
bool Rows::Bool(int row, int col) const { return Text(row, col) == "t"; }
std::optional<int64_t> Rows::OptInt(int row, int col) const {
  return Null(row, col) ? std::nullopt : std::optional<int64_t>(Int(row, col));
}
std::optional<double> Rows::OptReal(int row, int col) const {
  return Null(row, col) ? std::nullopt : std::optional<double>(Real(row, col));
}
std::string Rows::Bytea(int row, int col) const {
  if (Null(row, col)) return {};
  size_t n = 0;
  unsigned char* p =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_, row, col)), &n);
  if (p == nullptr) return {};
  std::string out(reinterpret_cast<char*>(p), n);
  PQfreemem(p);
  return out;
}
std::string_view Rows::Raw(int row, int col) const { return Text(row, col); }
int64_t Rows::BinaryInt(int row, int col) const {
  // Two's complement in network byte order, 2, 4 or 8 bytes.
  const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(r_, row, col));
  const int n = PQgetlength(r_, row, col);
  if (n != 2 && n != 4 && n != 8) return 0;
  uint64_t v = (p[0] & 0x80) ? ~uint64_t{0} : 0;  // the sign, extended
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return static_cast<int64_t>(v);
}
int64_t Rows::Affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  return *n ? std::strtoll(n, nullptr, 10) : 0;
}

// --- Params ---------------------------------------------------------------------------

void Params::AddText(std::string v) {
  text_.push_back(std::move(v));
  null_.push_back(false);
  formats_.push_back(0);
}
void Params::AddNull() {
  text_.emplace_back();
  null_.push_back(true);
  formats_.push_back(0);
}
void Params::AddBinary(std::string_view v) {
  text_.emplace_back(v);
  null_.push_back(false);
  formats_.push_back(1);
}
void Params::AddReal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  AddText(buf);
}
void Params::Seal() {
  for (size_t i = 0; i < text_.size(); ++i) {
    ptrs_.push_back(null_[i] ? nullptr : text_[i].data());
    lengths_.push_back(static_cast<int>(text_[i].size()));
  }
}

// --- Conn -----------------------------------------------------------------------------

Result<std::unique_ptr<Conn>> Conn::Open(const std::string& url, const ConnOptions& options) {
  pg_conn* c = PQconnectdb(url.c_str());
  if (c == nullptr) return Status::Unavailable("postgresql: out of memory connecting");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string why = OneLine(PQerrorMessage(c));
    PQfinish(c);
    return Status::Unavailable("postgresql connect: " + why);
  }
  std::unique_ptr<Conn> conn(new Conn(c, options));
  Status s = conn->Configure();
  if (!s.ok()) return s;
  return conn;
}

Conn::~Conn() { PQfinish(c_); }

Status Conn::Configure() {
  // Notices (e.g. "relation already exists, skipping") are not errors: keep them
  // out of stderr.
  PQsetNoticeProcessor(
      c_, [](void*, const char*) {}, nullptr);
  std::string sql = "SET application_name = '" + options_.application + "'; SET TIME ZONE 'UTC'";
  if (options_.statement_timeout_ms > 0)
    sql += "; SET statement_timeout = " + std::to_string(options_.statement_timeout_ms);
  return Exec(sql);
}

bool Conn::Healthy() const { return !dropped_ && PQstatus(c_) == CONNECTION_OK; }

void Conn::Drop() {
  shutdown(PQsocket(c_), SHUT_RDWR);
  dropped_ = true;
}

int Conn::Socket() const { return PQsocket(c_); }

Status Conn::ConsumeInput() {
  return PQconsumeInput(c_) == 1 ? Status::Ok() : Error("read notifications");
}

std::vector<std::pair<std::string, std::string>> Conn::TakeNotifications() {
  std::vector<std::pair<std::string, std::string>> out;
  while (PGnotify* n = PQnotifies(c_)) {
    out.emplace_back(n->relname, n->extra);
    PQfreemem(n);
  }
  return out;
}

Status Conn::Reconnect() {
  dropped_ = false;
  PQreset(c_);
  if (PQstatus(c_) != CONNECTION_OK) return Error("reconnect");
  return Configure();
}

Status Conn::Error(std::string_view what, pg_result* r) const {
  std::string why = r ? PQresultErrorMessage(r) : "";
  if (why.empty()) why = PQerrorMessage(c_);
  why = OneLine(std::move(why));
  Code code = dropped_ ? Code::kUnavailable : CodeOf(c_, r);
  return Status(code, "postgresql " + std::string(what) + ": " + why);
}

Status Conn::Exec(std::string_view sql) {
  std::string text(sql);
  // PQexec returns the last statement's result; a failure stops the string there.
  pg_result* r = PQexec(c_, text.c_str());
  Status s = ResultOk(r) ? Status::Ok() : Error("exec", r);
  PQclear(r);
  return s;
}

Result<Rows> Conn::Query(const char* sql, std::string_view what, const Params& p) {
  return Exec(sql, what, p, /*binary=*/false);
}

Result<Rows> Conn::QueryBinary(const char* sql, std::string_view what, const Params& p) {
  return Exec(sql, what, p, /*binary=*/true);
}

Result<Rows> Conn::Exec(const char* sql, std::string_view what, const Params& p, bool binary) {
  pg_result* r = PQexecParams(c_, sql, p.size(), nullptr, p.values(), p.lengths(), p.formats(),
                              binary ? 1 : 0);
  if (!ResultOk(r)) {
    Status s = Error(what, r);
    PQclear(r);
    return s;
  }
  return Rows(r);
}

Status Conn::InTransaction(const std::function<Status()>& body) {
  Status s = Exec("BEGIN");
  if (!s.ok()) return s;
  s = body();
  if (!s.ok()) {
    if (Healthy()) Exec("ROLLBACK");
    return s;
  }
  const CommitLoss loss = CommitLossNow();
  if (loss == CommitLoss::kBeforeCommit) {
    Drop();
    return Status::Unavailable("postgresql commit: connection lost before COMMIT (test)");
  }
  s = Exec("COMMIT");
  if (!s.ok() && Healthy()) Exec("ROLLBACK");
  if (s.ok() && loss == CommitLoss::kAfterCommit) {
    Drop();
    return Status::Unavailable("postgresql commit: connection lost after COMMIT (test)");
  }
  return s;
}

Status Conn::CopyIn(const char* copy_sql, std::string_view data) {
  pg_result* r = PQexec(c_, copy_sql);
  if (PQresultStatus(r) != PGRES_COPY_IN) {
    Status s = Error("copy", r);
    PQclear(r);
    return s;
  }
  PQclear(r);
  // Sent in pieces of at most 1 MiB: PQputCopyData takes an int length.
  constexpr size_t kPiece = 1 << 20;
  for (size_t at = 0; at < data.size(); at += kPiece) {
    size_t n = std::min(kPiece, data.size() - at);
    if (PQputCopyData(c_, data.data() + at, static_cast<int>(n)) != 1) {
      PQputCopyEnd(c_, "send failed");
      break;
    }
  }
  Status s = Status::Ok();
  if (PQputCopyEnd(c_, nullptr) != 1) s = Error("copy end");
  while ((r = PQgetResult(c_)) != nullptr) {
    if (s.ok() && PQresultStatus(r) != PGRES_COMMAND_OK) s = Error("copy", r);
    PQclear(r);
  }
  return s;
}

Status Conn::Migrate(std::string_view module, std::span<const char* const> steps) {
  // The versions of every module, and the keys of the writes that must apply once
  // (WriteOnce, lease.h), which every module may use. Two nodes creating a table at
  // once: one of them sees a unique violation on the catalog; the table is there
  // either way.
  constexpr const char* kShared[] = {
      "CREATE TABLE IF NOT EXISTS schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT "
      "NULL)",
      "CREATE TABLE IF NOT EXISTS applied_writes (key TEXT PRIMARY KEY, result TEXT NOT NULL "
      "DEFAULT '', t TIMESTAMPTZ NOT NULL DEFAULT now())",
      "CREATE INDEX IF NOT EXISTS applied_writes_t ON applied_writes (t)",
  };
  Status s = Status::Ok();
  for (const char* sql : kShared) {
    s = Exec(sql);
    if (!s.ok() && s.code() != Code::kConflict) return s;
  }
  const std::string name(module);
  for (;;) {
    bool done = false;
    s = InTransaction([&]() -> Status {
      // One migrating session per database at a time, released at the end of the
      // transaction.
      Status l = Run("SELECT pg_advisory_xact_lock(hashtext('ecohub schema'))", "migration lock");
      if (!l.ok()) return l;
      auto v =
          Query("SELECT version FROM schema_versions WHERE module = $1", "schema version", name);
      if (!v.ok()) return v.status();
      int64_t have = v->empty() ? 0 : v->Int(0, 0);
      if (have > static_cast<int64_t>(steps.size()))
        return Status::Corruption("postgresql: the " + name + " schema is at version " +
                                  std::to_string(have) + ", newer than this EcoHub (" +
                                  std::to_string(steps.size()) + ")");
      if (have == static_cast<int64_t>(steps.size())) {
        done = true;
        return Status::Ok();
      }
      Status e = Exec(steps[have]);
      if (!e.ok()) return e;
      return Run(
          "INSERT INTO schema_versions (module, version) VALUES ($1, $2) "
          "ON CONFLICT (module) DO UPDATE SET version = excluded.version",
          "schema version", name, have + 1);
    });
    if (!s.ok() || done) return s;
  }
}

void AppendHex(std::string_view v, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->append("\\\\x");
  for (unsigned char ch : v) {
    out->push_back(kHex[ch >> 4]);
    out->push_back(kHex[ch & 15]);
  }
}

void CopyField(std::string_view v, std::string* out) {
  for (char ch : v) {
    switch (ch) {
      case '\\':
        out->append("\\\\");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        out->push_back(ch);
    }
  }
}

// --- Pool -----------------------------------------------------------------------------

Result<std::unique_ptr<Pool>> Pool::Open(const std::string& url, int size,
                                         const ConnOptions& options) {
  std::unique_ptr<Pool> p(new Pool(url, options));
  for (int i = 0; i < std::max(1, size); ++i) {
    auto c = Conn::Open(url, options);
    if (!c.ok()) return c.status();
    p->free_.push_back(std::move(*c));
  }
  return p;
}

Pool::Lease::~Lease() {
  if (c_) pool_->Return(std::move(c_));
}

void Pool::Return(std::unique_ptr<Conn> c) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(c));
  }
  free_cv_.notify_one();
}

Result<Pool::Lease> Pool::Get() {
  std::unique_ptr<Conn> c;
  {
    std::unique_lock lock(mu_);
    free_cv_.wait(lock, [&] { return !free_.empty(); });
    c = std::move(free_.back());
    free_.pop_back();
  }
  Lease lease(this, std::move(c));
  if (!lease->Healthy()) {
    Status s = lease->Reconnect();
    if (!s.ok()) return s;
  }
  return lease;
}

}  // namespace ecohub::store::pg
