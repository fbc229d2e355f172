#include "app/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace ecohub::app {

TEST(Config, ParseListen) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseListen("127.0.0.1:9212", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9212);
  ASSERT_TRUE(ParseListen("[::1]:0", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  for (const char* bad : {"9212", ":80", "host:", "host:70000", "host:8x"})
    EXPECT_FALSE(ParseListen(bad, &host, &port).ok()) << bad;
}

TEST(Config, FileOverridesDefaultsAndValidates) {
  std::string path =
      testing::TempDir() + "/ecohub_config_test_" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path) << "[gateway]\nlisten = \"127.0.0.1:7000\"\nmax_segment_bytes = 4096\n"
                         "[retention]\nraw_days = 7\n";
  ServeConfig c;
  c.data_dir = "/tmp/x";
  ASSERT_TRUE(LoadConfigFile(path, &c).ok());
  EXPECT_EQ(c.gateway.listen_port, 7000);
  EXPECT_EQ(c.gateway.framer.max_segment, 4096u);
  EXPECT_EQ(c.retention.raw_days, 7);
  EXPECT_TRUE(Validate(c).ok());
  c.gateway.framer.max_segment = 100;
  EXPECT_FALSE(Validate(c).ok());

  std::ofstream(path) << "[gateway\nlisten=";
  EXPECT_EQ(LoadConfigFile(path, &c).code(), Code::kInvalidInput);
  std::remove(path.c_str());
}

TEST(Config, GatewayLimits) {
  std::string path =
      testing::TempDir() + "/ecohub_config_limits_" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path) << "[gateway]\nfirst_frame_timeout_seconds = 30\n"
                         "max_connections_per_address = 5\nshared_addresses = [\"10.0.0.1\"]\n"
                         "auth_failures_per_address = 4\nauth_backoff_seconds = 60\n"
                         "auth_backoff_max_seconds = 600\nauth_failures_per_mn = 7\n"
                         "rejected_kept_per_address = 3\nhorizon_days = 30\n";
  ServeConfig c;
  c.data_dir = "/tmp/x";
  EXPECT_EQ(c.gateway.first_frame_timeout.count(), 60);
  EXPECT_EQ(c.gateway.guard.address_max_auth_failures, 10);
  ASSERT_TRUE(LoadConfigFile(path, &c).ok());
  EXPECT_EQ(c.gateway.first_frame_timeout.count(), 30);
  EXPECT_EQ(c.gateway.guard.max_connections_per_address, 5u);
  EXPECT_EQ(c.gateway.guard.shared_addresses, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(c.gateway.guard.address_max_auth_failures, 4);
  EXPECT_EQ(c.gateway.guard.backoff.count(), 60);
  EXPECT_EQ(c.gateway.guard.backoff_max.count(), 600);
  EXPECT_EQ(c.gateway.guard.mn_max_auth_failures, 7);
  EXPECT_EQ(c.gateway.guard.raw_rejected_per_address, 3);
  EXPECT_EQ(c.gateway.admission.horizon_days, 30);
  EXPECT_TRUE(Validate(c).ok());
  c.gateway.guard.backoff_max = std::chrono::seconds(10);  // below the back-off
  EXPECT_FALSE(Validate(c).ok());
  std::remove(path.c_str());
}

TEST(Config, TaskEscalationToTheCity) {
  std::string path =
      testing::TempDir() + "/ecohub_config_tasks_" + std::to_string(::getpid()) + ".toml";
  EXPECT_EQ(ServeConfig().task_to_city_hours, 24);
  std::ofstream(path) << "[tasks]\nto_city_hours = 48\n";
  ServeConfig c;
  ASSERT_TRUE(LoadConfigFile(path, &c).ok());
  EXPECT_EQ(c.task_to_city_hours, 48);
  for (const char* bad : {"to_city_hours = 0", "to_city_hours = 721"}) {
    std::ofstream(path) << "[tasks]\n" << bad << "\n";
    ServeConfig d;
    EXPECT_EQ(LoadConfigFile(path, &d).code(), Code::kInvalidInput) << bad;
  }
  std::remove(path.c_str());
}

TEST(Config, ComplaintDaysToReplyAndLimits) {
  std::string path =
      testing::TempDir() + "/ecohub_config_complaints_" + std::to_string(::getpid()) + ".toml";
  EXPECT_EQ(ServeConfig().complaint_keep_contact_days, 180);
  std::ofstream(path) << "[limits]\ncomplaints_per_address_per_hour = 3\n"
                         "[complaints]\nkeep_contact_days = 90\n"
                         "[complaints.reply_days]\nnoise = 5\nair = 7\n";
  ServeConfig c;
  ASSERT_TRUE(LoadConfigFile(path, &c).ok());
  EXPECT_EQ(c.complaint_keep_contact_days, 90);
  for (const char* bad : {"keep_contact_days = 30", "keep_contact_days = 4000"}) {
    std::ofstream(path) << "[complaints]\n" << bad << "\n";
    ServeConfig d;
    EXPECT_EQ(LoadConfigFile(path, &d).code(), Code::kInvalidInput) << bad;
  }
  EXPECT_EQ(c.complaint_reply_days, (std::map<std::string, int>{{"air", 7}, {"noise", 5}}));
  EXPECT_EQ(c.rate_limits.complaints_per_address_per_hour, 3);
  for (const char* bad : {"smell = 5", "noise = 0", "noise = 400", "noise = \"five\""}) {
    std::ofstream(path) << "[complaints.reply_days]\n" << bad << "\n";
    ServeConfig d;
    Status s = LoadConfigFile(path, &d);
    EXPECT_EQ(s.code(), Code::kInvalidInput) << bad;
  }
  std::remove(path.c_str());
}

TEST(Config, TrustedProxies) {
  std::string path =
      testing::TempDir() + "/ecohub_config_proxies_" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path) << "[http]\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n";
  ServeConfig c;
  ASSERT_TRUE(LoadConfigFile(path, &c).ok());
  EXPECT_TRUE(c.http.trusted_proxies.Contains("10.1.2.3"));
  EXPECT_FALSE(c.http.trusted_proxies.Contains("192.168.0.1"));
  EXPECT_TRUE(ServeConfig().http.trusted_proxies.empty());  // nobody by default
  for (const char* bad : {"[\"10.0.0.0/40\"]", "[\"nginx\"]", "[8]", "\"10.0.0.1\""}) {
    std::ofstream(path) << "[http]\ntrusted_proxies = " << bad << "\n";
    ServeConfig d;
    Status s = LoadConfigFile(path, &d);
    EXPECT_EQ(s.code(), Code::kInvalidInput) << bad;
  }
  std::remove(path.c_str());
}

TEST(Config, AlarmsAndWebSettings) {
  std::string path =
      testing::TempDir() + "/ecohub_config_alarms_" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path) << "[alarms]\noffline_minutes = 10\nsync_seconds = 30\n"
                         "[http]\nweb_dir = \"/srv/ecohub/web\"\n";
  ServeConfig c;
  c.data_dir = "/tmp/x";
  ASSERT_TRUE(LoadConfigFile(path, &c).ok());
  EXPECT_EQ(c.offline_minutes, 10);
  EXPECT_EQ(c.alarm_sync_seconds, 30);
  EXPECT_EQ(c.web_dir, "/srv/ecohub/web");
  EXPECT_TRUE(Validate(c).ok());
  for (int bad : {0, -5, 7 * 24 * 60 + 1}) {
    c.offline_minutes = bad;
    EXPECT_FALSE(Validate(c).ok()) << bad;
  }
  c.offline_minutes = 30;
  c.alarm_sync_seconds = 1;
  EXPECT_FALSE(Validate(c).ok());
  std::remove(path.c_str());
}

TEST(Config, HandlerThreadsAndReadConnections) {
  std::string path =
      testing::TempDir() + "/ecohub_config_threads_" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path) << "[http]\nhandler_threads = 6\n[store]\nread_connections = 3\n";
  ServeConfig c;
  c.data_dir = "/tmp/x";
  EXPECT_GE(c.http.handler_threads, 2u);  // the default: one per core, at least 2
  EXPECT_EQ(c.read_connections, 0);       // the default: the store's own choice
  ASSERT_TRUE(LoadConfigFile(path, &c).ok());
  EXPECT_EQ(c.http.handler_threads, 6u);
  EXPECT_EQ(c.read_connections, 3);
  EXPECT_TRUE(Validate(c).ok());
  c.read_connections = 65;
  EXPECT_FALSE(Validate(c).ok());
  c.read_connections = 0;
  c.http.handler_threads = 257;
  EXPECT_FALSE(Validate(c).ok());
  std::ofstream(path) << "[http]\nhandler_threads = -1\n";
  Status s = LoadConfigFile(path, &c);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("handler_threads"), std::string::npos) << s.message();
  std::remove(path.c_str());
}

TEST(Config, UnreadableFilesAreRefusedBeforeStart) {
  ServeConfig c;
  c.data_dir = "/tmp/x";
  c.http.tls_cert_file = "/nonexistent/cert.pem";
  c.http.tls_key_file = "/nonexistent/key.pem";
  Status s = Validate(c);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/cert.pem"), std::string::npos);
  c.http.tls_cert_file.clear();
  c.http.tls_key_file.clear();
  c.admin_password_file = "/nonexistent/pw";
  EXPECT_FALSE(Validate(c).ok());
  c.admin_password_file.clear();
  EXPECT_TRUE(Validate(c).ok());
}

TEST(Config, OidcSectionAndItsChecks) {
  std::string path =
      testing::TempDir() + "/ecohub_config_oidc_" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path) << "[oidc]\nissuer = \"https://id.example.gov.cn\"\nclient_id = \"eco\"\n"
                         "redirect_uri = \"https://eco.example.gov.cn/login/oidc\"\n"
                         "claim_role = \"groups\"\nauto_create = true\n"
                         "[oidc.roles]\n\"环境监测处\" = \"staff\"\n\"网格员\" = \"inspector\"\n";
  ServeConfig c;
  c.data_dir = "/tmp/x";
  ASSERT_TRUE(LoadConfigFile(path, &c).ok());
  EXPECT_EQ(c.oidc.client_id, "eco");
  EXPECT_TRUE(c.oidc.auto_create);
  EXPECT_EQ(c.oidc.roles.at("网格员"), auth::Role::kInspector);
  EXPECT_TRUE(Validate(c).ok());
  c.oidc.roles["信息中心"] = auth::Role::kAdmin;  // claims never make administrators
  EXPECT_EQ(Validate(c).code(), Code::kInvalidInput);

  std::ofstream(path) << "[oidc]\nissuer = \"https://id\"\n[oidc.roles]\n\"x\" = \"boss\"\n";
  EXPECT_EQ(LoadConfigFile(path, &c).code(), Code::kInvalidInput);
  ServeConfig secret;
  secret.data_dir = "/tmp/x";
  secret.oidc = c.oidc;
  secret.oidc.roles.clear();
  secret.oidc_client_secret_file = "/nonexistent/secret";
  EXPECT_EQ(Validate(secret).code(), Code::kInvalidInput);
  std::remove(path.c_str());
}

}  // namespace ecohub::app
