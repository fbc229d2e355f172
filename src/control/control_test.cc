// The command kinds and their parameter rules (a table of cases), and the
// CommandStore contract for every backend (SQLite; PostgreSQL on a server the test
// starts).
#include <gtest/gtest.h>

#include "control/command.h"
#include "control/command_store.h"
#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"

namespace ecohub::control {
namespace {

constexpr UnixSeconds kNow = 1772294400;  // 2026-03-01 00:00 Beijing

TEST(Command, KindsAndParametersAreChecked) {
  struct Case {
    const char* kind;
    Params params;
    const char* cn;   // expected CN when valid
    const char* cp;   // expected params text when valid
    const char* why;  // "" when valid
  } cases[] = {
      {"time_sync", {}, "1012", "", ""},
      {"get_time", {}, "1011", "", ""},
      {"get_time", {{"PolId", "a34004"}}, "1011", "PolId=a34004", ""},
      {"get_rtd_interval", {}, "1061", "", ""},
      {"set_rtd_interval", {{"RtdInterval", "60"}}, "1062", "RtdInterval=60", ""},
      {"set_rtd_interval", {{"RtdInterval", "29"}}, "", "", "30 to 3600"},
      {"set_rtd_interval", {{"RtdInterval", "3601"}}, "", "", "30 to 3600"},
      {"set_rtd_interval", {{"RtdInterval", "6x"}}, "", "", "30 to 3600"},
      {"set_rtd_interval", {}, "", "", "needs RtdInterval"},
      {"set_rtd_interval", {{"RtdInterval", "60"}, {"Extra", "1"}}, "", "", "no parameter 'Extra'"},
      {"get_min_interval", {}, "1063", "", ""},
      {"set_min_interval", {{"MinInterval", "10"}}, "1064", "MinInterval=10", ""},
      {"set_min_interval", {{"MinInterval", "7"}}, "", "", "one of 1,2,3"},
      {"get_info",
       {{"PolId", "w01018"}, {"InfoId", "i12001"}},
       "3020",
       "PolId=w01018;InfoId=i12001",
       ""},
      {"get_info",
       {{"PolId", "w01018"},
        {"InfoId", "i12001"},
        {"BeginTime", "20260301000000"},
        {"EndTime", "20260301010000"}},
       "3020",
       "PolId=w01018;InfoId=i12001;BeginTime=20260301000000;EndTime=20260301010000",
       ""},
      {"get_info", {{"PolId", "w01018"}, {"InfoId", "x1"}}, "", "", "InfoId must be"},
      {"get_info",
       {{"PolId", "w01018"}, {"InfoId", "i12001"}, {"BeginTime", "20260301000000"}},
       "",
       "",
       "go together"},
      {"set_info",
       {{"PolId", "w01018"}, {"InfoId", "i13004"}, {"Info", "2.5"}},
       "3021",
       "PolId=w01018;InfoId=i13004;i13004-Info=2.5",
       ""},
      {"set_info",
       {{"PolId", "w01018"}, {"InfoId", "i13004"}, {"Info", "a;b"}},
       "",
       "",
       "without ;"},
      {"history",
       {{"period", "hour"}, {"BeginTime", "20260301000000"}, {"EndTime", "20260301050000"}},
       "2061",
       "BeginTime=20260301000000;EndTime=20260301050000",
       ""},
      {"history",
       {{"period", "minute"}, {"BeginTime", "20260301000000"}, {"EndTime", "20260301050000"}},
       "2051",
       "BeginTime=20260301000000;EndTime=20260301050000",
       ""},
      {"history",
       {{"period", "day"}, {"BeginTime", "20260301000000"}, {"EndTime", "20260305000000"}},
       "2031",
       "BeginTime=20260301000000;EndTime=20260305000000",
       ""},
      {"history",
       {{"period", "minute"}, {"BeginTime", "20260301000000"}, {"EndTime", "20260303000000"}},
       "",
       "",
       "at most 1 days"},
      {"history",
       {{"period", "week"}, {"BeginTime", "20260301000000"}, {"EndTime", "20260301050000"}},
       "",
       "",
       "minute, hour or day"},
      {"history",
       {{"period", "hour"}, {"BeginTime", "20260301050000"}, {"EndTime", "20260301000000"}},
       "",
       "",
       "before BeginTime"},
      {"history",
       {{"period", "hour"}, {"BeginTime", "2026-03-01"}, {"EndTime", "20260301000000"}},
       "",
       "",
       "YYYYMMDDhhmmss"},
      {"history", {{"period", "hour"}}, "", "", "needs BeginTime"},
      {"reboot", {}, "", "", "unknown command kind 'reboot'"},
  };
  for (const auto& c : cases) {
    auto got = NewCommand("MN1", c.kind, c.params, "user:1", kNow);
    std::string what = std::string(c.kind) + " " + FormatCp(c.params);
    if (std::string(c.why).empty()) {
      ASSERT_TRUE(got.ok()) << what << ": " << got.status().ToString();
      EXPECT_EQ(got->cn, c.cn) << what;
      EXPECT_EQ(got->params, c.cp) << what;
      EXPECT_EQ(got->status, "queued");
      EXPECT_EQ(ParseCp(got->params).size(), ParseCp(c.cp).size());
    } else {
      ASSERT_FALSE(got.ok()) << what;
      EXPECT_EQ(got.status().code(), Code::kInvalidInput) << what;
      EXPECT_NE(got.status().message().find(c.why), std::string::npos)
          << got.status().ToString() << " / " << c.why;
    }
  }
  auto hours = NewCommand(
      "MN1", "history",
      {{"period", "hour"}, {"BeginTime", "20260301000000"}, {"EndTime", "20260301050000"}}, "u",
      kNow);
  ASSERT_TRUE(hours.ok());
  EXPECT_EQ(hours->expected, 6);
  auto sync = NewCommand("MN1", "time_sync", {}, "u", kNow);
  ASSERT_TRUE(sync.ok());
  auto fields = RequestFields(*sync, kNow + 5, kBeijingOffsetSeconds);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0], (std::pair<std::string, std::string>{"SystemTime", "20260301000005"}));
  EXPECT_TRUE(Terminal("done") && Terminal("expired") && !Terminal("accepted") &&
              !Terminal("queued"));
}

using Backend = store::BackendOf<CommandStore>;

std::unique_ptr<CommandStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteCommandStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<CommandStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresCommandStore(url);
}

class CommandStoreContract : public store::ContractFixture<CommandStore> {};

Command Queued(const std::string& mn, UnixSeconds at) {
  auto c = NewCommand(mn, "set_rtd_interval", {{"RtdInterval", "60"}}, "user:3", at);
  EXPECT_TRUE(c.ok());
  return *c;
}

// A node that died with commands in flight leaves them sent or accepted: after long
// silence any node's sweep ends them as timed out, and only them.
TEST_P(CommandStoreContract, CommandsLeftInFlightAreAbandonedAfterLongSilence) {
  auto sent = store_->Add(Queued("MN1", kNow));
  auto accepted = store_->Add(Queued("MN1", kNow));
  auto done = store_->Add(Queued("MN1", kNow));
  auto recent = store_->Add(Queued("MN2", kNow));
  auto queued = store_->Add(Queued("MN3", kNow));
  ASSERT_TRUE(sent.ok() && accepted.ok() && done.ok() && recent.ok() && queued.ok());
  for (int64_t id : {*sent, *accepted, *done})
    ASSERT_TRUE(*store_->Claim(id, "node-1", "q" + std::to_string(id), kNow + 1));
  ASSERT_TRUE(*store_->Update(*accepted, {"accepted", "", "", 0, kNow + 2}));
  ASSERT_TRUE(*store_->Update(*done, {"done", "", "", 0, kNow + 2}));
  ASSERT_TRUE(*store_->Claim(*recent, "node-2", "q-recent", kNow + 100));

  auto n = store_->Abandon(kNow + 50, kNow + 3600);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  for (int64_t id : {*sent, *accepted}) {
    auto got = store_->Get(id);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->status, "timed_out") << id;
    EXPECT_EQ(got->code, "abandoned") << id;
    EXPECT_EQ(got->updated_at, kNow + 3600) << id;
  }
  EXPECT_EQ(store_->Get(*done)->status, "done");
  EXPECT_EQ(store_->Get(*recent)->status, "sent");
  EXPECT_EQ(store_->Get(*queued)->status, "queued");
  // A late answer to an abandoned command changes nothing.
  auto late = store_->Update(*sent, {"done", "", "", 0, kNow + 3601});
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(*late);
  EXPECT_EQ(*store_->Abandon(kNow + 50, kNow + 3700), 0);
}

TEST_P(CommandStoreContract, ACommandIsClaimedOnceAndFollowsItsAnswers) {
  auto a = store_->Add(Queued("MN1", kNow));
  auto b = store_->Add(Queued("MN2", kNow + 1));
  auto c = store_->Add(Queued("MN1", kNow + 2));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << a.status().ToString();
  auto queued = store_->Queued(100);
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  ASSERT_EQ(queued->size(), 3u);
  EXPECT_EQ(queued->front().id, *a);  // oldest first

  // Two nodes race for the same command: one wins.
  auto first = store_->Claim(*a, "node-1", "20260301000000001", kNow + 3);
  auto second = store_->Claim(*a, "node-2", "20260301000000002", kNow + 3);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*second);
  Restart();
  auto got = store_->Get(*a);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, "sent");
  EXPECT_EQ(got->node, "node-1");
  EXPECT_EQ(got->qn, "20260301000000001");

  auto up = store_->Update(*a, {"accepted", "", "", 0, kNow + 4});
  ASSERT_TRUE(up.ok() && *up);
  up = store_->Update(*a, {"done", "", "RtdInterval=60", 0, kNow + 5});
  ASSERT_TRUE(up.ok() && *up);
  up = store_->Update(*a, {"timed_out", "", "", 0, kNow + 50});  // late: changes nothing
  ASSERT_TRUE(up.ok());
  EXPECT_FALSE(*up);
  EXPECT_EQ(store_->Update(*a + 100, {"done", "", "", 0, 0}).status().code(), Code::kNotFound);
  got = store_->Get(*a);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "done");
  EXPECT_EQ(got->result, "RtdInterval=60");
  EXPECT_EQ(got->updated_at, kNow + 5);

  // Queued commands of a device that never connects expire; sent ones do not.
  auto expired = store_->Expire(kNow + 2, kNow + 600);
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, 1);  // b only: c is newer
  got = store_->Get(*b);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "expired");
  auto claim_expired = store_->Claim(*b, "node-1", "q", kNow + 601);
  ASSERT_TRUE(claim_expired.ok());
  EXPECT_FALSE(*claim_expired);

  auto list = store_->ListForDevice("MN1", 0, 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, *c);  // newest first
  list = store_->ListForDevice("MN1", *c, 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, *a);
  list = store_->ListForDevice("MN1", 0, SIZE_MAX);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
}

TEST_P(CommandStoreContract, GatewayPullsAreKeptWithTheirRecords) {
  auto pull = NewCommand(
      "MN1", "history",
      {{"period", "hour"}, {"BeginTime", "20260301000000"}, {"EndTime", "20260301020000"}},
      "gateway", kNow);
  ASSERT_TRUE(pull.ok());
  pull->origin = "gateway";
  pull->status = "sent";
  auto id = store_->Add(*pull);
  ASSERT_TRUE(id.ok());
  Command again = *pull;
  again.follow_up_of = *id;
  auto id2 = store_->Add(again);
  ASSERT_TRUE(id2.ok());
  ASSERT_TRUE(store_->Update(*id, {"done", "", "", 2, kNow + 10}).ok());
  ASSERT_TRUE(store_->Add(Queued("MN1", kNow)).ok());
  Restart();
  auto made = store_->Created("gateway", kNow, kNow + 1);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  ASSERT_EQ(made->size(), 2u);
  EXPECT_EQ((*made)[0].records, 2);
  EXPECT_EQ((*made)[0].expected, 3);
  EXPECT_EQ((*made)[1].follow_up_of, *id);
  made = store_->Created("", kNow, kNow + 1);
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(made->size(), 3u);
  made = store_->Created("gateway", kNow + 1, kNow + 2);
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(made->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, CommandStoreContract,
                         testing::Values(Backend{"sqlite", OpenSqlite},
                                         store::pg::PostgresBackend<CommandStore>(OpenPostgres)),
                         store::BackendName<CommandStore>);

}  // namespace
}  // namespace ecohub::control
