// The contract of the registry module (registry_store.h), for every backend (store_contract.h).
#include <gtest/gtest.h>

#include "crypto/keyring.h"
#include "store/pg/db.h"
#include "store/sqlite/db.h"
#include "store/store_contract.h"

namespace ecohub::store {
namespace {

class RegistryStoreContract : public StoreContract {
 protected:
  // Runs `sql` on the database of this test's store behind the store's back (a row
  // edited by hand, or a look at what is at rest) and returns the first column of
  // its first row (0 when it returns none). Call with the store closed.
  int64_t Behind(const std::string& sql) {
    if (std::string(GetParam().name) == "sqlite") {
      auto db = sqlite::Db::Open(dir_ + "/ecohub.db", {});
      EXPECT_TRUE(db.ok()) << db.status().ToString();
      if (!db.ok()) return 0;
      auto rows = (*db)->Query(sql.c_str(), "behind the store",
                               [](const sqlite::Stmt& q) { return q.Int(0); });
      EXPECT_TRUE(rows.ok()) << rows.status().ToString();
      return rows.ok() && !rows->empty() ? rows->front() : 0;
    }
    pg::TestServer* server = pg::TestServer::Shared(nullptr);
    auto db = pg::Conn::Open(server->Url(pg::DatabaseNameFor(dir_)));
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return 0;
    auto rows = (*db)->Query(sql.c_str(), "behind the store");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() && !rows->empty() ? rows->Int(0, 0) : 0;
  }
};

TEST_P(RegistryStoreContract, ReferenceTablesUpsertByNaturalKey) {
  auto d = store_->PutDistrict({0, "110101", "东城区", 116.4, 39.9, ""});
  ASSERT_TRUE(d.ok());
  auto d2 = store_->PutDistrict({0, "110101", "东城区 (renamed)", 116.4, 39.9, ""});
  EXPECT_EQ(*d, *d2);
  auto s = store_->PutSite(
      {0, "AIR-1", "东四", registry::SiteKind::kAir, *d, 0, 116.417, 39.929, false, "{}"});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(store_->PutDevice({"MN1", *s, "123456", 1, "utf-8", true, "hj212"}).ok());
  Restart();
  EXPECT_EQ(store_->Districts()->at(0).name, "东城区 (renamed)");
  EXPECT_EQ(store_->GetSite(*s)->name, "东四");
  EXPECT_FALSE(store_->GetSite(*s + 100).ok());
  ASSERT_EQ(store_->Devices()->size(), 1u);
  EXPECT_EQ(store_->Devices()->at(0).password, "123456");
}

TEST_P(RegistryStoreContract, TheCityIsOneRowReplacedByEachPut) {
  EXPECT_EQ(store_->GetCity().status().code(), Code::kNotFound);
  City c{"咸阳市", "610400", 108.7, 34.3, 107.6, 34.2, 109.2, 35.6};
  ASSERT_TRUE(store_->PutCity(c).ok());
  c.name = "咸阳市 (renamed)";
  ASSERT_TRUE(store_->PutCity(c).ok());
  Restart();
  auto got = store_->GetCity();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, c);
}

TEST_P(RegistryStoreContract, TargetsAreKeptAndMayBeUnset) {
  City c{"咸阳市", "610400", 108.7, 34.3, 107.6, 34.2, 109.2, 35.6, 33.5, std::nullopt, 80};
  ASSERT_TRUE(store_->PutCity(c).ok());
  Restart();
  EXPECT_EQ(*store_->GetCity(), c);
  c.pm25_target.reset();
  c.good_days_target = 86.3;
  ASSERT_TRUE(store_->PutCity(c).ok());
  EXPECT_EQ(*store_->GetCity(), c);
}

TEST_P(RegistryStoreContract, AdministeredFieldsRoundTrip) {
  District d{0, "610402", "秦都区", 108.7, 34.3, "", false};
  auto did = store_->PutDistrict(d);
  ASSERT_TRUE(did.ok());
  Enterprise e{0,
               "某某热电有限公司",
               "91350100M000100Y43",
               "4411",
               *did,
               108.7,
               34.3,
               true,
               "91610400MA0000000X001P",
               "咸阳市秦都区渭阳西路 1 号",
               "张三",
               "029-12345678",
               "water,air",
               "stopped"};
  auto eid = store_->PutEnterprise(e);
  ASSERT_TRUE(eid.ok());
  Site s{0,     "GAS-1", "1# 锅炉", registry::SiteKind::kOutletGas, *did, *eid, 108.7, 34.3,
         false, "{}",    false};
  auto sid = store_->PutSite(s);
  ASSERT_TRUE(sid.ok());
  Restart();
  d.id = *did;
  e.id = *eid;
  s.id = *sid;
  EXPECT_EQ(store_->Districts()->at(0), d);
  EXPECT_EQ(store_->Enterprises()->at(0), e);
  EXPECT_EQ(*store_->GetSite(*sid), s);
  // An update by the natural key changes the administered fields too.
  e.status = "closed";
  e.key_media = "";
  s.active = true;
  d.active = true;
  ASSERT_TRUE(store_->PutEnterprise(e).ok());
  ASSERT_TRUE(store_->PutSite(s).ok());
  ASSERT_TRUE(store_->PutDistrict(d).ok());
  EXPECT_EQ(store_->Enterprises()->at(0), e);
  EXPECT_EQ(*store_->GetSite(*sid), s);
  EXPECT_EQ(store_->Districts()->at(0), d);
}

TEST_P(RegistryStoreContract, PutRowsStoresEveryRow) {
  auto d = store_->PutDistrict({0, "610402", "秦都区", 108.7, 34.3, ""});
  ASSERT_TRUE(d.ok());
  RegistryRows rows;
  rows.enterprises.push_back({0, "甲厂", "91350100M000100Y43", "", *d});
  rows.sites.push_back({0, "S-1", "一号", registry::SiteKind::kAir, *d});
  rows.devices.push_back({"MN-R1", 1, "secret1"});
  ASSERT_TRUE(store_->PutRows(rows).ok());
  Restart();
  EXPECT_EQ(store_->Enterprises()->size(), 1u);
  EXPECT_EQ(store_->Sites()->size(), 1u);
  EXPECT_EQ(store_->GetDevice("MN-R1")->password, "secret1");
  // Again, changed: upserts by natural key, nothing duplicated.
  rows.enterprises[0].name = "乙厂";
  rows.devices[0].password = "secret2";
  ASSERT_TRUE(store_->PutRows(rows).ok());
  EXPECT_EQ(store_->Enterprises()->size(), 1u);
  EXPECT_EQ(store_->Enterprises()->at(0).name, "乙厂");
  EXPECT_EQ(store_->GetDevice("MN-R1")->password, "secret2");
}

TEST_P(RegistryStoreContract, GetDeviceByMn) {
  ASSERT_TRUE(store_->PutDevice({"MN9", 3, "pw", 0, "gbk", false, "hj212"}).ok());
  ASSERT_TRUE(store_->PutDevice({"MN9", 4, "pw2", 1, "utf-8", true, "hj212"}).ok());
  auto d = store_->GetDevice("MN9");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->site_id, 4);
  EXPECT_EQ(d->password, "pw2");
  EXPECT_TRUE(d->enabled);
  EXPECT_EQ(store_->GetDevice("nope").status().code(), Code::kNotFound);
}

TEST_P(RegistryStoreContract, PublishRegistryOnlyWhenSomethingChanged) {
  auto d = store_->PutDistrict({0, "110101", "东城区", 116.4, 39.9, ""});
  auto s = store_->PutSite(
      {0, "AIR-1", "东四", registry::SiteKind::kAir, *d, 0, 116.417, 39.929, false, "{}"});
  ASSERT_TRUE(store_->PutDevice({"MN1", *s, "123456", 1, "utf-8", true, "hj212"}).ok());
  registry::Registry r;
  int published = 0;
  r.Subscribe([&](const auto&) { ++published; });
  ASSERT_TRUE(PublishRegistry(*store_, r).ok());
  auto first = r.Current();
  EXPECT_EQ(first->version(), 1u);
  EXPECT_EQ(first->DeviceByMn("MN1")->site_id, *s);
  EXPECT_EQ(first->SiteByCode("AIR-1")->district_id, *d);
  // The same tables again: no new version, nobody told.
  ASSERT_TRUE(PublishRegistry(*store_, r).ok());
  EXPECT_EQ(r.Current(), first);
  EXPECT_EQ(published, 1);
  // A changed password (as `ecohub device put` makes it) is a new snapshot.
  ASSERT_TRUE(store_->PutDevice({"MN1", *s, "654321", 1, "utf-8", true, "hj212"}).ok());
  Restart();
  ASSERT_TRUE(PublishRegistry(*store_, r).ok());
  EXPECT_EQ(r.Current()->version(), 2u);
  EXPECT_EQ(r.Current()->DeviceByMn("MN1")->password, "654321");
  EXPECT_EQ(first->DeviceByMn("MN1")->password, "123456");
  EXPECT_EQ(published, 2);
}

TEST_P(RegistryStoreContract, EveryKindOfSiteReadsBackAsStored) {
  using registry::SiteKind;
  for (SiteKind kind :
       {SiteKind::kAir, SiteKind::kWater, SiteKind::kOutletGas, SiteKind::kOutletWater}) {
    Site site{0, std::string("S-") + registry::SiteKindName(kind), "site", kind, 1, 0};
    ASSERT_TRUE(store_->PutSite(site).ok());
  }
  Restart();
  auto sites = store_->Sites();
  ASSERT_TRUE(sites.ok());
  ASSERT_EQ(sites->size(), 4u);
  for (const Site& s : *sites) {
    EXPECT_EQ(s.code, std::string("S-") + registry::SiteKindName(s.kind));
    EXPECT_EQ(store_->GetSite(s.id)->kind, s.kind);
  }
}

// A kind EcoHub does not know (a row edited by hand, or written by a newer
// version) is an error naming the site, not a crash and not a guessed kind; the
// registry keeps its snapshot.
TEST_P(RegistryStoreContract, UnknownStoredSiteKindIsCorruption) {
  auto s = store_->PutSite({0, "AIR-1", "东四", registry::SiteKind::kAir, 1, 0});
  ASSERT_TRUE(s.ok());
  registry::Registry r;
  ASSERT_TRUE(PublishRegistry(*store_, r).ok());
  store_.reset();
  Behind("UPDATE sites SET kind = 'station' WHERE code = 'AIR-1'");
  Restart();
  auto sites = store_->Sites();
  ASSERT_FALSE(sites.ok());
  EXPECT_EQ(sites.status().code(), Code::kCorruption);
  EXPECT_NE(sites.status().ToString().find("unknown kind 'station'"), std::string::npos)
      << sites.status().ToString();
  EXPECT_EQ(store_->GetSite(*s).status().code(), Code::kCorruption);
  EXPECT_FALSE(PublishRegistry(*store_, r).ok());
  EXPECT_EQ(r.Current()->version(), 1u);
}

std::shared_ptr<const crypto::KeyRing> TestKeys(const std::string& id, char fill) {
  auto ring = crypto::KeyRing::Parse(id + " " + std::string(64, fill) + "\n", "test");
  return std::make_shared<const crypto::KeyRing>(std::move(ring).value());
}

// Device passwords at rest: sealed with the store's keys, opened on reading; those
// stored before there were keys are sealed by SealDevicePasswords; without the key a
// sealed password is an error, never the sealed text passed on as a password.
TEST_P(RegistryStoreContract, DevicePasswordsAreSealedAtRest) {
  store_->UseAuditKeys(std::make_shared<const crypto::KeyRing>());  // none yet
  ASSERT_TRUE(store_->PutDevice({"OLD1", 1, "old-secret", 1, "utf-8", true, "hj212"}).ok());
  store_->UseAuditKeys(TestKeys("k1", '1'));
  ASSERT_TRUE(store_->PutDevice({"NEW1", 1, "new-secret", 1, "utf-8", true, "hj212"}).ok());
  ASSERT_TRUE(store_->SealDevicePasswords().ok());
  ASSERT_TRUE(store_->SealDevicePasswords().ok());  // idempotent
  EXPECT_EQ(store_->GetDevice("OLD1")->password, "old-secret");
  EXPECT_EQ(store_->GetDevice("NEW1")->password, "new-secret");
  store_.reset();
  ASSERT_EQ(Behind("SELECT count(*) FROM devices"), 2);
  EXPECT_EQ(Behind("SELECT count(*) FROM devices WHERE password NOT LIKE '$sm4$k1$%'"), 0)
      << "a device password is stored in clear";
  Restart();
  store_->UseAuditKeys(TestKeys("k2", '2'));  // a ring without the sealing key
  auto d = store_->GetDevice("NEW1");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kNotFound) << d.status().ToString();
  EXPECT_FALSE(store_->Devices().ok());
}

INSTANTIATE_TEST_SUITE_P(All, RegistryStoreContract, StoreBackends(), BackendName<Store>);

}  // namespace
}  // namespace ecohub::store
