// The IdempotencyStore contract, run on SQLite and on a PostgreSQL server the test
// starts (store/pg/test_backend.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "idempotency/idempotency_store.h"
#include "idempotency/sealed_store.h"
#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"

namespace ecohub::idempotency {
namespace {

using Backend = store::BackendOf<IdempotencyStore>;

std::unique_ptr<IdempotencyStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteIdempotencyStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<IdempotencyStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresIdempotencyStore(url);
}

class IdempotencyStoreContract : public store::ContractFixture<IdempotencyStore> {};

Claim Begin(IdempotencyStore& s, const std::string& scope, const std::string& key,
            const std::string& fingerprint, UnixSeconds now) {
  auto c = s.Begin(scope, key, fingerprint, now);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Claim{Claim::kMismatch, {}, -1};
}

TEST_P(IdempotencyStoreContract, TheFirstAnswerIsKeptForTheSameRequestOnly) {
  const UnixSeconds t0 = 1'780'000'000;
  EXPECT_EQ(Begin(*store_, "user:7", "k-1", "fp-a", t0).kind, Claim::kNew);
  // While it runs: the same request is told so, another one with the key is refused.
  Claim running = Begin(*store_, "user:7", "k-1", "fp-a", t0 + 3);
  EXPECT_EQ(running.kind, Claim::kRunning);
  EXPECT_EQ(running.began, t0);
  EXPECT_EQ(Begin(*store_, "user:7", "k-1", "fp-b", t0 + 3).kind, Claim::kMismatch);
  // Another principal's key of the same name is its own.
  EXPECT_EQ(Begin(*store_, "key:3", "k-1", "fp-b", t0 + 4).kind, Claim::kNew);

  // A body with a NUL and Chinese text, and the headers, come back as kept.
  KeptAnswer a{201, "application/json", std::string("{\"id\":5,\"名\":\"投诉\"}\0x", 27),
               R"([["Location","/api/v1/x/5"]])"};
  ASSERT_TRUE(store_->Finish("user:7", "k-1", a).ok());
  Restart();
  Claim done = Begin(*store_, "user:7", "k-1", "fp-a", t0 + 60);
  ASSERT_EQ(done.kind, Claim::kDone);
  EXPECT_EQ(done.answer, a);
  EXPECT_EQ(Begin(*store_, "user:7", "k-1", "fp-b", t0 + 60).kind, Claim::kMismatch);
}

TEST_P(IdempotencyStoreContract, ForgottenAndPurgedKeysMayBeUsedAgain) {
  const UnixSeconds t0 = 1'780'000'000;
  ASSERT_EQ(Begin(*store_, "public", "again", "fp", t0).kind, Claim::kNew);
  ASSERT_TRUE(store_->Forget("public", "again").ok());
  EXPECT_EQ(Begin(*store_, "public", "again", "fp-other", t0 + 1).kind, Claim::kNew);

  ASSERT_EQ(Begin(*store_, "public", "old", "fp", t0 - 90000).kind, Claim::kNew);
  ASSERT_TRUE(store_->Finish("public", "old", {200, "application/json", "{}", "[]"}).ok());
  auto gone = store_->Purge(t0 - 86400);
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  EXPECT_EQ(*gone, 1);
  EXPECT_EQ(Begin(*store_, "public", "old", "fp", t0).kind, Claim::kNew);
  EXPECT_EQ(Begin(*store_, "public", "again", "fp-other", t0 + 2).kind, Claim::kRunning);
}

// A kept answer (here a new key's secret) lies sealed in the record, and comes back
// in clear.
TEST(SealedIdempotencyStore, KeepsAnswersSealed) {
  std::string dir = store::FreshTestDir("/ecohub_idem_sealed_");
  auto keys = crypto::KeyRing::Parse("k1:" + std::string(64, 'a'), "test");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  auto sealed = Sealed(OpenSqlite(dir), std::make_shared<const crypto::KeyRing>(*keys));
  KeptAnswer a{201, "application/json", R"({"id":3,"secret":"ehk_s3cr3t"})", "[]"};
  ASSERT_EQ(Begin(*sealed, "user:1", "k", "fp", 100).kind, Claim::kNew);
  ASSERT_TRUE(sealed->Finish("user:1", "k", a).ok());
  Claim back = Begin(*sealed, "user:1", "k", "fp", 101);
  ASSERT_EQ(back.kind, Claim::kDone);
  EXPECT_EQ(back.answer, a);
  sealed.reset();
  Claim raw = Begin(*OpenSqlite(dir), "user:1", "k", "fp", 102);
  ASSERT_EQ(raw.kind, Claim::kDone);
  EXPECT_TRUE(raw.answer.body.starts_with("$sm4$k1$")) << raw.answer.body;
  EXPECT_EQ(raw.answer.body.find("ehk_s3cr3t"), std::string::npos);
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, IdempotencyStoreContract,
    testing::Values(Backend{"sqlite", OpenSqlite},
                    store::pg::PostgresBackend<IdempotencyStore>(OpenPostgres)),
    store::BackendName<IdempotencyStore>);

}  // namespace
}  // namespace ecohub::idempotency
