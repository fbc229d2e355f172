// The contract of the audit module (audit_store.h), for every backend (store_contract.h).
#include <gtest/gtest.h>

#include "store/audit.h"
#include "store/store_contract.h"

namespace ecohub::store {
namespace {

class AuditStoreContract : public StoreContract {};

TEST_P(AuditStoreContract, AuditLogIsAHashChainThatSurvivesRestart) {
  auto check = VerifyAuditChain(*store_);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok);
  EXPECT_EQ(check->rows, 0);
  EXPECT_EQ(check->head, kAuditGenesis);
  std::string prev = kAuditGenesis;
  for (int i = 0; i < 5; ++i) {
    AuditEntry e;
    e.actor = "cli";
    e.action = "device.put";
    e.object = "device:MN" + std::to_string(i);
    e.detail = R"({"enabled":true})";
    auto got = store_->AppendAudit(e);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->id, i + 1);
    EXPECT_EQ(got->prev_hash, prev);
    EXPECT_EQ(got->hash, AuditHash(*got));
    EXPECT_EQ(got->hash.size(), 64u);
    prev = got->hash;
  }
  Restart();
  check = VerifyAuditChain(*store_);
  EXPECT_TRUE(check->ok) << check->reason;
  EXPECT_EQ(check->rows, 5);
  EXPECT_EQ(check->head, prev);
  // Any field changes the hash.
  AuditEntry e{3, 1000, "cli", "device.put", "device:MN2", "{}", prev, ""};
  std::string h = AuditHash(e);
  for (auto* f : {&e.actor, &e.action, &e.object, &e.detail, &e.prev_hash}) {
    std::string keep = *f;
    *f += "x";
    EXPECT_NE(AuditHash(e), h);
    *f = keep;
  }
  e.time += 1;
  EXPECT_NE(AuditHash(e), h);
}

INSTANTIATE_TEST_SUITE_P(All, AuditStoreContract, StoreBackends(), BackendName<Store>);

}  // namespace
}  // namespace ecohub::store
