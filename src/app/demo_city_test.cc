// The demo cities shipped in demo/ are set up through the public paths (city init,
// registry import) with every check those make: each one seeds a fresh store whole,
// again without change, and a demo directory with a bad file is refused by name.
#include "app/demo_city.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/file.h"
#include "core/table.h"
#include "permit/sqlite_permit_store.h"
#include "store/sqlite_store.h"

namespace ecohub::app {
namespace {

class DemoCityTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = testing::TempDir() + "/ecohub_demo_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<store::Store> OpenStore(const std::string& name) {
    auto opened = store::OpenSqliteStore(dir_ + "/" + name, store::SqliteOptions{});
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  // Data rows of a demo file (its header and blank lines not counted).
  static size_t RowsOf(const std::string& file) {
    auto bytes = ReadFileBytes(file);
    EXPECT_TRUE(bytes.ok()) << file;
    auto table = ReadTable(bytes.ok() ? *bytes : "");
    EXPECT_TRUE(table.ok()) << file;
    return table.ok() && !table->rows.empty() ? table->rows.size() - 1 : 0;
  }

  std::string dir_;
};

TEST_F(DemoCityTest, EveryShippedCitySeedsWholeThroughTheImport) {
  for (const char* name : {"beijing", "xianyang"}) {
    SCOPED_TRACE(name);
    auto city = LoadDemoCity(name);
    ASSERT_TRUE(city.ok()) << city.status().ToString();
    auto store = OpenStore(name);
    ASSERT_TRUE(store);
    auto permits = permit::OpenSqlitePermitStore(dir_ + "/" + name);
    ASSERT_TRUE(permits.ok()) << permits.status().ToString();
    int devices = static_cast<int>(city->sites.size());
    Status seeded = SeedDemo(*store, permits->get(), *city, devices, 0, 1796500000, "");
    ASSERT_TRUE(seeded.ok()) << seeded.ToString();

    auto stored_city = store->GetCity();
    ASSERT_TRUE(stored_city.ok());
    EXPECT_EQ(stored_city->name, city->name);
    EXPECT_EQ(stored_city->code, city->code);
    EXPECT_TRUE(stored_city->pm25_target.has_value());
    auto districts = store->Districts();
    auto enterprises = store->Enterprises();
    auto sites = store->Sites();
    auto stored_devices = store->Devices();
    ASSERT_TRUE(districts.ok() && enterprises.ok() && sites.ok() && stored_devices.ok());
    for (const auto& d : *districts) EXPECT_FALSE(d.geojson.empty()) << d.code;
    EXPECT_EQ(enterprises->size(), RowsOf(city->dir + "/enterprises.csv"));
    EXPECT_EQ(sites->size(), city->sites.size());
    EXPECT_EQ(stored_devices->size(), city->sites.size());
    // Every district is of the city's province (GB/T 2260: the first two digits; a
    // municipality's districts are 1101xx under 110000), and the made-up sites say
    // they are simulated.
    for (const auto& d : *districts) EXPECT_EQ(d.code.substr(0, 2), city->code.substr(0, 2));
    std::set<std::string> kinds;
    for (const auto& s : *sites) {
      kinds.insert(registry::SiteKindName(s.kind));
      if (s.attrs_json.find("dataset") == std::string::npos) {
        EXPECT_TRUE(s.simulated) << s.code;
      }
    }
    EXPECT_EQ(kinds,
              (std::set<std::string>{"air", "water", "noise", "outlet_gas", "outlet_water"}));

    // Every permit passed the route's checks (its outlets are its enterprise's).
    auto list = nlohmann::json::parse(*ReadFileBytes(city->dir + "/permits.json"));
    auto stored_permits = (*permits)->List();
    ASSERT_TRUE(stored_permits.ok());
    EXPECT_EQ(stored_permits->size(), list.size());
    EXPECT_GT(list.size(), 0u);

    // Again: the import finds every row unchanged, and the permits are replaced.
    ASSERT_TRUE(SeedDemo(*store, permits->get(), *city, devices, 0, 1796500000, "").ok());
    EXPECT_EQ(store->Sites()->size(), sites->size());
    EXPECT_EQ(store->Enterprises()->size(), enterprises->size());
    EXPECT_EQ((*permits)->List()->size(), list.size());
  }
}

TEST_F(DemoCityTest, DeviceIReportsForSiteIOfTheFile) {
  auto city = LoadDemoCity("beijing");
  ASSERT_TRUE(city.ok());
  EXPECT_EQ(city->sites[0].code, "AIR-Dongsi");
  EXPECT_EQ(city->sites[0].dataset_station, "Dongsi");
  EXPECT_EQ(city->sites[0].st, "22");
  size_t n = city->sites.size();
  EXPECT_EQ(&DemoSiteOfDevice(*city, 0), &DemoSiteOfDevice(*city, static_cast<int>(n)));
  EXPECT_NE(DemoMn(0), DemoMn(1));
  EXPECT_EQ(DemoMn(0).size(), 24u);
}

TEST_F(DemoCityTest, ABadDemoDirectoryIsRefusedByName) {
  EXPECT_EQ(LoadDemoCity("no-such-city").status().code(), Code::kInvalidInput);
  EXPECT_EQ(LoadDemoCity("../etc").status().code(), Code::kInvalidInput);

  // A copy of a shipped city whose enterprises file has a wrong credit code: nothing of
  // it is registered, and the error names the row.
  std::string own = dir_ + "/own";
  std::filesystem::copy(DemoCityDir("xianyang"), own);
  auto city = LoadDemoCity(own);
  ASSERT_TRUE(city.ok()) << city.status().ToString();
  std::string enterprises = *ReadFileBytes(own + "/enterprises.csv");
  size_t at = enterprises.find("\n9161") + 1;
  enterprises[at + 17] = enterprises[at + 17] == 'A' ? 'B' : 'A';  // row 2's check character
  std::ofstream(own + "/enterprises.csv", std::ios::binary) << enterprises;
  auto store = OpenStore("bad");
  ASSERT_TRUE(store);
  Status s = SeedDemo(*store, nullptr, *city, 3, 0, 1796500000, "");
  EXPECT_EQ(s.code(), Code::kInvalidInput);
  EXPECT_NE(s.message().find("row 2 credit_code"), std::string::npos) << s.message();
  EXPECT_TRUE(store->Enterprises()->empty());

  // A permit whose outlets are not a list, or name their site by a number, is refused
  // with its place in the file (not thrown).
  std::filesystem::copy_file(DemoCityDir("xianyang") + "/enterprises.csv", own + "/enterprises.csv",
                             std::filesystem::copy_options::overwrite_existing);
  const char* bad_permits[] = {
      R"([{"number":"P1","enterprise":"91610422883310802H","outlets":{}}])",
      R"([{"number":"P1","enterprise":"91610422883310802H","outlets":[{"site":5}]}])", "{}"};
  for (size_t i = 0; i < std::size(bad_permits); ++i) {
    std::ofstream(own + "/permits.json", std::ios::binary) << bad_permits[i];
    auto fresh = OpenStore("permits" + std::to_string(i));
    auto permit_store = permit::OpenSqlitePermitStore(dir_ + "/permits" + std::to_string(i));
    ASSERT_TRUE(fresh && permit_store.ok());
    Status refused = SeedDemo(*fresh, permit_store->get(), *city, 1, 0, 1796500000, "");
    EXPECT_EQ(refused.code(), Code::kInvalidInput) << bad_permits[i];
    EXPECT_NE(refused.message().find("permits.json"), std::string::npos) << refused.message();
    EXPECT_TRUE((*permit_store)->List()->empty());
  }

  // A site of a kind the simulator cannot drive is named with its row.
  std::ofstream(own + "/sites.csv", std::ios::binary)
      << "code,name,kind,district\r\nGW-1,井,groundwater,610402\r\n";
  auto bad = LoadDemoCity(own);
  EXPECT_EQ(bad.status().code(), Code::kInvalidInput);
  EXPECT_NE(bad.status().message().find("row 2"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace ecohub::app
