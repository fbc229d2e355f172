// `ecohub db migrate --from DIR --to URL`: an SQLite deployment copied into an empty
// PostgreSQL store, module by module through the Store interface, then checked: the
// counts of both sides, the ids the audit log names, and the audit chain (copied
// row for row, so its signatures and the anchors outside still hold).
//
// Accounts, permits, the record of imports, the reviews, the device commands, the
// declarations, the manual samples, the complaints, the grid tasks and the
// notifications (accounts.db, permits.db, imports.db, reviews.db, commands.db,
// declarations.db, samples.db, casework.db, tasks.db, enforcement.db and notify.db of the data
// directory) are
// copied table by table, ids, password hashes and sealed keys as they are, so that
// every user signs in on PostgreSQL as before; login sessions come along too.
//
// Not copied: raw packets (a short-lived trace; the store keeps them by time and
// device only).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>

#include "app/audit_verdict.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "auth/pg_account_store.h"
#include "auth/sqlite_account_store.h"
#include "derive/kinds.h"
#include "derive/noise_jobs.h"
#include "store/audit.h"
#include "store/open_store.h"

namespace ecohub::app {
namespace {

struct MigrateArgs {
  std::string from, to, key_file, anchors;
};

// What both sides hold, module by module, to compare after the copy.
using Counts = std::map<std::string, int64_t>;

const char* const kDerivedKinds[] = {derive::kKindAqiHour,    derive::kKindAqiDay,
                                     derive::kKindWaterDay,   derive::kKindExceedance,
                                     derive::kKindQualityDay, derive::kKindNoiseDay};

Result<std::vector<store::Alarm>> AllAlarms(store::Store& st) {
  store::AlarmFilter f;
  f.limit = SIZE_MAX;
  auto all = st.QueryAlarms(f);  // newest `started` first
  if (all.ok())
    std::sort(all->begin(), all->end(),
              [](const store::Alarm& a, const store::Alarm& b) { return a.id < b.id; });
  return all;
}

Result<Counts> CountsOf(store::Store& st) {
  Counts c;
  auto readings = st.CountReadings();
  if (!readings.ok()) return readings.status();
  c["readings"] = *readings;
  auto districts = st.Districts();
  auto enterprises = st.Enterprises();
  auto sites = st.Sites();
  auto devices = st.Devices();
  for (auto s : {districts.status(), enterprises.status(), sites.status(), devices.status()})
    if (!s.ok()) return s;
  c["districts"] = districts->size();
  c["enterprises"] = enterprises->size();
  c["sites"] = sites->size();
  c["devices"] = devices->size();
  for (const char* kind : kDerivedKinds) {
    auto rows = st.QueryDerived(kind, "", INT64_MIN, INT64_MAX, SIZE_MAX);
    if (!rows.ok()) return rows.status();
    c[std::string("derived ") + kind] = rows->size();
  }
  auto alarms = AllAlarms(st);
  if (!alarms.ok()) return alarms.status();
  c["alarms"] = alarms->size();
  auto head = st.ReadAuditHead();
  if (!head.ok()) return head.status();
  c["audit rows"] = head->last.id;
  return c;
}

// The registry, keeping every id (the audit log and the alarms name them): rows go
// in id order into empty tables; an id that comes out different stops the copy.
Status CopyRegistry(store::Store& from, store::Store& to) {
  if (auto city = from.GetCity(); city.ok()) {
    if (Status s = to.PutCity(*city); !s.ok()) return s;
  } else if (city.status().code() != Code::kNotFound) {
    return city.status();
  }
  auto same_id = [](const char* what, int64_t want, const Result<int64_t>& got) {
    if (!got.ok()) return got.status();
    if (*got != want)
      return Status::Internal(std::string(what) + " " + std::to_string(want) + " came out as " +
                              std::to_string(*got) + ": the destination was not empty");
    return Status::Ok();
  };
  auto districts = from.Districts();
  if (!districts.ok()) return districts.status();
  for (const auto& d : *districts)
    if (Status s = same_id("district", d.id, to.PutDistrict(d)); !s.ok()) return s;
  auto enterprises = from.Enterprises();
  if (!enterprises.ok()) return enterprises.status();
  for (const auto& e : *enterprises)
    if (Status s = same_id("enterprise", e.id, to.PutEnterprise(e)); !s.ok()) return s;
  auto sites = from.Sites();
  if (!sites.ok()) return sites.status();
  for (const auto& site : *sites)
    if (Status s = same_id("site", site.id, to.PutSite(site)); !s.ok()) return s;
  auto devices = from.Devices();
  if (!devices.ok()) return devices.status();
  for (const auto& d : *devices)
    if (Status s = to.PutDevice(d); !s.ok()) return s;
  return Status::Ok();
}

Status CopyReadings(store::Store& from, store::Store& to, int64_t total) {
  constexpr size_t kBatch = 50000;
  store::Batch batch;
  int64_t done = 0;
  Status failed;
  auto flush = [&] {
    const store::Batch* p = &batch;
    failed = to.Append(std::span<const store::Batch* const>(&p, 1));
    done += batch.readings.size();
    batch.readings.clear();
    Progress("readings", static_cast<int>(done / 1000), static_cast<int>(total / 1000));
    return failed.ok();
  };
  Status s = from.ScanReadings([&](const Reading& r) {
    batch.readings.push_back(r);
    return batch.readings.size() < kBatch || flush();
  });
  if (!s.ok()) return s;
  if (!failed.ok()) return failed;
  if (!batch.readings.empty() && !flush()) return failed;
  return Status::Ok();
}

Status CopyDerivedAndAlarms(store::Store& from, store::Store& to) {
  for (const char* kind : kDerivedKinds) {
    auto rows = from.QueryDerived(kind, "", INT64_MIN, INT64_MAX, SIZE_MAX);
    if (!rows.ok()) return rows.status();
    for (size_t at = 0; at < rows->size(); at += 10000) {
      auto part = std::span<const store::DerivedRow>(*rows).subspan(
          at, std::min<size_t>(10000, rows->size() - at));
      if (Status s = to.PutDerived(part); !s.ok()) return s;
    }
  }
  // Alarms are raised open, then taken through their lifecycle as they were.
  auto alarms = AllAlarms(from);
  if (!alarms.ok()) return alarms.status();
  for (const auto& a : *alarms) {
    if (Status s = to.UpsertAlarms(std::span<const store::Alarm>(&a, 1)); !s.ok()) return s;
    // Same id, or the audit rows that name this alarm would name another.
    auto copied = to.GetAlarm(a.id);
    if (!copied.ok() || copied->key != a.key)
      return Status::Internal("alarm " + std::to_string(a.id) +
                              " came out with another id: the destination was not empty");
    if (!a.ack_by.empty())
      if (auto r = to.TransitionAlarm(a.id, "acknowledged", a.ack_by, a.ack_comment, a.ack_at);
          !r.ok())
        return r.status();
    if (a.status == "closed")
      if (auto r = to.TransitionAlarm(a.id, "closed", a.closed_by, a.close_comment, a.closed_at);
          !r.ok())
        return r.status();
  }
  return Status::Ok();
}

// The account and permit stores of one side.
struct Side {
  std::unique_ptr<auth::AccountStore> accounts;
  std::unique_ptr<permit::PermitStore> permits;
  std::unique_ptr<ingest::ImportBatchStore> imports;
  std::unique_ptr<review::ReviewStore> reviews;
  std::unique_ptr<control::CommandStore> commands;
  std::unique_ptr<declare::DeclarationStore> declarations;
  std::unique_ptr<samples::SampleStore> samples;
  std::unique_ptr<casework::ComplaintStore> complaints;
  std::unique_ptr<casework::TaskStore> tasks;
  std::unique_ptr<notify::NotifyStore> notify;
  std::unique_ptr<casework::EnforcementStore> cases;
};

Result<Side> OpenSide(const std::string& url, const std::string& data_dir) {
  Side side;
  auto accounts =
      url.empty() ? auth::OpenSqliteAccountStore(data_dir) : auth::OpenPostgresAccountStore(url);
  if (!accounts.ok()) return accounts.status();
  side.accounts = std::move(*accounts);
  auto permits = OpenPermitStore(url, data_dir);
  if (!permits.ok()) return permits.status();
  side.permits = std::move(*permits);
  auto imports = OpenImportBatchStore(url, data_dir);
  if (!imports.ok()) return imports.status();
  side.imports = std::move(*imports);
  auto reviews = OpenReviewStore(url, data_dir);
  if (!reviews.ok()) return reviews.status();
  side.reviews = std::move(*reviews);
  auto commands = OpenCommandStore(url, data_dir);
  if (!commands.ok()) return commands.status();
  side.commands = std::move(*commands);
  auto declarations = OpenDeclarationStore(url, data_dir);
  if (!declarations.ok()) return declarations.status();
  side.declarations = std::move(*declarations);
  auto samples = OpenSampleStore(url, data_dir);
  if (!samples.ok()) return samples.status();
  side.samples = std::move(*samples);
  auto complaints = OpenComplaintStore(url, data_dir);
  if (!complaints.ok()) return complaints.status();
  side.complaints = std::move(*complaints);
  auto tasks = OpenTaskStore(url, data_dir);
  if (!tasks.ok()) return tasks.status();
  side.tasks = std::move(*tasks);
  auto notify = OpenNotifyStore(url, data_dir);
  if (!notify.ok()) return notify.status();
  side.notify = std::move(*notify);
  auto cases = OpenEnforcementStore(url, data_dir);
  if (!cases.ok()) return cases.status();
  side.cases = std::move(*cases);
  return side;
}

// What the account and permit stores hold, added to `c`.
Status CountSide(Side& side, Counts* c) {
  auto users = side.accounts->Users();
  auto keys = side.accounts->Keys(0);
  auto requests = side.accounts->Requests();
  auto permits = side.permits->List();
  auto imports = side.imports->List(0, SIZE_MAX);
  auto reviews = side.reviews->List(0, SIZE_MAX);
  auto commands = side.commands->Created("", INT64_MIN, INT64_MAX);
  declare::DeclarationFilter all;
  all.limit = SIZE_MAX;
  auto declarations = side.declarations->List(all);
  auto samples = side.samples->List({.limit = SIZE_MAX});
  auto complaints = side.complaints->List({.limit = SIZE_MAX});
  auto tasks = side.tasks->List({.limit = SIZE_MAX});
  auto grids = side.tasks->Grids();
  auto draws = side.tasks->Draws(false, 0, SIZE_MAX);
  auto cases = side.cases->List({.limit = SIZE_MAX});
  auto subscriptions = side.notify->Subscriptions(0);
  for (auto s : {users.status(), keys.status(), requests.status(), permits.status(),
                 imports.status(), reviews.status(), commands.status(), declarations.status(),
                 samples.status(), complaints.status(), tasks.status(), grids.status(),
                 draws.status(), subscriptions.status()})
    if (!s.ok()) return s;
  (*c)["subscriptions"] = subscriptions->size();
  (*c)["complaints"] = complaints->size();
  (*c)["tasks"] = tasks->size();
  (*c)["grids"] = grids->size();
  (*c)["random draws"] = draws->size();
  (*c)["enforcement cases"] = cases->size();
  (*c)["device commands"] = commands->size();
  (*c)["declarations"] = declarations->size();
  (*c)["samples"] = samples->size();
  (*c)["import batches"] = imports->size();
  (*c)["reviews"] = reviews->size();
  (*c)["users"] = users->size();
  (*c)["api keys"] = keys->size();
  (*c)["data requests"] = requests->size();
  (*c)["permits"] = permits->size();
  int64_t notes = 0;
  for (const auto& u : *users) {
    auto n = side.accounts->Notifications(u.id, SIZE_MAX);
    if (!n.ok()) return n.status();
    notes += n->size();
  }
  (*c)["notifications"] = notes;
  return Status::Ok();
}

// One module's tables, exported from one side and imported into the other.
template <typename StorePtr>
Status CopyTables(const StorePtr& from, const StorePtr& to) {
  auto tables = from->ExportTables();
  if (!tables.ok()) return tables.status();
  return to->ImportTables(*tables);
}

Status CopySide(Side& from, Side& to) {
  // In order, stopping at the first failure.
  const std::function<Status()> steps[] = {
      [&] { return CopyTables(from.accounts, to.accounts); },
      [&] { return CopyTables(from.permits, to.permits); },
      [&] { return CopyTables(from.imports, to.imports); },
      [&] { return CopyTables(from.reviews, to.reviews); },
      [&] { return CopyTables(from.commands, to.commands); },
      [&] { return CopyTables(from.declarations, to.declarations); },
      [&] { return CopyTables(from.samples, to.samples); },
      [&] { return CopyTables(from.complaints, to.complaints); },
      [&] { return CopyTables(from.tasks, to.tasks); },
      [&] { return CopyTables(from.notify, to.notify); },
      [&] { return CopyTables(from.cases, to.cases); },
  };
  for (const auto& step : steps)
    if (Status s = step(); !s.ok()) return s;
  return Status::Ok();
}

Status CopyAudit(store::Store& from, store::Store& to) {
  std::vector<store::AuditEntry> rows;
  Status failed;
  Status s = from.ScanAudit([&](const store::AuditEntry& e) {
    rows.push_back(e);
    if (rows.size() < 5000) return true;
    failed = to.CopyAudits(rows);
    rows.clear();
    return failed.ok();
  });
  if (!s.ok()) return s;
  if (!failed.ok()) return failed;
  return rows.empty() ? Status::Ok() : to.CopyAudits(rows);
}

int Fail(const Status& s) {
  std::fprintf(stderr, "ecohub db migrate: %s\n", s.ToString().c_str());
  return 1;
}

int RunMigrate(const MigrateArgs& a) {
  auto from = store::OpenStoreAt({.data_dir = a.from, .read_only = true});
  if (!from.ok()) return Fail(from.status());
  if (!store::IsPostgresUrl(a.to))
    return Fail(
        Status::InvalidInput("--to " + store::RedactUrl(a.to) + " is not a PostgreSQL URL"));
  // The destination finds the deployment's keys where the source does.
  auto to = store::OpenStoreAt({.url = a.to, .data_dir = a.from, .application = "ecohub migrate"});
  if (!to.ok()) return Fail(to.status());
  auto keys = crypto::KeyRing::Resolve(a.key_file, a.from + "/keys", /*create=*/false);
  if (!keys.ok()) return Fail(keys.status());
  auto shared_keys = std::make_shared<const crypto::KeyRing>(std::move(*keys));
  (*to)->UseAuditKeys(shared_keys);
  auto side_from = OpenSide("", a.from);
  if (!side_from.ok()) return Fail(side_from.status());
  auto side_to = OpenSide(a.to, a.from);
  if (!side_to.ok()) return Fail(side_to.status());
  auto before = CountsOf(**from);
  auto empty = CountsOf(**to);
  if (!before.ok()) return Fail(before.status());
  if (!empty.ok()) return Fail(empty.status());
  if (Status s = CountSide(*side_from, &*before); !s.ok()) return Fail(s);
  if (Status s = CountSide(*side_to, &*empty); !s.ok()) return Fail(s);
  for (const auto& [what, n] : *empty)
    if (n != 0)
      return Fail(Status::InvalidInput("the destination is not empty (" + what + ": " +
                                       std::to_string(n) + "); migrate into a new database"));
  Status s = CopyRegistry(**from, **to);
  if (s.ok()) s = CopyReadings(**from, **to, (*before)["readings"]);
  if (s.ok()) s = CopyDerivedAndAlarms(**from, **to);
  if (s.ok()) s = CopySide(*side_from, *side_to);
  if (s.ok()) s = CopyAudit(**from, **to);
  if (!s.ok()) return Fail(s);
  auto after = CountsOf(**to);
  if (!after.ok()) return Fail(after.status());
  if (Status c = CountSide(*side_to, &*after); !c.ok()) return Fail(c);
  bool same = true;
  std::printf("%-24s %12s %12s\n", "", "SQLite", "PostgreSQL");
  for (const auto& [what, n] : *before) {
    int64_t m = (*after)[what];
    same = same && n == m;
    std::printf("%-24s %12lld %12lld%s\n", what.c_str(), (long long)n, (long long)m,
                n == m ? "" : "  DIFFERENT");
  }
  std::string anchors = a.anchors.empty() ? a.from + "/" + store::kAuditAnchorFile : a.anchors;
  auto verdict = AuditVerdict(**to, *shared_keys, anchors);
  if (!verdict.ok()) return Fail(verdict.status());
  std::printf("audit chain: %s\n", verdict->dump().c_str());
  if (!same || !verdict->value("ok", false))
    return std::fprintf(stderr, "ecohub db migrate: the copy differs from its source\n"), 1;
  AuditCli(**to, "db.migrate", "store", {{"from", a.from}, {"readings", (*before)["readings"]}});
  std::printf("migrated: %s now holds the deployment of %s\n", store::RedactUrl(a.to).c_str(),
              a.from.c_str());
  return 0;
}

}  // namespace

void AddDbMigrate(CLI::App* db) {
  auto a = std::make_shared<MigrateArgs>();
  auto* cmd = db->add_subcommand(
      "migrate", "Copy an SQLite deployment into an empty PostgreSQL store, then check the copy");
  cmd->add_option("--from", a->from, "Data directory of the SQLite deployment")->required();
  cmd->add_option("--to", a->to, "PostgreSQL store, postgresql://user@host:port/database")
      ->required();
  cmd->add_option("--key-file", a->key_file,
                  "Master keys (default: ECOHUB_KEYS, else <from>/keys)");
  cmd->add_option("--anchors", a->anchors, "Anchor file (default: <from>/audit-anchors.log)");
  cmd->callback([a] { ExitWith(RunMigrate(*a)); });
}

}  // namespace ecohub::app
