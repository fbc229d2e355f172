#include "store/pg/lease.h"

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

namespace ecohub::store::pg {

namespace {

// 128 random bits in hex: unique across nodes and restarts without coordination.
std::string NewWriteKey() {
  thread_local std::mt19937_64 bits = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  char out[33];
  std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(bits()),
                static_cast<unsigned long long>(bits()));
  return out;
}

// How often a write also deletes the keys of the day before.
constexpr int kPruneEvery = 256;
std::atomic<int> writes_since_prune{0};

}  // namespace

Result<std::string> WriteOnceReturning(Pool& pool, std::string_view what,
                                       const std::function<Result<std::string>(Conn&)>& body,
                                       std::chrono::milliseconds window) {
  const std::string key = NewWriteKey();
  const auto deadline = std::chrono::steady_clock::now() + window;
  auto pause = std::chrono::milliseconds(0);
  for (;;) {
    Status s = Status::Ok();
    std::string result;
    auto db = pool.Get();
    if (db.ok()) {
      Conn& conn = **db;
      s = conn.InTransaction([&]() -> Status {
        auto fresh = conn.Query(
            "INSERT INTO applied_writes (key) VALUES ($1) ON CONFLICT (key) DO NOTHING "
            "RETURNING key",
            "record write key", key);
        if (!fresh.ok()) return fresh.status();
        if (fresh->empty()) {  // an earlier try committed: what it recorded
          auto done =
              conn.Query("SELECT result FROM applied_writes WHERE key = $1", "read write key", key);
          if (!done.ok()) return done.status();
          result = done->empty() ? "" : Str(*done, 0, 0);
          return Status::Ok();
        }
        auto r = body(conn);
        if (!r.ok()) return r.status();
        result = std::move(*r);
        if (result.empty()) return Status::Ok();
        return conn.Run("UPDATE applied_writes SET result = $2 WHERE key = $1",
                        "record write result", key, result);
      });
      if (s.ok()) {
        if (++writes_since_prune % kPruneEvery == 0)
          conn.Run("DELETE FROM applied_writes WHERE t < now() - interval '1 day'",
                   "prune write keys");  // best effort: the next prune tries again
        return result;
      }
    } else {
      s = db.status();
    }
    if (s.code() != Code::kUnavailable) return s;
    if (std::chrono::steady_clock::now() + pause >= deadline)
      return Status::Unavailable("postgresql " + std::string(what) +
                                 ": the outcome is unknown, the database was away for " +
                                 std::to_string(window.count()) + " ms: " + s.message());
    std::this_thread::sleep_for(pause);
    pause = std::clamp(pause * 2, std::chrono::milliseconds(100), std::chrono::milliseconds(2000));
  }
}

Status CopyTable(Conn& db, const TableRows& rows) {
  auto quoted = [](const std::string& name) { return "\"" + name + "\""; };
  std::string columns;
  for (const std::string& c : rows.columns) columns += (columns.empty() ? "" : ", ") + quoted(c);
  std::string data;
  for (const auto& row : rows.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) data += '\t';
      if (row[c])
        CopyField(*row[c], &data);
      else
        data += "\\N";
    }
    data += '\n';
  }
  const std::string copy = "COPY " + quoted(rows.table) + " (" + columns + ") FROM STDIN";
  if (Status s = db.CopyIn(copy.c_str(), data); !s.ok()) return s;
  auto identity = db.Query(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = "
      "current_schema() AND table_name = $1 AND is_identity = 'YES'",
      "identity columns", rows.table);
  if (!identity.ok()) return identity.status();
  for (int i = 0; i < identity->size(); ++i) {
    const std::string column(identity->Text(i, 0));
    const std::string sql = "SELECT setval(pg_get_serial_sequence($1, $2), max(" + quoted(column) +
                            "), true) FROM " + quoted(rows.table) + " HAVING max(" +
                            quoted(column) + ") IS NOT NULL";
    if (Status s = db.Run(sql.c_str(), "move identity", rows.table, column); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace ecohub::store::pg
