// ContractFixture<S>: the fixture of a contract suite that is written once against
// the interface S and run for every backend of it (STYLE.md, "Tests"): each case
// gets a fresh temporary directory, the backend opened in it (a server backend
// keeps its local files there and names its database after it), and Restart(), which
// closes and reopens the backend mid-way (what was acknowledged must still be
// there). Used by the store's per-module suites and auth's AccountStore suite.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace ecohub::store {

// A fresh, empty directory for the running test: `prefix` + the test's name + a
// unique suffix (mkdtemp), so that two runs of the suite on one machine (two
// checkouts, two CI jobs) never share or delete each other's files.
inline std::string FreshTestDir(const std::string& prefix) {
  // A parameterised test's name holds '/' ("Name/sqlite"): one folder, not two.
  std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
  std::replace(name.begin(), name.end(), '/', '_');
  std::string dir = testing::TempDir() + prefix + name + "_XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << dir << " failed";
  return dir;
}

template <typename S>
struct BackendOf {
  const char* name;
  std::function<std::unique_ptr<S>(const std::string& dir)> open;
  // Why the backend cannot run here ("" when it can): its cases are then skipped,
  // saying why, instead of failing (a server backend on a machine without the
  // server). Null for a backend that always runs.
  std::function<std::string()> unavailable;
};

template <typename S>
std::string BackendName(const testing::TestParamInfo<BackendOf<S>>& info) {
  return info.param.name;
}

template <typename S>
class ContractFixture : public testing::TestWithParam<BackendOf<S>> {
 protected:
  void SetUp() override {
    if (this->GetParam().unavailable) {
      std::string why = this->GetParam().unavailable();
      if (!why.empty()) GTEST_SKIP() << this->GetParam().name << ": " << why;
    }
    dir_ = FreshTestDir(std::string("/ecohub_contract_") + this->GetParam().name + "_");
    store_ = this->GetParam().open(dir_);
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void Restart() {
    store_.reset();
    store_ = this->GetParam().open(dir_);
    ASSERT_NE(store_, nullptr);
  }

  std::string dir_;
  std::unique_ptr<S> store_;
};

}  // namespace ecohub::store
