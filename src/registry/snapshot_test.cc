#include "registry/snapshot.h"

#include <gtest/gtest.h>

#include <thread>

namespace ecohub::registry {
namespace {

// A small city; `tag` marks a device's password and a site's name of one publish.
std::shared_ptr<const Snapshot> PublishCity(Registry& r, const std::string& password = "123456") {
  return r.Publish(
      {{.id = 1, .code = "110105", .name = "朝阳区"}, {.id = 2, .code = "110108"}},
      {{.id = 7, .name = "京能", .credit_code = "91110000600037341L", .district_id = 1}},
      {{.id = 30,
        .code = "S30",
        .name = password,
        .kind = SiteKind::kOutletGas,
        .district_id = 1,
        .enterprise_id = 7},
       {.id = 3, .code = "S3", .kind = SiteKind::kAir, .district_id = 2}},
      {{.mn = "MN-B", .site_id = 30, .password = password},
       {.mn = "MN-A", .site_id = 30},
       {.mn = "MN-C", .site_id = 3}});
}

TEST(RegistryTest, EmptyBeforeTheFirstPublish) {
  Registry r;
  auto s = r.Current();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->version(), 0u);
  EXPECT_TRUE(s->sites.empty());
  EXPECT_EQ(s->Site(1), nullptr);
  EXPECT_EQ(s->DeviceByMn("x"), nullptr);
}

TEST(RegistryTest, LookupsAndOrder) {
  Registry r;
  auto s = PublishCity(r);
  EXPECT_EQ(s->version(), 1u);
  ASSERT_EQ(s->sites.size(), 2u);
  EXPECT_EQ(s->sites[0].id, 3);         // by id
  EXPECT_EQ(s->devices[0].mn, "MN-A");  // by MN
  ASSERT_NE(s->Site(30), nullptr);
  EXPECT_EQ(s->Site(30)->code, "S30");
  EXPECT_EQ(s->SiteByCode("S3")->id, 3);
  EXPECT_EQ(s->SiteByCode("nope"), nullptr);
  EXPECT_EQ(s->DistrictByCode("110105")->name, "朝阳区");
  EXPECT_EQ(s->DistrictById(2)->code, "110108");
  EXPECT_EQ(s->DistrictById(9), nullptr);
  EXPECT_EQ(s->EnterpriseById(7)->name, "京能");
  EXPECT_EQ(s->EnterpriseByCode("91110000600037341L")->id, 7);
  EXPECT_EQ(s->EnterpriseByCode("91110000600037341X"), nullptr);
  EXPECT_EQ(s->DeviceByMn("MN-B")->password, "123456");
  EXPECT_EQ(s->MnsOf(30), (std::vector<std::string>{"MN-A", "MN-B"}));
  EXPECT_TRUE(s->MnsOf(99).empty());
}

TEST(RegistryTest, PublishingLeavesHeldSnapshotsAlone) {
  Registry r;
  auto old = PublishCity(r, "old");
  std::vector<uint64_t> seen;
  r.Subscribe([&](const std::shared_ptr<const Snapshot>& s) { seen.push_back(s->version()); });
  auto next = PublishCity(r, "new");
  EXPECT_EQ(next->version(), 2u);
  EXPECT_EQ(r.Current(), next);
  EXPECT_EQ(old->DeviceByMn("MN-B")->password, "old");  // a reader's picture does not move
  EXPECT_EQ(next->DeviceByMn("MN-B")->password, "new");
  EXPECT_EQ(seen, (std::vector<uint64_t>{2}));
}

TEST(RegistryTest, ConcurrentReadersSeeWholeSnapshots) {
  Registry r;
  PublishCity(r, "0");
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!stop) {
      auto s = r.Current();
      // A snapshot's rows all come from one publish.
      if (s->DeviceByMn("MN-B")->password != s->Site(30)->name) ++torn;
    }
  });
  for (int i = 1; i <= 200; ++i) PublishCity(r, std::to_string(i));
  stop = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(r.Current()->version(), 201u);
}

}  // namespace
}  // namespace ecohub::registry
