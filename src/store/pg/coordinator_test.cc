// Coordinators (coordinator.h): leases held by one node at a time and taken over
// when it dies; news published by one node reaching every node.
#include "store/coordinator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/pg/test_backend.h"

namespace ecohub::store {
namespace {

using namespace std::chrono_literals;

// Waits (bounded) for `done`; the bound only fails the test, it times nothing.
template <typename F>
bool Eventually(F done, std::chrono::seconds bound = 20s) {
  auto until = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

struct Inbox {
  std::mutex mu;
  std::vector<std::string> topics;
  std::function<void(const std::string&)> Listener() {
    return [this](const std::string& t) {
      std::lock_guard lock(mu);
      topics.push_back(t);
    };
  }
  bool Has(const std::string& t) {
    std::lock_guard lock(mu);
    return std::find(topics.begin(), topics.end(), t) != topics.end();
  }
};

TEST(LocalCoordinator, LeadsEveryJobAndHearsItsOwnNews) {
  auto c = NewLocalCoordinator();
  EXPECT_TRUE(c->Leads("housekeeper"));
  Inbox inbox;
  c->OnChange(inbox.Listener());
  ASSERT_TRUE(c->Publish("registry").ok());
  EXPECT_TRUE(inbox.Has("registry"));
}

class PostgresCoordinatorTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    url_ = pg::DatabaseForThisTest(&why);
    if (url_.empty()) GTEST_SKIP() << why;
  }
  std::unique_ptr<Coordinator> Node() {
    auto c = OpenPostgresCoordinator(url_);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }
  std::string url_;
};

TEST_F(PostgresCoordinatorTest, OneNodeLeadsAJobAndAnotherTakesOverWhenItDies) {
  auto a = Node();
  auto b = Node();
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->Leads("housekeeper"));
  EXPECT_TRUE(a->Leads("housekeeper"));  // still its own
  EXPECT_FALSE(b->Leads("housekeeper"));
  EXPECT_TRUE(b->Leads("alarm-sync"));  // leases are per job
  EXPECT_FALSE(a->Leads("alarm-sync"));
  a.reset();  // the node dies: its session, and with it its leases, end
  EXPECT_TRUE(Eventually([&] { return b->Leads("housekeeper"); }));
}

TEST_F(PostgresCoordinatorTest, AReleasedLeaseIsFreeForAnotherNode) {
  auto a = Node();
  auto b = Node();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Leads("derive"));
  EXPECT_FALSE(b->Leads("derive"));
  a->Release("derive");
  EXPECT_TRUE(b->Leads("derive"));
  EXPECT_FALSE(a->Leads("derive"));
}

TEST_F(PostgresCoordinatorTest, NewsReachesEveryNode) {
  // The inboxes outlive the nodes, whose threads call the listeners until they stop.
  Inbox at_a, at_b;
  auto a = Node();
  auto b = Node();
  ASSERT_TRUE(a && b);
  a->OnChange(at_a.Listener());
  b->OnChange(at_b.Listener());
  // Listening starts with the coordinator's thread: publish until it is heard.
  ASSERT_TRUE(Eventually([&] {
    EXPECT_TRUE(a->Publish("registry").ok());
    return at_b.Has("registry");
  }));
  EXPECT_TRUE(Eventually([&] { return at_a.Has("registry"); }));
  ASSERT_TRUE(b->Publish("accounts").ok());
  EXPECT_TRUE(Eventually([&] { return at_a.Has("accounts"); }));
}

TEST(PostgresCoordinator, AServerThatCannotBeReachedIsUnavailable) {
  auto c = OpenPostgresCoordinator("postgresql://ecohub@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace ecohub::store
