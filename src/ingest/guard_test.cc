#include "ingest/guard.h"

#include <gtest/gtest.h>

#include <vector>

namespace ecohub::ingest {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Admit = GatewayGuard::Admit;

class Recorder : public SecurityEvents {
 public:
  void DeviceAuthFailed(const DeviceAuthFailures& f) override { failures.push_back(f); }
  void AddressBlocked(const std::string& address, int64_t secs, int) override {
    blocked.emplace_back(address, secs);
  }
  std::vector<DeviceAuthFailures> failures;
  std::vector<std::pair<std::string, int64_t>> blocked;
};

class GuardTest : public testing::Test {
 protected:
  GuardTest() : guard_(GuardOptions{}, clock_, metrics_) { guard_.SetSecurityEvents(&events_); }

  // `n` wrong passwords for `mn` from `address`, one per `step`, each on a new
  // connection (so only the address and MN limits apply); the last decision.
  GatewayGuard::AuthDecision Fail(const std::string& address, int n, milliseconds step,
                                  const std::string& mn = "MN1", bool registered = true) {
    GatewayGuard::AuthDecision d;
    for (int i = 0; i < n; ++i) {
      ConnectionBudget conn;
      d = guard_.OnAuthFailure(address, mn, registered, &conn);
      clock_.Advance(step);
    }
    return d;
  }

  ManualClock clock_;
  Metrics metrics_;
  Recorder events_;
  GatewayGuard guard_;
};

TEST_F(GuardTest, AddressRefusedAfterTenFailuresInAMinute) {
  EXPECT_FALSE(Fail("10.0.0.9", 9, milliseconds(100)).close);
  EXPECT_EQ(guard_.OnConnect("10.0.0.9"), Admit::kOpen);
  guard_.OnDisconnect("10.0.0.9");
  EXPECT_TRUE(Fail("10.0.0.9", 1, milliseconds(0)).close);  // the 10th closes
  EXPECT_TRUE(guard_.Blocked("10.0.0.9"));
  EXPECT_EQ(guard_.OnConnect("10.0.0.9"), Admit::kBlocked);
  EXPECT_EQ(guard_.OnConnect("10.0.0.8"), Admit::kOpen);  // others are not affected
  EXPECT_EQ(metrics_.Value("ecohub_gateway_addresses_blocked_total"), 1);
  EXPECT_EQ(metrics_.Value("ecohub_gateway_connections_blocked_total"), 1);
  ASSERT_EQ(events_.blocked.size(), 1u);
  EXPECT_EQ(events_.blocked[0].second, 300);

  clock_.Advance(seconds(299));
  EXPECT_EQ(guard_.OnConnect("10.0.0.9"), Admit::kBlocked);
  clock_.Advance(seconds(2));
  EXPECT_EQ(guard_.OnConnect("10.0.0.9"), Admit::kOpen);
}

TEST_F(GuardTest, SlowFailuresAreNotAnAttack) {
  // A logger with a stale password sends every 30 s: never refused.
  EXPECT_FALSE(Fail("10.0.0.9", 100, seconds(30), "MN1", true).close);
  EXPECT_FALSE(guard_.Blocked("10.0.0.9"));
}

TEST_F(GuardTest, BackoffDoublesOnRepeatUpToTheCap) {
  std::vector<int64_t> lengths;
  for (int round = 0; round < 6; ++round) {
    Fail("10.0.0.9", 10, milliseconds(10));
    lengths.push_back(events_.blocked.back().second);
    clock_.Advance(seconds(lengths.back() + 1));
  }
  EXPECT_EQ(lengths, (std::vector<int64_t>{300, 600, 1200, 2400, 3600, 3600}));
  // Quiet for longer than the cap: back to the first length.
  clock_.Advance(seconds(3601));
  Fail("10.0.0.9", 10, milliseconds(10));
  EXPECT_EQ(events_.blocked.back().second, 300);
}

TEST_F(GuardTest, ConnectionClosedAfterFiveFailures) {
  ConnectionBudget conn;
  for (int i = 0; i < 4; ++i)
    EXPECT_FALSE(guard_.OnAuthFailure("10.0.0.9", "MN1", true, &conn).close);
  EXPECT_TRUE(guard_.OnAuthFailure("10.0.0.9", "MN1", true, &conn).close);
  EXPECT_FALSE(guard_.Blocked("10.0.0.9"));
}

TEST_F(GuardTest, MnUnderAttackFromManyAddressesGoesSilent) {
  // 20 failures for one MN within 10 minutes, two from each of ten addresses.
  GatewayGuard::AuthDecision d;
  for (int i = 0; i < 20; ++i) {
    ConnectionBudget conn;
    d = guard_.OnAuthFailure("10.0.1." + std::to_string(i / 2), "MN1", true, &conn);
    EXPECT_EQ(d.silent, i == 19) << i;
    clock_.Advance(seconds(20));
  }
  EXPECT_FALSE(d.close);
  EXPECT_EQ(metrics_.Value("ecohub_gateway_auth_dropped_total"), 1);
  // Unknown MNs are not tracked per MN (a scanner must not grow the table).
  for (int i = 0; i < 30; ++i) {
    ConnectionBudget conn;
    EXPECT_FALSE(guard_.OnAuthFailure("10.0.2." + std::to_string(i), "NOPE", false, &conn).silent);
  }
  // Ten quiet minutes later the MN is an MN again.
  clock_.Advance(seconds(601));
  ConnectionBudget conn;
  EXPECT_FALSE(guard_.OnAuthFailure("10.0.3.1", "MN1", true, &conn).silent);
}

TEST_F(GuardTest, FailuresReportedOncePerWindowByMnAndAddress) {
  Fail("10.0.0.9", 3, milliseconds(100), "MN1");
  Fail("10.0.0.9", 2, milliseconds(100), "MN2", false);
  Fail("10.0.0.7", 1, milliseconds(100), "MN1");
  EXPECT_TRUE(events_.failures.empty());
  guard_.Report();
  ASSERT_EQ(events_.failures.size(), 3u);
  int64_t total = 0;
  for (const auto& f : events_.failures) {
    total += f.count;
    if (f.mn == "MN1" && f.address == "10.0.0.9") {
      EXPECT_EQ(f.count, 3);
      EXPECT_TRUE(f.registered);
      EXPECT_EQ(f.last - f.first, 200);
    }
  }
  EXPECT_EQ(total, 6);
  guard_.Report();  // nothing new: nothing reported
  EXPECT_EQ(events_.failures.size(), 3u);
}

TEST_F(GuardTest, ConnectionsPerAddressCappedExceptSharedOnes) {
  for (int i = 0; i < 50; ++i) ASSERT_EQ(guard_.OnConnect("10.0.0.9"), Admit::kOpen);
  EXPECT_EQ(guard_.OnConnect("10.0.0.9"), Admit::kOverAddressCap);
  EXPECT_EQ(metrics_.Value("ecohub_gateway_connections_address_cap_total"), 1);
  guard_.OnDisconnect("10.0.0.9");
  EXPECT_EQ(guard_.OnConnect("10.0.0.9"), Admit::kOpen);
  for (int i = 0; i < 200; ++i) ASSERT_EQ(guard_.OnConnect("127.0.0.1"), Admit::kOpen);
  EXPECT_EQ(guard_.OpenConnections("127.0.0.1"), 200u);
}

TEST_F(GuardTest, RejectedFramesKeptWithinBudgets) {
  // Per connection: 10.
  ConnectionBudget one;
  int kept = 0;
  for (int i = 0; i < 15; ++i) kept += guard_.KeepRejected("10.0.0.1", &one);
  EXPECT_EQ(kept, 10);
  // Per address: 20 per 10 minutes, whatever the connections.
  kept = 0;
  for (int i = 0; i < 30; ++i) {
    ConnectionBudget conn;
    kept += guard_.KeepRejected("10.0.0.2", &conn);
  }
  EXPECT_EQ(kept, 20);
  clock_.Advance(seconds(601));
  ConnectionBudget later;
  EXPECT_TRUE(guard_.KeepRejected("10.0.0.2", &later));
  EXPECT_EQ(metrics_.Value("ecohub_gateway_rejected_not_kept_total"), 15);
}

TEST_F(GuardTest, RejectedFramesKeptAtMost600AMinuteInAll) {
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    ConnectionBudget conn;
    kept += guard_.KeepRejected("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250),
                                &conn);
  }
  EXPECT_EQ(kept, 600);
  clock_.Advance(seconds(60));
  ConnectionBudget conn;
  EXPECT_TRUE(guard_.KeepRejected("10.2.0.1", &conn));
}

TEST_F(GuardTest, RejectedFramesLoggedFirstFewThenSummarised) {
  ConnectionBudget conn;
  int logged = 0;
  for (int i = 0; i < 10; ++i) logged += guard_.LogRejected(&conn);
  EXPECT_EQ(logged, 3);
  // At most 100 one by one per window in all.
  logged = 0;
  for (int i = 0; i < 100; ++i) {
    ConnectionBudget c;
    logged += guard_.LogRejected(&c);
  }
  EXPECT_EQ(logged, 97);
  EXPECT_EQ(metrics_.Value("ecohub_gateway_log_suppressed_total"), 10);
  guard_.Report();
  ConnectionBudget fresh;
  EXPECT_TRUE(guard_.LogRejected(&fresh));
}

TEST_F(GuardTest, RefusedReadingsLoggedOncePerMnPerWindow) {
  EXPECT_TRUE(guard_.NoteRefused("MN1", "future", 2));
  EXPECT_FALSE(guard_.NoteRefused("MN1", "not_finite", 1));
  EXPECT_TRUE(guard_.NoteRefused("MN2", "future", 1));
  guard_.Report();
  EXPECT_TRUE(guard_.NoteRefused("MN1", "future", 1));
}

}  // namespace
}  // namespace ecohub::ingest
