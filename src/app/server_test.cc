#include "app/server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

namespace ecohub::app {
namespace {

ServeConfig LocalOptions(const std::string& name) {
  ServeConfig c;
  c.data_dir = testing::TempDir() + "/" + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(c.data_dir);
  c.gateway.listen_host = c.http.listen_host = "127.0.0.1";
  c.gateway.listen_port = c.http.listen_port = 0;
  c.web_dir = "none";
  return c;
}

TEST(Server, WrongOptionsFailOpenBeforeTouchingTheDataDirectory) {
  ServeConfig c = LocalOptions("server_bad_options");
  c.io_threads = 0;
  Server server(c);
  EXPECT_EQ(server.Open().code(), Code::kInvalidInput);
  EXPECT_FALSE(std::filesystem::exists(c.data_dir));
}

TEST(Server, StopFromAnotherThreadEndsWait) {
  ManualClock clock;
  Server server(LocalOptions("server_stop"), clock);
  ASSERT_TRUE(server.Open().ok());
  ASSERT_TRUE(server.Start().ok());
  EXPECT_NE(server.gateway_port(), 0);
  EXPECT_NE(server.http_port(), 0);
  std::thread stopper([&] { server.Stop(); });
  server.Wait();
  stopper.join();
}

}  // namespace
}  // namespace ecohub::app
