// Declarations as tables (validation, the rule table, the check against the data,
// annotation of alarms) and the DeclarationStore contract for every backend
// (SQLite; PostgreSQL on a server the test starts).
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "declare/alarms.h"
#include "declare/declaration.h"
#include "declare/declaration_store.h"
#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"

namespace ecohub::declare {
namespace {

constexpr UnixSeconds kDay = 1772294400;  // 2026-03-01 00:00 Beijing
constexpr UnixSeconds kNow = kDay + 10 * 86400;

Declaration Make(const std::string& kind, UnixSeconds from, std::optional<UnixSeconds> to) {
  Declaration d;
  d.site_id = 7;
  d.site_code = "WS-1";
  d.enterprise_id = 11;
  d.district_id = 4;
  d.kind = kind;
  d.from = from;
  d.to = to;
  d.reason = "检修脱硫设施";
  d.submitted_by = "user:9";
  d.submitted_at = kNow;
  return d;
}

TEST(Declaration, ValidateNamesWhatIsWrong) {
  Declaration accepted = Make("maintenance", kDay + 86400, kDay + 2 * 86400);
  accepted.id = 1;
  accepted.status = "accepted";
  struct Case {
    std::function<void(Declaration*)> edit;
    const char* why;  // "" when valid
  } cases[] = {
      {[](Declaration*) {}, ""},
      {[](Declaration* d) { d->kind = "holiday"; }, "kind must be"},
      {[](Declaration* d) { d->to = d->from; }, "from must be before to"},
      {[](Declaration* d) { d->to.reset(); }, "only a stop"},
      {[](Declaration* d) { d->kind = "stopped", d->to.reset(); }, ""},
      {[](Declaration* d) { d->to = d->from + 91 * 86400; }, "at most 90 days"},
      {[](Declaration* d) { d->from = kNow - 31 * 86400, d->to = d->from + 3600; }, "too late"},
      {[](Declaration* d) { d->from = kNow + 91 * 86400, d->to = d->from + 3600; }, "ahead"},
      {[](Declaration* d) { d->reason = "  "; }, "reason is required"},
      {[](Declaration* d) { d->reason = std::string(3000, 'x'); }, "too long"},
      // Overlapping the accepted one (day 1..2) of the same outlet.
      {[](Declaration* d) { d->from = kDay + 86400 + 3600, d->to = kDay + 3 * 86400; }, "overlaps"},
      {[](Declaration* d) { d->kind = "stopped", d->to.reset(); }, ""},  // from day 3: after
      {[](Declaration* d) { d->from = kDay, d->to = kDay + 86400; },
       ""},  // touching, not overlapping
      {[](Declaration* d) { d->site_id = 8, d->from = kDay + 86400 + 3600; }, ""},  // other outlet
  };
  const Declaration acc[] = {accepted};
  for (size_t i = 0; i < std::size(cases); ++i) {
    Declaration d = Make("fault", kDay + 3 * 86400, kDay + 4 * 86400);
    cases[i].edit(&d);
    Status s = Validate(d, kNow, acc);
    if (std::string(cases[i].why).empty()) {
      EXPECT_TRUE(s.ok()) << i << ": " << s.ToString();
    } else {
      EXPECT_NE(s.message().find(cases[i].why), std::string::npos)
          << i << ": " << s.ToString() << " / " << cases[i].why;
    }
  }
  Declaration open = Make("stopped", kDay, std::nullopt);
  open.id = 2;
  open.status = "accepted";
  const Declaration open_acc[] = {open};
  EXPECT_EQ(Validate(Make("fault", kNow + 86400, kNow + 90000), kNow, open_acc).code(),
            Code::kConflict);  // an open stop overlaps everything after it
}

TEST(Declaration, RuleTable) {
  struct Row {
    const char* kind;
    Effect exceedance, anomaly, offline;
  } rows[] = {
      {"stopped", Effect::kAnnotate, Effect::kSuppress, Effect::kSuppress},
      {"maintenance", Effect::kAnnotate, Effect::kSuppress, Effect::kSuppress},
      {"fault", Effect::kAnnotate, Effect::kAnnotate, Effect::kSuppress},
      {"abnormal", Effect::kAnnotate, Effect::kAnnotate, Effect::kAnnotate},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(RuleFor(r.kind, "exceedance"), r.exceedance) << r.kind;
    EXPECT_EQ(RuleFor(r.kind, "anomaly"), r.anomaly) << r.kind;
    EXPECT_EQ(RuleFor(r.kind, "offline"), r.offline) << r.kind;
  }
  for (const std::string& k : Kinds())  // an exceedance is never silently dropped
    EXPECT_NE(RuleFor(k, "exceedance"), Effect::kSuppress) << k;
  EXPECT_EQ(RuleFor("holiday", "offline"), Effect::kNone);
  EXPECT_EQ(RuleFor("stopped", "fire"), Effect::kNone);
  EXPECT_EQ(KindLabel("stopped"), "停产");
  EXPECT_EQ(Kinds().size(), 4u);
}

Reading Hour(UnixSeconds t, const char* factor, const char* value, char flag) {
  return {"MN1", Period::kHour, t, factor, "Avg", value, flag};
}

TEST(Declaration, CheckAgainstTheData) {
  struct Case {
    const char* what;
    Declaration d;
    std::vector<Reading> hours;
    std::vector<std::string> codes;
    std::function<void(const std::vector<Finding>&)> more = nullptr;
  };
  std::vector<Case> cases = {
      {"stopped, no flow: nothing",
       Make("stopped", kDay, kDay + 86400),
       {Hour(kDay, "w00000", "0", 'N'), Hour(kDay + 3600, "w00000", "0.000", 'F'),
        Hour(kDay + 7200, "w01018", "35", 'N')},
       {}},
      {"stopped but flow in 2 hours; flagged F, outside the window and minute values ignored",
       Make("stopped", kDay, kDay + 86400),
       {Hour(kDay, "w00000", "0", 'N'),
        Hour(kDay + 3600, "w00000", "12.5", 'N'),
        Hour(kDay + 7200, "w00000", "3", 0),
        Hour(kDay + 3 * 3600, "w00000", "8", 'F'),
        Hour(kDay + 86400, "w00000", "9", 'N'),
        {"MN1", Period::kMinute, kDay + 60, "w00000", "Avg", "9", 'N'}},
       {"flow_while_stopped"},
       [](const std::vector<Finding>& f) {
         EXPECT_EQ(f[0].factor, "w00000");
         EXPECT_EQ(f[0].hours, 2);
         EXPECT_EQ(f[0].of, 4);
         EXPECT_EQ(f[0].first, kDay + 3600);
         EXPECT_NE(f[0].text.find("flow > 0 in 2 of 4 hours (first at 2026-03-01T01:00:00+08:00)"),
                   std::string::npos)
             << f[0].text;
       }},
      {"an open stop is checked until now; gas flow too",
       Make("stopped", kDay, std::nullopt),
       {Hour(kDay + 5 * 86400, "a00000", "40", 'N'), Hour(kNow + 3600, "a00000", "40", 'N')},
       {"flow_while_stopped"},
       [](const std::vector<Finding>& f) { EXPECT_EQ(f[0].hours, 1); }},
      {"stopped with unreadable flow: no finding",
       Make("stopped", kDay, kDay + 86400),
       {Hour(kDay, "w00000", "abc", 'N')},
       {}},
      {"fault but valid throughout",
       Make("fault", kDay, kDay + 7200),
       {Hour(kDay, "w01018", "30", 'N'), Hour(kDay, "w00000", "3", 'N'),
        Hour(kDay + 3600, "w01018", "31", 'N')},
       {"valid_while_fault"},
       [](const std::vector<Finding>& f) {
         EXPECT_EQ(f[0].hours, 2);
         EXPECT_EQ(f[0].of, 2);
         EXPECT_NE(f[0].text.find("throughout"), std::string::npos) << f[0].text;
       }},
      {"fault flagged D: nothing",
       Make("fault", kDay, kDay + 7200),
       {Hour(kDay, "w01018", "30", 'D'), Hour(kDay + 3600, "w01018", "31", 'D')},
       {}},
      {"maintenance, one hour of two valid",
       Make("maintenance", kDay, kDay + 7200),
       {Hour(kDay, "w01018", "30", 'M'), Hour(kDay, "w00000", "1", 'N'),
        Hour(kDay + 3600, "w01018", "31", 'N')},
       {"valid_while_maintenance"},
       [](const std::vector<Finding>& f) {
         EXPECT_EQ(f[0].hours, 1);
         EXPECT_EQ(f[0].of, 2);
         EXPECT_EQ(f[0].first, kDay + 3600);
         EXPECT_NE(f[0].text.find("in 1 of 2 hours"), std::string::npos) << f[0].text;
       }},
      {"abnormal: no check",
       Make("abnormal", kDay, kDay + 7200),
       {Hour(kDay, "w00000", "30", 'N')},
       {}},
  };
  for (const auto& c : cases) {
    auto got = Check(c.d, c.hours, kNow);
    std::vector<std::string> codes;
    for (const auto& f : got) codes.push_back(f.code);
    EXPECT_EQ(codes, c.codes) << c.what;
    if (c.more && codes == c.codes) c.more(got);
  }
}

TEST(Declaration, AnnotateMarksTheCoveringDeclarationOnly) {
  Declaration d = Make("stopped", kDay, kDay + 86400);
  d.id = 5;
  store::Alarm a;
  a.kind = "offline";
  a.site_id = 7;
  a.started = kDay + 3600;
  a.detail = R"({"mn":"MN1"})";
  std::vector<Declaration> ds = {d};
  EXPECT_EQ(Annotate(ds, &a), Effect::kNone);  // submitted, not accepted: nothing
  EXPECT_EQ(a.detail, R"({"mn":"MN1"})");
  ds[0].status = "accepted";
  store::Alarm other = a;
  other.site_id = 8;
  EXPECT_EQ(Annotate(ds, &other), Effect::kNone);
  store::Alarm late = a;
  late.started = kDay + 86400;
  EXPECT_EQ(Annotate(ds, &late), Effect::kNone);  // [from, to)
  EXPECT_EQ(Annotate(ds, &a), Effect::kSuppress);
  auto j = nlohmann::json::parse(a.detail);
  EXPECT_EQ(j["mn"], "MN1");
  EXPECT_EQ(j["declaration"]["id"], 5);
  EXPECT_EQ(j["declaration"]["kind"], "stopped");
  EXPECT_TRUE(Suppressed(a));
  store::Alarm exc = a;
  exc.kind = "exceedance";
  exc.detail = "not json";
  EXPECT_EQ(Annotate(ds, &exc), Effect::kAnnotate);
  EXPECT_FALSE(Suppressed(exc));
  EXPECT_EQ(nlohmann::json::parse(exc.detail)["declaration"]["effect"], "annotate");
}

using Backend = store::BackendOf<DeclarationStore>;

std::unique_ptr<DeclarationStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteDeclarationStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<DeclarationStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresDeclarationStore(url);
}

class DeclarationStoreContract : public store::ContractFixture<DeclarationStore> {};

TEST_P(DeclarationStoreContract, DeclarationsKeepTheirLifecycleAcrossARestart) {
  Declaration open = Make("stopped", kDay, std::nullopt);
  auto a = store_->Add(open);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  Declaration other = Make("fault", kDay + 86400, kDay + 2 * 86400);
  other.site_id = 8;
  other.enterprise_id = 12;
  other.district_id = 5;
  auto b = store_->Add(other);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  Restart();
  auto got = store_->Get(*a);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  open.id = *a;
  EXPECT_EQ(*got, open);
  EXPECT_FALSE(got->to.has_value());
  EXPECT_EQ(store_->Get(*b + 100).status().code(), Code::kNotFound);

  auto accepted = store_->Move(*a, {"submitted", "accepted", "user:3", "核实属实", kNow});
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->status, "accepted");
  EXPECT_EQ(accepted->decided_by, "user:3");
  EXPECT_EQ(accepted->decision_comment, "核实属实");
  auto twice = store_->Move(*a, {"submitted", "rejected", "user:4", "", kNow});
  EXPECT_EQ(twice.status().code(), Code::kConflict) << twice.status().ToString();
  EXPECT_EQ(store_->Move(*b + 100, {"submitted", "accepted", "user:3", "", kNow}).status().code(),
            Code::kNotFound);
  auto ended = store_->Move(*a, {"accepted", "ended", "user:9", "", kNow + 60, kNow});
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  Restart();
  got = store_->Get(*a);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "ended");
  EXPECT_EQ(got->to, kNow);
  EXPECT_EQ(got->ended_by, "user:9");
  EXPECT_EQ(got->ended_at, kNow + 60);
  EXPECT_EQ(got->decided_by, "user:3");  // the acceptance stays on record

  auto list = store_->List({});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, *b);  // newest first
  DeclarationFilter f;
  f.enterprise_id = 12;
  EXPECT_EQ(store_->List(f)->size(), 1u);
  f = {};
  f.district_id = 4;
  EXPECT_EQ(store_->List(f)->size(), 1u);
  f = {};
  f.site_id = 8;
  f.statuses = {"accepted", "ended"};
  EXPECT_EQ(store_->List(f)->size(), 0u);
  f.site_id = 0;
  EXPECT_EQ(store_->List(f)->size(), 1u);
  f = {};
  f.from = kNow;  // the ended window is [kDay, kNow): it does not reach kNow
  f.to = kNow + 86400;
  EXPECT_EQ(store_->List(f)->size(), 0u);
  f.from = kDay + 86400 + 3600;
  EXPECT_EQ(store_->List(f)->size(), 2u);
  f.limit = 1;
  EXPECT_EQ(store_->List(f)->size(), 1u);
}

// `ecohub db migrate`: the SQLite tables copied into PostgreSQL, an open window (NULL)
// and the ids as they were.
TEST(DeclarationMigrate, SqliteTablesCopyIntoPostgres) {
  Backend pg = store::pg::PostgresBackend<DeclarationStore>(OpenPostgres);
  if (pg.unavailable && !pg.unavailable().empty()) GTEST_SKIP() << pg.unavailable();
  std::string dir = store::FreshTestDir("/ecohub_declare_migrate_");
  auto from = OpenSqlite(dir);
  ASSERT_NE(from, nullptr);
  Declaration open = Make("stopped", kDay, std::nullopt);
  Declaration closed = Make("fault", kDay + 86400, kDay + 2 * 86400);
  ASSERT_TRUE(from->Add(open).ok());
  auto id = from->Add(closed);
  ASSERT_TRUE(id.ok());
  auto tables = from->ExportTables();
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  auto to = pg.open(dir + "_pg");
  ASSERT_NE(to, nullptr);
  ASSERT_TRUE(to->ImportTables(*tables).ok());
  auto got = to->List({});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  closed.id = *id;
  EXPECT_EQ((*got)[0], closed);
  EXPECT_FALSE((*got)[1].to.has_value());
  auto next = to->Add(open);  // the identity moved past the copied ids
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GT(*next, *id);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, DeclarationStoreContract,
    testing::Values(Backend{"sqlite", OpenSqlite},
                    store::pg::PostgresBackend<DeclarationStore>(OpenPostgres)),
    store::BackendName<DeclarationStore>);

}  // namespace
}  // namespace ecohub::declare
