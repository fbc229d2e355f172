#include "ingest/mqtt_broker_files.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

namespace ecohub::ingest {
namespace {

TEST(MqttBrokerFilesTest, HashMatchesMosquittoPasswd) {
  // From `mosquitto_passwd -b file dev1 secret` (mosquitto 2.0.11).
  std::string salt(12, '\0');
  ASSERT_EQ(EVP_DecodeBlock(reinterpret_cast<unsigned char*>(salt.data()),
                            reinterpret_cast<const unsigned char*>("tmCQ5KKXUXIRrGzc"), 16),
            12);
  EXPECT_EQ(MosquittoPasswordHash("secret", salt, 101),
            "$7$101$tmCQ5KKXUXIRrGzc$5ePfrR6VX0oetjILzDsSBYyBw/frlvqX0eF1tH1qRBVxRjHmceBPoOuKt15ml9"
            "j1ghUu0RMnANwsOOI/vp1yzA==");
  EXPECT_NE(MosquittoPasswordHash("secret"), MosquittoPasswordHash("secret"));  // fresh salts
}

TEST(MqttBrokerFilesTest, EachEnabledDeviceWritesOnlyItsOwnTopics) {
  std::vector<registry::Device> devices{
      {"88888880000001", 1, "123456", 1, "utf-8", true, "hj212"},
      {"OFF0001", 2, "123456", 1, "utf-8", false, "hj212"},
      {"bad/mn", 3, "123456", 1, "utf-8", true, "hj212"},
      {"NOPW001", 4, "", 1, "utf-8", true, "hj212"},
  };
  auto f = MakeBrokerFiles(devices, "ecohub", "s3cret", "ecohub");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->devices, 1);
  EXPECT_EQ(f->skipped.size(), 2u);
  EXPECT_TRUE(f->passwd.starts_with("ecohub:$7$101$"));
  EXPECT_NE(f->passwd.find("\n88888880000001:$7$101$"), std::string::npos);
  EXPECT_EQ(f->passwd.find("OFF0001"), std::string::npos);
  EXPECT_NE(f->acl.find("user ecohub\ntopic read ecohub/hj212/+\ntopic read ecohub/json/+\n"),
            std::string::npos);
  EXPECT_NE(f->acl.find("user 88888880000001\ntopic write ecohub/hj212/88888880000001\n"
                        "topic write ecohub/json/88888880000001\n"),
            std::string::npos);
  EXPECT_EQ(f->acl.find("OFF0001"), std::string::npos);
  EXPECT_FALSE(MakeBrokerFiles(devices, "eco hub", "x").ok());
  EXPECT_FALSE(MakeBrokerFiles(devices, "ecohub", "").ok());
}

}  // namespace
}  // namespace ecohub::ingest
