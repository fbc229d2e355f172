// `ecohub mqtt broker-files`: the broker's password and ACL files from the registry
// (ingest/mqtt_broker_files.h, docs/mqtt.md). Run it after devices change, then make
// mosquitto read them again (`kill -HUP`).
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "app/cli_support.h"
#include "app/commands.h"
#include "app/config.h"
#include "crypto/keyring.h"
#include "ingest/mqtt_broker_files.h"

namespace ecohub::app {
namespace {

struct BrokerFilesArgs {
  std::string data_dir, out_dir, config_file, username, password_file, key_file, prefix;
};

// Replaces `path` with `text` in one rename, so that a broker re-reading it never sees
// half a file.
Status WriteFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!(out << text) || !out.flush()) return Status::IoError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot rename " + tmp + ": " + ec.message());
  return Status::Ok();
}

int BrokerFilesCmd(const BrokerFilesArgs& a) {
  auto fail = [](const Status& s, int code) {
    std::fprintf(stderr, "ecohub mqtt broker-files: %s\n", s.ToString().c_str());
    return code;
  };
  // The [mqtt] section of the serve config says whose password and which prefix;
  // flags win.
  ServeConfig config;
  if (!a.config_file.empty())
    if (Status s = LoadConfigFile(a.config_file, &config); !s.ok()) return fail(s, 2);
  ingest::MqttBridgeOptions& m = config.mqtt;
  if (!a.username.empty()) m.client.username = a.username;
  if (!a.password_file.empty()) m.password_file = a.password_file;
  if (!a.prefix.empty()) m.ingest.topic_prefix = a.prefix;
  if (m.password_file.empty())
    return fail(Status::InvalidInput("--password-file (or [mqtt] password_file) is required"), 2);
  std::string password;
  std::ifstream in(m.password_file);
  if (!in || !std::getline(in, password) || password.empty())
    return fail(Status::InvalidInput(m.password_file + " has no password on its first line"), 2);

  auto store = OpenStore("mqtt broker-files", a.data_dir, /*read_only=*/true);
  if (!store) return 1;
  // Device passwords are sealed with the deployment's keys: open them.
  auto keys = crypto::KeyRing::Resolve(a.key_file, a.data_dir + "/keys", /*create=*/false);
  if (!keys.ok()) return fail(keys.status(), 1);
  store->UseAuditKeys(std::make_shared<const crypto::KeyRing>(std::move(keys).value()));
  auto devices = store->Devices();
  if (!devices.ok()) return fail(devices.status(), 1);
  auto files =
      ingest::MakeBrokerFiles(*devices, m.client.username, password, m.ingest.topic_prefix);
  if (!files.ok()) return fail(files.status(), 2);

  std::error_code ec;
  std::filesystem::create_directories(a.out_dir, ec);
  if (ec) return fail(Status::IoError("cannot create " + a.out_dir + ": " + ec.message()), 1);
  for (auto [name, text] : {std::pair{"passwd", &files->passwd}, std::pair{"acl", &files->acl}})
    if (Status s = WriteFile(a.out_dir + "/" + name, *text); !s.ok()) return fail(s, 1);
  for (const auto& why : files->skipped) std::fprintf(stderr, "skipped %s\n", why.c_str());
  std::printf("%s/passwd and %s/acl: %d devices and '%s'; %zu skipped\n", a.out_dir.c_str(),
              a.out_dir.c_str(), files->devices, m.client.username.c_str(), files->skipped.size());
  return 0;
}

}  // namespace

void AddMqttCommand(CLI::App& app) {
  auto* mqtt = AddGroup(app, "mqtt", "The MQTT bridge's broker (docs/mqtt.md)");
  auto a = std::make_shared<BrokerFilesArgs>();
  auto* files = mqtt->add_subcommand(
      "broker-files",
      "Write mosquitto's password file and ACL from the registry: one account per enabled "
      "device (user MN, password its access password PW) publishing only to its own topics, "
      "and EcoHub's, reading them");
  AddDataOption(files, a->data_dir);
  files->add_option("--out", a->out_dir, "Directory for passwd and acl (created)")->required();
  files->add_option("--config", a->config_file, "The serve TOML config: its [mqtt] section");
  files->add_option("--username", a->username, "EcoHub's broker account (default: ecohub)");
  files->add_option("--password-file", a->password_file,
                    "EcoHub's broker password, first line (default: [mqtt] password_file)");
  files->add_option("--topic-prefix", a->prefix, "First topic level (default: ecohub)");
  files->add_option("--key-file", a->key_file,
                    "Master keys that seal device passwords (default: ECOHUB_KEYS, else "
                    "<data>/keys)");
  files->callback([a] { ExitWith(BrokerFilesCmd(*a)); });
}

}  // namespace ecohub::app
