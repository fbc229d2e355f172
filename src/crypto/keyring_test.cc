#include "crypto/keyring.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace ecohub::crypto {
namespace {

const std::string kHexA(64, 'a'), kHexB(64, 'b');

class KeyRingFile : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ecohub-keys-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/keys";
    unsetenv(kKeysEnv);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& text, mode_t mode) {
    std::ofstream(path_) << text;
    chmod(path_.c_str(), mode);
  }
  std::string dir_, path_;
};

TEST(KeyRingParse, Table) {
  struct {
    const char* text;
    bool ok;
    size_t keys;
  } cases[] = {
      {"", true, 0},
      {"# comment only\n\n", true, 0},
      {"k1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", true, 1},
      {"k1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
       "k2:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
       true, 2},
      {"k1 aaaa\n", false, 0},                                                             // short
      {"k1\n", false, 0},                                                                  // no key
      {"k/1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, 0},  // id
      {"k1 gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg", false, 0},   // hex
      {"k1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
       "k1 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n",
       false, 0},  // repeated id
  };
  for (const auto& c : cases) {
    auto ring = KeyRing::Parse(c.text, "test");
    EXPECT_EQ(ring.ok(), c.ok) << c.text;
    if (ring.ok()) {
      EXPECT_EQ(ring->size(), c.keys) << c.text;
    }
  }
  auto two = KeyRing::Parse("k1:" + kHexA + "\nk2 " + kHexB, "test").value();
  EXPECT_EQ(two.newest().id, "k2");
  EXPECT_EQ(two.newest().bytes, std::string(32, '\xbb'));
  ASSERT_NE(two.Find("k1"), nullptr);
  EXPECT_EQ(two.Find("k3"), nullptr);
}

TEST_F(KeyRingFile, RefusesAFileOthersCanRead) {
  Write("k1 " + kHexA + "\n", 0644);
  auto ring = KeyRing::LoadFile(path_);
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), Code::kPermissionDenied);
  EXPECT_NE(ring.status().message().find("chmod 600"), std::string::npos);
  chmod(path_.c_str(), 0600);
  EXPECT_TRUE(KeyRing::LoadFile(path_).ok());
  EXPECT_EQ(KeyRing::LoadFile(dir_ + "/none").status().code(), Code::kNotFound);
}

TEST_F(KeyRingFile, CreateThenRotateKeepsOldKeys) {
  ASSERT_TRUE(KeyRing::CreateFile(path_).ok());
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(KeyRing::CreateFile(path_).code(), Code::kConflict);  // never overwritten
  auto first = KeyRing::LoadFile(path_).value();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first.newest().id, "k1");
  EXPECT_EQ(KeyRing::RotateFile(path_).value(), "k2");
  EXPECT_EQ(KeyRing::RotateFile(path_).value(), "k3");
  auto after = KeyRing::LoadFile(path_).value();
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after.newest().id, "k3");
  EXPECT_EQ(after.Find("k1")->bytes, first.newest().bytes);
  EXPECT_NE(after.Find("k2")->bytes, first.newest().bytes);
}

TEST_F(KeyRingFile, ResolveOrder) {
  // No file, nothing in the environment: an empty ring unless asked to create.
  auto none = KeyRing::Resolve("", path_, false);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto created = KeyRing::Resolve("", path_, true);
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->created());
  EXPECT_EQ(created->size(), 1u);
  EXPECT_FALSE(KeyRing::Resolve("", path_, true)->created());
  // The environment wins over the default file, an explicit file over both.
  setenv(kKeysEnv, ("e1:" + kHexA + ",e2:" + kHexB).c_str(), 1);
  EXPECT_EQ(KeyRing::Resolve("", path_, false)->newest().id, "e2");
  EXPECT_EQ(KeyRing::Resolve("", path_, false)->size(), 2u);
  EXPECT_EQ(KeyRing::Resolve(path_, "", false)->newest().id, "k1");
  unsetenv(kKeysEnv);
  // An explicit file that is missing is an error, not an empty ring.
  EXPECT_FALSE(KeyRing::Resolve(dir_ + "/other", "", false).ok());
}

}  // namespace
}  // namespace ecohub::crypto
