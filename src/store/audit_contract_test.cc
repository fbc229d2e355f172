// The contract of the audit module (audit_store.h), for every backend (store_contract.h).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

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

TEST_P(AuditStoreContract, ACopiedChainKeepsItsHashesAndRefusesAGap) {
  std::vector<AuditEntry> rows;
  for (int i = 0; i < 4; ++i) {
    AuditEntry e;
    e.actor = "cli";
    e.action = "city.init";
    e.object = "city:" + std::to_string(i);
    e.detail = "{}";
    auto got = store_->AppendAudit(e);
    ASSERT_TRUE(got.ok());
    rows.push_back(*got);
  }
  // Another store of the same backend, empty: the copy of the log.
  std::string dir = FreshTestDir("/ecohub_contract_copy_");
  auto copy = GetParam().open(dir);
  ASSERT_NE(copy, nullptr);
  // A gap (row 2 first) is refused, and nothing of the call is stored.
  EXPECT_EQ(copy->CopyAudits(std::span<const AuditEntry>(rows).subspan(1)).code(), Code::kConflict);
  ASSERT_TRUE(copy->CopyAudits(std::span<const AuditEntry>(rows).first(2)).ok());
  ASSERT_TRUE(copy->CopyAudits(std::span<const AuditEntry>(rows).subspan(2)).ok());
  std::vector<AuditEntry> got;
  ASSERT_TRUE(copy->ScanAudit([&](const AuditEntry& e) {
                    got.push_back(e);
                    return true;
                  })
                  .ok());
  ASSERT_EQ(got.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(got[i].id, rows[i].id);
    EXPECT_EQ(got[i].time, rows[i].time);
    EXPECT_EQ(got[i].hash, rows[i].hash);
    EXPECT_EQ(got[i].prev_hash, rows[i].prev_hash);
    EXPECT_EQ(got[i].detail, rows[i].detail);
  }
  auto check = VerifyAuditChain(*copy);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->reason;
  EXPECT_EQ(check->head, rows.back().hash);
  copy.reset();
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(All, AuditStoreContract, StoreBackends(), BackendName<Store>);

// Keys for the keyed chain: `ids` each with 32 bytes of its own first letter's digit.
std::shared_ptr<const crypto::KeyRing> Ring(std::vector<std::pair<std::string, char>> keys) {
  std::string text;
  for (auto& [id, fill] : keys) text += id + " " + std::string(64, fill) + "\n";
  return std::make_shared<const crypto::KeyRing>(crypto::KeyRing::Parse(text, "test").value());
}

// The same rows, times included, whatever store they go to: two stores given the
// same entries and keys hold the same chain.
void AppendRows(Store& store, int from, int to) {
  for (int i = from; i <= to; ++i) {
    AuditEntry e;
    e.time = 1'700'000'000'000 + i;
    e.actor = "user:alice";
    e.action = "device.put";
    e.object = "device:MN" + std::to_string(i);
    e.detail = "{}";
    ASSERT_TRUE(store.AppendAudit(e).ok());
  }
}

class KeyedAuditContract : public StoreContract {
 protected:
  // A second, independent store of the same backend (what an attacker builds).
  std::unique_ptr<Store> OpenOther(const std::string& name) {
    std::string dir = dir_ + "/" + name;
    return GetParam().open(dir);
  }
  Result<AuditCheck> Verify(Store& store, const crypto::KeyRing& keys, bool anchored) {
    AuditVerifyOptions o;
    o.keys = &keys;
    if (anchored) o.anchors = AuditAnchorLog::Read(dir_ + "/anchors", keys).value();
    return VerifyAuditChain(store, o);
  }
};

TEST_P(KeyedAuditContract, KeyedRowsSurviveRestartAndRotation) {
  auto k1 = Ring({{"k1", '1'}});
  store_->UseAuditKeys(k1);
  AppendRows(*store_, 1, 3);
  Restart();
  // Without the key (none handed, none in the data directory) the chain is not
  // extended with weaker rows.
  AuditEntry e;
  e.actor = "cli";
  e.action = "x";
  e.object = "y";
  e.detail = "{}";
  EXPECT_EQ(store_->AppendAudit(e).status().code(), Code::kPermissionDenied);
  auto other = Ring({{"k9", '9'}});
  store_->UseAuditKeys(other);
  EXPECT_EQ(store_->AppendAudit(e).status().code(), Code::kPermissionDenied);
  auto rotated = Ring({{"k1", '1'}, {"k2", '2'}});
  store_->UseAuditKeys(rotated);
  AppendRows(*store_, 4, 5);
  auto check = Verify(*store_, *rotated, false);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok) << check->reason;
  EXPECT_EQ(check->rows, 5);
  EXPECT_EQ(check->keyed_from, 1);
  auto head = store_->ReadAuditHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->last.id, 5);
  EXPECT_EQ(head->last.key_id, "k2");
  EXPECT_EQ(head->last.hash, check->head);
  EXPECT_EQ(head->keyed_from, 1);
  // The old key is needed for the old rows; no key at all is an error, not a verdict.
  check = Verify(*store_, *Ring({{"k2", '2'}}), false);
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_broken_id, 1);
  EXPECT_EQ(VerifyAuditChain(*store_).status().code(), Code::kPermissionDenied);
}

TEST_P(KeyedAuditContract, ChainWrittenBeforeKeyingStaysVerifiable) {
  AppendRows(*store_, 1, 2);  // no key anywhere: SHA-256 rows, as older versions wrote
  auto keys = Ring({{"k1", '1'}});
  store_->UseAuditKeys(keys);
  AppendRows(*store_, 3, 4);
  auto check = Verify(*store_, *keys, false);
  EXPECT_TRUE(check->ok) << check->reason;
  EXPECT_EQ(check->keyed_from, 3);
  EXPECT_EQ(store_->ReadAuditHead()->keyed_from, 3);
}

TEST_P(KeyedAuditContract, ReHashedChainWithoutTheKeyFails) {
  auto keys = Ring({{"k1", '1'}});
  store_->UseAuditKeys(keys);
  AppendRows(*store_, 1, 5);
  AuditAnchorLog anchors(dir_ + "/anchors", keys);
  ASSERT_EQ(anchors.Anchor(*store_, 1'700'000'100'000).value(), 5);
  auto check = Verify(*store_, *keys, true);
  EXPECT_TRUE(check->ok) << check->reason;
  EXPECT_EQ(check->anchors, 1);
  // Every row re-signed with a key of the attacker's under the same id.
  auto forged = OpenOther("forged");
  forged->UseAuditKeys(Ring({{"k1", '7'}}));
  AppendRows(*forged, 1, 5);
  check = Verify(*forged, *keys, true);
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_broken_id, 1);
  EXPECT_NE(check->reason.find("without the key"), std::string::npos) << check->reason;
  // Every row re-hashed with plain SHA-256, as before keying: the anchors say the
  // chain was keyed from row 1.
  auto rehashed = OpenOther("rehashed");
  rehashed->UseAuditKeys(std::make_shared<const crypto::KeyRing>());
  AppendRows(*rehashed, 1, 5);
  EXPECT_TRUE(VerifyAuditChain(*rehashed)->ok);  // a SHA-256 chain on its own holds
  check = Verify(*rehashed, *keys, true);
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_broken_id, 1);
}

TEST_P(KeyedAuditContract, TailCutAfterAnAnchorFails) {
  auto keys = Ring({{"k1", '1'}});
  store_->UseAuditKeys(keys);
  AppendRows(*store_, 1, 3);
  AuditAnchorLog anchors(dir_ + "/anchors", keys);
  ASSERT_EQ(anchors.Anchor(*store_, 1'700'000'100'000).value(), 3);
  AppendRows(*store_, 4, 5);
  ASSERT_EQ(anchors.Anchor(*store_, 1'700'000'200'000).value(), 5);
  ASSERT_EQ(anchors.Anchor(*store_, 1'700'000'300'000).value(), 5);  // unchanged: no line
  AppendRows(*store_, 6, 6);  // after the last anchor: not yet covered, still valid
  auto check = Verify(*store_, *keys, true);
  EXPECT_TRUE(check->ok) << check->reason;
  EXPECT_EQ(check->anchors, 2);
  // The same chain cut after row 4: rows 1-4 are intact, row 5 was anchored.
  auto cut = OpenOther("cut");
  cut->UseAuditKeys(keys);
  AppendRows(*cut, 1, 4);
  check = Verify(*cut, *keys, true);
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_broken_id, 5);
  EXPECT_NE(check->reason.find("deleted"), std::string::npos) << check->reason;
}

TEST_P(KeyedAuditContract, AnchorLinesAreSignedAndPrivate) {
  auto keys = Ring({{"k1", '1'}});
  store_->UseAuditKeys(keys);
  AppendRows(*store_, 1, 2);
  std::string path = dir_ + "/anchors";
  AuditAnchorLog anchors(path, keys);
  ASSERT_TRUE(anchors.Anchor(*store_, 1'700'000'100'000).ok());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto read = AuditAnchorLog::Read(path, *keys);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].seq, 2);
  EXPECT_EQ((*read)[0].keyed_from, 1);
  // An anchor moved back to row 1 (to allow cutting row 2) no longer verifies.
  std::string line;
  std::getline(std::ifstream(path), line);
  line[0] = '1';
  std::ofstream(path) << line << "\n";
  EXPECT_EQ(AuditAnchorLog::Read(path, *keys).status().code(), Code::kCorruption);
  EXPECT_EQ(AuditAnchorLog::Read(path, *Ring({{"k2", '2'}})).status().code(), Code::kCorruption);
  EXPECT_TRUE(AuditAnchorLog::Read(dir_ + "/none", *keys)->empty());
}

// Several EcoHub nodes on one database (for SQLite, several processes on one data
// directory) append at the same moment: one chain, every row linked after the one
// before, ids consecutive, no append refused.
TEST_P(KeyedAuditContract, AppendsFromSeveralNodesKeepOneChain) {
  auto keys = Ring({{"k1", '1'}});
  store_->UseAuditKeys(keys);
  std::unique_ptr<Store> other = GetParam().open(dir_);  // the second node
  ASSERT_NE(other, nullptr);
  other->UseAuditKeys(keys);
  constexpr int kEach = 50;
  auto append = [](Store* store, std::string node) {
    for (int i = 0; i < kEach; ++i) {
      AuditEntry e;
      e.actor = "node:" + node;
      e.action = "device.put";
      e.object = "device:MN" + std::to_string(i);
      e.detail = "{}";
      auto got = store->AppendAudit(e);
      EXPECT_TRUE(got.ok()) << node << ": " << got.status().ToString();
    }
  };
  std::thread a(append, store_.get(), "a");
  std::thread b(append, other.get(), "b");
  a.join();
  b.join();
  auto check = Verify(*store_, *keys, false);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok) << check->reason;
  EXPECT_EQ(check->rows, 2 * kEach);
  EXPECT_EQ(other->ReadAuditHead()->last.hash, check->head);
}

INSTANTIATE_TEST_SUITE_P(All, KeyedAuditContract, StoreBackends(), BackendName<Store>);

}  // namespace
}  // namespace ecohub::store
